"""What changed between runs: headline figures side by side, and what makes the runs differ.

``shigen runs compare`` and the web's comparison page start from :func:`comparison`: each
stage's summary numbers (the stage's ``--json`` object, flattened to ``stage.key.subkey``)
in the order the runs were given, with absolute and relative differences against the first
run, and each run named by its study plus what differs from the others (study settings such
as the seed or data overrides, dataset hashes). The full variable diff
(:func:`shigen.runs.export.compare_runs`) follows it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from shigen.runs.store import RunStore

# study settings shown in a run's name at most (the rest are in ``differs``)
NAME_SETTINGS = 3


@dataclass(frozen=True)
class HeadlineRow:
    """One summary figure in each run.

    ``diff``/``rel_diff`` are of the last run against the first (``rel_diff`` is None
    when the first is 0 or either is missing).
    """

    key: str
    values: tuple[float | None, ...]
    diff: float | None
    rel_diff: float | None

    def to_json(self) -> dict[str, Any]:
        a, b = self.values[0], self.values[-1]
        return {"key": self.key, "a": a, "b": b, "values": list(self.values),
                "diff": self.diff, "rel_diff": self.rel_diff}


@dataclass(frozen=True)
class Difference:
    """A study setting or dataset hash that is not the same in every run."""

    key: str
    values: tuple[Any, ...]


@dataclass(frozen=True)
class Comparison:
    runs: tuple[str, ...]
    names: tuple[str, ...]
    differs: tuple[Difference, ...]
    headline: tuple[HeadlineRow, ...]

    def to_json(self) -> dict[str, Any]:
        return {"runs": list(self.runs), "names": list(self.names),
                "differs": [asdict(d) | {"values": list(d.values)} for d in self.differs],
                "headline": [h.to_json() for h in self.headline]}

    def _repr_html_(self) -> str:
        """The comparison in a notebook: headline figures side by side with differences."""
        from shigen.runs.notebook import comparison_html

        return comparison_html(self.to_json())


def flatten_numbers(obj: Any, prefix: str) -> dict[str, float]:
    """Numbers reached through nested objects, keyed ``prefix.key.subkey``.

    Lists (per-check tables such as a backtest) are detail, not headline figures, and are
    left to the variable diff.
    """
    out: dict[str, float] = {}
    if isinstance(obj, dict):
        for k, v in obj.items():
            out.update(flatten_numbers(v, f"{prefix}.{k}"))
    elif isinstance(obj, int | float) and not isinstance(obj, bool):
        out[prefix] = float(obj)
    return out


def _flatten_any(obj: Any, prefix: str) -> dict[str, Any]:
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            out.update(_flatten_any(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: json.dumps(obj, sort_keys=True, default=str) if isinstance(obj, list)
            else obj}


def headline_rows(summaries: list[dict[str, float]]) -> list[HeadlineRow]:
    """Rows in the first run's key order, then keys only later runs have."""
    keys = list(dict.fromkeys(k for s in summaries for k in s))
    rows = []
    for key in keys:
        values = tuple(s.get(key) for s in summaries)
        a, b = values[0], values[-1]
        diff = b - a if a is not None and b is not None else None
        rel = diff / abs(a) if diff is not None and a else None
        rows.append(HeadlineRow(key, values, diff, rel))
    return rows


def differences(manifests: list[dict[str, Any]]) -> list[Difference]:
    """Study settings (seed, data overrides, any field) and dataset hashes that differ."""
    flat = [_flatten_any(m.get("study", {}), "") | {f"data.{k}": v["sha256"][:12]
                                            for k, v in m.get("data", {}).items()}
            for m in manifests]
    keys = list(dict.fromkeys(k for f in flat for k in f))
    out = []
    for key in keys:
        values = tuple(f.get(key) for f in flat)
        if len({json.dumps(v, default=str) for v in values}) > 1:
            out.append(Difference(key, values))
    return out


def run_names(study_names: list[str], diffs: list[Difference]) -> list[str]:
    """``study`` alone when that tells the runs apart, else ``study (seed=7, ...)``."""
    names = []
    for i, study in enumerate(study_names):
        parts = [f"{d.key.removeprefix('study.')}={d.values[i]}" for d in diffs
                 if not d.key.startswith("study.name")]
        if not parts and study_names.count(study) == 1:
            names.append(study)
            continue
        shown = parts[:NAME_SETTINGS]
        more = f", +{len(parts) - len(shown)} more" if len(parts) > len(shown) else ""
        names.append(f"{study} ({', '.join(shown)}{more})" if shown else study)
    return names


def comparison(store: RunStore, run_ids: list[str]) -> Comparison:
    """Headline figures and differences of ``run_ids`` in the order given."""
    manifests = [store.manifest(r) for r in run_ids]
    summaries = [{k: v for stage, info in m.get("stages", {}).items()
                  for k, v in flatten_numbers(info["summary"], stage).items()}
                 for m in manifests]
    diffs = differences(manifests)
    # a manifest without its study (written by hand or by an older version) is named by id
    studies = [str(m.get("study", {}).get("study", {}).get("name", r))
               for m, r in zip(manifests, run_ids, strict=True)]
    return Comparison(tuple(run_ids), tuple(run_names(studies, diffs)), tuple(diffs),
                      tuple(headline_rows(summaries)))
