"""What the API and the pages share: the run store, the catalogue, jobs and caches.

Runs are immutable, so everything derived from one (its view with figures and tables,
its JSON documents, rendered pages) is cached by run id and manifest modification time.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from shigen.datasets import Catalogue
from shigen.errors import InputError
from shigen.options import EXAMPLES
from shigen.report.view import RunView, run_view
from shigen.runs.document import run_document, run_json
from shigen.runs.store import RunStore
from shigen.web.jobs import JobManager, worker_env
from shigen.web.safety import check_paths
from shigen.web.settings import ServerSettings

T = TypeVar("T")


class NotFound(InputError):
    """A named thing (run, dataset, study, job) that does not exist → HTTP 404."""


class LRU:
    """A small thread-safe least-recently-used cache."""

    def __init__(self, size: int = 64):
        self.size = size
        self.data: OrderedDict[Any, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any, make: Callable[[], T]) -> T:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]  # type: ignore[no-any-return]
        value = make()
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


class Service:
    """The server's state; one per app."""

    def __init__(self, settings: ServerSettings):
        self.settings = settings
        self.store = RunStore(settings.home)
        self.jobs = JobManager(worker_env(settings.home, settings.data_dirs),
                               workers=settings.workers, timeout=settings.job_timeout,
                               max_queued=settings.max_queued)
        self.cache = LRU(128)
        self._known: set[str] = set()
        self._catalogue: Catalogue | None = None

    # --- datasets ---------------------------------------------------------------
    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            self._catalogue = Catalogue(self.settings.data_dirs)
        return self._catalogue

    def dataset_rows(self) -> list[dict[str, Any]]:
        """The rows of ``shigen data list --json``."""
        return self.catalogue.listing()

    def dataset(self, name: str, rows: int = 20) -> dict[str, Any]:
        """The document of ``shigen data show NAME --json``."""
        cat = self.catalogue
        if name not in cat:
            raise NotFound(f"unknown dataset '{name}'", fix="see GET /api/datasets for names")
        ds = cat.get(name)
        frame = ds.frame
        summary: dict[str, Any] = {**cat.describe(name), "rows": len(frame), "sha256": ds.sha256}
        if "year" in frame.columns:
            summary["years"] = sorted(int(y) for y in frame["year"].unique())
        summary["data"] = json.loads(frame.head(rows).to_json(orient="records"))
        return summary

    # --- runs -------------------------------------------------------------------
    def resolve(self, ref: str) -> str:
        """A full run id from an id, a unique prefix or ``latest`` (404 when unknown).

        Full ids seen once in the catalogue are remembered (runs are immutable); a deleted
        run is noticed by :meth:`_key` when its manifest is gone.
        """
        if ref in self._known and (self.store.path(ref) / "manifest.json").is_file():
            return ref
        try:
            rid = self.store.resolve(ref)
        except InputError as exc:
            if exc.what.startswith("no run"):
                raise NotFound(exc.what, fix="see GET /api/runs for run ids") from None
            raise
        self._known.add(rid)
        return rid

    def _key(self, kind: str, run_id: str) -> tuple[str, str, int]:
        path = self.store.path(run_id) / "manifest.json"
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            raise NotFound(f"run '{run_id}' is no longer in the store") from None
        return (kind, run_id, mtime)

    def view(self, run_id: str) -> RunView:
        return self.cache.get(self._key("view", run_id), lambda: run_view(self.store, run_id))

    def run_document(self, run_id: str) -> dict[str, Any]:
        return self.cache.get(self._key("doc", run_id),
                              lambda: run_document(self.store, run_id))

    def run_json(self, run_id: str) -> dict[str, Any]:
        return self.cache.get(self._key("json", run_id), lambda: run_json(self.store, run_id))

    def cached(self, kind: str, run_id: str, make: Callable[[], T]) -> T:
        return self.cache.get(self._key(kind, run_id), make)

    def cached_json(self, kind: str, run_id: str, make: Callable[[], Any]) -> bytes:
        """A run's JSON document, encoded once (runs are immutable)."""
        return self.cache.get(self._key(f"{kind}.json", run_id),
                              lambda: json.dumps(make(), default=str).encode())

    # --- studies ----------------------------------------------------------------
    def examples(self) -> list[dict[str, Any]]:
        import tomllib

        out = []
        for p in sorted(EXAMPLES.glob("*.toml")):
            meta = tomllib.loads(p.read_text("utf-8")).get("study", {})
            out.append({"name": p.stem, "title": meta.get("title", p.stem),
                        "description": (meta.get("description") or "").strip()})
        return out

    def example_text(self, name: str) -> str:
        names = {p.stem: p for p in EXAMPLES.glob("*.toml")}
        if name not in names:
            raise NotFound(f"no shipped study '{name}'",
                           fix=f"use one of: {', '.join(sorted(names)) or 'none'}")
        return names[name].read_text("utf-8")

    def submit(self, text: str, source: str) -> Any:
        """Check a study's file references, validate it, and queue it as a job.

        A submitted study is read as if it sat beside the shipped studies: a baseline
        study it names (``baseline = "etp2008-baseline.toml"``) is one of those, and no
        file outside them and the server's data folders can be named.
        """
        import tomllib

        try:
            doc = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError):
            doc = None  # the job manager's validation reports it with its line
        if doc is not None:
            check_paths(doc, [EXAMPLES, *self.settings.data_dirs], source)
        if isinstance(doc, dict) and (doc.get("data") or isinstance(doc.get("supply"), dict)):
            self._check_against_data(text, source)
        return self.jobs.submit(text, source, study_dir=EXAMPLES)

    def _check_against_data(self, text: str, source: str) -> None:
        """What only the server's data can refute is bad input (422) now, not a failed job.

        A data override that selects no row, and a commodity no data folder declares
        (commodities are data: the study schema cannot list them, the catalogue can).
        """
        from shigen.study import locate, parse_study
        from shigen.supply.chains import chain

        study = parse_study(text, source, {"study_dir": str(EXAMPLES)})
        try:
            study.data_view(self.catalogue)
            for commodity in study.supply.commodities if study.supply is not None else []:
                chain(self.catalogue, commodity, "supply.commodities")
        except InputError as exc:
            raise locate(study, exc) from None
