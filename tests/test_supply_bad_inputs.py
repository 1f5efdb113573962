"""Every malformed supply input exits 2 with one located message, never a traceback."""

import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shigen.cli import app

HERE = Path(__file__).parent / "bad_inputs" / "supply"
STUDIES = sorted(HERE.glob("*.toml"))
CASES = tomllib.loads((HERE / "cli_cases.toml").read_text())["case"]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))


@pytest.mark.parametrize("path", [p for p in STUDIES if p.name != "cli_cases.toml"],
                         ids=lambda p: p.stem)
def test_bad_study_section(path):
    res = runner.invoke(app, ["run", str(path)])
    assert res.exit_code == 2, res.output
    msg = res.stderr
    assert "Traceback" not in res.output + msg
    assert msg.startswith("error:")
    # located: the file (and line) for parse errors, else the study field
    assert str(path) in msg or "field 'supply." in msg, msg


@pytest.mark.parametrize("case", CASES, ids=lambda c: " ".join(c["argv"]))
def test_bad_cli_invocation(case):
    res = runner.invoke(app, case["argv"])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output + res.stderr
    assert "field '" in res.stderr and case["expect"] in res.stderr, res.stderr


@pytest.mark.parametrize("case", CASES[:3], ids=lambda c: " ".join(c["argv"]))
def test_bad_cli_invocation_json(case):
    import json

    res = runner.invoke(app, [*case["argv"], "--json"])
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert doc["status"] == "error" and doc["error"]["kind"] == "input"
    assert doc["error"]["where"]["field"]


@pytest.mark.parametrize("folder", sorted(p for p in HERE.iterdir() if p.is_dir()),
                         ids=lambda p: p.name)
def test_bad_user_eu_inputs(folder):
    res = runner.invoke(app, ["risk", "rare-earths", "--year", "2009", "--importer", "JPN",
                              "--data", str(folder)])
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output + res.stderr
    assert str(folder / "eu.csv") in res.stderr and ":" in res.stderr, res.stderr
