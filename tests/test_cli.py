"""The `shigen` command: version, help, exit codes, JSON purity, `new`."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import shigen

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "studies" / "japan-2009.toml"


def test_version(cli) -> None:
    res = cli("--version")
    assert res.exit_code == 0 and res.stdout.strip() == f"shigen {shigen.__version__}"


def test_no_arguments_prints_help_and_succeeds(cli) -> None:
    res = cli()
    assert res.exit_code == 0 and "Usage" in res.stdout and "run" in res.stdout
    assert cli("--help").exit_code == 0
    assert cli("runs").exit_code == 0


def test_run_json_is_one_document_with_the_contract_keys(cli, flagship_home) -> None:
    res = cli("run", FLAGSHIP, "--json")  # a cache hit on the session's flagship run
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)  # nothing else on stdout
    assert list(doc)[:4] == ["run_id", "study", "status", "cached"]
    assert doc["study"] == "japan-2009" and "supply" in doc
    assert set(doc["absent_stages"]) >= {"energy", "materials"} - set(doc)


def test_run_table_output(cli, flagship_home) -> None:
    res = cli("run", FLAGSHIP)  # a cache hit on the session's flagship run
    assert res.exit_code == 0
    assert "japan-2009" in res.stdout or "Japan" in res.stdout
    assert "run folder:" in res.stdout


def test_run_uses_the_study_location_for_run_time_errors(cli, tmp_path: Path) -> None:
    study = tmp_path / "s.toml"
    study.write_text('[study]\nname = "s"\ntitle = "S"\n\n[supply]\ncommodities = ["coal"]\n'
                     'years = [1990]\n', "utf-8")
    res = cli("run", study, "--json")
    assert res.exit_code == 2
    err = json.loads(res.stdout)["error"]
    assert err["where"] == {"file": str(study), "line": 7, "field": "supply.years"}


def test_new_copies_a_shipped_study_that_runs(cli, flagship_home, tmp_path: Path) -> None:
    res = cli("new", tmp_path / "mine", "--json")
    assert res.exit_code == 0, res.stderr
    created = Path(res.json()["created"])
    assert created.read_text("utf-8") == FLAGSHIP.read_text("utf-8")
    assert tomllib.loads(created.read_text("utf-8"))["study"]["name"] == "japan-2009"
    again = cli("new", tmp_path / "mine")
    assert again.exit_code == 2 and "already exists" in again.stderr
    copied = cli("run", created, "--json")  # the same study and data: the same run id
    assert copied.exit_code == 0, copied.stderr
    assert copied.json()["run_id"] == flagship_home.run_id


def test_internal_errors_exit_1_without_traceback(cli, monkeypatch) -> None:
    from shigen.runs import runner

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runner, "get_stage", boom)
    res = cli("run", FLAGSHIP)
    assert res.exit_code == 1
    assert "internal error: RuntimeError: disk on fire" in res.stderr
    assert "Traceback" not in res.stderr


def test_messages_with_brackets_are_printed_literally(cli, tmp_path: Path) -> None:
    d = tmp_path / "[odd]"
    d.mkdir()
    res = cli("data", "check", d)
    assert res.exit_code == 2 and "[odd]" in res.stderr


def test_json_output_is_strict_json(capsys) -> None:
    from shigen.cli.common import emit_json

    emit_json({"a": float("nan"), "b": [1.5, float("inf")], "c": {"d": -float("inf")}})
    assert json.loads(capsys.readouterr().out) == {"a": None, "b": [1.5, None], "c": {"d": None}}
