"""The supply stage of the flagship study and the criticality matrix."""

import pytest

from shigen.datasets import Catalogue
from shigen.study import load_study
from shigen.supply.criticality import criticality
from shigen.supply.risk import risk
from shigen.supply.stage import iamc, run, summarize


@pytest.fixture(scope="module")
def flagship():
    s = load_study("studies/japan-2009.toml")
    return run(s.supply, s, Catalogue.bundled(), {})


def test_stage_order_is_chain_order(flagship):
    stages = list(flagship.stage.values)
    assert stages.index("mining") < stages.index("enrichment")
    summ = summarize(flagship)
    un = summ["commodities"]["uranium"]["2010"]["stages"]
    assert [x["stage"] for x in un] == ["mining", "enrichment"]  # not alphabetical


def test_stage_matches_cli_api(flagship):
    cat = Catalogue.bundled()
    api = risk(cat, "rare-earths", importer="JPN", years=[2009]).sel(year=2009)
    summ = summarize(flagship)["commodities"]["rare-earths"]["2009"]
    assert summ["stages"][0]["production_hhi"] == pytest.approx(float(api["production_hhi"]),
                                                                abs=1e-6)
    assert summ["geopolrisk"] == pytest.approx(float(api["geopolrisk"]), abs=1e-6)
    pairs = summarize(flagship)["interdependence"]
    assert set(pairs) == {"JPN-CHN", "JPN-RUS"}


def test_iamc_rows(flagship):
    rows = iamc(flagship)
    assert {"region", "variable", "unit", "year", "value"} <= set(rows.columns)
    assert (rows["variable"] == "shigen|Supply Share|rare-earths|mining").any()
    assert (rows["variable"].str.startswith("shigen|Supply Risk|")).any()


def test_criticality_matrix():
    m = criticality(Catalogue.bundled(), "JPN", years=[2009])
    # every declared commodity (commodities.toml), the 2009 five and the critical minerals
    assert {"rare-earths", "uranium", "crude-oil", "lng", "coal", "gallium"} <= set(
        m.commodity.values)
    assert set(m.commodity.values) == set(Catalogue.bundled().commodities())
    assert float(m["import_reliance"].sel(commodity="rare-earths", year=2009)) == 1.0
    assert float(m["supply_risk_upper"].sel(commodity="rare-earths", year=2009)) > 1.0
    assert float(m["energy_share"].sel(commodity="crude-oil", year=2009)) == pytest.approx(0.439)
    assert m.attrs["sr_threshold"] == 1.0 and m.attrs["ei_threshold"] == 2.8


def test_stage_stores_criticality_matrix(flagship):
    summ = summarize(flagship)["criticality"]
    ree = summ["by_commodity"]["rare-earths"]["2009"]
    assert ree["supply_risk_upper"] == pytest.approx(5.1097, abs=1e-3)  # see docs/methods
    assert ree["supply_risk"] is None  # EoL-RIR / SI_SR not in the bundled data
    assert summ["sr_threshold"] == 1.0
