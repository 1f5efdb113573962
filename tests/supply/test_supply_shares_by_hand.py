"""The foundation's supply stage: market shares and HHI, checked by hand."""

from __future__ import annotations

import pytest

from shigen import testing
from shigen.datasets import Catalogue
from shigen.study import parse_study
from shigen.supply import stage


@pytest.fixture(scope="module")
def result():
    study = parse_study('[study]\nname = "t"\ntitle = "T"\n[supply]\n'
                        'commodities = ["rare-earths", "uranium"]\nimporter = "JPN"\n'
                        'years = [2009, 2010]\n')
    assert study.supply is not None
    return stage.run(study.supply, study, Catalogue.bundled(), {})


def test_shares_sum_to_one_and_hhi_within_bounds(result) -> None:
    testing.assert_shares_sum_to_one(result["share"], "country")
    testing.assert_shares_sum_to_one(result["import_share"], "country")
    testing.assert_hhi_within_bounds(result["production_hhi"], result["share"], "country")
    assert result["share"].attrs["units"] == "fraction"


def test_rare_earth_mining_2009_by_hand(result) -> None:
    # USGS MCS 2011: China 129 000 t of 133 000 t → 0.96992; HHI over named = 0.96992²
    s = result["share"].sel(commodity="rare-earths", stage="mining", year=2009)
    assert float(s.sel(country="CHN")) == pytest.approx(129 / 133, rel=1e-12)
    hhi = float(result["production_hhi"].sel(commodity="rare-earths", stage="mining", year=2009))
    assert hhi == pytest.approx((129 / 133) ** 2, rel=1e-12)


def test_uranium_mining_2009_hhi_by_hand(result) -> None:
    # WNA 2009 (tU): KAZ 14020, CAN 10173, AUS 7982, NAM 4626, RUS 3564, NER 3243,
    # UZB 2429, USA 1453, UKR 840, CHN 750, ZAF 563, IND 290, MWI 104; world 50772
    named = [14020, 10173, 7982, 4626, 3564, 3243, 2429, 1453, 840, 750, 563, 290, 104]
    expected = sum((x / 50772) ** 2 for x in named)
    hhi = float(result["production_hhi"].sel(commodity="uranium", stage="mining", year=2009))
    assert hhi == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.1622, abs=1e-4)


def test_summary_names_top_producer_and_import_concentration(result) -> None:
    summary = stage.summarize(result)
    ree = summary["commodities"]["rare-earths"]["2009"]
    assert ree["stages"][0]["top_producer"] == "CHN"
    # Japan 2009: 85.49 % from China (MoF), OTHER excluded from the HHI → 0.8549²
    assert ree["top_supplier"] == "CHN" and ree["import_hhi"] == pytest.approx(0.8549 ** 2)
    assert summary["importer"] == "JPN"

