"""`kill -9` on `shigen ensemble --workers 2` leaves no pool worker or resource tracker.

The issue's check, as a user would do it: start the ensemble, wait until its worker
processes exist, SIGKILL the `shigen` process and watch every process of its tree.
The workers die by their parent-death signal; the resource tracker exits when the
last holder of its pipe is gone. The issue's target is 5 s; the bound here allows a
loaded machine more, and the measured time is printed (``-s``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

psutil = pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow
TARGET_S = 5.0
BOUND_S = 20.0  # a shared 2-core machine under load; the measured time is reported


def _tree(pid: int) -> list[psutil.Process]:
    try:
        return list(psutil.Process(pid).children(recursive=True))
    except psutil.NoSuchProcess:
        return []


def _alive(proc: psutil.Process) -> bool:
    try:  # is_running also guards against a reused pid (creation time)
        return bool(proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def _role(proc: psutil.Process) -> str:
    try:
        cmd = " ".join(proc.cmdline())
    except psutil.Error:
        return "gone"
    return "resource tracker" if "resource_tracker" in cmd else "worker"


def test_kill_9_on_ensemble_leaves_no_process(tmp_path: Path) -> None:
    env = {**os.environ, "SHIGEN_HOME": str(tmp_path), "PYTHONPATH": str(ROOT / "src")}
    parent = subprocess.Popen(
        [sys.executable, "-m", "shigen", "ensemble", "studies/japan-2009.toml",
         "--samples", "40", "--workers", "2", "--json"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    tree: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 240  # start-up, data and the LP come first
        while time.monotonic() < deadline and parent.poll() is None:
            tree = _tree(parent.pid)
            if sum(_role(p) == "worker" for p in tree) >= 2:
                break
            time.sleep(0.2)
        assert parent.poll() is None, "the ensemble ended before its workers could be seen"
        assert sum(_role(p) == "worker" for p in tree) >= 2, [p.cmdline() for p in tree]
        # killed at once: a worker may still be starting up, the hardest case (its
        # parent-death signal is not armed yet; it must notice the parent is gone)
        tree = _tree(parent.pid)
        roles = [_role(p) for p in tree]
        os.kill(parent.pid, signal.SIGKILL)
        killed = time.monotonic()
        parent.wait(10)
        survivors = tree
        gone_at: dict[int, float] = {}
        while survivors and time.monotonic() - killed < BOUND_S:
            for p in survivors:
                if not _alive(p):
                    gone_at[p.pid] = time.monotonic() - killed
            survivors = [p for p in survivors if p.pid not in gone_at]
            time.sleep(0.05)
        elapsed = time.monotonic() - killed
        print(f"\n{len(tree)} processes ({', '.join(roles)}) gone {elapsed:.2f} s after "
              f"kill -9 (target {TARGET_S} s): "
              + ", ".join(f"{r} {gone_at.get(p.pid, -1):.2f} s"
                          for p, r in zip(tree, roles, strict=True)))
        assert not survivors, [(p.pid, _role(p)) for p in survivors]
    finally:
        if parent.poll() is None:
            parent.kill()
        for p in tree:
            if _alive(p):
                p.kill()
