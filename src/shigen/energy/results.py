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

from shigen.energy.formulation import Formulation
from shigen.energy.inputs import FOSSIL, PJ_PER_TWH

UNITS = {
    "capacity": "GW", "capacity_by_vintage": "GW", "additions": "GW",
    "builds_per_year": "GW/year", "plants_per_year": "1/year", "generation": "TWh",
    "generation_by_slice": "TWh", "fuel_use": "PJ", "primary_energy": "PJ",
    "final_energy": "PJ", "electricity_demand": "TWh", "co2": "Mt", "co2_captured": "Mt",
    "investment": "billion USD", "om_cost": "billion USD/year",
    "fuel_cost": "billion USD/year", "gdp": "billion USD", "imports": "PJ",
    "import_bill": "billion USD/year", "import_dependence": "fraction",
    "co2_price": "USD/t", "vehicle_stock": "million", "vehicle_sales": "million/year",
    "travel": "billion vkm", "efficiency_saving": "PJ", "end_use": "PJ",
    "hydrogen": "PJ", "biofuel": "PJ", "population": "persons", "electricity_specific": "TWh",
}


def _val(x: Any) -> xr.DataArray:
    """Solution value of a linopy variable/expression (arrays pass through)."""
    if isinstance(x, xr.DataArray):
        return x
    sol = x.solution
    return sol.fillna(0.0) if isinstance(sol, xr.DataArray) else sol


def _stack(parts: dict[str, Any], dim: str) -> xr.DataArray:
    arrs = [_val(v).expand_dims({dim: [k]}) for k, v in parts.items()]
    return xr.concat(arrs, dim=dim, coords="minimal", compat="override", join="outer")


def co2_price(f: Formulation) -> xr.DataArray:
    """Marginal cost of the CO2 cap in USD/t (dual undiscounted), or the given price."""
    years = f.inp.periods
    out = xr.DataArray(np.zeros(len(years)), dims="year", coords={"year": years})
    if "co2_cap" in f.m.constraints:
        dual = f.m.constraints["co2_cap"].dual.reindex(year=years).fillna(0.0)
        # objective is bn USD present value; constraint in Mt/yr of a period
        out = -dual / f.weight() * 1000.0
    elif f.cfg.co2_price:
        from shigen.energy.policy import path_on_periods

        out = path_on_periods(f.cfg.co2_price, years).fillna(0.0)
    return out.clip(min=0.0)


