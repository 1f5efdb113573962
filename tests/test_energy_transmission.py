"""Electricity links between regions: a two-region system checked by hand.

Regions NOR and NLD are copies of the world data with coal, nuclear and storage only and
electricity-only demand (10,000 TWh a year each, flat load). NLD's coal costs ``factor``
times A's, so NOR's coal is cheaper and NLD imports up to the link's capacity.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from shigen.datasets import Catalogue
from shigen.energy.config import TECHNOLOGIES, EnergyConfig
from shigen.energy.inputs import Inputs, load_inputs
from shigen.energy.links import Links
from shigen.energy.model import Status, run_model
from shigen.energy.results import OUTPUTS, _dataset, results
from shigen.energy.stage import summarize

REGIONS = ["NOR", "NLD"]
TECHS = ["coal", "nuclear", "storage"]


@pytest.fixture(scope="module")
def world_inputs() -> Inputs:
    return load_inputs(EnergyConfig(), Catalogue.bundled())


def links(cap: float, loss: float, max_new: float = 0.0, life: float = 40.0,
          investment: float = 1000.0) -> Links:
    def one(v: object) -> xr.DataArray:
        return xr.DataArray([v], dims="link", coords={"link": ["NOR-NLD"]})

    return Links(from_region=one("NOR"), to_region=one("NLD"), existing=one(cap),
                 max_new=one(max_new), investment=one(investment), fom=one(10.0),
                 loss=one(loss), lifetime=one(life))


def two_regions(inp: Inputs, link: Links | None, factor: float = 5.0,
                last: int = 2020) -> tuple[EnergyConfig, Inputs]:
    periods = [y for y in inp.periods if y <= last]
    cfg = EnergyConfig(regions=REGIONS, last_year=last)
    sub: dict[str, object] = {"periods": periods, "regions": REGIONS, "links": link,
                              "historical_capacity": None,
                              "heavy": None}  # no trucks and buses: one power system
    for fld in dataclasses.fields(inp):
        val = getattr(inp, fld.name)
        if not isinstance(val, xr.DataArray) or fld.name in sub:
            continue
        if "region" in val.dims:
            val = val.sel(region="WORLD", drop=True).expand_dims(region=REGIONS).copy()
        if "technology" in val.dims:
            val = val.sel(technology=TECHS)
        if "year" in val.dims:
            val = val.sel(year=periods)
        sub[fld.name] = val
    demand = xr.zeros_like(sub["final_demand"])  # type: ignore[arg-type]
    demand.loc[{"demand_sector": "appliances"}] = 36_000.0  # PJ = 10,000 TWh a year
    sub["final_demand"] = demand
    sub["ldv_demand"] = xr.zeros_like(sub["ldv_demand"])  # type: ignore[arg-type]
    sub["vehicle_stock"] = xr.zeros_like(sub["vehicle_stock"])  # type: ignore[arg-type]
    ls = sub["load_share"]
    sub["load_share"] = xr.full_like(ls, 1.0 / ls.sizes["slice"])  # type: ignore[union-attr]
    sub["existing"] = xr.DataArray([[1600.0, 0.0, 0.0]] * 2, dims=("region", "technology"),
                                   coords={"region": REGIONS, "technology": TECHS})
    sub["base_generation"] = xr.DataArray([[1.0, 0.0, 0.0]] * 2, dims=("region", "technology"),
                                          coords={"region": REGIONS, "technology": TECHS})
    sub["build_limit"] = xr.full_like(sub["build_limit"], np.inf)  # type: ignore[arg-type]
    sub["growth_rate"] = xr.full_like(sub["growth_rate"], np.nan)  # type: ignore[arg-type]
    price = sub["fuel_price"].copy()  # type: ignore[union-attr]
    price.loc[{"region": "NLD", "fuel": "coal"}] = price.sel(region="NLD", fuel="coal") * factor
    sub["fuel_price"] = price
    params = dict(inp.params, industry_ccs_max_share=0.0)
    return cfg, dataclasses.replace(inp, **sub, params=params)  # type: ignore[arg-type]


def solve(inp_cfg: tuple[EnergyConfig, Inputs]) -> xr.Dataset:
    cfg, inp = inp_cfg
    out = run_model(cfg, Catalogue.bundled(), inputs=inp)
    assert out.status is Status.OPTIMAL
    return results(out)


def test_cheap_region_exports_up_to_link_capacity(world_inputs: Inputs) -> None:
    """50 GW link, 3% loss, 40-year life, no expansion.

    Capacity left in year y: 50 x (1 - (y - 2005) / 40) GW (linear retirement), e.g.
    2020: 31.25 GW. Full forward flow in a slice: capacity x hours / 1000 TWh; NLD receives
    97% of it. No reverse flow (NOR is cheaper in every slice).
    """
    ds = solve(two_regions(world_inputs, links(50.0, 0.03)))
    years = ds.year.values
    left = 50.0 * (1 - np.minimum(1.0, (years - 2005) / 40.0))
    assert left[-1] == pytest.approx(31.25)
    hours = world_inputs.hours
    flow = ds["flows"].sel(link="NOR-NLD", drop=True)
    expect = xr.DataArray(left, dims="year", coords={"year": years}) * hours / 1000.0
    xr.testing.assert_allclose(flow.sel(direction="forward", drop=True),
                               expect.transpose(*flow.sel(direction="forward").dims),
                               rtol=1e-6)
    assert float(abs(flow.sel(direction="reverse")).max()) < 1e-6
    net = ds["net_imports"]
    xr.testing.assert_allclose(net.sel(region="NLD", drop=True),
                               (expect * 0.97).transpose(*net.sel(region="NLD").dims), rtol=1e-6)
    xr.testing.assert_allclose(net.sel(region="NOR", drop=True),
                               (-expect).transpose(*net.sel(region="NOR").dims), rtol=1e-6)
    # losses: 3% of what is sent, per year
    lost = ds["transmission_losses"].sel(link="NOR-NLD")
    np.testing.assert_allclose(lost.values, 0.03 * expect.sum("slice").values, rtol=1e-6)
    # the JSON object (its technology figures need every technology: zeros for the others)
    summary = summarize(ds.reindex(technology=list(TECHNOLOGIES), fill_value=0.0))
    sent_2020 = float(expect.sel(year=2020).sum())
    assert sent_2020 == pytest.approx(31.25 * 8.76)  # 273.75 TWh; JSON rounds to 0.1
    assert summary["electricity_trade_twh"]["2020"] == pytest.approx(sent_2020, abs=0.06)
    assert summary["transmission_losses_twh"]["2020"] == pytest.approx(0.03 * sent_2020, abs=0.01)


def test_balance_per_region_and_slice_holds_with_losses(world_inputs: Inputs) -> None:
    """generation + net imports = demand / 8 in every region, year and slice (flat load).

    No storage is built here (checked), so no charging enters the balance. Tolerance
    1e-6 relative to the 10,000 TWh a year of demand.
    """
    ds = solve(two_regions(world_inputs, links(50.0, 0.03)))
    assert float(ds["capacity"].sel(technology="storage").max()) < 1e-6
    supply = ds["generation_by_slice"].sum("technology") + ds["net_imports"]
    load = ds["electricity_demand"] / ds.sizes["slice"]
    xr.testing.assert_allclose(supply, load.broadcast_like(supply).transpose(*supply.dims),
                               atol=1e-6 * 10_000)


def test_link_expansion_stops_at_its_limit_and_is_costed(world_inputs: Inputs) -> None:
    """Cheap link (USD 100/kW), limit 30 GW: all 30 GW built; investment = GW x USD/kW x 1e-3.

    Half of a link's investment is reported in each end region.
    """
    ds = solve(two_regions(world_inputs, links(0.0, 0.03, max_new=30.0, investment=100.0)))
    built = float(ds["link_additions"].sum())
    assert built == pytest.approx(30.0, rel=1e-6)
    inv = ds["investment"].sel(category="transmission")
    assert float(inv.sum()) == pytest.approx(30.0 * 100.0 * 1e-3, rel=1e-6)
    np.testing.assert_allclose(inv.sel(region="NOR").values, inv.sel(region="NLD").values)


def test_result_dataset_is_the_outputs_table(world_inputs: Inputs) -> None:
    """With links (and networks) every row of OUTPUTS is in the dataset, in the table's
    order, with its unit and dimensions; a row naming an LP variable holds its solution,
    and arrays over ``link`` name the link's end regions. The two-region system has no
    trucks and buses (``heavy = None``), so their three rows are absent."""
    cfg, inp = two_regions(world_inputs, links(50.0, 0.03, max_new=30.0))
    out = run_model(cfg, Catalogue.bundled(), inputs=inp)
    assert out.status is Status.OPTIMAL
    ds = results(out)
    rows = [o for o in OUTPUTS if not o.name.startswith("heavy_")]
    assert len(rows) == len(OUTPUTS) - 3
    assert list(ds.data_vars) == [o.name for o in rows]
    for o in rows:
        da = ds[o.name]
        assert da.attrs["units"] == o.unit, o.name
        assert set(da.dims) == set(o.dims), o.name
        if "link" in da.dims:
            assert da["from_region"].values.tolist() == ["NOR"], o.name
            da = da.drop_vars(["from_region", "to_region"])
        if o.variable is not None:
            sol = out.formulation.values[o.variable].solution.fillna(0.0)
            xr.testing.assert_equal(da, sol)
    with pytest.raises(RuntimeError, match="'capacity' has dimensions"):
        _dataset(out.formulation, {"capacity": ds["capacity"].sum("technology")})


def test_no_links_means_islands(world_inputs: Inputs) -> None:
    ds = solve(two_regions(world_inputs, None))
    assert "flows" not in ds and "transmission" not in ds["investment"].category.values


@settings(max_examples=8, deadline=None)
@given(cap=st.floats(0.0, 300.0), loss=st.floats(0.0, 0.3), factor=st.floats(0.3, 6.0))
def test_generation_equals_demand_plus_losses(world_inputs: Inputs, cap: float, loss: float,
                                              factor: float) -> None:
    """Sum over regions: non-storage generation = demand + link losses + storage losses.

    Storage losses = charge - discharge (discharge is storage generation).
    """
    cfg, inp = two_regions(world_inputs, links(cap, loss, max_new=50.0), factor=factor,
                           last=2015)
    out = run_model(cfg, Catalogue.bundled(), inputs=inp)
    assert out.status is Status.OPTIMAL
    ds = results(out)
    sol = out.formulation.values
    gen = ds["generation"]
    discharge = gen.sel(technology="storage").sum("region")
    charge = sol["charge"].solution.sum(["region", "slice"])
    plants = gen.drop_sel(technology="storage").sum(["region", "technology"])
    demand = ds["electricity_demand"].sum("region")
    lost = ds["transmission_losses"].sum("link")
    np.testing.assert_allclose(plants.values, (demand + lost + charge - discharge).values,
                               rtol=1e-6, atol=1e-6)


def test_user_links_load_for_their_regions_only() -> None:
    """The example --data folder: FRA-DEU, 5 GW, 3% loss; a WORLD study sees no links."""
    from shigen.energy.links import load_links

    cat = Catalogue([Path(__file__).parent / "data" / "energy" / "links"])
    got = load_links(cat, ["FRA", "DEU"], {"WORLD", "JPN"})
    assert got is not None and got.names == ["FRA-DEU"]
    assert float(got.existing[0]) == 5.0 and float(got.loss[0]) == 0.03
    inc = got.incidence(["FRA", "DEU"])
    assert inc.sel(link="FRA-DEU", direction="forward").values.tolist() == [-1.0, 0.97]
    assert load_links(cat, ["WORLD"], {"WORLD", "JPN"}) is None
