"""The policy stage and ``shigen ensemble`` through the CLI."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BAD = Path(__file__).parent / "bad_inputs" / "policy"

# A policy section on the supply stage alone: packages differ in which commodities they
# analyse; the criteria read numbers the supply stage computes from bundled data.
STUDY = """
[study]
name = "policy-cli"
title = "Policy on supply"
seed = 5

[supply]
commodities = ["rare-earths", "uranium"]
importer = "JPN"
years = [2009]

[policy]
method = "weighted-sum"

[policy.packages.status-quo]
[policy.packages.same]
overrides = { "supply.commodities" = ["uranium", "rare-earths"] }

[[policy.criteria]]
name = "ree-import-hhi"
path = "supply.commodities.rare-earths.2009.import_hhi"
sense = "min"
weight = 2

[[policy.criteria]]
name = "u-mining-hhi"
path = "supply.commodities.uranium.2009.stages.stage=mining.production_hhi"
sense = "min"
weight = 1
"""


@pytest.fixture
def shigen(shigen_process):
    """``python -m shigen`` in a real process over the given store (tests/conftest.py)."""
    def run(*args, home):
        return shigen_process(*args, env={"SHIGEN_HOME": str(home)})
    return run


@pytest.fixture()
def study_file(tmp_path):
    p = tmp_path / "policy-cli.toml"
    p.write_text(STUDY)
    return p


def test_run_json_has_policy_ranking_scores_and_stability(shigen, study_file, tmp_path):
    r = shigen("run", study_file, "--json", home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    pol = doc["policy"]
    assert sorted(pol["ranking"]) == ["same", "status-quo"]
    # the two packages analyse the same data: identical criteria, a tie kept in order
    assert pol["scores"]["same"] == pol["scores"]["status-quo"]
    assert pol["ranking"] == ["status-quo", "same"]
    assert pol["rank_stability"] == {"status-quo": 1.0, "same": 0.0}
    # the value is the supply stage's own figure
    assert pol["scores"]["status-quo"]["ree-import-hhi"] == \
        doc["supply"]["commodities"]["rare-earths"]["2009"]["import_hhi"]
    assert "sobol" not in pol


@pytest.mark.slow
def test_ensemble_identical_on_one_and_two_workers(shigen, study_file, tmp_path):
    docs = []
    for workers in (1, 2):
        r = shigen("ensemble", study_file, "--samples", 6, "--workers", workers, "--json",
                   home=tmp_path / "home")
        assert r.returncode == 0, r.stderr
        assert "ensemble: 6/6 samples" in r.stderr
        docs.append(json.loads(r.stdout))
    assert docs[0] == docs[1]
    assert docs[0]["ensemble"]["samples"] == 6
    r = shigen("runs", "list", "--json", home=tmp_path / "home")
    assert [x["stages"] for x in json.loads(r.stdout)] == [["policy"]]
    r = shigen("runs", "show", docs[0]["run_id"], "--json", home=tmp_path / "home")
    assert json.loads(r.stdout)["policy"]["digest"] == docs[0]["ensemble"]["digest"]


@pytest.mark.parametrize("path", sorted(BAD.glob("*.toml")), ids=lambda p: p.stem)
def test_bad_policy_inputs_exit_2_with_a_located_message(path, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from shigen.cli import app

    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path / "home"))
    r = CliRunner().invoke(app, ["run", str(path)])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.stderr
    assert "field 'policy" in r.stderr
    assert re.search(re.escape(path.name) + r":\d+", r.stderr), r.stderr  # file:line
    assert "fix:" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_ensemble_without_policy_is_an_input_error(tmp_path):
    from typer.testing import CliRunner

    from shigen.cli import app

    p = tmp_path / "nopolicy.toml"
    p.write_text(STUDY.split("[policy]")[0])
    r = CliRunner().invoke(app, ["ensemble", str(p), "--samples", "2"],
                           env={"SHIGEN_HOME": str(tmp_path / "home")})
    assert r.exit_code == 2
    assert "no policy section" in r.stderr


def test_failed_ensemble_stores_nothing(tmp_path):
    from typer.testing import CliRunner

    from shigen.cli import app

    p = tmp_path / "failing.toml"
    # the uncertain parameter's path is wrong: every sample fails, nothing may be stored
    p.write_text(STUDY + '\n[[policy.uncertain]]\nname = "y"\npath = "supply.yearz.0"\n'
                 'distribution = { dist = "uniform", low = 2009, high = 2010 }\n')
    env = {"SHIGEN_HOME": str(tmp_path / "home")}
    r = CliRunner().invoke(app, ["ensemble", str(p), "--samples", "3"], env=env)
    assert r.exit_code == 2
    assert "supply.yearz" in r.stderr
    r = CliRunner().invoke(app, ["runs", "list", "--json"], env=env)
    assert json.loads(r.stdout) == []


def test_ensemble_table_output_is_styled_not_literal_markup(study_file, tmp_path):
    """The console has markup off (names may hold brackets): no "[bold]...[/]" on screen."""
    from typer.testing import CliRunner

    from shigen.cli import app

    r = CliRunner().invoke(app, ["ensemble", str(study_file), "--samples", "2"],
                           env={"SHIGEN_HOME": str(tmp_path / "home")})
    assert r.exit_code == 0, r.stderr
    first = r.stdout.splitlines()[0]
    assert re.fullmatch(r"policy-cli ensemble run [0-9a-f]{16}: 2 samples, seed 5", first), first
    assert "[bold]" not in r.stdout and "[/]" not in r.stdout and "[cyan]" not in r.stdout
    assert "ranking (mean score): " in r.stdout
