"""Cost of the run store's durability on a flagship write.

Runs ``studies/japan-2009.toml`` once to get its results, then writes that same run
into fresh stores RUNS times in each mode, alternating, and prints the median wall time
of ``RunStore.write`` per mode:

- ``durable``: what shigen does (fsync of every Parquet file, the manifest and the run's
  folders before the rename, of the run folder and ``runs/`` after it; SQLite
  ``synchronous=FULL``);
- ``no fsync``: the same write with the fsyncs skipped and SQLite ``synchronous=NORMAL``
  (the store before issue 18), for comparison only.

    PYTHONPATH=src python benchmarks/bench_store.py [--runs 9] [--dir DIR]

``--dir`` puts the stores on another file system (the default is the system temp folder;
a tmpfs makes fsync free, so measure where SHIGEN_HOME would live).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import shigen.runs.store as store_module
from shigen.datasets import Catalogue
from shigen.runs.runner import run_study
from shigen.runs.store import RunStore
from shigen.study import load_study

ROOT = Path(__file__).resolve().parents[1]


class _Capture(RunStore):
    """A store that keeps the arguments of its one write."""

    args: tuple[Any, ...] = ()

    def write(self, *args: Any, **kwargs: Any) -> Path:
        type(self).args = args
        return super().write(*args, **kwargs)


class _NoFsync(RunStore):
    """The comparison store: SQLite synchronous=NORMAL (fsyncs are patched out in _timed)."""

    def _connect(self) -> sqlite3.Connection:
        con = super()._connect()
        con.execute("PRAGMA synchronous=NORMAL")
        return con


def _timed(kind: type[RunStore], parent: Path, args: tuple[Any, ...], durable: bool) -> float:
    home = Path(tempfile.mkdtemp(dir=parent))
    store = kind(home)
    saved: tuple[Callable[[Path], None], Callable[[Path], None]] = (
        store_module.fsync_tree, store_module.fsync_path)
    if not durable:
        store_module.fsync_tree = store_module.fsync_path = lambda path: None  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        store.write(*args)
        return time.perf_counter() - start
    finally:
        store_module.fsync_tree, store_module.fsync_path = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    opts = parser.parse_args()
    parent = Path(tempfile.mkdtemp(dir=opts.dir, prefix="bench-store-"))
    run_study(load_study(ROOT / "studies" / "japan-2009.toml"), Catalogue.bundled(),
              _Capture(parent / "source"))
    args = _Capture.args
    files = sum(1 for _ in (parent / "source" / "runs").rglob("*.parquet"))
    times: dict[str, list[float]] = {"durable": [], "no fsync": []}
    for _ in range(opts.runs):
        times["durable"].append(_timed(RunStore, parent, args, durable=True))
        times["no fsync"].append(_timed(_NoFsync, parent, args, durable=False))
    base = statistics.median(times["no fsync"])
    print(f"flagship run: {files} Parquet files; {opts.runs} writes per mode on {opts.dir}; "
          f"load average {os.getloadavg()[0]:.1f}")
    for mode, values in times.items():
        med = statistics.median(values)
        print(f"{mode:9s} median {med * 1000:7.1f} ms  (min {min(values) * 1000:.1f}, "
              f"max {max(values) * 1000:.1f})  {med / base:.2f}x")


if __name__ == "__main__":
    main()
