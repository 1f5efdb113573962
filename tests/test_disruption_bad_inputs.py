"""Each malformed disruption study exits with code 2 and one located message."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shigen.cli import app

BAD = sorted((Path(__file__).parent / "bad_inputs" / "disruption").glob("*.toml"))


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_bad_disruption_input(path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                              ) -> None:
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))
    expect = re.match(r"# expect: (.*)", path.read_text().splitlines()[0])
    assert expect, "first line must be '# expect: <message fragment>'"
    result = CliRunner().invoke(app, ["run", str(path)])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert expect.group(1) in text
    assert "Traceback" not in text
    # located: the file and line, or the study field that is wrong
    assert "field 'disruption." in text or f"{path.name}:" in text


def test_fan_chart_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))
    study = Path(__file__).parents[1] / "studies" / "backtest-ree-2010.toml"
    runner = CliRunner()
    assert runner.invoke(app, ["run", str(study)]).exit_code == 0
    out = tmp_path / "fan.html"
    res = runner.invoke(app, ["fan", "latest", "--commodity", "rare-earths", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "plotly" in out.read_text()
    bad = runner.invoke(app, ["fan", "latest", "--commodity", "lng", "-o", str(out)])
    assert bad.exit_code == 2
    assert "no market (lng, JPN)" in " ".join(bad.output.split())
