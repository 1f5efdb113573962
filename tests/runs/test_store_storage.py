"""Stores that are read-only or full behave: reads work, failed writes clean up, exit 2.

Root ignores permission bits, so ``chmod -R a-w`` would not exercise the read-only
path in these tests (they run as root here). The read-only store is a real read-only
mount instead: a tmpfs filled with a run and then remounted ``ro``, where every write
fails with EROFS even for root and ``os.access(..., W_OK)`` says no. The full disk is
a small tmpfs filled up to a few KB. Both need the right to mount (root, Linux); where
it is missing they are skipped, and the in-process tests inject the same ``OSError``s
at the write calls instead.
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

import shigen.runs.store as store_module
from shigen.datasets import Catalogue
from shigen.errors import InputError
from shigen.runs.runner import run_study
from shigen.runs.store import RunStore
from shigen.study import parse_study

ROOT = Path(__file__).resolve().parents[2]
SMALL_TOML = """\
[study]
name = "small"
title = "Small"

[supply]
commodities = ["uranium"]
importer = "JPN"
years = [2009]
"""
SMALL = parse_study(SMALL_TOML)
OTHER = parse_study(SMALL_TOML.replace('"small"', '"other"').replace("2009", "2010"))


def shigen(home: Path, *args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SHIGEN_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "shigen", *map(str, args)], env=env,
                          capture_output=True, text=True, timeout=300, cwd=ROOT)


def _mount(path: Path, options: str) -> bool:
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True)
    return done.returncode == 0


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A fresh 2 MB tmpfs (skipped where this process may not mount)."""
    point = tmp_path / "mnt"
    point.mkdir()
    if sys.platform != "linux" or os.geteuid() != 0 or not _mount(point, "size=2m"):
        pytest.skip("needs the right to mount a tmpfs (root on Linux)")
    yield point
    subprocess.run(["umount", "-l", str(point)], check=False)


def _listed(home: Path) -> list[str]:
    done = shigen(home, "runs", "list", "--json")
    assert done.returncode == 0, done.stderr
    return sorted(r["run_id"] for r in json.loads(done.stdout))


def _leftovers(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "runs").iterdir() if p.name.startswith("."))


# --- a read-only mount ----------------------------------------------------------

@pytest.fixture
def read_only_store(tmpfs: Path, tmp_path: Path) -> tuple[Path, str]:
    store = RunStore(tmpfs)
    run_id = run_study(SMALL, Catalogue.bundled(), store).run_id
    del store
    assert not (tmpfs / "catalogue.sqlite-wal").exists()  # merged when the last one closed
    remount = subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True)
    assert remount.returncode == 0, remount.stderr
    with pytest.raises(OSError) as exc:
        (tmpfs / "probe").write_text("x")
    assert exc.value.errno == errno.EROFS  # really read-only, even for root
    return tmpfs, run_id


@pytest.mark.slow
def test_read_only_store_lists_shows_exports_and_serves_a_cached_run(
        read_only_store: tuple[Path, str], tmp_path: Path) -> None:
    home, run_id = read_only_store
    assert _listed(home) == [run_id]
    show = shigen(home, "runs", "show", run_id[:8], "--json")
    assert show.returncode == 0, show.stderr
    assert json.loads(show.stdout)["run_id"] == run_id
    out = tmp_path / "small.csv"
    export = shigen(home, "runs", "export", run_id, "-o", out)
    assert export.returncode == 0, export.stderr
    assert out.stat().st_size > 0
    study = tmp_path / "small.toml"
    study.write_text(SMALL_TOML, encoding="utf-8")
    cached = shigen(home, "run", study, "--json")
    assert cached.returncode == 0, cached.stderr
    assert json.loads(cached.stdout)["cached"] is True
    for done in (show, export, cached):  # nothing alarming on a read
        assert "error" not in done.stderr.lower() and "warning" not in done.stderr.lower()


