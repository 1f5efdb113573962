"""The materials stage end to end, on cases small enough to check by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from shigen.datasets import Catalogue
from shigen.materials import stage
from shigen.materials.mining import metal_fraction
from shigen.materials.sankey import sankey
from shigen.runs.store import RunStore
from shigen.study import Study

ROOT = Path(__file__).resolve().parents[1]
CAT = Catalogue.bundled()


def _study(materials: dict) -> Study:
    return Study.model_validate({"study": {"name": "m", "title": "materials test", "seed": 7},
                                 "materials": materials})


def _run(materials: dict, upstream: dict | None = None) -> xr.Dataset:
    s = _study(materials)
    return stage.run(s.materials, s, CAT, upstream or {})


def _composition(app: str, element: str, year: int) -> float:
    f = CAT.frame("ndfeb-composition")
    row = f[(f.application == app) & (f.element == element) & (f.year == year)]
    return float(row["value"].iloc[0])


EV = {"start_year": 2010, "end_year": 2040, "thrifting": False,
      "deployment": [{"product": "ev-traction-motor", "region": "JPN",
                      "values": {2010: 1000, 2040: 1000}}],
      "lifetimes": {"ev-traction-motor": {"kind": "fixed", "mean": 10}},
      "recycling": {"collection": {2010: 0.3}, "preprocessing": {2010: 0.8},
                    "recovery": {2010: 0.9}},
      "mining": {"deposit_mix": {"monazite": 1.0}, "sized_by": "neodymium"}}


@pytest.fixture(scope="module")
def ev() -> xr.Dataset:
    return _run(EV)


def test_demand_is_units_times_magnet_mass_times_composition(ev: xr.Dataset) -> None:
    # 1000 vehicles × 2.0 kg NdFeB (central) × Nd share of traction magnets in 2010 (~17.8 %)
    nd_share = _composition("traction-motor", "neodymium", 2010)
    assert nd_share == pytest.approx(0.178, abs=0.001)
    d = ev["demand"].sel(element="neodymium", product="ev-traction-motor", region="JPN", draw=0)
    np.testing.assert_allclose(d.values, 1000 * 2.0 * nd_share / 1000, rtol=1e-12)


def test_fixed_lifetime_stock_and_outflow_by_hand(ev: xr.Dataset) -> None:
    c = ev.sel(element="neodymium", product="ev-traction-motor", region="JPN", draw=0)
    annual = float(c["demand"].sel(year=2010))
    # a 10-year lifetime keeps 10 cohorts in use; nothing retires before 2020
    assert float(c["stock"].sel(year=2025)) == pytest.approx(10 * annual, rel=1e-12)
    assert float(c["eol_outflow"].sel(year=2019)) == 0.0
    assert float(c["eol_outflow"].sel(year=2020)) == pytest.approx(annual, rel=1e-12)


def test_recycling_is_product_of_yields(ev: xr.Dataset) -> None:
    c = ev.sel(element="neodymium", region="JPN", draw=0)
    out = float(c["eol_outflow"].sel(product="ev-traction-motor", year=2030))
    assert float(c["secondary_supply"].sum("product").sel(year=2030)) == pytest.approx(
        0.3 * 0.8 * 0.9 * out, rel=1e-12)
    assert float(c["recycling_share"].sel(year=2030)) == pytest.approx(0.216, rel=1e-12)
    assert float(c["recycling_share"].sel(year=2015)) == 0.0


def test_joint_production_balance_and_thorium_by_hand(ev: xr.Dataset) -> None:
    # Nd in Nd2O3: 2·144.242 / (2·144.242 + 3·15.999) = 0.85736
    assert metal_fraction(CAT, "neodymium") == pytest.approx(0.85736, abs=1e-5)
    c = ev.sel(region="JPN", draw=0, year=2030)
    primary_nd = float(c["primary_demand"].sel(element="neodymium"))
    mined = primary_nd / (0.185 * metal_fraction(CAT, "neodymium"))
    assert float(c["mined_reo"]) == pytest.approx(mined, rel=1e-12)
    # monazite: 9.2 % ThO2 on 57.0 % REO → 141.8 kg Th per t REO
    assert float(c["residue_thorium"]) == pytest.approx(mined * 0.1418, rel=1e-12)
    # sized by Nd: Nd balances exactly, Ce is surplus, Dy (absent from monazite) is short
    assert float(c["supply_balance"].sel(ree="neodymium")) == pytest.approx(0.0, abs=1e-12)
    assert float(c["supply_balance"].sel(ree="cerium")) == pytest.approx(
        mined * 0.485 * metal_fraction(CAT, "cerium"), rel=1e-12)
    assert float(c["supply_balance"].sel(ree="dysprosium")) == pytest.approx(
        -float(c["primary_demand"].sel(element="dysprosium")), rel=1e-12)


def test_checks_are_recorded(ev: xr.Dataset) -> None:
    checks = json.loads(ev.attrs["checks_json"])
    assert checks["mass_balance"]["passed"] is True
    assert checks["mass_balance"]["max_rel_error"] < 1e-9
    assert set(checks["mass_balance"]["by_element"]) == set(EV.get("elements", [
        "neodymium", "praseodymium", "dysprosium", "terbium"]))
    assert checks["min_stock"] >= 0.0


def test_stock_trajectory_becomes_sales_s_over_l() -> None:
    # 7 M air conditioners reached over 14 years then held: sales 7 M / 14 = 0.5 M a year
    ds = _run({"start_year": 2000, "end_year": 2040,
               "deployment": [{"product": "ac-compressor", "region": "JPN", "kind": "stock",
                               "values": {2000: 0.5e6, 2013: 7e6, 2040: 7e6}}],
               "lifetimes": {"ac-compressor": {"kind": "fixed", "mean": 14}}})
    sales = ds["units_inflow"].sel(product="ac-compressor", region="JPN")
    np.testing.assert_allclose(sales.values, 0.5e6, rtol=1e-9)


def test_draws_sample_within_the_dataset_range() -> None:
    ds = _run({**EV, "draws": 200})
    mass = ds["intensity"].sel(element="neodymium", product="ev-traction-motor", year=2010)
    share = _composition("traction-motor", "neodymium", 2010)
    kg = mass / share
    assert float(kg.sel(draw=0)) == pytest.approx(2.0)
    assert float(kg.min()) >= 1.0 and float(kg.max()) <= 3.0
    assert float(kg.std()) > 0.1
    summary = stage.summarize(ds)
    nd = summary["neodymium"]
    assert nd["demand_t_p05"]["2030"] < nd["demand_t"]["2030"] < nd["demand_t_p95"]["2030"]


def test_energy_additions_spread_over_their_period() -> None:
    add = xr.DataArray(np.array([[[0.0]], [[5.0]], [[10.0]]]), dims=("year", "region",
                                                                       "technology"),
                       coords={"year": [2010, 2015, 2020], "region": ["WORLD"],
                               "technology": ["wind_onshore"]}, attrs={"units": "GW"})
    ds = _run({"start_year": 2005, "end_year": 2025, "energy_basis": "additions",
               "from_energy": {"wind-onshore": {"wind-direct-drive": 0.25,
                                                "wind-geared-induction": 0.75}}},
              {"energy": xr.Dataset({"additions": add})})
    dd = ds["units_inflow"].sel(product="wind-direct-drive", region="WORLD")
    # 5 GW over 2011-2015 is 1 GW/yr, a quarter direct drive: 250 MW/yr
    assert dd.sel(year=slice(2011, 2015)).values.tolist() == [250.0] * 5
    assert dd.sel(year=slice(2016, 2020)).values.tolist() == [500.0] * 5
    assert float(dd.sel(year=2021)) == 0.0


def test_japan_study_json_manifest_and_sankey(flagship_home) -> None:
    # a copy of the session's flagship run (tests/conftest.py): its materials stage
    store = RunStore(flagship_home.home)
    run_id = flagship_home.run_id
    m = flagship_home.summary["materials"]
    dy, nd = m["dysprosium"], m["neodymium"]
    assert all(dy["recycling_share"][str(y)] > 0 for y in range(2031, 2051))
    assert nd["demand_t"]["2030"] > nd["demand_t"]["2010"]
    assert m["thorium"]["residues_t"]["2030"] > 0
    for entry in m.values():
        assert entry["balance_max_rel_error"] < 1e-9
    manifest = store.manifest(run_id)
    assert manifest["stages"]["materials"]["checks"]["mass_balance"]["passed"] is True
    ds = store.load_stage(run_id, "materials")
    s = sankey(ds, elements=["dysprosium"])
    assert s.year == 2035
    inflow = {n: 0.0 for n in s.nodes}
    outflow = {n: 0.0 for n in s.nodes}
    for link in s.links:
        outflow[s.nodes[link["source"]]] += link["value"]
        inflow[s.nodes[link["target"]]] += link["value"]
    for node in ("fabrication", "end of life", "collection", "recovery"):
        assert inflow[node] == pytest.approx(outflow[node], rel=1e-9)


def test_energy_vehicle_sales_feed_traction_motors() -> None:
    sales = xr.DataArray(np.array([[[0.5, 0.0]], [[2.0, 1.0]]]),
                         dims=("year", "region", "vehicle"),
                         coords={"year": [2020, 2030], "region": ["WORLD"],
                                 "vehicle": ["bev", "hybrid"]},
                         attrs={"units": "million/year"})
    ds = _run({"start_year": 2016, "end_year": 2030, "energy_basis": "additions",
               "from_energy": {"bev": {"ev-traction-motor": 1.0},
                               "hybrid": {"hev-traction-motor": 1.0}}},
              {"energy": xr.Dataset({"vehicle_sales": sales})})
    ev = ds["units_inflow"].sel(product="ev-traction-motor", region="WORLD")
    # a rate: 0.5 M/yr over 2016-2020, then 2 M/yr over 2021-2030
    assert float(ev.sel(year=2017)) == 0.5e6 and float(ev.sel(year=2025)) == 2e6
    hev = ds["units_inflow"].sel(product="hev-traction-motor", region="WORLD")
    assert float(hev.sel(year=2030)) == 1e6


def test_energy_mapping_to_wrong_basis_is_a_located_input_error() -> None:
    from shigen.errors import InputError

    add = xr.DataArray(np.ones((1, 1, 1)), dims=("year", "region", "technology"),
                       coords={"year": [2010], "region": ["WORLD"],
                               "technology": ["wind_onshore"]}, attrs={"units": "GW"})
    with pytest.raises(InputError, match="counted per vehicle") as exc:
        _run({"start_year": 2005, "end_year": 2025, "energy_basis": "additions",
              "from_energy": {"wind_onshore": {"ev-traction-motor": 1.0}}},
             {"energy": xr.Dataset({"additions": add})})
    assert exc.value.where is not None
    assert exc.value.where.field == "materials.from_energy.wind_onshore.ev-traction-motor"
