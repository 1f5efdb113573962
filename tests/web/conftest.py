"""Fixtures for the web tests: a run store holding the flagship study's runs."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# tests run with --import-mode=importlib: make this folder's helper module importable
sys.path.insert(0, str(Path(__file__).parent))
from webhelpers import ROOT, STUDY, make_home, variant  # noqa: E402


@pytest.fixture(scope="session")
def study_text() -> str:
    return STUDY.read_text("utf-8")


@pytest.fixture(scope="session")
def seeded_home(tmp_path_factory: pytest.TempPathFactory, study_text: str
                ) -> tuple[Path, list[str]]:
    """A run store with two runs: the flagship study and its 2009-only variant."""
    return make_home(tmp_path_factory.mktemp("home"), study_text, variant(study_text))


@pytest.fixture
def home(seeded_home: tuple[Path, list[str]], tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """A private copy of the seeded store, set as SHIGEN_HOME."""
    src, ids = seeded_home
    dst = tmp_path / "home"
    shutil.copytree(src, dst)
    monkeypatch.setenv("SHIGEN_HOME", str(dst))
    monkeypatch.delenv("SHIGEN_TOKEN", raising=False)
    monkeypatch.delenv("SHIGEN_DATA", raising=False)
    return dst, ids


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(seeded_home, tmp_path_factory):
    """`shigen serve` on a free loopback port over a copy of the seeded store."""
    src, ids = seeded_home
    home = tmp_path_factory.mktemp("served") / "home"
    shutil.copytree(src, home)
    port = free_port()
    env = {**os.environ, "SHIGEN_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env.pop("SHIGEN_TOKEN", None)
    proc = subprocess.Popen([sys.executable, "-m", "shigen", "serve", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/api/health", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(proc.stderr.read().decode() if proc.stderr
                                   else "no server") from None
            time.sleep(0.2)
    yield base, ids
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr:
        proc.stderr.close()
