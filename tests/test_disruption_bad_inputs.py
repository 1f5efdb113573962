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
