"""Assign the LP solution to labelled result arrays and derive indicators.

Everything here is arithmetic on solution values and input data: capacity, additions and
plants per year, generation by slice, fuel use, primary energy, CO2 by sector, costs,
fossil imports and their bill, import dependence and the CO2 shadow price.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from shigen.energy import accounts
from shigen.energy.formulation import Formulation
from shigen.energy.inputs import PJ_PER_TWH
from shigen.energy.policy import path_on_periods
from shigen.energy.supply import existing_left
from shigen.energy.transmission import flows

UNITS = {
    "capacity": "GW", "capacity_by_vintage": "GW", "additions": "GW",
    "builds_per_year": "GW/year", "plants_per_year": "1/year", "generation": "TWh",
    "generation_by_slice": "TWh", "fuel_use": "PJ", "primary_energy": "PJ",
    "final_energy": "PJ", "electricity_demand": "TWh", "co2": "Mt", "co2_captured": "Mt",
    "investment": "billion USD", "om_cost": "billion USD/year",
    "fuel_cost": "billion USD/year", "gdp": "billion USD", "imports": "PJ",
    "import_bill": "billion USD/year", "import_dependence": "fraction",
    "co2_price": "USD/t", "sector_co2_premium": "USD/t", "vehicle_stock": "million",
    "vehicle_sales": "million/year",
    "travel": "billion vkm", "efficiency_saving": "PJ", "end_use": "PJ",
    "hydrogen": "PJ", "biofuel": "PJ", "population": "persons", "electricity_specific": "TWh",
    "flows": "TWh", "link_capacity": "GW", "link_additions": "GW", "net_imports": "TWh",
    "exports": "TWh", "transmission_losses": "TWh",
}


def _cap_price(f: Formulation, name: str) -> xr.DataArray:
    """USD/t of a CO2 cap: its dual, undiscounted; 0 where the cap does not bind.

    The objective is bn USD of present value and the constraint Mt/yr of a period.
    """
    dual = f.m.constraints[name].dual.reindex(year=f.inp.periods).fillna(0.0)
    return (-dual / f.weight() * 1000.0).clip(min=0.0)


def co2_price(f: Formulation) -> xr.DataArray:
    """Marginal cost of the CO2 cap in USD/t (dual undiscounted), or the given price."""
    years = f.inp.periods
    out = xr.DataArray(np.zeros(len(years)), dims="year", coords={"year": years})
    if "co2_cap" in f.m.constraints:
        out = _cap_price(f, "co2_cap")
    elif f.cfg.co2_price:
        out = path_on_periods(f.cfg.co2_price, years).fillna(0.0)
    return out.clip(min=0.0)


def sector_co2_premium(f: Formulation) -> xr.DataArray:
    """Marginal cost of each sector CO2 cap in USD/t, on top of the economy-wide price.

    Zero where a sector's cap does not bind; ``capped_sector`` lists the capped sectors.
    """
    years = f.inp.periods
    rows = [_cap_price(f, f"co2_cap_{sector}") for sector in f.cfg.sector_co2_cap_vs_2005]
    sectors = list(f.cfg.sector_co2_cap_vs_2005)
    if not rows:
        return xr.DataArray(np.zeros((0, len(years))), dims=("capped_sector", "year"),
                            coords={"capped_sector": sectors, "year": years})
    return xr.concat(rows, dim=xr.DataArray(sectors, dims="capped_sector"))


def _stock_investment(outlay: xr.DataArray, decay: Any) -> xr.DataArray:
    """Investment per period (bn USD) that keeps an equipment stock worth ``outlay`` (1e3 x).

    New outlay is the rise of the stock plus the share of last period's stock that wore
    out (``decay`` = step / life).
    """
    kept = outlay.shift(year=1, fill_value=0.0) * (1 - decay)
    return (outlay - kept).clip(min=0.0) * accounts.BN


def assign_results(f: Formulation) -> xr.Dataset:
    """The result dataset of a solved formulation."""
    inp = f.inp
    step = f.cfg.step
    v = {k: var.solution.fillna(0.0) for k, var in f.values.items()}
    new = v["new_capacity"]
    alive = f.alive_by["power"]
    left = existing_left(f)
    built = new.rename(year="vintage") * alive
    cap = built.sum("vintage") + left
    base = left.expand_dims(vintage=[inp.base_year])
    by_vintage = built.where(built.vintage > inp.base_year, 0.0) + base.reindex(
        vintage=built.vintage.values, fill_value=0.0)
    gen_s = v["generation"]
    gen = gen_s.sum("slice")
    builds = new / step
    plants = builds * 1000.0 / inp.unit_size
    co2 = accounts.evaluate(accounts.co2(inp), v, keep=("region", "year", "sector"))
    captured = accounts.evaluate(accounts.captured(inp), v, keep=("region", "year", "sector"))
    primary = accounts.evaluate(accounts.primary(inp), v, keep=("region", "year", "carrier"))
    acc = accounts.electricity_final(inp)
    elec = accounts.evaluate(acc, v) * (1 + inp.params["grid_loss"])
    oil_acc, energy_acc = accounts.transport(inp)
    use = v["end_use"]
    sales = v["vehicle_sales"]
    # investment per period (bn USD over the period)
    inv_power = (new * inp.capex * accounts.BN).sum("technology")
    inv_grid = (new * inp.grid_cost * accounts.BN).sum("technology")
    if "network" in v:  # TWh/yr x USD per MWh/yr = 1e-3 bn USD
        inv_grid = inv_grid + v["network"] * inp.network_cost["investment"] * accounts.BN
    inv_vehicles = (sales * inp.vehicle_cost * accounts.BN).sum("vehicle")
    save = v["saving"]
    life = inp.equipment_life.sel(sector=list(save.demand_sector.values)).rename(
        sector="demand_sector")
    decay = np.minimum(1.0, step / life.where(life < 500, np.inf))
    eff_cost = inp.eff_cost.rename(sector="demand_sector")
    inv_eff = _stock_investment(save * eff_cost, decay).sum(["demand_sector", "step"])
    switch_cost = inp.switch_cost.rename(sector="demand_sector", fuel="end_fuel")
    inv_switch = _stock_investment(v["fuel_switch"] * switch_cost, decay).sum(
        ["demand_sector", "end_fuel"])
    ccs_ind = v["industry_capture"]
    inv_ccs = (ccs_ind - ccs_ind.shift(year=1, fill_value=0.0)).clip(min=0.0) * \
        inp.ccs_cost.get("industry_capture_investment", 0.0) * accounts.BN
    cats = {"power": inv_power, "grid": inv_grid, "vehicles": inv_vehicles, "efficiency": inv_eff,
            "fuel_switching": inv_switch, "industry_ccs": inv_ccs}
    trade: dict[str, xr.DataArray] = {}
    if inp.links is not None:
        trade = flows(f, v)
        cats["transmission"] = trade.pop("transmission_investment")
    investment = xr.concat(list(cats.values()), dim=xr.DataArray(list(cats), dims="category"))
    fuels = {"coal": "coal", "oil": "oil", "gas": "gas", "uranium": "nuclear",
             "biomass": "biomass"}
    fuel_use = xr.concat([primary.sel(carrier=c, drop=True) for c in fuels.values()],
                         dim=xr.DataArray(list(fuels), dims="fuel"))
    price = inp.fuel_price.reindex(fuel=list(fuels)).fillna(0.0)
    om = (cap * inp.fom * accounts.BN).sum("technology")
    if trade:
        om = om + trade.pop("transmission_om")
    share = inp.import_share.reindex(fuel=list(fuels)).fillna(0.0)
    imports = (fuel_use * share).sel(fuel=["coal", "oil", "gas", "uranium"])
    total_primary = primary.sum("carrier")
    travel = v["travel"]
    ds = xr.Dataset({
        "capacity": cap, "capacity_by_vintage": by_vintage, "additions": new,
        "builds_per_year": builds, "plants_per_year": plants,
        "generation": gen, "generation_by_slice": gen_s,
        "fuel_use": fuel_use,
        "end_use": use.rename(end_fuel="end_fuel"), "efficiency_saving": save.sum("step"),
        "primary_energy": primary, "electricity_demand": elec,
        "co2": co2, "co2_captured": captured, "co2_price": co2_price(f),
        "sector_co2_premium": sector_co2_premium(f),
        "investment": investment, "om_cost": om, "fuel_cost": fuel_use * price * accounts.BN,
        "gdp": inp.gdp, "population": inp.population,
        "electricity_specific": use.sel(demand_sector="appliances", end_fuel="electricity",
                                        drop=True) / PJ_PER_TWH,
        "imports": imports, "import_bill": imports * price.sel(fuel=imports.fuel.values)
        * accounts.BN,
        "import_dependence": imports.sum("fuel") / total_primary.where(total_primary > 0),
        "vehicle_stock": (sales.rename(year="vintage") * f.alive_by["ldv"]).sum("vintage")
        + inp.vehicle_stock * (1 - f.turnover(inp.equipment_life.sel(sector="ldv", drop=True))),
        "vehicle_sales": sales / step, "travel": travel, "hydrogen": v["hydrogen"],
        "biofuel": use.sel(demand_sector="freight", end_fuel="biomass", drop=True)
        + v["ldv_liquid"].sel(liquid="biofuel", drop=True),
        "transport_oil": accounts.evaluate(oil_acc, v),
        "transport_energy": accounts.evaluate(energy_acc, v),
    })
    for name, da in trade.items():
        ds[name] = da
    if "network" in v:
        ds["network_additions"] = v["network"]
        ds["network_additions"].attrs["units"] = "TWh/year of deliverable demand"
    for name in ("transport_oil", "transport_energy"):
        ds[name].attrs["units"] = "PJ"
    for name, unit in UNITS.items():
        if name in ds:
            ds[name].attrs["units"] = unit
    from shigen.energy.model import sunk_cost

    ds.attrs.update(
        base_year=inp.base_year, step=step, regions=",".join(inp.regions),
        objective_bn_usd=float(f.m.objective.value or 0.0) + sunk_cost(f),
        currency="USD 2005", discount_rate=inp.params["discount_rate"],
        pj_per_twh=PJ_PER_TWH)
    return ds


def series(da: xr.DataArray, digits: int = 4) -> dict[str, float]:
    """A ``year``-indexed array as {"2005": value, ...} (rounded)."""
    s = da.to_series() if isinstance(da, xr.DataArray) else pd.Series(da)
    return {str(int(k)): round(float(v), digits) for k, v in s.items() if np.isfinite(v)}