@pytest.mark.slow
def test_writing_to_a_read_only_store_exits_2_with_the_cause(
        read_only_store: tuple[Path, str], tmp_path: Path) -> None:
    home, run_id = read_only_store
    study = tmp_path / "small.toml"
    study.write_text(SMALL_TOML, encoding="utf-8")
    for args in (("run", study, "--force"), ("runs", "delete", run_id)):
        done = shigen(home, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert f"the run store at {home} is read-only" in done.stderr
        assert "set SHIGEN_HOME to a writable folder" in done.stderr
        assert "internal error" not in done.stderr
    assert _listed(home) == [run_id]


# --- a full disk ----------------------------------------------------------------

@pytest.mark.slow
def test_full_disk_write_exits_2_and_leaves_nothing(tmpfs: Path, tmp_path: Path) -> None:
    store = RunStore(tmpfs)
    kept = run_study(OTHER, Catalogue.bundled(), store).run_id
    free = os.statvfs(tmpfs)
    filler = tmpfs / "filler"
    with open(filler, "wb") as fh:  # leave ~8 KB: less than one run
        fh.write(b"\0" * max(0, free.f_bavail * free.f_frsize - 8192))
    study = tmp_path / "small.toml"
    study.write_text(SMALL_TOML, encoding="utf-8")

    done = shigen(tmpfs, "run", study, "--json")

    assert done.returncode == 2, done.stderr
    assert "no space left" in done.stderr
    assert "fix: free space on that disk, or set SHIGEN_HOME" in done.stderr
    assert json.loads(done.stdout)["error"]["kind"] != "internal"
    assert _leftovers(tmpfs) == []
    assert _listed(tmpfs) == [kept]
    filler.unlink()  # the fix works: the same command now succeeds
    again = shigen(tmpfs, "run", study, "--json")
    assert again.returncode == 0, again.stderr
    assert len(_listed(tmpfs)) == 2


# --- the same failures injected at the write calls (no mount needed) ------------

def _fail_at(monkeypatch: pytest.MonkeyPatch, phase: str, exc: BaseException) -> None:
    real = store_module._checkpoint

    def checkpoint(at: str) -> None:
        real(at)
        if at == phase:
            raise exc

    monkeypatch.setattr(store_module, "_checkpoint", checkpoint)


@pytest.mark.parametrize(("phase", "code", "message", "fix"), [
    ("tables", errno.ENOSPC, "no space left in the run store", "free space on that disk"),
    ("manifest", errno.EDQUOT, "no space left in the run store", "free space on that disk"),
    ("tables", errno.EACCES, "is read-only: cannot write run", "set SHIGEN_HOME to a writable"),
    ("renamed", errno.EROFS, "is read-only: cannot write run", "set SHIGEN_HOME to a writable"),
])
def test_storage_failure_cleans_up_and_is_input_error(
        home: Path, monkeypatch: pytest.MonkeyPatch, phase: str, code: int, message: str,
        fix: str) -> None:
    store = RunStore(home)
    kept = run_study(OTHER, Catalogue.bundled(), store).run_id
    _fail_at(monkeypatch, phase, OSError(code, os.strerror(code)))
    with pytest.raises(InputError) as exc:
        run_study(SMALL, Catalogue.bundled(), store)
    assert exc.value.exit_code == 2
    assert message in exc.value.message and fix in exc.value.message
    assert _leftovers(home) == []
    assert sorted(p.name for p in (home / "runs").iterdir()) == [kept]
    assert [r.run_id for r in store.list()] == [kept]


def test_full_catalogue_keeps_the_replaced_run(home: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """--force over a run, then SQLite is full at the row: the old run is put back."""
    store = RunStore(home)
    first = run_study(SMALL, Catalogue.bundled(), store)
    before = store.manifest(first.run_id)
    _fail_at(monkeypatch, "catalogue", sqlite3.OperationalError("database or disk is full"))
    with pytest.raises(InputError, match="no space left"):
        run_study(SMALL, Catalogue.bundled(), store, force=True)
    assert _leftovers(home) == []
    assert [r.run_id for r in store.list()] == [first.run_id]
    assert store.manifest(first.run_id) == before


def test_other_failures_still_clean_up_and_propagate(home: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store = RunStore(home)
    _fail_at(monkeypatch, "tables", RuntimeError("a bug"))
    with pytest.raises(RuntimeError, match="a bug"):
        run_study(SMALL, Catalogue.bundled(), store)
    assert _leftovers(home) == [] and store.list() == []


def test_store_without_write_access_is_read_only(home: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The os.access check (what a non-root user on a chmod'ed store gets) opens it read-only."""
    run_id = run_study(SMALL, Catalogue.bundled(), RunStore(home)).run_id
    (home / "runs" / f".tmp-{uuid.uuid4().hex}-1").mkdir()  # a killed writer's leftover
    monkeypatch.setattr(store_module.os, "access", lambda path, mode: False)
    store = RunStore(home)
    assert not store.writable
    assert [r.run_id for r in store.list()] == [run_id]
    assert len(_leftovers(home)) == 1  # not swept: this process may not write
    with pytest.raises(InputError, match="is read-only"):
        store.delete(run_id)
