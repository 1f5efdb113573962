"""The orchestrator: study + datasets → stages in order → one immutable run.

``create → run stages → store`` is one readable path. The run id is a hash of the
study, the content hashes of the resolved datasets, the package version and the
seed, so an identical rerun is a cache hit.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import xarray as xr

import shigen
from shigen.datasets import Catalogue
from shigen.errors import InputError
from shigen.policy.data_uncertainty import run_uncertainty
from shigen.policy.evaluate import Upstream
from shigen.policy.executor import Executor
from shigen.run_warnings import RunWarning, ordered, stage_warnings
from shigen.runs.store import RunRecord, RunStore
from shigen.stages import get_stage
from shigen.study import STAGE_ORDER, Study, available_stages, locate

Progress = Callable[[str, str], None]


@dataclass
class RunResult:
    """What a run produced: its id, whether it came from the cache, per-stage summaries."""

    run_id: str
    study: str
    title: str
    cached: bool
    status: str
    stages: dict[str, dict[str, Any]] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    path: str = ""
    warnings: list[RunWarning] = field(default_factory=list)
    uncertainty: dict[str, Any] | None = None

    @classmethod
    def from_manifest(cls, run_id: str, manifest: dict[str, Any], path: str) -> RunResult:
        """The result of a stored run (a cache hit), read from its manifest."""
        meta = manifest["study"]["study"]
        return cls(run_id, meta["name"], meta.get("title", meta["name"]), True,
                   "complete", {k: v["summary"] for k, v in manifest["stages"].items()},
                   manifest.get("absent_stages", []), manifest.get("timings", {}), path,
                   [RunWarning.from_obj(w) for w in manifest.get("warnings", [])],
                   manifest.get("uncertainty"))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"run_id": self.run_id, "study": self.study,
                               "status": self.status, "cached": self.cached}
        out.update(self.stages)
        if self.uncertainty is not None:
            out["uncertainty"] = self.uncertainty
        out["absent_stages"] = self.absent
        out["warnings"] = [w.to_json() for w in self.warnings]
        out["path"] = self.path
        return out

    def _repr_html_(self) -> str:
        """The run in a notebook: headline figures with labels and units, then warnings."""
        from shigen.runs.notebook import run_html

        return run_html(self.to_json(), title=self.title)


def run_id_for(study: Study, fingerprint: dict[str, str],
               ranges: dict[str, Any] | None = None) -> str:
    """Hash of the study, the datasets, the version, the seed (and the ranges it samples)."""
    h = hashlib.sha256()
    h.update(study.canonical_json().encode())
    h.update(json.dumps(fingerprint, sort_keys=True).encode())
    if ranges:  # an uncertainty run draws from the ranges, a single run never reads them
        h.update(json.dumps(ranges, sort_keys=True).encode())
    h.update(shigen.__version__.encode())
    h.update(str(study.study.seed).encode())
    return h.hexdigest()[:16]


def _absent(study: Study) -> list[str]:
    avail = set(available_stages())
    declared = set(study.declared_stages())
    return [s for s in STAGE_ORDER if s not in declared or s not in avail]


def _ranges(catalogue: Catalogue) -> dict[str, Any]:
    return {n: r for n in catalogue.names() if (r := catalogue.describe(n)["range"])}


def study_run_id(study: Study, catalogue: Catalogue) -> str:
    """The id :func:`run_study` gives ``study`` with ``catalogue`` (a study file's current run).

    The files' hashes (the study's data overrides are hashed with the study) and, for a
    study with an ``[uncertainty]`` section, the ranges it samples.
    """
    return run_id_for(study, catalogue.files_fingerprint(),
                      _ranges(catalogue) if study.uncertainty is not None else None)


def run_study(study: Study, catalogue: Catalogue, store: RunStore, *, force: bool = False,
              progress: Progress | None = None, executor: Executor | None = None,
              samples_progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Run every stage the study declares and store the run (or return the cached one).

    The study's ``[[data.override]]`` entries are applied by a catalogue view the stages
    read from; they enter the run id through the study and the manifest through ``overrides``.
    With an ``[uncertainty]`` section the run also samples the datasets' ranges
    (:mod:`shigen.policy.data_uncertainty`, through ``executor``) and stores the spread
    of every headline figure under ``uncertainty``.
    """
    # the files' hashes: the overrides are part of the study, hashed with it
    fingerprint = catalogue.files_fingerprint()
    run_id = study_run_id(study, catalogue)
    if not force and store.has(run_id):
        return RunResult.from_manifest(run_id, store.manifest(run_id), str(store.path(run_id)))
    files = catalogue
    try:
        catalogue = study.data_view(catalogue)
    except InputError as exc:
        raise locate(study, exc) from None
    results: dict[str, xr.Dataset] = {}
    summaries: dict[str, dict[str, Any]] = {}
    timings: dict[str, float] = {}
    extra: dict[str, dict[str, Any]] = {}
    warnings: list[RunWarning] = []
    reads: dict[str, list[str]] = {}
    uses: dict[str, list[str]] = {}
    for name in study.declared_stages():
        spec = get_stage(name)
        if progress:
            progress(name, "start")
        t0 = time.perf_counter()
        # what each stage reads keys the reuse of its result in uncertainty samples
        recording, upstream = catalogue.recording(), Upstream(results)
        try:
            ds = spec.run(getattr(study, name), study, recording, upstream)
        except InputError as exc:
            raise locate(study, exc) from None
        reads[name], uses[name] = recording.reads(), sorted(upstream.used)
        results[name] = ds
        summaries[name] = spec.summarize(ds)
        timings[name] = round(time.perf_counter() - t0, 4)
        checks = ds.attrs.get("checks_json")
        extra[name] = {"summary": summaries[name], "checks": checks and json.loads(checks)}
        warnings += stage_warnings(name, ds, summaries[name])
        if progress:
            progress(name, "done")
    uncertainty = None
    if study.uncertainty is not None:
        if progress:
            progress("uncertainty", "start")
        t0 = time.perf_counter()
        sampled = [get_stage(n) for n in study.declared_stages() if n != "policy"]
        try:
            unc = run_uncertainty(study, files, study.uncertainty, sampled, executor,
                                  base={s.name: summaries[s.name] for s in sampled},
                                  primed=results, reads=reads, uses=uses,
                                  progress=samples_progress)
        except InputError as exc:
            raise locate(study, exc) from None
        uncertainty = unc.to_json(study.uncertainty.top)
        timings["uncertainty"] = round(time.perf_counter() - t0, 4)
        if progress:
            progress("uncertainty", "done")
    used = sorted({n for n in fingerprint})
    manifest: dict[str, Any] = {
        "run_id": run_id,
        "study": json.loads(study.canonical_json()),
        "data": {n: {"sha256": fingerprint[n], **catalogue.describe(n)} for n in used},
        "versions": {"shigen": shigen.__version__, "python": platform.python_version(),
                     **_library_versions()},
        "timings": timings,
        "absent_stages": _absent(study),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "stages": extra,
        "warnings": [w.to_json() for w in ordered(warnings, STAGE_ORDER)],
    }
    if catalogue.applied():
        manifest["overrides"] = [a.to_json() for a in catalogue.applied()]
    if uncertainty is not None:
        manifest["uncertainty"] = uncertainty
    record = RunRecord(run_id, study.study.name, study.study.title, time.time(), "complete",
                       list(results), shigen.__version__)
    path = store.write(run_id, manifest, results, record)
    return RunResult(run_id, study.study.name, study.study.title, False, "complete", summaries,
                     manifest["absent_stages"], timings, str(path),
                     ordered(warnings, STAGE_ORDER), uncertainty)


def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for lib in ("numpy", "xarray", "pandas", "linopy", "highspy", "pydantic", "pint"):
        with contextlib.suppress(PackageNotFoundError):
            out[lib] = version(lib)
    return out
