"""Trucks and buses as stocks, and the investment comparison that counts them (issue 13.6)."""

from __future__ import annotations

from typing import Any

import pytest

from shigen.datasets import Catalogue
from shigen.energy import investment
from shigen.energy.compare import compare
from shigen.energy.results import results

pytestmark = pytest.mark.xdist_group("energy-solves")


@pytest.fixture(scope="module")
def baseline(solved_energy: Any) -> Any:
    return results(solved_energy("etp2008-baseline"))


def test_diesel_truck_turnover_by_hand(baseline: Any) -> None:
    """Baseline trucks, diesel only. 2005: 2,250 bn vkm / 45,000 km = 50 M trucks; 2010:
    2,250 + (3,600 - 2,250) x 5/25 = 2,520 bn vkm -> 56 M. Bought 2006-2010: the 50 x 5/15
    that retire (15-year life) + 6 of growth = 22.67 M, 4.533 M a year. Price 2010:
    70,000 + 3,000 x 5/25 = USD 70,600, so trucks cost 22.67 M x 70,600 = USD 1,600 bn."""
    sales = baseline["heavy_vehicle_sales"].sel(region="WORLD", fleet="truck", year=2010)
    assert float(sales.sel(vehicle="ice")) == pytest.approx(68.0 / 15.0, rel=1e-6)
    assert float(sales.drop_sel(vehicle="ice").sum()) == pytest.approx(0.0, abs=1e-9)
    stock = baseline["heavy_vehicle_stock"].sel(region="WORLD", fleet="truck", vehicle="ice")
    assert float(stock.sel(year=2005)) == pytest.approx(50.0)
    assert float(stock.sel(year=2010)) == pytest.approx(56.0, rel=1e-6)
    trucks_bn = float(sales.sel(vehicle="ice")) * 5 * 70_600 / 1000.0
    assert trucks_bn == pytest.approx(1600.3, abs=0.1)
    buses = baseline["heavy_vehicle_sales"].sel(region="WORLD", fleet="bus", vehicle="ice",
                                                year=2010)
    # buses: 15 M x 5/15 + (16.2 - 15) = 6.2 M at USD 60,000 + 2,000 x 5/25 = 60,400
    assert float(buses) * 5 == pytest.approx(6.2, rel=1e-6)
    heavy = float(baseline["investment"].sel(category="heavy_vehicles", region="WORLD",
                                             year=2010))
    assert heavy == pytest.approx(trucks_bn + 6.2 * 60_400 / 1000.0, rel=1e-6)


def test_freight_keeps_the_rest_of_transport() -> None:
    """The fleets' diesel energy is carved out of the freight sector: 2005 trucks 2,250 bn
    vkm x 9.5 MJ/km = 21.4 EJ, buses 600 x 9.0 = 5.4 EJ; freight 50 EJ keeps 23.2 EJ, and
    all of the sector's electricity (1% of 50 EJ = 500 PJ, now 500 / 23,225 = 2.15%)."""
    from shigen.energy.config import EnergyConfig
    from shigen.energy.inputs import load_inputs

    inp = load_inputs(EnergyConfig(regions=["WORLD"]), Catalogue.bundled())
    rest = float(inp.final_demand.sel(region="WORLD", demand_sector="freight", year=2005))
    assert rest == pytest.approx(50_000 - 21_375 - 5_400, rel=1e-9)
    mix = inp.fuel_mix.sel(region="WORLD", demand_sector="freight")
    assert float(mix.sel(end_fuel="electricity")) * rest == pytest.approx(500.0, rel=1e-9)
    assert float(mix.sum()) == pytest.approx(1.0, rel=1e-9)


def test_investment_lines_add_up(solved_energy: Any, baseline: Any) -> None:
    """BLUE against the Baseline on ETP's lines: the lines sum to the comparable figure, the
    headline window's lines to the headline, and the walk ends exactly on USD 45 trillion."""
    from shigen.energy.stage import summarize

    cat = Catalogue.bundled()
    ds = compare(results(solved_energy("etp2008-blue")), baseline, "etp2008-baseline.toml")
    ref = investment.reference(cat, "etp2008-blue")
    ic = investment.comparison(ds, baseline, ref, investment.cost_status(cat), "etp2008-blue")
    lines = ic["lines"]
    assert sum(ln["additional_usd_trillion"] for ln in lines) == pytest.approx(
        ic["comparable_additional_usd_trillion"], abs=1e-2)
    assert sum(ln["headline_window_usd_trillion"] for ln in lines) == pytest.approx(
        summarize(ds)["additional_investment_usd_trillion"], abs=1e-2)
    assert [ln["line"] for ln in lines if not ln["in_shigen"]] == [
        "transport_other_modes", "buildings_industry_stock", "upstream_fuel_supply"]
    assert all(ln["additional_usd_trillion"] == 0 for ln in lines if not ln["in_shigen"])
    trucks = next(ln for ln in lines if ln["line"] == "transport_trucks_buses")
    assert trucks["baseline_usd_trillion"] > 0 and trucks["cost_data_status"] == "estimate"
    walk = ic["walk"]
    outer = [s["usd_trillion"] for s in walk if not s["step"].startswith("  of which")]
    assert sum(outer[:-1]) == pytest.approx(outer[-1], abs=2e-3) and outer[-1] == 45.0
    totals = {(g["group"], g["measure"]): g for g in ic["groups"]}
    assert totals[("total", "baseline")]["reference"] == 250.0
    assert totals[("transport", "baseline")]["shigen"] + totals[("non_transport", "baseline")][
        "shigen"] == pytest.approx(totals[("total", "baseline")]["shigen"], abs=2e-3)
