"""Hand-checkable LP cases for the energy model (small systems built from real builders)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from shigen.datasets import Catalogue
from shigen.energy.config import EnergyConfig
from shigen.energy.inputs import Inputs, load_inputs
from shigen.energy.model import Status, run_model
from shigen.energy.policy import path_on_periods
from shigen.energy.results import results


@pytest.fixture(scope="module")
def world_inputs() -> Inputs:
    return load_inputs(EnergyConfig(), Catalogue.bundled())


def two_tech(inp: Inputs, years_last: int = 2020) -> tuple[EnergyConfig, Inputs]:
    """One region, coal and nuclear only, flat load, electricity-only demand.

    Everything else (fuels, vehicles, end-use sectors) is switched off by zero demand.
    """
    periods = [y for y in inp.periods if y <= years_last]
    cfg = EnergyConfig(last_year=years_last)
    techs = ["coal", "nuclear"]
    sub: dict[str, object] = {}
    for fld in dataclasses.fields(inp):
        val = getattr(inp, fld.name)
        if fld.name == "historical_capacity":  # wind/solar floors: no such plants here
            continue
        if isinstance(val, xr.DataArray):
            if "technology" in val.dims:
                val = val.sel(technology=techs)
            if "year" in val.dims:
                val = val.sel(year=periods)
            sub[fld.name] = val
    sub["periods"] = periods
    sectors = list(inp.final_demand.demand_sector.values)
    demand = xr.zeros_like(sub["final_demand"])  # type: ignore[arg-type]
    demand.loc[{"demand_sector": "appliances"}] = 36_000.0  # PJ = 10,000 TWh a year, every year
    sub["final_demand"] = demand
    sub["ldv_demand"] = xr.zeros_like(sub["ldv_demand"])  # type: ignore[arg-type]
    sub["vehicle_stock"] = xr.zeros_like(inp.vehicle_stock)
    sub["heavy"] = None  # no trucks or buses
    sub["load_share"] = xr.full_like(inp.load_share, 1.0 / inp.load_share.sizes["slice"])
    sub["existing"] = xr.DataArray([[1600.0, 0.0]], dims=("region", "technology"),
                                   coords={"region": ["WORLD"], "technology": techs})
    sub["base_generation"] = xr.DataArray([[1.0, 0.0]], dims=("region", "technology"),
                                          coords={"region": ["WORLD"], "technology": techs})
    sub["build_limit"] = xr.full_like(sub["build_limit"], np.inf)  # type: ignore[arg-type]
    sub["growth_rate"] = xr.full_like(sub["growth_rate"], np.nan)  # type: ignore[arg-type]
    assert set(sectors) >= {"appliances"}
    params = dict(inp.params, industry_ccs_max_share=0.0)
    small = dataclasses.replace(inp, **sub, params=params)  # type: ignore[arg-type]
    return cfg, small


def crf(r: float, n: float) -> float:
    return r / (1 - (1 + r) ** -n)


def test_two_tech_least_cost_is_coal_without_carbon_price(world_inputs: Inputs) -> None:
    """Coal: (1400 x CRF(10%, 40) + 40) / (8.76 x 0.85) + 2.3 x 3.6 / 0.38 = 46.4 USD/MWh.

    Nuclear: (2500 x CRF + 90) / 7.446 + 0.7 x 3.6 / 0.33 = 54.0 USD/MWh. With a flat load
    every plant runs at full availability, so all new capacity is coal.
    """
    cfg, inp = two_tech(world_inputs)
    out = run_model(cfg, Catalogue.bundled(), inputs=inp)
    assert out.status is Status.OPTIMAL
    ds = results(out)
    new = ds["additions"].sel(region="WORLD")
    assert float(new.sel(technology="nuclear").sum()) == pytest.approx(0.0, abs=1e-6)
    assert float(new.sel(technology="coal").sum()) > 100.0
    coal_lcoe = (1400 * crf(0.1, 40) + 40) / (8.76 * 0.85) + 2.3 * 3.6 / 0.38
    nuc_lcoe = (2500 * crf(0.1, 40) + 90) / (8.76 * 0.85) + 0.7 * 3.6 / 0.33
    assert coal_lcoe == pytest.approx(46.4, abs=0.1)
    assert nuc_lcoe == pytest.approx(54.0, abs=0.1)


def test_two_tech_carbon_price_flips_to_nuclear(world_inputs: Inputs) -> None:
    """At USD 50/t coal pays 0.0946 x 3.6 / 0.38 x 50 = 44.8 USD/MWh more: 91 > 54."""
    cfg, inp = two_tech(world_inputs)
    cfg = cfg.model_copy(update={"co2_price": {2010: 50.0, 2020: 50.0}})
    out = run_model(cfg, Catalogue.bundled(), inputs=inp)
    ds = results(out)
    new = ds["additions"].sel(region="WORLD", year=[2010, 2015, 2020])
    assert float(new.sel(technology="coal").sum()) == pytest.approx(0.0, abs=1e-6)
    # generation = (demand - efficiency savings) / 3.6 PJ/TWh x (1 + 9% grid losses)
    gen = ds["generation"].sel(region="WORLD", year=2020)
    saved = float(ds["efficiency_saving"].sel(region="WORLD", year=2020).sum())
    assert 0.0 < saved <= 0.3 * 36_000 + 1e-6  # three steps of 10% each at most
    assert float(gen.sum()) == pytest.approx((36_000 - saved) / 3.6 * 1.09, rel=1e-6)
    nuclear = float(gen.sel(technology="nuclear").sum())
    assert nuclear / float(gen.sum()) > 0.3  # replaces retiring coal (5/40 per period)
    assert float(ds["co2_price"].sel(year=2020)) == pytest.approx(50.0)


def test_capacity_bound_and_ban_hold(world_inputs: Inputs) -> None:
    cfg, inp = two_tech(world_inputs)
    cfg = EnergyConfig.model_validate({"last_year": 2020, "capacity": [
        {"technology": "nuclear", "years": [2020], "min_gw": 300.0}]})
    ds = results(run_model(cfg, Catalogue.bundled(), inputs=inp))
    assert float(ds["capacity"].sel(technology="nuclear", year=2020).sum()) >= 300.0 - 1e-6
    cfg = EnergyConfig.model_validate({"last_year": 2020, "banned": ["coal"]})
    ds = results(run_model(cfg, Catalogue.bundled(), inputs=inp))
    assert float(ds["additions"].sel(technology="coal").sum()) == pytest.approx(0.0, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(list(range(2010, 2051, 5))),
                       st.floats(0, 2, allow_nan=False), min_size=1, max_size=5))
def test_policy_path_interpolates_between_points(points: dict[int, float]) -> None:
    periods = list(range(2005, 2051, 5))
    path = path_on_periods(points, periods)
    for y, v in points.items():
        assert float(path.sel(year=y)) == pytest.approx(v)
    first = min(points)
    assert bool(path.sel(year=slice(None, first - 1)).isnull().all())
    lo, hi = min(points.values()), max(points.values())
    inside = path.sel(year=slice(first, None))
    assert float(inside.min()) >= lo - 1e-12 and float(inside.max()) <= hi + 1e-12


def test_regions_from_user_data(tmp_path, world_inputs: Inputs) -> None:  # type: ignore[no-untyped-def]
    """A region the bundle lacks (KOR here, a copy of Japan's rows) runs from a --data folder;
    two regions solve together and each keeps its own base-year calibration."""
    import tomllib

    import tomli_w

    from shigen.datasets.catalogue import BUNDLED_DIR

    bundled = tomllib.loads((BUNDLED_DIR / "catalogue.toml").read_text())["datasets"]
    mine = {}
    for name, meta in bundled.items():
        if not name.startswith("energy-") or "region" not in meta["dimensions"]:
            continue
        text = (BUNDLED_DIR / meta["file"]).read_text().splitlines()
        rows = [text[0]] + [r for r in text[1:] if r.startswith("JPN,")]
        if len(rows) == 1:  # a world-only dataset (e.g. observed capacity): leave it out
            continue
        rows += [("KOR," + r[4:]) for r in text[1:] if r.startswith("JPN,")]
        (tmp_path / meta["file"]).write_text("\n".join(rows) + "\n")
        mine[name] = dict(meta, source="test copy of the bundled Japan rows")
    (tmp_path / "catalogue.toml").write_text(tomli_w.dumps({"datasets": mine}))
    cat = Catalogue([tmp_path])
    cfg = EnergyConfig(regions=["JPN", "KOR"], last_year=2020)
    out = run_model(cfg, cat)
    assert out.status is Status.OPTIMAL
    ds = results(out)
    co2 = ds["co2"].sum("sector").sel(year=2005)
    # identical data: identical base years (verified Japan 2005: ~1.3 Gt)
    assert float(co2.sel(region="KOR")) == pytest.approx(float(co2.sel(region="JPN")), rel=1e-6)
    assert float(co2.sel(region="JPN")) == pytest.approx(1300.0, rel=0.1)


@settings(max_examples=4, deadline=None)
@given(st.floats(0.1, 1.0, allow_nan=False))
def test_any_co2_cap_is_respected_and_costs_more(frac: float) -> None:
    """Property: for a random cap (share of 2005 CO2 from 2015 on), emissions stay below it,
    the electricity balance still closes, and the optimum costs at least the uncapped one."""
    inp0 = load_inputs(EnergyConfig(), Catalogue.bundled())
    cfg, inp = two_tech(inp0)
    free = run_model(cfg, Catalogue.bundled(), inputs=inp)
    capped_cfg = cfg.model_copy(update={"co2_cap_vs_2005": {2015: frac, 2020: frac}})
    capped = run_model(capped_cfg, Catalogue.bundled(), inputs=inp)
    assert capped.status is Status.OPTIMAL
    ds = results(capped)
    co2 = ds["co2"].sum(["sector", "region"])
    for y in (2015, 2020):
        assert float(co2.sel(year=y)) <= frac * float(co2.sel(year=2005)) * (1 + 1e-6) + 1e-6
    gen = ds["generation"].sum("technology")
    xr.testing.assert_allclose(gen, ds["electricity_demand"].transpose(*gen.dims), rtol=1e-6)
    assert capped.objective >= free.objective - 1e-6 * abs(free.objective)
