"""Everything a report or a dashboard page shows about a run, read from the run store.

The same functions serve ``shigen report`` and ``shigen serve``:
figures and tables come from the stored stage datasets and summaries, never recomputed.
The runs' JSON documents are in :mod:`shigen.runs.document`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shigen.report.figures import Figure
from shigen.report.stages import presentation
from shigen.report.tables import Table, flatten
from shigen.runs.store import RunStore
from shigen.stages import get_stage


@dataclass
class StageView:
    """One stage of a run: its summary (the ``--json`` object), tables, figures, checks."""

    name: str
    title: str
    summary: dict[str, Any]
    tables: list[Table]
    figures: list[Figure]
    checks: Any = None


@dataclass
class RunView:
    """A run as shown to people: study, warnings, stages, validation notes, provenance."""

    run_id: str
    study: dict[str, Any]
    created: str
    versions: dict[str, str]
    timings: dict[str, float]
    absent: list[str]
    stages: list[StageView] = field(default_factory=list)
    datasets: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return str(self.study["study"]["name"])

    @property
    def title(self) -> str:
        return str(self.study["study"].get("title", self.name))

    @property
    def figures(self) -> list[Figure]:
        return [f for s in self.stages for f in s.figures]


PROVENANCE_KEYS = ("name", "title", "source", "url", "edition", "license", "unit", "status",
                   "origin", "sha256")


def validation_notes(manifest: dict[str, Any]) -> list[str]:
    """Plain-language notes: stage checks, estimates among the data, stages not run."""
    def show(value: Any) -> str:
        if isinstance(value, float):
            return format(value, ".3g")
        return "yes" if value is True else "no" if value is False else str(value)

    notes = []
    for stage, info in manifest["stages"].items():
        checks = info.get("checks")
        if checks:
            items = checks.items() if isinstance(checks, dict) else enumerate(checks)
            for key, value in items:
                parts = flatten(value) if isinstance(value, dict | list) else [("", value)]
                text = "; ".join(f"{k} = {show(v)}" if k else show(v) for k, v in parts)
                notes.append(f"{stage} check {key}: {text}")
    estimates = sorted(n for n, d in manifest["data"].items() if d.get("status") == "estimate")
    if estimates:
        notes.append("datasets with status 'estimate' (unverified figures): "
                     + ", ".join(estimates))
    secondary = sorted(n for n, d in manifest["data"].items() if d.get("status") == "secondary")
    if secondary:
        notes.append(f"{len(secondary)} datasets are secondary compilations (not the primary "
                     "publisher): " + ", ".join(secondary))
    if manifest.get("absent_stages"):
        notes.append("stages not in this run: " + ", ".join(manifest["absent_stages"]))
    return notes


def stage_view(store: RunStore, run_id: str, stage: str, info: dict[str, Any]) -> StageView:
    summary = info.get("summary") or {}
    ds = store.load_stage(run_id, stage)
    shown = presentation(stage)
    return StageView(stage, get_stage(stage).title, summary, shown.tables(summary),
                     shown.figures(ds, summary), info.get("checks"))


def run_view(store: RunStore, run_id: str) -> RunView:
    """Load a stored run with its tables, figures, notes and dataset provenance."""
    manifest = store.manifest(run_id)
    view = RunView(run_id, manifest["study"], manifest["created"], manifest["versions"],
                   manifest.get("timings", {}), manifest.get("absent_stages", []))
    from shigen.study import STAGE_ORDER

    def order(stage: str) -> tuple[int, str]:  # pipeline order; the manifest's keys are sorted
        return (STAGE_ORDER.index(stage) if stage in STAGE_ORDER else len(STAGE_ORDER), stage)

    for stage in sorted(manifest["stages"], key=order):
        view.stages.append(stage_view(store, run_id, stage, manifest["stages"][stage]))
    if manifest.get("uncertainty"):  # an uncertainty run: its spread after the stages
        from shigen.report import uncertainty

        unc = manifest["uncertainty"]
        view.stages.append(StageView("uncertainty", "Uncertainty over the data ranges", unc,
                                     uncertainty.tables(unc), uncertainty.figures(unc)))
    for name in sorted(manifest["data"]):
        d = manifest["data"][name]
        view.datasets.append({k: (name if k == "name" else d.get(k)) for k in PROVENANCE_KEYS})
    view.notes = validation_notes(manifest)
    view.warnings = list(manifest.get("warnings", []))
    return view
