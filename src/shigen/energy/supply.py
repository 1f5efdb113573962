"""Builders of the power system: capacity with vintages, dispatch by time slice, storage.

Units: GW, TWh, PJ; money in billion USD.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from shigen.energy import accounts
from shigen.energy.constants import VARIABLE
from shigen.energy.formulation import Formulation


def base_fleet_left(f: Formulation) -> xr.DataArray:
    """Base-year fleet still running, retiring linearly over a technology's life.

    A uniform age distribution of the base-year fleet means a share (t - t0) / life of
    it has retired by year t.
    """
    return f.inp.existing * (1 - f.turnover(f.inp.lifetime))


def existing_left(f: Formulation) -> xr.DataArray:
    """Base-year fleet in service (GW), life extensions included once solved.

    What has not retired, plus, in a solved model, the capacity whose life was extended
    (:func:`define_life_extension`).
    """
    left = base_fleet_left(f)
    ext = f.values.get("life_extension")
    if ext is None or f.m.status != "ok":  # not solved (yet): the base-year fleet alone
        return left
    return left + f.in_service(ext.solution.fillna(0.0), f.alive_by["extension"])


def define_capacity(f: Formulation) -> None:
    """New capacity per region, technology and period; capacity = fleet left + vintages."""
    inp = f.inp
    y = f.years
    upper = xr.where(y == inp.base_year, 0.0, np.inf).broadcast_like(
        inp.existing * y).transpose("region", "technology", "year")
    new = f.m.add_variables(lower=0, upper=upper, name="new_capacity")
    alive = f.alive(inp.lifetime)  # technology, vintage, year
    f.alive_by["power"] = alive
    f.values["new_capacity"] = new
    # the base-year fleet may be mothballed (or retired early) in any period after the base
    # year: a mothballed plant produces nothing, counts for no firm capacity and saves its
    # fixed O&M, so a bound of 0 on a fleet, or an outage, is feasible
    left = base_fleet_left(f)
    mothball_up = xr.where(y == inp.base_year, 0.0, left).transpose("region", "technology", "year")
    f.values["mothballed"] = f.m.add_variables(lower=0, upper=mothball_up, name="mothballed")
    f.exprs["capacity"] = (f.in_service(f.t("new_capacity"), alive) + left
                           - f.t("mothballed"))


def define_life_extension(f: Formulation) -> None:
    """Base-year capacity reaching the end of its life may be refurbished and kept running.

    ``life_extension[v]`` GW decided in period v run ``energy-life-extension-years`` more
    years, at ``energy-life-extension-cost`` per kW plus fixed O&M; extended capacity in
    service in period t is at most what has retired from the base-year fleet by t, so a
    refurbished plant may be refurbished again when its added years run out (paying again).
    Only technologies with a cost in the dataset (hydro, nuclear) can be extended.
    """
    inp = f.inp
    techs = [str(t) for t in inp.extension_cost.technology.values
             if np.isfinite(float(inp.extension_cost.sel(technology=t)))]
    if not techs:
        return
    y = f.years
    retired = inp.existing * f.turnover(inp.lifetime)  # region, technology, year
    eligible = xr.DataArray([t in techs for t in inp.existing.technology.values],
                            dims="technology", coords={"technology": inp.existing.technology})
    upper = xr.where(eligible & (y > inp.base_year), np.inf, 0.0).broadcast_like(
        retired).transpose("region", "technology", "year")
    ext = f.m.add_variables(lower=0, upper=upper, name="life_extension")
    f.values["life_extension"] = ext
    alive = f.alive(inp.extension_life)
    f.alive_by["extension"] = alive
    running = f.in_service(f.t("life_extension"), alive)
    f.exprs["capacity"] = f.exprs["capacity"] + running
    mask = (eligible & (y > inp.base_year)).broadcast_like(retired).transpose(
        "region", "technology", "year")
    f.add(running, "<=", retired.transpose("region", "technology", "year"), "life_extension",
          "life_extension", mask=mask)


def build_rate_limit(g: xr.DataArray, step: int) -> tuple[xr.DataArray, xr.DataArray]:
    """Factors of the growth constraint on the build rate b (GW/yr) over a period of ``step`` years.

    ``b[t] <= b[t-1] * (1+g)^step + increment * ((1+g)^step - 1) / g`` (MESSAGEix
    NEW_CAPACITY_CONSTRAINT_UP): returns ``(1+g)^step`` and the increment's multiplier,
    which is ``step`` when g = 0 (the limit of the fraction).
    """
    grown = (1 + g) ** step
    spread = xr.where(g > 0, (grown - 1) / g.where(g > 0, 1.0), float(step))
    return grown, spread


def define_growth_limit(f: Formulation) -> None:
    """New capacity per period at most the previous period's, grown, plus a start-up increment.

    In GW per period (``n = b x step``): ``n[t] <= n[t-1] (1+g)^step + step x increment x
    ((1+g)^step - 1)/g``; before the first model period ``n[t-1]/step`` is the observed
    recent build rate (``energy-build-increment``, ``recent_additions``). Technologies without
    a growth rate in ``energy-growth-limit`` are not limited. Family ``growth_limit``.
    """
    inp = f.inp
    if f.cfg.build_limits != "growth":
        return
    step = f.cfg.step
    g = inp.growth_rate
    grown, spread = build_rate_limit(g.fillna(0.0), step)
    periods = inp.periods
    if len(periods) < 2:
        return
    y = f.years
    first = y == periods[1]
    # the period before each year, as a (vintage, year) matrix: new[t-1] = (new x before).sum
    before = (y.rename(year="vintage") == y - step).astype(float)
    rhs = (inp.build_increment * spread * step
           + xr.where(first, inp.recent_additions * step * grown, 0.0))
    lhs = f.t("new_capacity") - f.in_service(f.t("new_capacity"), before * grown)
    mask = (g.notnull() & (y > inp.base_year)).transpose("region", "technology", "year")
    f.add(lhs, "<=", rhs.transpose("region", "technology", "year"), "growth_limit",
          "growth_limit", mask=mask)


def define_decline_limit(f: Formulation) -> None:
    """New capacity per period at least the previous period's, shrunk at the record's steepest fall.

    A technology that is being built does not stop overnight: order books, factories and
    crews run down over years. In GW per period (``n = b x step``, MESSAGEix
    NEW_CAPACITY_CONSTRAINT_LO with ``growth_new_capacity_lo`` = d < 0 and no initial
    increment): ``n[t] >= n[t-1] (1 + d)^step``; before the first model period ``n[t-1]/step``
    is the observed recent build rate. Only technologies with a row in
    ``energy-decline-limit`` and a growth rate have a floor, and not those the study bans
    or caps (a floor under a cap the study sets could make it infeasible for no physical
    reason). Used with ``build_limits = "growth"``. Family ``decline_limit``.
    """
    inp = f.inp
    if f.cfg.build_limits != "growth" or inp.decline_rate is None:
        return
    periods = inp.periods
    if len(periods) < 2:
        return
    d = inp.decline_rate
    capped = set(f.cfg.banned) | {b.technology for b in f.cfg.capacity if b.max_gw is not None}
    free = xr.DataArray([str(t) not in capped for t in d.technology.values], dims="technology",
                        coords={"technology": d.technology})
    # the floor is the lower half of the growth constraint: no growth limit, no floor
    mask = (d.notnull() & inp.growth_rate.notnull() & free & (f.years > inp.base_year)).transpose(
        "region", "technology", "year")
    if not bool(mask.any()):
        return
    step = f.cfg.step
    y = f.years
    shrunk = (1 + d.fillna(0.0)) ** step
    before = (y.rename(year="vintage") == y - step).astype(float)
    lhs = f.t("new_capacity") - f.in_service(f.t("new_capacity"), before * shrunk)
    rhs = xr.where(y == periods[1], inp.recent_additions * step * shrunk, 0.0)
    f.add(lhs, ">=", rhs.transpose("region", "technology", "year"), "decline_limit",
          "decline_limit", mask=mask)


def define_build_limit(f: Formulation) -> None:
    """Additions per period at most the yearly build limit times the period length.

    Used when the study asks for ``build_limits = "absolute"``; the default is
    :func:`define_growth_limit`.
    """
    if f.cfg.build_limits != "absolute":
        return
    lim = f.inp.build_limit * f.cfg.step
    mask = xr.apply_ufunc(np.isfinite, lim) & (f.years > f.inp.base_year)
    if not bool(mask.any()):
        return
    f.add(f.values["new_capacity"], "<=", lim.where(mask, 0.0), "build_limit", "build_limit",
          mask=mask)


def define_potential(f: Formulation) -> None:
    """Installed capacity within the resource potential."""
    pot = f.inp.potential.broadcast_like(f.years)
    mask = xr.apply_ufunc(np.isfinite, pot) & (f.years > f.inp.base_year)
    if not bool(mask.any()):
        return
    f.add(f.exprs["capacity"], "<=", pot.where(mask, 0.0), "potential", "potential", mask=mask)


def define_dispatch(f: Formulation) -> None:
    """Generation per slice within available capacity."""
    inp = f.inp
    gen = f.m.add_variables(lower=0, coords=[inp.existing.indexes["region"],
                                             inp.existing.indexes["technology"],
                                             f.years.indexes["year"],
                                             inp.hours.indexes["slice"]], name="generation")
    f.values["generation"] = gen
    # an outage (study [[energy.outage]]) scales a fleet's availability in its years
    avail = inp.availability * inp.outage
    f.add(f.t("generation") - f.exprs["capacity"] * (avail * inp.hours / 1000.0),
          "<=", 0,
          "dispatch", "dispatch")


def _seasons(slices: list[str]) -> list[str]:
    return [s.split("-")[0] if "-" in s else "year" for s in slices]


def define_storage(f: Formulation) -> None:
    """Storage charges in some slices and discharges (as generation) in others of a season."""
    inp = f.inp
    if "storage" not in inp.existing.technology.values:
        return
    charge = f.m.add_variables(lower=0, coords=[inp.existing.indexes["region"],
                                                f.years.indexes["year"],
                                                inp.hours.indexes["slice"]], name="charge")
    f.values["charge"] = charge
    cap = f.exprs["capacity"].sel(technology="storage")
    f.add(f.t("charge") - cap * (inp.hours / 1000.0), "<=", 0, "storage_charge", "dispatch")
    rte = float(inp.efficiency.sel(technology="storage"))
    out = f.t("generation").sel(technology="storage")
    balance = (out - f.t("charge") * rte).groupby_sum("slice", _seasons(inp.slices), "season")
    f.add(balance, "==", 0, "storage_balance", "storage")


def define_electricity_balance(f: Formulation) -> None:
    """Generation minus storage charging plus net imports meets demand in every slice.

    Demand includes grid losses; net imports (links to other regions) are after link
    losses (:mod:`shigen.energy.transmission`).
    """
    inp = f.inp
    acc = accounts.electricity_final(inp)
    final = accounts.evaluate(acc, f.values)
    demand = final * (1 + inp.params["grid_loss"])
    f.exprs["electricity_demand_twh"] = demand
    supply = f.t("generation").sum("technology")
    if "charge" in f.values:
        supply = supply - f.t("charge")
    if "net_import" in f.exprs:  # electricity from other regions, after link losses
        supply = supply + f.exprs["net_import"]
    f.add(supply - demand * inp.load_share, "==", 0, "electricity_balance", "balance")


def define_network(f: Formulation) -> None:
    """Network capacity (TWh/yr deliverable) built ahead of electricity demand growth.

    ``sum over vintages <= t of network[v] >= demand[t] - demand[t0]``: networks are
    built for added demand and not removed when demand falls (replacement of old lines
    is inside the per-MWh investment figure, dataset ``energy-network-cost``).
    """
    inp = f.inp
    if not inp.network_cost:
        return
    y = f.years
    upper = xr.where(y == inp.base_year, 0.0, np.inf).broadcast_like(
        inp.existing.isel(technology=0, drop=True) * y).transpose("region", "year")
    net = f.m.add_variables(lower=0, upper=upper, name="network")
    f.values["network"] = net
    assert inp.network_life is not None  # loaded with the network cost
    f.alive_by["network"] = f.alive(inp.network_life)
    built_by = (y.rename(year="vintage") <= y).astype(float)
    demand = f.exprs["electricity_demand_twh"]
    grown = demand - demand.sel(year=inp.base_year)
    f.add((f.t("network").rename(year="vintage") * built_by).sum("vintage") - grown, ">=", 0,
          "network_capacity", "network", mask=y > inp.base_year)


def define_firm_capacity(f: Formulation) -> None:
    """Firm capacity covers each slice's average load plus the reserve margin.

    In a year and region with an outage (study ``[[energy.outage]]``) the operators run the
    reserve down: firm capacity need only cover the load. A fleet that fails at once cannot
    be replaced within a year, and system operators then cut reserves rather than load
    (Japan 2012: summer reserve margins of a few per cent after every reactor stopped).
    """
    inp = f.inp
    firm = (f.exprs["capacity"] * (inp.capacity_credit * inp.outage)).sum("technology")
    in_outage = (inp.outage < 1).any("technology")
    reserve = xr.where(in_outage, 0.0, inp.params["reserve_margin"])
    load_gw = f.exprs["electricity_demand_twh"] * (
        inp.load_share * 1000.0 * (1 + reserve) / inp.hours)
    f.add(firm - load_gw, ">=", 0, "firm_capacity", "firm_capacity",
          mask=(f.years > inp.base_year).broadcast_like(inp.hours))


def define_variable_share(f: Formulation) -> None:
    """Wind and PV at most a system-integration share of generation."""
    inp = f.inp
    share = inp.params.get("variable_re_max_share")
    techs = list(inp.existing.technology.values)
    if share is None or not any(t in techs for t in VARIABLE):
        return
    coef = xr.DataArray([(1 - share if t in VARIABLE else -share) if t != "storage" else 0.0
                         for t in techs], dims="technology", coords={"technology": techs})
    f.add((f.t("generation") * coef).sum(["technology", "slice"]), "<=", 0,
          "variable_re_share", "variable_re_share", mask=f.years > inp.base_year)


def define_base_year(f: Formulation) -> None:
    """Base-year generation mix equals the statistics (calibration)."""
    inp = f.inp
    share = inp.base_generation / inp.base_generation.sum("technology")
    techs = [t for t in inp.existing.technology.values if t != "storage"]
    gen = f.t("generation").sel(year=inp.base_year, technology=techs)
    total = gen.sum(["technology", "slice"])
    f.add(gen.sum("slice") - total * share.sel(technology=techs), "==", 0, "base_year_mix",
          "calibration")
