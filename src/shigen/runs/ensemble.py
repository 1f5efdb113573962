"""Storing an ensemble as a run: its id, its manifest, one atomic write.

``shigen.runs`` is the one writer of run manifests: the policy stage computes an
ensemble (:func:`shigen.policy.ensemble.run_ensemble`) and this module stores it,
as :func:`shigen.runs.runner.run_study` stores a single run.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

import shigen
from shigen.runs.runner import run_id_for
from shigen.runs.store import RunRecord, RunStore

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study


def ensemble_run_id(study: Study, fingerprint: dict[str, str], samples: int) -> str:
    """Run id of an ensemble: the study's run id, the word ``ensemble`` and the sample count."""
    base = run_id_for(study, fingerprint)
    return hashlib.sha256(f"{base}:ensemble:{samples}".encode()).hexdigest()[:16]


def store_ensemble(study: Study, catalogue: Catalogue, store: RunStore, ds: xr.Dataset,
                   summary: dict[str, Any], timings: dict[str, float],
                   executor: dict[str, Any]) -> tuple[str, str]:
    """Store a *complete* ensemble as a run (atomic folder rename, then catalogue row).

    Returns the run id and the run folder's path. An ensemble with missing or non-finite
    samples is refused (``ValueError``): nothing half-computed is stored.
    """
    fingerprint = catalogue.fingerprint()
    samples = int(ds.attrs["samples"])
    if ds.sizes.get("sample", 0) != samples or not np.isfinite(ds["criterion_value"].values).all():
        raise ValueError("refusing to store an incomplete ensemble")
    run_id = ensemble_run_id(study, fingerprint, samples)
    manifest = {
        "run_id": run_id,
        "kind": "ensemble",
        "study": json.loads(study.canonical_json()),
        "data": {n: {"sha256": h, **catalogue.describe(n)} for n, h in fingerprint.items()},
        "versions": {"shigen": shigen.__version__, "python": platform.python_version()},
        "timings": timings,
        "executor": executor,
        "absent_stages": [],
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        # stored as the policy stage's results so stage-driven readers (export, reports)
        # find a registered stage; ``kind`` tells an ensemble from a single run
        "stages": {"policy": {"summary": summary}},
    }
    record = RunRecord(run_id, study.study.name, study.study.title, time.time(), "complete",
                       ["policy"], shigen.__version__)
    path = store.write(run_id, manifest, {"policy": ds}, record)
    return run_id, str(path)
