"""``[[data.override]]`` through the CLI: no --data folder, provenance in ``runs show``."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "studies" / "etp2008-blue-nuclear-limit-30.toml"
BLUE = ROOT / "studies" / "etp2008-blue.toml"

SUPPLY = """
[study]
name = "override-cli"
title = "Override through the CLI"

[supply]
commodities = ["rare-earths"]
importer = "JPN"
years = [2009]

[[data.override]]
dataset = "japan-ree-imports"
select = { origin = "CHN", year = 2009 }
value = 0.7
reason = "what if China supplied 70 %"
"""


def test_runs_show_lists_each_override_with_old_and_new_values(cli, tmp_path):
    study = tmp_path / "s.toml"
    study.write_text(SUPPLY)
    run = cli("run", study, "--json")
    assert run.exit_code == 0, run.stderr
    rid = run.json()["run_id"]
    shown = cli("runs", "show", rid, "--json")
    assert shown.exit_code == 0, shown.stderr
    (o,) = shown.json()["overrides"]
    assert o == {"dataset": "japan-ree-imports", "select": {"origin": "CHN", "year": 2009},
                 "value": 0.7, "reason": "what if China supplied 70 %",
                 "field": "data.override.0", "rows_changed": 1,
                 "changes": [{"origin": "CHN", "year": 2009, "old": 0.8549, "new": 0.7}]}
    # a different value is a different run; the same study again is a cache hit
    study.write_text(SUPPLY.replace("value = 0.7", "value = 0.6"))
    other = cli("run", study, "--json")
    assert other.json()["run_id"] != rid
    study.write_text(SUPPLY)
    assert cli("run", study, "--json").json() | {"path": ""} == {**run.json(), "cached": True,
                                                                 "path": ""}


def test_a_run_without_overrides_lists_none(cli, tmp_path):
    study = tmp_path / "s.toml"
    study.write_text(SUPPLY.split("[[data.override]]")[0])
    rid = cli("run", study, "--json").json()["run_id"]
    assert cli("runs", "show", rid, "--json").json()["overrides"] == []


def test_no_matching_row_exits_2_naming_dataset_and_selection(cli, tmp_path):
    study = tmp_path / "s.toml"
    study.write_text(SUPPLY.replace('origin = "CHN"', 'origin = "CHM"'))
    res = cli("run", study)
    assert res.exit_code == 2 and res.stdout == ""
    assert ("s.toml:13, field 'data.override.0.select': no row of dataset 'japan-ree-imports' "
            "has origin = 'CHM' (select {'origin': 'CHM', 'year': 2009})") in res.stderr
    assert "did you mean 'CHN'" in res.stderr


def test_schema_documents_the_data_section(cli):
    schema = cli("schema").json()
    override = schema["$defs"]["DataOverride"]
    assert set(override["properties"]) == {"dataset", "select", "value", "scale", "reason"}
    assert override["additionalProperties"] is False


@pytest.mark.slow
def test_example_study_changes_the_world_nuclear_limit_without_a_data_folder(cli):
    res = cli("run", EXAMPLE, "--json")
    assert res.exit_code == 0, res.stderr
    doc = res.json()
    shown = cli("runs", "show", doc["run_id"], "--json").json()
    (o,) = shown["overrides"]
    assert o["dataset"] == "energy-build-limit" and o["rows_changed"] == 1
    assert o["changes"] == [{"region": "WORLD", "technology": "nuclear", "year": 2030,
                             "old": 40.0, "new": 28.0}]
    blue = cli("run", BLUE, "--json").json()
    # the limit binds in BLUE: the tighter world limit makes halving CO2 cost more
    assert doc["energy"] != blue["energy"]
