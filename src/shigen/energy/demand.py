"""Builders of the demand side: end-use sectors, road vehicles, hydrogen, biomass.

End-use sectors (industry, buildings, freight, other) meet a baseline final-energy demand
with fuels and efficiency measures. Stock turnover limits how fast both change: equipment
still running from the base year keeps its fuel mix and efficiency.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from shigen.energy import accounts
from shigen.energy.config import VEHICLES
from shigen.energy.formulation import Formulation
from shigen.energy.inputs import Inputs


def _idx(values: list[str], dim: str):  # type: ignore[no-untyped-def]
    return xr.DataArray(values, dims=dim, coords={dim: values}).indexes[dim]


def define_end_use(f: Formulation) -> None:
    """Fuel use and efficiency savings per sector; fuel inertia and ceilings."""
    inp = f.inp
    demand, mix, pot = inp.final_demand, inp.fuel_mix, inp.eff_potential
    turnover = f.turnover(inp.sector_life)
    # equipment left from the base year keeps its fuel: a lower bound on each fuel, taken
    # on the least demand the sector can have after efficiency (D x (1 - potential))
    if not f.cfg.efficiency_measures:
        pot = pot * 0.0
    least = demand * (1 - pot.sum("step") * turnover)
    inertia = (mix * (1 - turnover) * least).transpose("region", "demand_sector", "end_fuel",
                                                       "year")
    use = f.m.add_variables(lower=inertia, name="end_use")
    save = f.m.add_variables(lower=0, upper=(pot * turnover * demand).transpose(
        "region", "demand_sector", "step", "year"), name="saving")
    f.values.update(end_use=use, saving=save)
    f.add(f.t("end_use").sum("end_fuel") + f.t("saving").sum("step"), "==", demand,
          "sector_balance", "balance")
    ceiling = np.maximum(inp.max_fuel_share, mix)
    f.add(use, "<=", (demand * ceiling).transpose(*use.dims), "fuel_ceiling", "fuel_ceiling")


def define_vehicles(f: Formulation) -> None:
    """Light-duty vehicle sales, stock by vintage and travel by drivetrain."""
    inp = f.inp
    y = f.years
    upper = xr.where(y == inp.base_year, 0.0, np.inf).broadcast_like(
        inp.vehicle_stock * y).transpose("region", "vehicle", "year")
    sales = f.m.add_variables(lower=0, upper=upper, name="vehicle_sales")
    travel = f.m.add_variables(lower=0, coords=[inp.existing.indexes["region"],
                                                _idx(list(VEHICLES), "vehicle"),
                                                y.indexes["year"]], name="travel")
    liq = f.m.add_variables(lower=0, coords=[inp.existing.indexes["region"],
                                             _idx(["oil", "biofuel"], "liquid"),
                                             y.indexes["year"]], name="ldv_liquid")
    f.values.update(vehicle_sales=sales, travel=travel, ldv_liquid=liq)
    alive = f.alive(inp.vehicle_life)
    f.alive_by["ldv"] = alive
    old = inp.vehicle_stock * (1 - f.turnover(inp.vehicle_life)) * inp.mileage
    stock_km = f.in_service(f.t("vehicle_sales"), alive * inp.mileage)
    f.add(f.t("travel") - stock_km, "<=", old, "vehicle_stock", "stock")
    f.add(f.t("travel").sum("vehicle"), "==", inp.ldv_demand, "travel_demand", "balance")
    per_km = inp.vehicle_intensity.sel(carrier="liquids", drop=True)
    f.add(f.t("ldv_liquid").sum("liquid") - (f.t("travel") * per_km).sum("vehicle"), "==", 0,
          "liquid_fuel", "balance")


def define_fuel_switching(f: Formulation) -> None:
    """Fuel use above the base-year share of a sector: what new equipment must deliver.

    ``fuel_switch >= end_use - share0 x demand`` (and >= 0). The LP pays the extra
    equipment cost (``energy-fuel-switch-cost``) on this amount only, so a sector that
    keeps its base-year mix pays nothing extra.
    """
    inp = f.inp
    demand, mix = inp.final_demand, inp.fuel_mix
    use = f.values["end_use"]
    switched = f.m.add_variables(lower=0, coords=[use.indexes[d] for d in use.dims],
                                 name="fuel_switch")
    f.values["fuel_switch"] = switched
    f.add(f.t("fuel_switch") - f.t("end_use"), ">=", (-(mix * demand)).transpose(*use.dims),
          "fuel_switch", "balance")


def fleet_market(demand: xr.DataArray, mileage: xr.DataArray, life: xr.DataArray) -> xr.DataArray:
    """Yearly new-vehicle market (million/yr): replacement of the needed stock plus its growth.

    The stock needed to serve travel demand is ``S = demand / mileage``; a market that keeps
    it is ``S / life + dS/dt`` (the growth term never negative). An exogenous market lets a
    sales *share* limit stay linear.
    """
    stock = demand / mileage
    growth = (stock.diff("year") / stock.year.diff("year")).clip(min=0.0)
    growth = growth.reindex(year=stock.year.values).bfill("year").fillna(0.0)
    return stock / life + growth


def vehicle_market(inp: Inputs) -> xr.DataArray:
    """Yearly new light-duty vehicle market (million/yr), :func:`fleet_market` of the LDVs."""
    return fleet_market(inp.ldv_demand, inp.mileage, inp.vehicle_life)


#: drivetrains whose sales share the diffusion limit also caps together (IEA counts
#: battery-electric and plug-in hybrid cars as "electric cars")
DIFFUSION_GROUPS = {"plug-in": ["phev", "bev"]}


def define_vehicle_diffusion(f: Formulation) -> None:
    """Drivetrain sales shares rise at most ``vehicle_share_growth_max`` a year.

    ``share(v, t) - share(v, t-1) <= g x step`` with shares of the exogenous market
    :func:`vehicle_market`; in the first free period the previous share is the base-year
    stock mix. ``vehicle_sales`` counts the vehicles added in a period (``M x step``), so
    the limit is written linearly as
    ``sales(v, t) - sales(v, t-1) x M(t) / M(t-1) <= (g x step + s0(v) [first]) x M(t) x step``.
    Without it a perfect-foresight LP keeps every car conventional until the last period
    and then sells only one drivetrain, a switch no market has made. The limit holds for
    each drivetrain and for the plug-in group (PHEV + BEV), the "electric cars" whose
    sales share the limit's source measured.
    """
    _limit_diffusion(f, "vehicle_sales", vehicle_market(f.inp), f.inp.vehicle_stock,
                     "vehicle_diffusion")


def _limit_diffusion(f: Formulation, variable: str, market: xr.DataArray,
                     stock0: xr.DataArray, name: str) -> None:
    """The share-growth limit of :func:`define_vehicle_diffusion` on one sales variable.

    ``market`` is the yearly market (million/yr) and ``stock0`` the base-year stock by
    ``vehicle``; any other dimension (``fleet``) is kept, each with its own market.
    """
    inp = f.inp
    g = inp.params.get("vehicle_share_growth_max")
    if g is None or g >= 1.0:
        return
    groups = {**{v: [v] for v in VEHICLES}, **DIFFUSION_GROUPS}
    member = xr.DataArray([[1.0 if v in vs else 0.0 for v in VEHICLES] for vs in groups.values()],
                          dims=("group", "vehicle"),
                          coords={"group": list(groups), "vehicle": list(VEHICLES)})
    sales = (f.t(variable) * member).sum("vehicle")
    market = market * f.cfg.step  # vehicles added per period
    years = [int(y) for y in f.years.values]
    free = [y for y in years if y > inp.base_year]
    if not free:
        return
    step = f.cfg.step
    share0 = ((stock0 * member).sum("vehicle") / stock0.sum("vehicle")).fillna(0.0)
    first = xr.DataArray([y == free[0] for y in free], dims="year", coords={"year": free})
    # last period's sales, scaled to this period's market: shift[year=t, prev=t-1] = M(t)/M(t-1)
    # (zero in the first free period, whose base is the stock mix s0)
    before = xr.DataArray([[1.0 if y != free[0] and p == years[years.index(y) - 1] else 0.0
                            for p in years] for y in free], dims=("year", "prev"),
                          coords={"year": free, "prev": years})
    ratio = market.sel(year=free) / market.rename(year="prev")
    ratio = ratio.where(np.isfinite(ratio), 1.0)  # no travel demand: no market to scale
    prev = (sales.rename(year="prev") * (before * ratio)).sum("prev")
    rhs = (g * step + xr.where(first, share0, 0.0)) * market.sel(year=free)
    f.add(sales.sel(year=free) - prev, "<=", rhs, name, "vehicle_diffusion")


def define_heavy_vehicles(f: Formulation) -> None:
    """Trucks and buses: sales, stock by vintage and travel by drivetrain, as for LDVs.

    The same three relations as :func:`define_vehicles`, per fleet: travel by a drivetrain
    is at most what its stock can run (new vintages alive x mileage, plus the base-year
    diesel fleet left), travel meets the fleet's demand, and the liquids the fleet burns
    (``heavy_liquid``: oil or biofuel) match its travel. A drivetrain without a price in
    ``energy-heavy-vehicle-cost`` cannot be bought. Sales shares rise at most as fast as
    the LDVs' (``vehicle_share_growth_max``, measured on car sales: an assumption here).
    """
    inp = f.inp
    heavy = inp.heavy
    if heavy is None:
        return
    y = f.years
    dims = ("region", "fleet", "vehicle", "year")
    can_buy = heavy.offered & (y > inp.base_year)
    upper = xr.where(can_buy, np.inf, 0.0).broadcast_like(heavy.demand).transpose(*dims)
    sales = f.m.add_variables(lower=0, upper=upper, name="heavy_sales")
    travel = f.m.add_variables(lower=0, coords=[upper.indexes[d] for d in dims],
                               name="heavy_travel")
    liq = f.m.add_variables(lower=0, coords=[inp.existing.indexes["region"],
                                             _idx(["oil", "biofuel"], "liquid"),
                                             y.indexes["year"]], name="heavy_liquid")
    f.values.update(heavy_sales=sales, heavy_travel=travel, heavy_liquid=liq)
    alive = f.alive(heavy.life)
    f.alive_by["heavy"] = alive
    old = heavy.base_stock * (1 - f.turnover(heavy.life)) * heavy.mileage
    stock_km = f.in_service(f.t("heavy_sales"), alive * heavy.mileage)
    f.add(f.t("heavy_travel") - stock_km, "<=", old.transpose(*dims), "heavy_vehicle_stock",
          "stock")
    f.add(f.t("heavy_travel").sum("vehicle"), "==", heavy.demand.transpose(
        "region", "fleet", "year"), "heavy_travel_demand", "balance")
    per_km = heavy.intensity.sel(carrier="liquids", drop=True)
    f.add(f.t("heavy_liquid").sum("liquid") - (f.t("heavy_travel") * per_km).sum(
        ["fleet", "vehicle"]), "==", 0, "heavy_liquid_fuel", "balance")
    _limit_diffusion(f, "heavy_sales", fleet_market(heavy.demand, heavy.mileage, heavy.life),
                     heavy.base_stock, "heavy_vehicle_diffusion")


def define_hydrogen(f: Formulation) -> None:
    """Hydrogen for fuel-cell vehicles from gas reforming or electrolysis."""
    inp = f.inp
    h2 = f.m.add_variables(lower=0, coords=[inp.existing.indexes["region"],
                                            _idx(["smr", "electrolysis"], "route"),
                                            f.years.indexes["year"]], name="hydrogen")
    per_km = inp.vehicle_intensity.sel(carrier="hydrogen", drop=True)
    f.values["hydrogen"] = h2
    need = f.t("hydrogen").sum("route") - (f.t("travel") * per_km).sum("vehicle")
    if "heavy_travel" in f.values and inp.heavy is not None:  # fuel-cell trucks and buses
        heavy_km = inp.heavy.intensity.sel(carrier="hydrogen", drop=True)
        need = need - (f.t("heavy_travel") * heavy_km).sum(["fleet", "vehicle"])
    f.add(need, "==", 0, "hydrogen_balance", "balance")


def define_biomass(f: Formulation) -> None:
    """Biomass for power, end use and biofuel feedstock within the supply potential."""
    inp = f.inp
    prim = accounts.primary(inp)
    acc = {k: v.sel(carrier="biomass", drop=True) for k, v in prim.items()}
    supply = accounts.evaluate(acc, f.values)
    f.add(supply, "<=", inp.biomass_potential, "biomass_supply", "biomass_supply",
          mask=f.years > inp.base_year)


def define_industry_ccs(f: Formulation) -> None:
    """CO2 capture at industrial point sources, up to a share of industry fossil CO2."""
    inp = f.inp
    share = inp.params.get("industry_ccs_max_share", 0.0)
    cap = f.m.add_variables(lower=0, upper=np.inf if share > 0 else 0.0,
                            coords=[inp.existing.indexes["region"], f.years.indexes["year"]],
                            name="industry_capture")
    f.values["industry_capture"] = cap
    if share <= 0:
        return
    life = inp.sector_life.sel(demand_sector="industry", drop=True)
    limit = inp.end_use_emission_factor * share * f.turnover(life)
    gross = (f.t("end_use").sel(demand_sector="industry") * limit).sum("end_fuel")
    f.add(f.t("industry_capture") - gross, "<=", 0, "industry_ccs_limit", "industry_ccs_limit")
