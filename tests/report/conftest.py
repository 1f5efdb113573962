"""Fixtures for the report tests: a run store holding the flagship study's run."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def report_home(flagship_store, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This worker's copy of the session's flagship store (tests/conftest.py)."""
    home = flagship_store.copy_to(tmp_path_factory.mktemp("report") / "home")
    return home, flagship_store.run_id


@pytest.fixture
def store_env(report_home: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
              ) -> tuple[Path, str]:
    home, rid = report_home
    monkeypatch.setenv("SHIGEN_HOME", str(home))
    return home, rid
