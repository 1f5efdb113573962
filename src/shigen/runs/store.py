"""The run store: immutable run folders plus a SQLite (WAL) catalogue.

Layout under ``SHIGEN_HOME``::

    runs/<run_id>/manifest.json          study, data hashes, versions, timings, summaries
    runs/<run_id>/<stage>/<var>.parquet  one long table per result variable
    catalogue.sqlite                     one row per complete run (written last)
    store.lock                           held by a writer from first file to catalogue row

A run folder is written under ``runs/.tmp-<run_id>-<pid>`` and renamed when
complete; the catalogue row is inserted after the rename, in one transaction.
Readers list only catalogued runs whose manifest exists, so a process killed at
any moment leaves the visible store as it was. The next ``RunStore`` that can
take the lock (no writer alive; a killed process's lock is released by the OS)
sweeps what a killed writer left: temporary folders, and run folders that never
got their catalogue row; a run moved aside by ``--force`` is put back.

Durability: every Parquet file, the manifest and the run's folders are fsync'ed
before the rename, the run folder and ``runs/`` after it, and the catalogue runs
with ``synchronous=FULL``, so a run reported complete survives a power cut with
its row and its files (``docs/benchmarks.md``, "run store durability").

A store without write access (a read-only mount, an archive, another user's
folder) is opened read-only: SQLite in ``mode=ro`` (``immutable=1`` when its
folder cannot hold SQLite's shared-memory file), no lock, no sweeping. Writing to
it, or a write that fails for space or permission, removes what it had written and
raises :class:`~shigen.errors.InputError` (exit 2) with the cause and the fix.

Test hook: with ``SHIGEN_TEST_PAUSE_AT=<phase>`` a writer prints
``shigen-test: paused at <phase>`` on stderr and sleeps at that point, so a test
can SIGKILL it there (``tests/runs/test_sigkill.py``). Phases, in order:
``locked``, ``tables``, ``manifest``, ``trash`` (only when replacing a run),
``renamed``, ``catalogue`` (inside the open transaction).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr

from shigen.errors import InputError, Location
from shigen.files import fsync_path, fsync_tree

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    study TEXT NOT NULL,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    status TEXT NOT NULL,
    stages TEXT NOT NULL,
    version TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class RunRecord:
    run_id: str
    study: str
    title: str
    created: float
    status: str
    stages: list[str]
    version: str

    def to_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "study": self.study, "title": self.title,
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created)),
                "status": self.status, "stages": self.stages, "version": self.version}


PAUSE_ENV = "SHIGEN_TEST_PAUSE_AT"

# failures of the storage, not of shigen: the user fixes them by freeing space or
# pointing SHIGEN_HOME elsewhere
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
NO_PERMISSION = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def _checkpoint(phase: str) -> None:
    """Test hook (see the module docstring): pause here when asked to."""
    if os.environ.get(PAUSE_ENV) == phase:
        sys.stderr.write(f"shigen-test: paused at {phase}\n")
        sys.stderr.flush()
        time.sleep(120)


@contextmanager
def _lock(path: Path, *, wait: bool) -> Iterator[bool]:
    """Hold an exclusive advisory lock on ``path``.

    Yields False if ``wait`` is off and another process holds it. The OS releases
    the lock when the holder dies.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no sweeping, writes still atomic
        yield wait
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _can_write(*paths: Path) -> bool:
    """Whether this process may write each of ``paths`` that exists.

    A read-only mount answers no even to root, so this also detects archives.
    """
    return all(os.access(p, os.W_OK) for p in paths if p.exists())


def _nearly_full(folder: Path) -> bool:
    """Less free space than a small run needs (64 KiB), or unknown."""
    try:
        return shutil.disk_usage(folder).free < 64 * 1024
    except OSError:
        return False


def _to_frame(da: xr.DataArray) -> pd.DataFrame:
    name = da.name or "value"
    if da.ndim == 0:
        return pd.DataFrame({str(name): [da.item()]})
    return da.to_dataframe(name=str(name)).reset_index()