def assign_results(f: Formulation) -> xr.Dataset:
    """The result dataset of a solved formulation."""
    inp, e = f.inp, f.exprs
    step = f.cfg.step
    cap = _val(e["capacity"])
    new = _val(e["new_capacity"])
    alive = e["alive"]
    by_vintage = (new.rename(year="vintage") * alive)
    existing = (inp.existing * (1 - f.turnover(inp.lifetime))).expand_dims(
        vintage=[inp.base_year])
    by_vintage = by_vintage.where(by_vintage.vintage > inp.base_year, 0.0) + existing.reindex(
        vintage=by_vintage.vintage, fill_value=0.0)
    gen_s = _val(e["generation"])
    gen = gen_s.sum("slice")
    builds = new / step
    plants = builds * 1000.0 / inp.unit_size
    co2 = _stack(e["co2"], "sector")
    captured = _stack({"power": e["captured_power"], "industry": e["captured_industry"]},
                      "sector")
    primary = _stack(e["primary"], "carrier")
    fuel_power = _val(e["power_fuel"]).rename(fuel="power_fuel")
    use = _val(e["end_use"]).rename(sector="demand_sector", fuel="end_fuel")
    # investment per period (bn USD over the period)
    inv_power = new * inp.capex * 1e-3
    sales = _val(e["vehicle_sales"])
    inv_vehicles = (sales * inp.vehicle_cost * 1e-3).sum("vehicle")
    save = _val(e["saving"]).sum("step")
    life = inp.equipment_life.sel(sector=list(save.sector.values))
    decay = np.minimum(1.0, step / life.where(life < 500, np.inf))
    prev = save.shift(year=1, fill_value=0.0) * (1 - decay)
    eff_inv_per_pj = (_val(e["saving"]) * inp.eff_cost).sum("step") / save.where(save > 0)
    inv_eff = ((save - prev).clip(min=0.0) * eff_inv_per_pj.fillna(0.0) * 1e-3).sum("sector")
    save = save.rename(sector="demand_sector")
    ccs_ind = _val(e["captured_industry"])
    inv_ccs = (ccs_ind - ccs_ind.shift(year=1, fill_value=0.0)).clip(min=0.0) * \
        inp.ccs_cost.get("industry_capture_investment", 0.0) * 1e-3
    investment = _stack({"power": inv_power.sum("technology"), "vehicles": inv_vehicles,
                         "efficiency": inv_eff, "industry_ccs": inv_ccs}, "category")
    # fuels (PJ) and their cost
    fossil = {fu: _val(e["primary"][fu]) for fu in FOSSIL}
    fossil["uranium"] = _val(e["primary"]["nuclear"])
    fossil["biomass"] = _val(e["primary"]["biomass"])
    fuel_use = _stack(fossil, "fuel")
    price = inp.fuel_price.reindex(fuel=list(fuel_use.fuel.values)).fillna(0.0)
    fuel_cost = (fuel_use * price * 1e-3)
    om = (cap * inp.fom * 1e-3).sum("technology")
    imports = (fuel_use * inp.import_share.reindex(fuel=fuel_use.fuel.values).fillna(0.0)
               ).sel(fuel=["coal", "oil", "gas", "uranium"])
    total_primary = primary.sum("carrier")
    ds = xr.Dataset({
        "capacity": cap, "capacity_by_vintage": by_vintage, "additions": new,
        "builds_per_year": builds, "plants_per_year": plants,
        "generation": gen, "generation_by_slice": gen_s,
        "fuel_use": fuel_use, "power_fuel": fuel_power, "end_use": use,
        "efficiency_saving": save, "primary_energy": primary,
        "electricity_demand": _val(e["electricity_demand_twh"]),
        "co2": co2, "co2_captured": captured, "co2_price": co2_price(f),
        "investment": investment, "om_cost": om, "fuel_cost": fuel_cost,
        "gdp": inp.gdp, "population": inp.population, "electricity_specific": inp.elec_demand,
        "imports": imports, "import_bill": imports * price.sel(fuel=imports.fuel.values) * 1e-3,
        "import_dependence": imports.sum("fuel") / total_primary.where(total_primary > 0),
        "vehicle_stock": _val(e["vehicle_stock"]), "vehicle_sales": sales / step,
        "travel": _val(e["travel"]), "hydrogen": _val(e["hydrogen"]),
        "biofuel": _val(e["biofuel"]),
        "transport_oil": _val(e["transport_oil"]), "transport_energy": _val(e["transport_energy"]),
    })
    ds["power_fuel"].attrs["units"] = "PJ"
    ds["transport_oil"].attrs["units"] = "PJ"
    ds["transport_energy"].attrs["units"] = "PJ"
    for name, unit in UNITS.items():
        if name in ds:
            ds[name].attrs["units"] = unit
    ds.attrs.update(
        base_year=inp.base_year, step=step, regions=",".join(inp.regions),
        objective_bn_usd=float(f.m.objective.value) + e.get("objective_constant", 0.0),
        currency="USD 2005", discount_rate=inp.params["discount_rate"],
        pj_per_twh=PJ_PER_TWH)
    for v in ds.data_vars:
        if "technology" in ds[v].dims:
            ds[v] = ds[v].transpose("region", "technology", ...) if "region" in ds[v].dims \
                else ds[v]
    return ds


def series(da: xr.DataArray, digits: int = 4) -> dict[str, float]:
    """A ``year``-indexed array as {"2005": value, ...} (rounded)."""
    s = da.to_series() if isinstance(da, xr.DataArray) else pd.Series(da)
    return {str(int(k)): round(float(v), digits) for k, v in s.items() if np.isfinite(v)}
