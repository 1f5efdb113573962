"""Bilateral measures from sourced trade figures, checked by hand."""

import json
import math

import pytest
from typer.testing import CliRunner

from shigen.cli import app
from shigen.datasets import Catalogue
from shigen.supply.interdependence import interdependence, interdependence_json

runner = CliRunner()


@pytest.fixture(scope="module")
def cat():
    return Catalogue.bundled()


def test_japan_china_2009_by_hand(cat):
    d = interdependence_json(interdependence(cat, "JPN", "CHN", 2009))
    ts_j, ts_c = 0.205, 228.9 / 2210           # JETRO; China customs
    assert d["trade_share"]["JPN"] == pytest.approx(ts_j)
    assert d["trade_share"]["CHN"] == pytest.approx(ts_c, abs=1e-6)
    assert d["salience"] == pytest.approx(math.sqrt(ts_j * ts_c), abs=1e-6)
    assert d["symmetry"] == pytest.approx(1 - abs(ts_j - ts_c), abs=1e-6)
    areas = {a["area"]: a["sensitivity"] for a in d["issue_areas"]}
    assert areas["rare-earths"] == pytest.approx(0.8549)         # MoF 0.8549 share x IR 1
    assert areas["technology"] == pytest.approx(109.7 / 1010, abs=1e-6)
    assert areas["market"] == pytest.approx(122.5 / 1200, abs=1e-6)
    dep_c = 109.7 / 1010 + 122.5 / 1200
    assert d["reciprocity"] == pytest.approx(dep_c / 0.8549, abs=1e-6)


def test_reciprocity_symmetric_in_order(cat):
    ab = interdependence_json(interdependence(cat, "JPN", "CHN", 2009))
    ba = interdependence_json(interdependence(cat, "CHN", "JPN", 2009))
    assert ab["reciprocity"] == ba["reciprocity"]
    assert ab["salience"] == ba["salience"] and ab["asymmetry"] == -ba["asymmetry"]


def test_japan_russia_latest_by_hand(cat):
    d = interdependence_json(interdependence(cat, "JPN", "RUS"))
    assert d["year"] == 2023
    assert d["trade_share"]["JPN"] == pytest.approx(1.43 / (100.89 + 110.18), abs=1e-6)
    assert d["trade_share"]["RUS"] == pytest.approx(9.7 / 710.1, abs=1e-6)
    areas = {a["area"]: a["sensitivity"] for a in d["issue_areas"]}
    assert areas["lng"] == pytest.approx(0.093)
    assert areas["enrichment"] is None and areas["investment"] is None
    assert any(n.startswith("investment") for n in d["notes"])
    assert d["vulnerability"] == {"JPN": None, "RUS": None}


def test_cli_must_show():
    for pair in (["JPN", "CHN"], ["JPN", "RUS"]):
        res = runner.invoke(app, ["interdependence", *pair, "--json"])
        assert res.exit_code == 0, res.output
        doc = json.loads(res.stdout)
        assert doc["countries"] == pair
        assert {"salience", "symmetry", "interdependence", "sensitivity", "vulnerability",
                "asymmetry", "reciprocity", "issue_areas", "sources", "notes"} <= set(doc)
