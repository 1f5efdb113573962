"""Commodities and chains are data (issue 16 item 1).

A user data folder declares a commodity; risk works for it; every malformed declaration
exits 2 with a located message; the bundled minerals give hand-checkable shares.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shigen.cli import app
from shigen.datasets import Catalogue
from shigen.supply.chains import chain

TESTS = Path(__file__).parents[1]
COBALT = TESTS / "data" / "supply" / "cobalt"
BAD = sorted(p for p in (TESTS / "bad_inputs" / "commodities").iterdir() if p.is_dir())
runner = CliRunner()


@pytest.fixture(autouse=True)
def _home(tmp_path, monkeypatch):
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))
    monkeypatch.delenv("SHIGEN_DATA", raising=False)


def _risk(*args: str) -> dict:
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_user_folder_declares_cobalt():
    d = _risk("--data", str(COBALT), "risk", "cobalt", "--year", "2023")
    # USGS MCS 2025: DR Congo 175 000 t of a 238 000 t world (the rows sum to it)
    assert d["top_producer"] == "COD"
    assert d["top_producer_share"] == pytest.approx(175_000 / 238_000, abs=1e-6)
    assert [x["stage"] for x in d["chain"]] == ["mining", "refining"]
    assert d["chain"][1]["production_hhi"] is None  # the user's refining data is 2024 only
    assert "my-cobalt-mining" in d["sources"]  # the user's declaration replaced the bundled


def test_user_declaration_replaces_bundled_only_with_data():
    bundled = chain(Catalogue.bundled(), "cobalt")
    user = chain(Catalogue([COBALT]), "cobalt")
    assert bundled.stage("mining").dataset == "cobalt-mine-production"
    assert user.stage("mining").dataset == "my-cobalt-mining"
    assert user.title == "Cobalt (user declaration)"


def test_gallium_china_top_refiner():
    d = _risk("risk", "gallium", "--year", "2023")
    # USGS MCS 2025 gallium, 2023: China 621 000 kg of a 633 000 kg world (Russia 6 000,
    # Japan 3 000, Korea 3 000): 0.981, recomputed here from the bundled rows
    assert d["stage"] == "refining" and d["top_producer"] == "CHN"
    frame = Catalogue.bundled().frame("gallium-primary-production")
    rows = frame[frame["year"] == 2023]
    china = float(rows.loc[rows["country"] == "CHN", "value"].iloc[0])
    assert d["top_producer_share"] == pytest.approx(china / rows["value"].sum(), abs=1e-6)
    assert d["top_producer_share"] > 0.95


def test_graphite_refining_stage():
    d = _risk("risk", "graphite", "--stage", "refining", "--year", "2024")
    # IEA: China 1 794.824 kt of 1 875.252 kt battery-grade graphite in 2024
    assert d["top_producer"] == "CHN"
    assert d["top_producer_share"] == pytest.approx(1794.824 / 1875.252, abs=1e-6)


def test_us_imports_by_product_and_period():
    d = _risk("risk", "gallium", "--importer", "USA", "--year", "2023")
    # MCS 2025 gallium import sources 2020-23 (metal): Japan 24 %, the largest named
    assert d["top_supplier"] == "JPN" and d["top_supplier_share"] == pytest.approx(0.24)
    assert d["import_reliance"] == pytest.approx(1.0)  # MCS 2025: 100 % of consumption
    assert "us-net-import-reliance" in d["sources"]


def test_every_bundled_declaration_resolves():
    cat = Catalogue.bundled()
    names = set(cat.commodities())
    assert {"rare-earths", "uranium", "crude-oil", "lng", "coal", "lithium", "nickel",
            "cobalt", "graphite", "copper", "gallium", "germanium", "antimony",
            "tungsten"} == names
    for n in names:
        for st in chain(cat, n).stages:
            assert st.dataset is None or st.dataset in cat


@pytest.mark.parametrize("folder", BAD, ids=lambda p: p.name)
def test_bad_declaration(folder):
    head = (folder / "commodities.toml").read_text().splitlines()[:2]
    expect = head[0].removeprefix("# expect: ")
    where = head[1].removeprefix("# where: ")
    for argv in (["--data", str(folder), "risk", "tin"], ["data", "check", str(folder)]):
        res = runner.invoke(app, argv)
        assert res.exit_code == 2, (argv, res.output)
        err = res.stderr
        assert "Traceback" not in res.output + err
        assert re.search(expect, err), err
        assert str(folder / where.split(":")[0]) + where[len(where.split(":")[0]):] in err, err
        assert "fix:" in err


def test_declaration_enters_the_run_fingerprint(tmp_path):
    import shutil

    folder = tmp_path / "cobalt"
    shutil.copytree(COBALT, folder)
    before = Catalogue([folder]).fingerprint()
    decl = folder / "commodities.toml"
    decl.write_text(decl.read_text().replace("(user declaration)", "(edited)"))
    after = Catalogue([folder]).fingerprint()
    assert after["my-cobalt-mining"] != before["my-cobalt-mining"]
    assert after["cobalt-mine-production"] == before["cobalt-mine-production"]  # bundled


def test_study_supply_section_uses_a_user_declaration(tmp_path):
    study = tmp_path / "cobalt-study.toml"
    study.write_text('[study]\nname = "cobalt-user"\ntitle = "Cobalt from a user folder"\n\n'
                     '[supply]\ncommodities = ["cobalt"]\nyears = [2023]\n')
    res = runner.invoke(app, ["--data", str(COBALT), "run", str(study), "--json"])
    assert res.exit_code == 0, res.output
    cobalt = json.loads(res.stdout)["supply"]["commodities"]["cobalt"]["2023"]
    mining = cobalt["stages"][0]
    assert mining["stage"] == "mining" and mining["top_producer"] == "COD"
    assert mining["top_producer_share"] == pytest.approx(175_000 / 238_000, abs=1e-6)
    # without the folder the study names the bundled cobalt: same shares, bundled data
    res = runner.invoke(app, ["run", str(study), "--json"])
    assert res.exit_code == 0, res.output