class RunStore:
    """Immutable runs under ``home``; see the module docstring.

    ``writable`` is False for a store opened read-only; ``read_only_cause`` then
    says why (shown when a write is attempted).
    """

    def __init__(self, home: Path):
        self.home = Path(home)
        self.runs_dir = self.home / "runs"
        self.db_path = self.home / "catalogue.sqlite"
        self.lock_path = self.home / "store.lock"
        self.writable = True  # until _open_for_writing finds otherwise
        self._open_error: OSError | sqlite3.Error | None = None
        self.read_only_cause = self._open_for_writing()
        self.writable = self.read_only_cause is None
        if self.writable:
            self._recover()

    def _open_for_writing(self) -> str | None:
        """Prepare the store for writing; the reason it cannot be written, else None."""
        if self.home.is_dir() and not _can_write(self.home, self.runs_dir, self.db_path):
            return "no write access"
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            with self._db() as con:
                con.executescript(SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            if self.home.is_dir() and self.db_path.is_file():
                self._open_error = exc  # e.g. a full disk: what is stored can still be read
                return str(exc)
            raise InputError(f"cannot use the run store at '{self.home}' ({exc})",
                             Location(str(self.home)),
                             "set SHIGEN_HOME to a writable folder") from None
        return None

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        con = self._connect()
        try:
            yield con
        finally:
            con.close()

    def _connect(self) -> sqlite3.Connection:
        if self.writable:
            con = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
            con.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit reaches the disk before the run is reported (module docstring)
            con.execute("PRAGMA synchronous=FULL")
            return con
        uri = self.db_path.resolve().as_uri()
        con = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=30, isolation_level=None)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return con
        except sqlite3.OperationalError:
            # a WAL database whose folder cannot hold the -shm file: read the file as it
            # is (a writer that could leave unmerged WAL pages needs write access itself)
            con.close()
            return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)

    def _require_writable(self, action: str) -> None:
        if self.writable:
            return
        if self._open_error is not None:  # e.g. a full disk: say so, not "read-only"
            known = self._storage_error(self._open_error, action)
            raise known if known is not None else InputError(
                f"cannot {action} in the run store at {self.home} ({self._open_error})",
                fix="check that folder's disk and permissions, or set SHIGEN_HOME to a "
                    "writable folder")
        raise InputError(f"the run store at {self.home} is read-only: cannot {action} "
                         f"({self.read_only_cause})",
                         fix="set SHIGEN_HOME to a writable folder")

    def _storage_error(self, exc: OSError | sqlite3.Error, action: str) -> InputError | None:
        """The user's error for a write that failed for space or permission, else None."""
        code = getattr(exc, "errno", None)
        text = str(exc)
        # SQLite reports a full disk as "disk I/O error" when it cannot grow its -shm
        # file, without an errno: the free space tells
        if code in NO_SPACE or "disk is full" in text or _nearly_full(self.home):
            return InputError(f"cannot {action}: no space left in the run store at "
                              f"{self.home} ({text})",
                              fix="free space on that disk, or set SHIGEN_HOME to a folder "
                                  "on another disk")
        if code in NO_PERMISSION or "readonly database" in text:
            return InputError(f"the run store at {self.home} is read-only: cannot {action} "
                              f"({text})",
                              fix="set SHIGEN_HOME to a writable folder")
        return None

    def _recover(self) -> None:
        """Sweep what a killed writer left (only when no writer is alive)."""
        with _lock(self.lock_path, wait=False) as free:
            if not free:
                return
            with self._db() as con:
                known = {r[0] for r in con.execute("SELECT run_id FROM runs")}
            for p in sorted(self.runs_dir.iterdir()):
                if p.name.startswith(".trash-"):
                    final = self.runs_dir / p.name.split("-")[1]
                    if not final.exists():  # killed between the two renames of --force
                        os.rename(p, final)
                        continue
                    shutil.rmtree(p, ignore_errors=True)
                elif p.name.startswith((".tmp-", ".del-")):
                    shutil.rmtree(p, ignore_errors=True)
                elif not p.name.startswith(".") and p.name not in known and p.is_dir():
                    shutil.rmtree(p, ignore_errors=True)  # renamed, but no catalogue row

    # --- reading -----------------------------------------------------------------
    def path(self, run_id: str) -> Path:
        return self.runs_dir / run_id

    def _rows(self, where: str = "", params: tuple[Any, ...] = ()) -> list[RunRecord]:
        with self._db() as con:
            rows = con.execute(
                "SELECT run_id, study, title, created, status, stages, version FROM runs "
                + where + " ORDER BY created", params).fetchall()
        return [RunRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), r[6]) for r in rows
                if (self.runs_dir / r[0] / "manifest.json").is_file()]

    def list(self) -> list[RunRecord]:
        return self._rows()

    def has(self, run_id: str) -> bool:
        return bool(self._rows("WHERE run_id = ?", (run_id,)))

    def resolve(self, ref: str) -> str:
        """A full run id from a unique prefix, or ``latest``."""
        records = self.list()
        if ref == "latest" and records:
            return records[-1].run_id
        hits = [r.run_id for r in records if r.run_id.startswith(ref)] if ref else []
        if len(hits) == 1:
            return hits[0]
        if not hits:
            raise InputError(f"no run '{ref}' in the store {self.home}",
                             fix="see `shigen runs list` for run ids")
        raise InputError(f"run id prefix '{ref}' matches {len(hits)} runs",
                         fix="give more characters of the run id")

    def manifest(self, run_id: str) -> dict[str, Any]:
        path = self.path(run_id) / "manifest.json"
        manifest: dict[str, Any] = json.loads(path.read_text("utf-8"))
        return manifest

    def load_stage(self, run_id: str, stage: str) -> xr.Dataset:
        """Rebuild a stage's ``xarray.Dataset`` from its Parquet tables."""
        manifest = self.manifest(run_id)
        info = manifest["stages"][stage]
        data_vars = {}
        for var, meta in info["variables"].items():
            frame = pd.read_parquet(self.path(run_id) / stage / f"{var}.parquet")
            dims = meta["dims"]
            if dims:
                da = frame.set_index(dims)[var].to_xarray()
            else:
                da = xr.DataArray(frame[var].iloc[0])
            da.attrs.update(meta.get("attrs", {}))
            data_vars[var] = da
        ds = xr.Dataset(data_vars)
        ds.attrs.update(info.get("attrs", {}))
        return ds

    def table(self, run_id: str, stage: str, var: str) -> pd.DataFrame:
        return pd.read_parquet(self.path(run_id) / stage / f"{var}.parquet")

    # --- writing -----------------------------------------------------------------
    def write(self, run_id: str, manifest: dict[str, Any], results: Mapping[str, xr.Dataset],
              record: RunRecord) -> Path:
        """Write a complete run atomically (folder rename, then catalogue row).

        When the write fails, what it wrote is removed and a replaced run is put back;
        a failure of space or permission becomes an :class:`InputError` (exit 2).
        """
        self._require_writable(f"write run {run_id}")
        try:
            with _lock(self.lock_path, wait=True):
                return self._write_locked(run_id, manifest, results, record)
        except (OSError, sqlite3.Error) as exc:
            user_error = self._storage_error(exc, f"write run {run_id}")
            if user_error is None:
                raise
            raise user_error from None

    def _write_locked(self, run_id: str, manifest: dict[str, Any],
                      results: Mapping[str, xr.Dataset], record: RunRecord) -> Path:
        _checkpoint("locked")
        tmp = self.runs_dir / f".tmp-{run_id}-{os.getpid()}"
        final = self.path(run_id)
        trash = self.runs_dir / f".trash-{run_id}-{os.getpid()}"
        moved_aside = renamed = committed = False
        try:
            if tmp.exists():
                shutil.rmtree(tmp)
            tmp.mkdir(parents=True)
            stages_meta = {stage: _write_tables(tmp / stage, ds)
                           for stage, ds in results.items()}
            _checkpoint("tables")
            manifest = {**manifest, "stages": {**manifest.get("stages", {})}}
            for stage, meta in stages_meta.items():
                manifest["stages"][stage] = {**manifest["stages"].get(stage, {}), **meta}
            with open(tmp / "manifest.json", "w", encoding="utf-8") as fh:
                json.dump(manifest, fh, indent=2, sort_keys=True, default=str)
            fsync_tree(tmp)  # tables, manifest and folders on disk before the rename
            _checkpoint("manifest")
            if final.exists():
                os.rename(final, trash)
                moved_aside = True
                _checkpoint("trash")
            os.rename(tmp, final)
            renamed = True
            fsync_path(final)
            fsync_path(self.runs_dir)  # the renames on disk before the catalogue row
            _checkpoint("renamed")
            with self._db() as con:
                con.execute("BEGIN IMMEDIATE")
                con.execute("INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (record.run_id, record.study, record.title, record.created,
                             record.status, json.dumps(record.stages), record.version))
                _checkpoint("catalogue")
                con.execute("COMMIT")
            committed = True
        finally:
            if not committed:
                self._undo_write(tmp, final, trash, renamed=renamed, moved_aside=moved_aside)
        if moved_aside:
            shutil.rmtree(trash, ignore_errors=True)
        return final

    def _undo_write(self, tmp: Path, final: Path, trash: Path, *, renamed: bool,
                    moved_aside: bool) -> None:
        """Leave the store as it was before a failed write.

        Best effort: the disk may still be full; what remains is swept by the next
        store that opens.
        """
        shutil.rmtree(tmp, ignore_errors=True)
        if renamed:  # in place but never catalogued: a folder without a row
            shutil.rmtree(final, ignore_errors=True)
        if moved_aside and not final.exists():
            with suppress(OSError):  # else the sweep puts it back
                os.rename(trash, final)

    def delete(self, run_id: str) -> None:
        """Remove a run: catalogue row first (it disappears at once), then its folder."""
        self._require_writable(f"delete run {run_id}")
        with _lock(self.lock_path, wait=True):
            with self._db() as con:
                con.execute("DELETE FROM runs WHERE run_id = ?", (run_id,))
            final = self.path(run_id)
            if final.exists():
                trash = self.runs_dir / f".del-{run_id}-{os.getpid()}"
                os.rename(final, trash)
                shutil.rmtree(trash, ignore_errors=True)


def _write_tables(folder: Path, ds: xr.Dataset) -> dict[str, Any]:
    """One Parquet table per variable of a stage; returns the stage's manifest entry."""
    folder.mkdir()
    variables = {}
    for var in ds.data_vars:
        da = ds[var]
        _to_frame(da.rename(str(var))).to_parquet(folder / f"{var}.parquet", index=False)
        variables[str(var)] = {"dims": [str(d) for d in da.dims],
                               "attrs": {k: v for k, v in da.attrs.items()
                                         if isinstance(v, str | int | float)}}
    return {"variables": variables,
            "attrs": {k: v for k, v in ds.attrs.items() if isinstance(v, str | int | float)}}
