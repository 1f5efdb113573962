"""Fixtures for the report and web tests: a run store holding the flagship study's run."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "studies" / "japan-2009.toml"
CHROMIUM = Path("/usr/bin/chromium")


def make_home(tmp: Path, *texts: str) -> tuple[Path, list[str]]:
    from shigen.datasets import Catalogue
    from shigen.runs import RunStore, run_study
    from shigen.study import parse_study

    store = RunStore(tmp)
    ids = [run_study(parse_study(t), Catalogue(), store).run_id for t in texts]
    return tmp, ids


def variant(text: str) -> str:
    """The flagship study restricted to 2009 (a second, different run)."""
    out = text.replace("years = [2009, 2010]", "years = [2009]")
    out = out.replace('name = "japan-2009"', 'name = "japan-2009-only"')
    assert out != text
    return out


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


def test_client(app):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx versions
        from fastapi.testclient import TestClient
    return TestClient(app)


test_client.__test__ = False  # type: ignore[attr-defined]


def cli(*args: str) -> tuple[int, str]:
    """Run the shigen CLI in-process; return (exit code, stdout)."""
    from typer.testing import CliRunner

    from shigen.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def cli_json(*args: str):  # type: ignore[no-untyped-def]
    code, out = cli(*args, "--json")
    assert code == 0, out
    return json.loads(out)
