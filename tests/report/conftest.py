"""Fixtures for the report tests: a run store holding the flagship study's run."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "studies" / "japan-2009.toml"


@pytest.fixture(scope="session")
def report_home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    from shigen.datasets import Catalogue
    from shigen.runs.runner import run_study
    from shigen.runs.store import RunStore
    from shigen.study import load_study

    home = tmp_path_factory.mktemp("report-home")
    rid = run_study(load_study(STUDY), Catalogue(), RunStore(home)).run_id
    return home, rid


@pytest.fixture
def store_env(report_home: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
              ) -> tuple[Path, str]:
    home, rid = report_home
    monkeypatch.setenv("SHIGEN_HOME", str(home))
    return home, rid
