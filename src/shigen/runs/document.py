"""The JSON documents that describe a stored run, one function each, shared by every reader.

:func:`run_document` is ``shigen runs show --json`` and the web's ``GET /api/runs/{id}``;
:func:`run_json` is ``shigen run --json`` of a cached run and the web's run result.
"""

from __future__ import annotations

from typing import Any

from shigen.runs.runner import RunResult
from shigen.runs.store import RunStore


def run_json(store: RunStore, run_id: str) -> dict[str, Any]:
    """The document ``shigen run --json`` prints for this (cached) run."""
    return RunResult.from_manifest(run_id, store.manifest(run_id),
                                   str(store.path(run_id))).to_json()


def run_document(store: RunStore, run_id: str) -> dict[str, Any]:
    """The document ``shigen runs show --json`` prints for this run.

    When and with what it was made (versions, timings, dataset editions and short hashes,
    the study's data overrides with the rows they changed) and each stage's summary.
    """
    manifest = store.manifest(run_id)
    return {"run_id": run_id, "study": manifest["study"]["study"]["name"],
            "created": manifest["created"], "versions": manifest["versions"],
            "timings": manifest["timings"], "absent_stages": manifest.get("absent_stages", []),
            "data": {k: {"edition": v.get("edition"), "sha256": v["sha256"][:12]}
                     for k, v in manifest["data"].items()},
            "overrides": manifest.get("overrides", []),
            "warnings": manifest.get("warnings", []),
            **{k: v["summary"] for k, v in manifest["stages"].items()},
            "path": str(store.path(run_id))}
