"""The result dataset of a solved energy LP, in PyPSA's steps.

:func:`results` runs, on a solved :class:`~shigen.energy.model.Outcome`:

1. :func:`assign_solution` - each LP variable that :data:`OUTPUTS` names becomes a result
   array as it is (new capacity, generation by slice, end use, travel, ...);
2. :func:`assign_duals` - the CO2 price and the sector CO2 premiums from the caps' duals;
   every binding constraint with its shadow price (:mod:`shigen.energy.binding`) goes to
   the ``binding_json`` attribute;
3. :func:`post_process` - derived indicators, one small step each (:data:`POST_PROCESS`):
   capacity and plants per year, primary energy and fuel use, CO2 by sector, costs,
   fossil imports, their bill and the import dependence, the vehicle stock, link results.

:data:`OUTPUTS` is the one table of what the dataset holds: each array's name, unit and
dimensions, in the dataset's order. Reporting a new LP variable as it is takes one row
with its ``variable``; a derived indicator takes a row and a line in a post-processing step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from shigen.energy import accounts, binding, supply, transmission
from shigen.energy.constants import BN, FUEL_CARRIER, IMPORTED_FUELS, PJ_PER_TWH, PRIMARY_FUELS
from shigen.energy.formulation import Formulation
from shigen.energy.model import Outcome, objective_value
from shigen.energy.policy import path_on_periods

Arrays = dict[str, xr.DataArray]


@dataclass(frozen=True)
class Output:
    """One array of the energy stage's dataset.

    ``variable`` names the LP variable whose solution the array is; arrays without one
    are derived by :func:`post_process` (or are prices, :func:`assign_duals`).
    """

    name: str
    unit: str
    dims: tuple[str, ...]
    variable: str | None = None


_REGION_TECH_YEAR = ("region", "technology", "year")
_REGION_YEAR = ("region", "year")

#: every array of the result dataset, in its order (arrays over ``link`` exist only for
#: studies with electricity links, ``network_additions`` only when networks are costed)
OUTPUTS: tuple[Output, ...] = (
    Output("capacity", "GW", _REGION_TECH_YEAR),
    Output("capacity_by_vintage", "GW", ("vintage", *_REGION_TECH_YEAR)),
    Output("additions", "GW", _REGION_TECH_YEAR, variable="new_capacity"),
    Output("builds_per_year", "GW/year", _REGION_TECH_YEAR),
    Output("plants_per_year", "1/year", _REGION_TECH_YEAR),
    Output("generation", "TWh", _REGION_TECH_YEAR),
    Output("generation_by_slice", "TWh", (*_REGION_TECH_YEAR, "slice"), variable="generation"),
    Output("fuel_use", "PJ", ("fuel", *_REGION_YEAR)),
    Output("end_use", "PJ", ("region", "demand_sector", "end_fuel", "year"), variable="end_use"),
    Output("efficiency_saving", "PJ", ("demand_sector", *_REGION_YEAR)),
    Output("primary_energy", "PJ", (*_REGION_YEAR, "carrier")),
    Output("electricity_demand", "TWh", _REGION_YEAR),
    Output("co2", "Mt", (*_REGION_YEAR, "sector")),
    Output("co2_captured", "Mt", (*_REGION_YEAR, "sector")),
    Output("co2_price", "USD/t", ("year",)),
    Output("sector_co2_premium", "USD/t", ("capped_sector", "year")),
    Output("investment", "billion USD", ("category", *_REGION_YEAR)),
    Output("om_cost", "billion USD/year", _REGION_YEAR),
    Output("fuel_cost", "billion USD/year", ("fuel", *_REGION_YEAR)),
    Output("gdp", "billion USD", _REGION_YEAR),
    Output("population", "persons", _REGION_YEAR),
    Output("electricity_specific", "TWh", _REGION_YEAR),
    Output("imports", "PJ", ("fuel", *_REGION_YEAR)),
    Output("import_bill", "billion USD/year", ("fuel", *_REGION_YEAR)),
    Output("import_dependence", "fraction", _REGION_YEAR),
    Output("vehicle_stock", "million", ("region", "vehicle", "year")),
    Output("vehicle_sales", "million/year", ("region", "vehicle", "year")),
    Output("travel", "billion vkm", ("region", "vehicle", "year"), variable="travel"),
    Output("heavy_vehicle_stock", "million", ("region", "fleet", "vehicle", "year")),
    Output("heavy_vehicle_sales", "million/year", ("region", "fleet", "vehicle", "year")),
    Output("heavy_travel", "billion vkm", ("region", "fleet", "vehicle", "year"),
           variable="heavy_travel"),
    Output("hydrogen", "PJ", ("region", "route", "year"), variable="hydrogen"),
    Output("biofuel", "PJ", _REGION_YEAR),
    Output("transport_oil", "PJ", _REGION_YEAR),
    Output("transport_energy", "PJ", _REGION_YEAR),
    Output("flows", "TWh", ("link", "direction", "year", "slice"), variable="link_flow"),
    Output("link_capacity", "GW", ("link", "year")),
    Output("link_additions", "GW", ("link", "year"), variable="link_new"),
    Output("net_imports", "TWh", (*_REGION_YEAR, "slice")),
    Output("exports", "TWh", (*_REGION_YEAR, "slice")),
    Output("transmission_losses", "TWh", ("link", "year")),
    Output("network_additions", "TWh/year of deliverable demand", _REGION_YEAR, variable="network"),
)
UNITS = {o.name: o.unit for o in OUTPUTS}


# ---- 1. solution ----------------------------------------------------------------------
def solution(f: Formulation) -> Arrays:
    """The value of every LP variable (0 where it has none), by variable name."""
    return {k: var.solution.fillna(0.0) for k, var in f.values.items()}


def assign_solution(sol: Mapping[str, xr.DataArray]) -> Arrays:
    """The outputs that are LP variables as they are, under their result names."""
    return {o.name: sol[o.variable] for o in OUTPUTS
            if o.variable is not None and o.variable in sol}


# ---- 2. duals -------------------------------------------------------------------------
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
    sectors = list(f.cfg.sector_co2_cap_vs_2005)
    if not sectors:
        return xr.DataArray(np.zeros((0, len(years))), dims=("capped_sector", "year"),
                            coords={"capped_sector": sectors, "year": years})
    rows = [_cap_price(f, f"co2_cap_{sector}") for sector in sectors]
    return xr.concat(rows, dim=xr.DataArray(sectors, dims="capped_sector"))


def assign_duals(f: Formulation) -> Arrays:
    """Prices read from the duals of the CO2 caps."""
    return {"co2_price": co2_price(f), "sector_co2_premium": sector_co2_premium(f)}


# ---- 3. post-processing ---------------------------------------------------------------
#: a post-processing step: the formulation, every LP variable's values and the results so
#: far in; the arrays it derives out
Step = Callable[[Formulation, Mapping[str, xr.DataArray], Mapping[str, xr.DataArray]], Arrays]

def _power(f: Formulation, sol: Mapping[str, xr.DataArray],
           out: Mapping[str, xr.DataArray]) -> Arrays:
    """Capacity (in total and by vintage), builds and plants per year, generation."""
    inp = f.inp
    new = sol["new_capacity"]
    left = supply.existing_left(f)
    built = new.rename(year="vintage") * f.alive_by["power"]
    base = left.expand_dims(vintage=[inp.base_year])
    by_vintage = built.where(built.vintage > inp.base_year, 0.0) + base.reindex(
        vintage=built.vintage.values, fill_value=0.0)
    builds = new / f.cfg.step
    return {"capacity": built.sum("vintage") + left, "capacity_by_vintage": by_vintage,
            "builds_per_year": builds, "plants_per_year": builds * 1000.0 / inp.unit_size,
            "generation": sol["generation"].sum("slice")}


def _energy(f: Formulation, sol: Mapping[str, xr.DataArray],
            out: Mapping[str, xr.DataArray]) -> Arrays:
    """Primary energy by carrier, fuel use, final electricity, end-use and transport energy."""
    inp = f.inp
    primary = accounts.evaluate(accounts.primary(inp), sol, keep=("region", "year", "carrier"))
    fuel_use = xr.concat([primary.sel(carrier=c, drop=True) for c in FUEL_CARRIER.values()],
                         dim=xr.DataArray(list(FUEL_CARRIER), dims="fuel"))
    use = sol["end_use"]
    oil, energy = accounts.transport(inp)
    return {
        "fuel_use": fuel_use, "efficiency_saving": sol["saving"].sum("step"),
        "primary_energy": primary,
        "electricity_demand": accounts.evaluate(accounts.electricity_final(inp), sol)
        * (1 + inp.params["grid_loss"]),
        "electricity_specific": use.sel(demand_sector="appliances", end_fuel="electricity",
                                        drop=True) / PJ_PER_TWH,
        "biofuel": use.sel(demand_sector="freight", end_fuel="biomass", drop=True)
        + sum(sol[k].sel(liquid="biofuel", drop=True)
              for k in ("ldv_liquid", "heavy_liquid") if k in sol),
        "transport_oil": accounts.evaluate(oil, sol),
        "transport_energy": accounts.evaluate(energy, sol),
    }


def _emissions(f: Formulation, sol: Mapping[str, xr.DataArray],
               out: Mapping[str, xr.DataArray]) -> Arrays:
    """CO2 emitted and captured by sector."""
    keep = ("region", "year", "sector")
    return {"co2": accounts.evaluate(accounts.co2(f.inp), sol, keep=keep),
            "co2_captured": accounts.evaluate(accounts.captured(f.inp), sol, keep=keep)}


def _stock_investment(outlay: xr.DataArray, decay: Any) -> xr.DataArray:
    """Investment per period (bn USD) that keeps an equipment stock worth ``outlay`` (1e3 x).

    New outlay is the rise of the stock plus the share of last period's stock that wore
    out (``decay`` = step / life).
    """
    kept = outlay.shift(year=1, fill_value=0.0) * (1 - decay)
    return (outlay - kept).clip(min=0.0) * BN


def _heavy_investment(inp: Any, sol: Mapping[str, xr.DataArray]) -> Arrays:
    """Trucks and buses bought in each period (bn USD): sales x price, as for LDVs."""
    if inp.heavy is None or "heavy_sales" not in sol:
        return {}
    price = inp.heavy.cost.fillna(0.0)  # a drivetrain without a price is never bought
    return {"heavy_vehicles": (sol["heavy_sales"] * price * BN).sum(["fleet", "vehicle"])}


def _costs(f: Formulation, sol: Mapping[str, xr.DataArray],
           out: Mapping[str, xr.DataArray]) -> Arrays:
    """Investment per period by category (bn USD over the period), O&M and fuel cost."""
    inp = f.inp
    new = sol["new_capacity"]
    grid = (new * inp.grid_cost * BN).sum("technology")
    if "network" in sol:  # TWh/yr x USD per MWh/yr = 1e-3 bn USD
        grid = grid + sol["network"] * inp.network_cost["investment"] * BN
    life = inp.sector_life
    decay = np.minimum(1.0, f.cfg.step / life.where(life < 500, np.inf))
    capture = sol["industry_capture"]
    cats = {
        "power": (new * inp.capex * BN).sum("technology"),
        "grid": grid,
        "vehicles": (sol["vehicle_sales"] * inp.vehicle_cost * BN).sum("vehicle"),
        **_heavy_investment(inp, sol),
        "efficiency": _stock_investment(sol["saving"] * inp.eff_cost, decay).sum(
            ["demand_sector", "step"]),
        "fuel_switching": _stock_investment(sol["fuel_switch"] * inp.switch_cost, decay).sum(
            ["demand_sector", "end_fuel"]),
        "industry_ccs": (capture - capture.shift(year=1, fill_value=0.0)).clip(min=0.0)
        * inp.ccs_cost.get("industry_capture_investment", 0.0) * BN,
    }
    om = (out["capacity"] * inp.fom * BN).sum("technology")
    if inp.links is not None:
        cats["transmission"], links_om = transmission.link_costs(f, sol)
        om = om + links_om
    price = inp.fuel_price.reindex(fuel=list(PRIMARY_FUELS)).fillna(0.0)
    return {"investment": xr.concat(list(cats.values()),
                                    dim=xr.DataArray(list(cats), dims="category")),
            "om_cost": om, "fuel_cost": out["fuel_use"] * price * BN}


def _context(f: Formulation, sol: Mapping[str, xr.DataArray],
             out: Mapping[str, xr.DataArray]) -> Arrays:
    """GDP and population, the inputs indicators are divided by."""
    return {"gdp": f.inp.gdp, "population": f.inp.population}


def _imports(f: Formulation, sol: Mapping[str, xr.DataArray],
             out: Mapping[str, xr.DataArray]) -> Arrays:
    """Fossil and uranium imports, their bill and the import dependence of primary energy."""
    inp = f.inp
    share = inp.import_share.reindex(fuel=list(PRIMARY_FUELS)).fillna(0.0)
    imports = (out["fuel_use"] * share).sel(fuel=list(IMPORTED_FUELS))
    price = inp.fuel_price.reindex(fuel=list(PRIMARY_FUELS)).fillna(0.0)
    total = out["primary_energy"].sum("carrier")
    return {"imports": imports,
            "import_bill": imports * price.sel(fuel=imports.fuel.values) * BN,
            "import_dependence": imports.sum("fuel") / total.where(total > 0)}


def _vehicles(f: Formulation, sol: Mapping[str, xr.DataArray],
              out: Mapping[str, xr.DataArray]) -> Arrays:
    """Vehicle stocks (alive vintages + the base-year fleet left) and sales: cars, trucks, buses."""
    inp = f.inp
    sales = sol["vehicle_sales"]
    alive = f.in_service(sales, f.alive_by["ldv"])
    out = {"vehicle_stock": alive + inp.vehicle_stock * (1 - f.turnover(inp.vehicle_life)),
           "vehicle_sales": sales / f.cfg.step}
    heavy = inp.heavy
    if heavy is not None and "heavy_sales" in sol:  # trucks and buses, the same stock rule
        bought = sol["heavy_sales"]
        left = heavy.base_stock * (1 - f.turnover(heavy.life))
        out["heavy_vehicle_stock"] = f.in_service(bought, f.alive_by["heavy"]) + left
        out["heavy_vehicle_sales"] = bought / f.cfg.step
    return out


def _links(f: Formulation, sol: Mapping[str, xr.DataArray],
           out: Mapping[str, xr.DataArray]) -> Arrays:
    """Link capacity, net imports, exports and losses (studies with electricity links)."""
    return transmission.link_results(f, sol) if f.inp.links is not None else {}


#: post-processing steps in order: a step may read what earlier ones derived
POST_PROCESS: tuple[Step, ...] = (_power, _energy, _emissions, _costs, _context, _imports,
                                  _vehicles, _links)


def post_process(f: Formulation, sol: Mapping[str, xr.DataArray],
                 assigned: Mapping[str, xr.DataArray]) -> Arrays:
    """Every derived indicator, each step given the results of the steps before it."""
    out = dict(assigned)
    for step in POST_PROCESS:
        out.update(step(f, sol, out))
    return out


# ---- the dataset ----------------------------------------------------------------------
def _dataset(f: Formulation, arrays: Mapping[str, xr.DataArray]) -> xr.Dataset:
    """The arrays in :data:`OUTPUTS` order with their units; link arrays name their ends."""
    names = [o.name for o in OUTPUTS if o.name in arrays]
    for o in OUTPUTS:
        if o.name in arrays and set(arrays[o.name].dims) != set(o.dims):
            raise RuntimeError(f"result '{o.name}' has dimensions {arrays[o.name].dims}, "
                               f"OUTPUTS declares {o.dims}")
    links = f.inp.links
    ends = {} if links is None else {"from_region": ("link", links.from_region.values),
                                     "to_region": ("link", links.to_region.values)}
    ds = xr.Dataset({n: arrays[n].assign_coords(ends) if "link" in arrays[n].dims
                     else arrays[n] for n in names})
    for n in names:
        ds[n].attrs["units"] = UNITS[n]
    inp = f.inp
    ds.attrs.update(
        base_year=inp.base_year, step=f.cfg.step, regions=",".join(inp.regions),
        objective_bn_usd=objective_value(f), currency="USD 2005",
        discount_rate=inp.params["discount_rate"], pj_per_twh=PJ_PER_TWH)
    return ds


def results(outcome: Outcome) -> xr.Dataset:
    """The result dataset of a solved model: solution, duals, post-processing (timed)."""
    t0 = time.perf_counter()
    f = outcome.formulation
    sol = solution(f)
    arrays = {**assign_solution(sol), **assign_duals(f)}
    ds = _dataset(f, post_process(f, sol, arrays))
    # the binding constraints are kept as JSON records: they are ragged (one per
    # constraint row), and a stored run must report them without the LP
    ds.attrs["binding_json"] = binding.to_json(binding.binding_constraints(f))
    outcome.timings.extract = time.perf_counter() - t0
    return ds


def series(da: xr.DataArray, digits: int = 4) -> dict[str, float]:
    """A ``year``-indexed array as {"2005": value, ...} (rounded)."""
    s = da.to_series() if isinstance(da, xr.DataArray) else pd.Series(da)
    return {str(int(k)): round(float(v), digits) for k, v in s.items() if np.isfinite(v)}
