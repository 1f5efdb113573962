"""Sourced-data checks of the risk API and the must-show commands of issue 3."""

import json

import pytest
from typer.testing import CliRunner

from shigen.cli import app
from shigen.datasets import Catalogue
from shigen.supply.risk import risk, risk_json

runner = CliRunner()
KEYS = {"commodity", "stage", "year", "production_hhi", "top_producer", "top_producer_share",
        "shares", "importer", "import_reliance", "import_hhi", "top_supplier",
        "top_supplier_share", "eu_supply_risk", "geopolrisk", "chain", "sources", "notes",
        "warnings"}  # warnings: shigen.run_warnings records (issue 17 item 7)


@pytest.fixture(scope="module")
def cat():
    return Catalogue.bundled()


def cli_json(*args):
    res = runner.invoke(app, [*args, "--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_ree_mining_2009_by_hand(cat):
    # USGS MCS 2011: China 129 000 of 133 000 t -> 0.9699; HHI = 0.9699² = 0.9408
    d = risk_json(risk(cat, "rare-earths", years=[2009]))[0]
    assert d["top_producer"] == "CHN"
    assert d["top_producer_share"] == pytest.approx(129 / 133, abs=1e-6)
    assert d["production_hhi"] == pytest.approx((129 / 133) ** 2, abs=1e-6)
    assert d["production_hhi"] >= 0.94


def test_ree_mining_2023_by_hand(cat):
    # MCS 2025: CHN 255, MMR 43, USA 41.6, AUS 16, NGA 7.2, THA 3.6 of 376 kt
    d = risk_json(risk(cat, "rare-earths", years=[2023]))[0]
    expected = sum((x / 376) ** 2 for x in (255, 43, 41.6, 16, 7.2, 3.6))
    assert d["production_hhi"] == pytest.approx(expected, abs=1e-6)
    assert d["production_hhi"] == pytest.approx(0.49, abs=0.01)
    assert 0.67 <= d["top_producer_share"] <= 0.69


def test_enrichment_2010_russia_share(cat):
    # WNA via Reuters: Rosatom 23 000 of ~56 900 tSWU
    d = risk_json(risk(cat, "uranium", stage="enrichment", years=[2010]))[0]
    assert d["top_producer"] == "RUS"
    assert d["top_producer_share"] == pytest.approx(23000 / 56900, abs=1e-3)
    assert [x["stage"] for x in d["chain"]] == ["mining", "conversion", "enrichment",
                                                "fabrication"]


def test_company_shares_enrichment(cat):
    ds = risk(cat, "uranium", stage="enrichment", years=[2010])
    cs = ds["company_share"].sel(year=2010).to_series().dropna()
    assert cs["rosatom"] == pytest.approx(23000 / 56900, abs=1e-3)
    assert cs["urenco"] == pytest.approx(12800 / 56900, abs=1e-3)
    assert cs.sum() == pytest.approx(1.0, abs=1e-9)


def test_must_show_ree_2009_japan():
    d = cli_json("risk", "rare-earths", "--year", "2009", "--importer", "JPN")
    assert set(d) == KEYS
    assert d["top_producer"] == "CHN" and d["top_producer_share"] >= 0.9
    assert d["production_hhi"] >= 0.85 and d["import_reliance"] >= 0.95
    # MoF: 85.49 % from China in 2009 (japan-ree-imports)
    assert d["top_supplier"] == "CHN" and d["import_hhi"] == pytest.approx(0.8549 ** 2)
    # EoL-RIR / SI_SR are not in the bundled data: null with a reason
    assert d["eu_supply_risk"] is None
    assert any(n.startswith("eu_supply_risk") for n in d["notes"])


def test_must_show_ree_2023():
    d = cli_json("risk", "rare-earths", "--year", "2023")
    assert 0.40 <= d["production_hhi"] <= 0.60


def test_must_show_enrichment_2010():
    d = cli_json("risk", "uranium", "--stage", "enrichment", "--year", "2010")
    assert d["top_producer"] == "RUS" and 0.35 <= d["top_producer_share"] <= 0.50
    assert len(d["chain"]) == 4
    assert d["chain"][3]["production_hhi"] is None  # fabrication: no sourced data


def test_years_range_returns_one_document_per_year():
    docs = cli_json("risk", "rare-earths", "--years", "2008:2010", "--importer", "JPN")
    assert [d["year"] for d in docs] == [2008, 2009, 2010]
    assert all(set(d) == KEYS for d in docs)


def test_shares_sum_to_one_with_explicit_other(cat):
    for commodity, stage, year in [("rare-earths", "mining", 2023), ("uranium", "mining", 2010),
                                   ("crude-oil", "production", 2023)]:
        d = risk_json(risk(cat, commodity, stage=stage, years=[year]))[0]
        assert sum(d["shares"].values()) == pytest.approx(1.0, abs=1e-5)  # rounded to 6 dp


def test_governance_weighted_and_geopolrisk_by_hand(cat):
    # WGI 2009 China: mean of six estimates -> EU score (2.5 - mean) * 2
    wgi = [-1.7011684179306, -0.451781332492828, 0.0932420492172241, -0.298093944787979,
           -0.46321377158165, -0.519456624984741]
    score = (2.5 - sum(wgi) / 6) * 2
    ds = risk(cat, "rare-earths", importer="JPN", years=[2009]).sel(year=2009)
    s = 129 / 133
    assert float(ds["hhi_wgi_global"]) == pytest.approx(s * s * score, rel=1e-5)
    c = 0.8549  # MoF China share of Japan's 2009 imports
    upper = s * s * score * 0.5 + c * c * score * 0.5   # IR = 1, sourcing = c CHN
    assert float(ds["supply_risk_upper"]) == pytest.approx(upper, rel=1e-5)
    g = (2.5 - wgi[1]) / 5
    assert float(ds["geopolrisk"]) == pytest.approx(s * s * 1.0 * c * g, rel=1e-5)


def test_eu_supply_risk_with_user_inputs(tmp_path, cat):
    (tmp_path / "eu.csv").write_text(
        "commodity,parameter,value,unit,note\n"
        "rare-earths,eol_rir,0.1,unit,test input\nrare-earths,si_sr,0.9,unit,test input\n"
        "rare-earths,ei,3.5,unit,test input\n")
    (tmp_path / "catalogue.toml").write_text(
        '[datasets.eu-crm-inputs]\ntitle = "test"\nfile = "eu.csv"\nsource = "test"\n'
        'edition = "t"\nlicense = "t"\nunit = "unit"\ndimensions = ["commodity", "parameter"]\n'
        'status = "estimate"\n')
    user = Catalogue([tmp_path])
    ds = risk(user, "rare-earths", importer="JPN", years=[2009]).sel(year=2009)
    assert float(ds["eu_supply_risk"]) == pytest.approx(
        float(ds["supply_risk_upper"]) * 0.9 * 0.9, rel=1e-9)
    assert float(ds["economic_importance"]) == 3.5


def test_chain_exposure_japan_nuclear_fuel(cat):
    # enrichment is the most concentrated stage in 2010; Japan's Russian share there 15 %
    ds = risk(cat, "uranium", importer="JPN", years=[2010]).sel(year=2010)
    assert str(ds["bottleneck_stage"].item()) == "enrichment"
    assert float(ds["bottleneck_exposure"]) == pytest.approx(0.15)


def test_chokepoint_exposure(cat):
    ds = risk(cat, "crude-oil", importer="JPN", years=[2023])
    # no Hormuz share sourced for 2023: null, reason lists the sourced years
    assert ds["chokepoint_share"].sel(year=2023, chokepoint="hormuz").isnull()
    notes = json.loads(ds.attrs["notes"])["2023"]
    assert any("hormuz" in n and "2017, 2019" in n for n in notes)


def test_chain_view_keeps_chain_order_and_sums(cat):
    from shigen.supply.risk import chain_view

    v = chain_view(cat, "rare-earths", [2023, 2024])
    assert list(v.stage.values) == ["mining", "separation", "magnets"]
    # IEA: China 92 % of separation (2023), 94 % of sintered magnets (2024)
    assert float(v["production_hhi"].sel(stage="separation", year=2023)) == pytest.approx(0.8464)
    assert float(v["top_producer_share"].sel(stage="magnets", year=2024)) == pytest.approx(0.94)
    sums = v["share"].sum("country").where(v["share"].notnull().any("country"))
    assert bool(((sums - 1).fillna(0).__abs__() < 1e-9).all())


def test_lng_and_coal_stages_by_hand(cat):
    # IGU 2024: USA 84.5 of 401.42 Mt; EI 2025: China 4780.0 of 9241.5 Mt
    lng = risk_json(risk(cat, "lng", years=[2023]))[0]
    assert lng["top_producer"] == "USA"
    assert lng["top_producer_share"] == pytest.approx(84.5 / 401.42, abs=1e-6)
    coal = risk_json(risk(cat, "coal", years=[2024]))[0]
    assert coal["top_producer_share"] == pytest.approx(4780.0 / 9241.5, abs=1e-6)
