"""Fixtures for the web tests: a run store holding the flagship study's runs."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from shigen.web.local import local_server

# tests run with --import-mode=importlib: make this folder's helper module importable
sys.path.insert(0, str(Path(__file__).parent))
from webhelpers import CHROMIUM, ROOT, STUDY, variant  # noqa: E402

# headless chromium with nothing of its own reaching the network (background updates etc.)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by Playwright (Playwright cannot download browsers here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def study_text() -> str:
    return STUDY.read_text("utf-8")


@pytest.fixture(scope="session")
def seeded_home(flagship_store, shared_run, tmp_path_factory: pytest.TempPathFactory,
                study_text: str) -> tuple[Path, list[str]]:
    """A run store with two runs: the flagship study and its 2009-only variant.

    Built once per session on top of the flagship store (tests/conftest.py); each worker
    gets its own copy.
    """
    both = shared_run("web-home", STUDY, variant(study_text), on_top_of=flagship_store)
    home = shutil.copytree(both.home, tmp_path_factory.mktemp("web") / "home")
    return home, [flagship_store.run_id, both.run_id]


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


@pytest.fixture(scope="module")
def server(seeded_home, tmp_path_factory):
    """`shigen serve` on a free loopback port over a copy of the seeded store."""
    src, ids = seeded_home
    home = tmp_path_factory.mktemp("served") / "home"
    shutil.copytree(src, home)
    with local_server(home, src=ROOT / "src") as base:
        yield base, ids
