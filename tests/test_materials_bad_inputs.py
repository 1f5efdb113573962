"""Every malformed materials study exits 2 with one located message, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from shigen.cli import app

BAD = sorted((Path(__file__).parent / "bad_inputs" / "materials").glob("*.toml"))


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.stem)
def test_bad_materials_input_exits_2_with_located_message(path: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["run", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "field 'materials" in result.output
    assert "fix:" in result.output


def test_there_are_bad_inputs() -> None:
    assert len(BAD) >= 8


DATA = sorted(p for p in (Path(__file__).parent / "bad_inputs" / "materials" / "data").iterdir()
              if p.is_dir())
STUDY = Path(__file__).resolve().parents[1] / "studies" / "japan-ree-recycling.toml"


@pytest.mark.parametrize("folder", DATA, ids=lambda p: p.name)
def test_bad_materials_dataset_exits_2_with_file_and_column(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["run", str(STUDY), "--data", str(folder)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert str(folder) in result.output and "column" in result.output
    assert "fix:" in result.output
