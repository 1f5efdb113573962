"""A `shigen run` killed with SIGKILL at any moment leaves the store as it was.

Each scenario starts ``python -m shigen run`` in a real process and kills it with
SIGKILL: either at a named point of ``RunStore.write`` (``SHIGEN_TEST_PAUSE_AT``,
see ``shigen.runs.store``) or after a delay. Then ``shigen runs list`` must be
unchanged, every visible run folder complete, no temporary folder left once the
store has been opened again, and the next run must succeed. The processes of all
scenarios run concurrently to keep the test short.

The killed run is a small supply study: ``RunStore.write`` goes through the same phases
for every study (lock, tables, manifest, trash, rename, catalogue row), and a small study
reaches them in seconds where the flagship study takes minutes on a loaded machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from shigen.datasets import Catalogue
from shigen.runs.runner import run_study
from shigen.runs.store import RunStore
from shigen.study import load_study, parse_study

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
# the study the killed processes run; two commodities, so a stage writes several tables
KILLED = """\
[study]
name = "killed"
title = "Killed while writing"

[supply]
commodities = ["rare-earths", "uranium"]
importer = "JPN"
years = [2009, 2010]
"""
OTHER = parse_study('[study]\nname = "other"\ntitle = "Other"\n'
                    '[supply]\ncommodities = ["uranium"]\nyears = [2010]\n')

# (name, pause phase or None, delay in s, --force over an existing run of the same study)
SCENARIOS = [
    ("locked", "locked", 0.0, False),        # lock taken, nothing written yet
    ("tables", "tables", 0.0, False),        # Parquet tables in the temp folder
    ("renamed", "renamed", 0.0, False),      # folder in place, no catalogue row
    ("catalogue", "catalogue", 0.0, False),  # row inserted, transaction not committed
    ("force-trash", "trash", 0.0, True),     # --force: old run moved aside, new not in place
    ("force-catalogue", "catalogue", 0.0, True),
    ("after-0.5s", None, 0.5, False),        # still starting up / loading data
]


@dataclass
class Outcome:
    home: Path
    force: bool
    before: list[dict[str, object]]
    killed: bool                 # False: the run finished before the kill came
    visible_after_kill: list[str]
    study: Path                  # the killed study's file


# A child reaches a pause point in ~2 s idle (imports, data, the small study); 600 s
# leaves room for seven children started at once on a machine loaded many times over.
KILL_POINT_TIMEOUT = 600.0


def _visible(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "runs").iterdir() if not p.name.startswith("."))


def _assert_complete(home: Path, run_id: str) -> None:
    folder = home / "runs" / run_id
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    for stage, info in manifest["stages"].items():
        for var in info["variables"]:
            assert (folder / stage / f"{var}.parquet").is_file(), (run_id, stage, var)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    cat = Catalogue.bundled()
    study_file = tmp_path_factory.mktemp("study") / "killed.toml"
    study_file.write_text(KILLED, "utf-8")
    procs: dict[str, tuple[subprocess.Popen[bytes], Path, float]] = {}
    prepared: dict[str, tuple[Path, bool, list[dict[str, object]]]] = {}
    for name, phase, delay, force in SCENARIOS:
        home = tmp_path_factory.mktemp(f"kill-{name}")
        store = RunStore(home)
        run_study(OTHER, cat, store)
        if force:
            run_study(load_study(study_file), cat, store)
        before = [r.to_dict() for r in store.list()]
        env = {**os.environ, "SHIGEN_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
        env.pop("SHIGEN_TEST_PAUSE_AT", None)
        if phase:
            env["SHIGEN_TEST_PAUSE_AT"] = phase
        log = home / "stderr.log"
        args = [sys.executable, "-m", "shigen", "run", str(study_file), "--json"]
        if force:
            args.append("--force")
        with open(log, "wb") as fh:
            proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=fh, cwd=ROOT)
        procs[name] = (proc, log, time.monotonic() + delay)
        prepared[name] = (home, force, before)

    phases = {s[0]: s[1] for s in SCENARIOS}
    started = time.monotonic()
    results: dict[str, Outcome] = {}
    pending = dict(procs)
    try:
        while pending and time.monotonic() < started + KILL_POINT_TIMEOUT:
            for name, (proc, log, kill_at) in list(pending.items()):
                phase = phases[name]
                ready = (f"paused at {phase}" in log.read_text("utf-8", "replace") if phase
                         else time.monotonic() >= kill_at)
                if ready or proc.poll() is not None:
                    if proc.poll() is None:
                        proc.send_signal(signal.SIGKILL)
                    rc = proc.wait(timeout=KILL_POINT_TIMEOUT)  # SIGKILL cannot be ignored
                    home, force, before = prepared[name]
                    if phase:
                        assert rc == -signal.SIGKILL, (
                            f"{name}: exited with {rc} before pausing at {phase}\n"
                            + log.read_text("utf-8", "replace")[-2000:])
                    results[name] = Outcome(home, force, before, rc == -signal.SIGKILL,
                                            _visible(home), study_file)
                    del pending[name]
            time.sleep(0.02)
        waited = time.monotonic() - started
        assert not pending, "\n".join(
            f"{name}: waited {waited:.0f} s for 'paused at {phases[name]}', in vain; "
            "its stderr:\n"
            + log.read_text("utf-8", "replace")[-2000:]
            for name, (_, log, _) in pending.items())
    finally:
        for proc, _, _ in pending.values():  # never leave a process behind
            proc.kill()
            proc.wait()
    return results


@pytest.mark.parametrize("name", [s[0] for s in SCENARIOS])
def test_killed_run_leaves_the_store_as_it_was(cli, outcomes: dict[str, Outcome], name: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    o = outcomes[name]
    monkeypatch.setenv("SHIGEN_HOME", str(o.home))
    # whatever is visible right after the kill is a complete run
    for run_id in o.visible_after_kill:
        _assert_complete(o.home, run_id)

    listed = cli("runs", "list", "--json")
    assert listed.exit_code == 0, listed.stderr
    if o.killed:
        assert listed.json() == o.before
    else:  # finished before the kill: the run is there, complete
        assert [r["run_id"] for r in listed.json()][: len(o.before)] == [
            r["run_id"] for r in o.before]
    # opening the store swept what the killed writer left
    runs_dir = o.home / "runs"
    assert [p.name for p in runs_dir.iterdir() if p.name.startswith(".")] == []
    assert _visible(o.home) == sorted(str(r["run_id"]) for r in listed.json())
    for run_id in _visible(o.home):
        _assert_complete(o.home, run_id)

    # the next run succeeds (a cache hit when the killed one was a --force rerun)
    nxt = cli("run", o.study, "--json")
    assert nxt.exit_code == 0, nxt.stderr
    doc = nxt.json()
    assert doc["status"] == "complete"
    assert doc["cached"] is (o.force or not o.killed)
    ids = [r["run_id"] for r in cli("runs", "list", "--json").json()]
    assert doc["run_id"] in ids and len(ids) == len(o.before) + (0 if o.force else 1)
    assert RunStore(o.home).load_stage(doc["run_id"], "supply")["share"].size > 0
