"""Builders of the power system: capacity with vintages, dispatch by time slice, storage.

Units: GW, TWh, PJ; money in billion USD (USD/kW x GW = 1e-3 bn USD).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from shigen.energy.formulation import Formulation
from shigen.energy.inputs import PJ_PER_TWH, TECH_FUEL, VARIABLE

MUSD_TO_BN = 1e-3


def existing_left(f: Formulation) -> xr.DataArray:
    """Base-year fleet still running, retiring linearly over a technology's life.

    A uniform age distribution of the base-year fleet means a share (t - t0) / life of
    it has retired by year t.
    """
    return f.inp.existing * (1 - f.turnover(f.inp.lifetime))


def define_capacity(f: Formulation) -> None:
    """New capacity per region, technology and period; capacity = fleet left + vintages."""
    inp = f.inp
    y = f.years
    upper = xr.where(y == inp.base_year, 0.0, np.inf).broadcast_like(
        inp.existing * y).transpose("region", "technology", "year")
    new = f.m.add_variables(lower=0, upper=upper, name="new_capacity")
    alive = f.alive(inp.lifetime)  # technology, vintage, year
    built = (new.rename(year="vintage") * alive).sum("vintage")
    f.exprs["new_capacity"] = new
    f.exprs["alive"] = alive
    f.exprs["capacity"] = built + existing_left(f)
    # annualised investment over the years a vintage runs inside the horizon
    crf = inp.crf(inp.lifetime)
    pv_per_gw = (alive * f.weight()).sum("year").rename(vintage="year") * crf * inp.capex
    f.cost((new * pv_per_gw * MUSD_TO_BN).sum())
    f.cost((f.exprs["capacity"] * inp.fom * MUSD_TO_BN * f.weight()).sum())


def define_build_limit(f: Formulation) -> None:
    """Additions per period at most the yearly build limit times the period length."""
    lim = f.inp.build_limit * f.cfg.step
    mask = np.isfinite(lim) & (f.years > f.inp.base_year)
    if not bool(mask.any()):
        return
    f.add(f.exprs["new_capacity"], "<=", lim.where(mask, 0.0), "build_limit", "build_limit",
          mask=mask)


def define_potential(f: Formulation) -> None:
    """Installed capacity within the resource potential."""
    pot = f.inp.potential.broadcast_like(f.years)
    mask = np.isfinite(pot) & (f.years > f.inp.base_year)
    if not bool(mask.any()):
        return
    f.add(f.exprs["capacity"], "<=", pot.where(mask, 0.0), "potential", "potential", mask=mask)


def define_dispatch(f: Formulation) -> None:
    """Generation per slice within available capacity; fuel use and power CO2."""
    inp = f.inp
    gen = f.m.add_variables(lower=0, coords=[f.exprs["capacity"].indexes["region"],
                                             inp.existing.indexes["technology"],
                                             f.years.indexes["year"],
                                             inp.hours.indexes["slice"]],
                            name="generation")
    cap_twh = inp.availability * inp.hours / 1000.0
    f.add(gen - f.exprs["capacity"] * cap_twh, "<=", 0, "dispatch", "dispatch")
    f.exprs["generation"] = gen
    annual = gen.sum("slice")
    f.exprs["generation_year"] = annual
    fuels = sorted(set(TECH_FUEL.values()))
    fuel_of = xr.DataArray([[1.0 if TECH_FUEL.get(t) == fu else 0.0 for t in inp.existing.technology.values]
                            for fu in fuels], dims=("fuel", "technology"),
                           coords={"fuel": fuels, "technology": inp.existing.technology.values})
    per_tech_pj = annual * (PJ_PER_TWH / inp.efficiency)
    f.exprs["power_fuel_tech"] = per_tech_pj
    f.exprs["power_fuel"] = (per_tech_pj * fuel_of).sum("technology")
    ef = inp.emission_factor.reindex(fuel=fuels).fillna(0.0)
    ef_t = (fuel_of * ef).sum("fuel")
    fossil_t = xr.where(ef_t.technology.isin(["biomass", "biomass_ccs"]), 0.0, ef_t)
    emitted = (per_tech_pj * fossil_t * (1 - inp.capture_rate)).sum("technology")
    captured = (per_tech_pj * ef_t * inp.capture_rate).sum("technology")
    bio_captured = (per_tech_pj * (ef_t - fossil_t) * inp.capture_rate).sum("technology")
    f.exprs["co2_power"] = emitted - bio_captured
    f.exprs["captured_power"] = captured
    price = inp.fuel_price.reindex(fuel=fuels).fillna(0.0)
    f.cost((f.exprs["power_fuel"] * price * 1e-3 * f.weight()).sum())
    f.cost((captured * inp.ccs_cost["transport_storage"] * 1e-3 * f.weight()).sum())


def _season(slices: list[str]) -> xr.DataArray:
    seasons = [s.split("-")[0] if "-" in s else "year" for s in slices]
    return xr.DataArray(seasons, dims="slice", coords={"slice": slices})


def define_storage(f: Formulation) -> None:
    """Storage charges in some slices and discharges (as generation) in others of a season."""
    inp = f.inp
    if "storage" not in inp.existing.technology.values:
        return
    charge = f.m.add_variables(lower=0, coords=[f.exprs["capacity"].indexes["region"],
                                                f.years.indexes["year"],
                                                inp.hours.indexes["slice"]], name="charge")
    cap = f.exprs["capacity"].sel(technology="storage", drop=True)
    f.add(charge - cap * inp.hours / 1000.0, "<=", 0, "storage_charge", "dispatch")
    rte = float(inp.efficiency.sel(technology="storage", drop=True))
    out = f.exprs["generation"].sel(technology="storage", drop=True)
    season = _season(inp.slices)
    balance = (out - charge * rte).groupby(season).sum()
    f.add(balance, "==", 0, "storage_balance", "storage")
    f.exprs["charge"] = charge


def define_electricity_balance(f: Formulation) -> None:
    """Generation minus storage charging meets demand in every slice (after grid losses)."""
    inp = f.inp
    demand = f.exprs["electricity_final_twh"] * (1 + inp.params["grid_loss"])
    f.exprs["electricity_demand_twh"] = demand
    supply = f.exprs["generation"].sum("technology")
    if "charge" in f.exprs:
        supply = supply - f.exprs["charge"]
    f.add(supply - demand * inp.load_share, "==", 0, "electricity_balance", "balance")


def define_firm_capacity(f: Formulation) -> None:
    """Firm capacity covers each slice's average load plus the reserve margin."""
    inp = f.inp
    firm = (f.exprs["capacity"] * inp.capacity_credit).sum("technology")
    load_gw = f.exprs["electricity_demand_twh"] * inp.load_share * 1000.0 / inp.hours
    f.add(firm - load_gw * (1 + inp.params["reserve_margin"]), ">=", 0, "firm_capacity",
          "firm_capacity", mask=(f.years > inp.base_year).broadcast_like(inp.hours))


def define_variable_share(f: Formulation) -> None:
    """Wind and PV at most a system-integration share of generation."""
    inp = f.inp
    share = inp.params.get("variable_re_max_share")
    if share is None:
        return
    gen = f.exprs["generation_year"]
    techs = [t for t in VARIABLE if t in gen.indexes["technology"]]
    if not techs:
        return
    total = gen.drop_sel(technology="storage").sum("technology")
    f.add(gen.sel(technology=techs, drop=True).sum("technology") - total * share, "<=", 0,
          "variable_re_share", "variable_re_share", mask=f.years > inp.base_year)


def define_base_year(f: Formulation) -> None:
    """Base-year generation mix equals the statistics (calibration)."""
    inp = f.inp
    hist = inp.base_generation
    share = hist / hist.sum("technology")
    gen = f.exprs["generation_year"].sel(year=inp.base_year, drop=True)
    total = gen.drop_sel(technology="storage").sum("technology")
    techs = [t for t in hist.technology.values if t != "storage"]
    f.add(gen.sel(technology=techs, drop=True) - total * share.sel(technology=techs, drop=True), "==", 0,
          "base_year_mix", "calibration")
