"""A RUN argument may be a study file: it names that study's run with the current data."""

from __future__ import annotations

from pathlib import Path

STUDIES = Path(__file__).resolve().parents[2] / "studies"
STUDY = STUDIES / "backtest-ree-2010.toml"


def test_study_file_before_its_run_is_a_located_input_error(cli) -> None:
    res = cli("runs", "show", STUDY, "--json")
    assert res.exit_code == 2
    assert "has no stored run" in res.stderr and "shigen run" in res.stderr


def test_study_file_resolves_to_its_run(cli, tmp_path: Path) -> None:
    other = cli("run", STUDIES / "etp2008-baseline.toml", "--json")  # a newer 'latest'
    ran = cli("run", STUDY, "--json")
    assert ran.exit_code == 0 and other.exit_code == 0
    shown = cli("runs", "show", STUDY, "--json")
    assert shown.exit_code == 0
    assert shown.json()["run_id"] == ran.json()["run_id"]
    assert shown.json()["run_id"] != other.json()["run_id"]
