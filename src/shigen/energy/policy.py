"""Builders of the study's policies: CO2 cap or price, shares, capacities, intensity, bans."""

from __future__ import annotations

import numpy as np
import xarray as xr

from shigen.energy import accounts
from shigen.energy.constants import RENEWABLE
from shigen.energy.formulation import Formulation
from shigen.energy.terms import Terms


def path_on_periods(points: dict[int, float], periods: list[int]) -> xr.DataArray:
    """A policy path given at some years, linear in between, NaN before the first year."""
    ys = sorted(points)
    vals = np.interp(periods, ys, [points[y] for y in ys])
    vals = np.where(np.array(periods) < ys[0], np.nan, vals)
    return xr.DataArray(vals, dims="year", coords={"year": periods})


def _cap_vs_base_year(f: Formulation, total: Terms, path: dict[int, float], name: str) -> None:
    """``total(t) <= fraction(t) x total(base year)`` where the path gives a fraction."""
    frac = path_on_periods(path, f.inp.periods)
    mask = frac.notnull() & (f.years > f.inp.base_year)
    base = total.sel(year=f.inp.base_year)
    f.add(total - base * frac.fillna(0.0), "<=", 0, name, "co2_cap", mask=mask)


def define_co2_cap(f: Formulation) -> None:
    """Energy CO2 (Mt, all regions) below the cap path, and each capped sector's below its own.

    Sectors as in :func:`shigen.energy.accounts.co2` (direct emissions: transport is
    freight fuels plus light-duty vehicle liquids; electricity counts in power).
    """
    cfg = f.cfg
    if not (cfg.co2_cap_vs_2005 or cfg.co2_cap_gt or cfg.sector_co2_cap_vs_2005):
        return
    by_sector = accounts.evaluate(accounts.co2(f.inp), f.values, keep=("year", "sector"))
    total = by_sector.sum("sector")
    if cfg.co2_cap_vs_2005:
        _cap_vs_base_year(f, total, cfg.co2_cap_vs_2005, "co2_cap")
    elif cfg.co2_cap_gt:
        cap = path_on_periods(cfg.co2_cap_gt, f.inp.periods) * 1000.0
        mask = cap.notnull() & (f.years > f.inp.base_year)
        f.add(total, "<=", cap.fillna(0.0), "co2_cap", "co2_cap", mask=mask)
    for sector in cfg.sector_co2_cap_vs_2005:
        _cap_vs_base_year(f, by_sector.sel(sector=sector), cfg.sector_cap_path(sector),
                          f"co2_cap_{sector}")


def _share_parts(f: Formulation, kind: str):  # type: ignore[no-untyped-def]
    inp = f.inp
    if kind in ("nuclear_power", "renewables_power"):
        techs = list(inp.existing.technology.values)
        chosen = ["nuclear"] if kind == "nuclear_power" else list(RENEWABLE)
        pick = xr.DataArray([1.0 if t in chosen else 0.0 for t in techs], dims="technology",
                            coords={"technology": techs})
        power = xr.DataArray([0.0 if t == "storage" else 1.0 for t in techs], dims="technology",
                             coords={"technology": techs})
        gen = {"generation": f.values["generation"]}
        return (accounts.evaluate({"generation": pick}, gen),
                accounts.evaluate({"generation": power}, gen))
    if kind in ("oil_primary", "fossil_primary"):
        prim = accounts.primary(inp)
        carriers = ["oil"] if kind == "oil_primary" else ["coal", "oil", "gas"]
        num = {k: v.sel(carrier=carriers).sum("carrier") for k, v in prim.items()}
        den = {k: v.sum("carrier") for k, v in prim.items()}
        return accounts.evaluate(num, f.values), accounts.evaluate(den, f.values)
    oil, energy = accounts.transport(inp)
    return accounts.evaluate(oil, f.values), accounts.evaluate(energy, f.values)


def define_shares(f: Formulation) -> None:
    """Share targets: numerator within [min, max] x denominator in the given years."""
    for i, target in enumerate(f.cfg.shares):
        num, den = _share_parts(f, target.kind)
        mask = f.years.isin(target.years)
        if target.min is not None:
            f.add(num - den * target.min, ">=", 0, f"share_min_{target.kind}_{i}", "share",
                  mask=mask)
        if target.max is not None:
            f.add(num - den * target.max, "<=", 0, f"share_max_{target.kind}_{i}", "share",
                  mask=mask)


def define_capacity_bounds(f: Formulation) -> None:
    """Minimum and maximum installed capacity of a technology (all regions)."""
    cap = f.exprs["capacity"].sum("region")
    for i, b in enumerate(f.cfg.capacity):
        mask = f.years.isin(b.years)
        c = cap.sel(technology=b.technology)
        if b.min_gw is not None:
            f.add(c, ">=", b.min_gw, f"capacity_min_{b.technology}_{i}", "capacity_min",
                  mask=mask)
        if b.max_gw is not None:
            f.add(c, "<=", b.max_gw, f"capacity_max_{b.technology}_{i}", "capacity_max",
                  mask=mask)


#: which model technologies a historical-capacity group counts (definition, not data)
HISTORY_GROUPS = {"wind": ("wind_onshore", "wind_offshore"), "solar": ("solar_pv", "csp")}


def define_history(f: Formulation) -> None:
    """Observed capacity (dataset ``energy-historical-capacity``) as a floor in its periods.

    Applies to the regions and periods the data covers; a study on other years or
    regions gets no bound.
    """
    hist = f.inp.historical_capacity
    if hist is None:
        return
    techs = list(f.inp.existing.technology.values)
    groups = [g for g in hist.group.values
              if any(t in techs for t in HISTORY_GROUPS.get(str(g), ()))]
    years = [y for y in hist.year.values if int(y) in f.inp.periods and int(y) > f.inp.base_year]
    regions = [r for r in hist.region.values if r in f.inp.regions]
    if not (groups and years and regions):
        return
    member = xr.DataArray([[1.0 if t in HISTORY_GROUPS[g] else 0.0 for t in techs]
                           for g in groups], dims=("group", "technology"),
                          coords={"group": groups, "technology": techs})
    floor = hist.sel(group=groups, region=regions).reindex(
        year=f.inp.periods, region=f.inp.regions)
    cap = (f.exprs["capacity"] * member).sum("technology")
    f.add(cap, ">=", floor.fillna(0.0), "historical_capacity", "history",
          mask=floor.notnull())


def define_energy_intensity(f: Formulation) -> None:
    """Primary energy per GDP at least ``reduction`` below the base year."""
    if not f.cfg.energy_intensity:
        return
    prim = accounts.primary(f.inp)
    total = accounts.evaluate({k: v.sum("carrier") for k, v in prim.items()}, f.values)
    base = total.sel(year=f.inp.base_year)
    growth = f.inp.gdp / f.inp.gdp.sel(year=f.inp.base_year, drop=True)
    limit = xr.DataArray(np.full(len(f.inp.periods), np.nan), dims="year",
                         coords={"year": f.inp.periods})
    for t in f.cfg.energy_intensity:
        limit.loc[t.year] = 1 - t.reduction
    f.add(total - base * growth * limit.fillna(0.0), "<=", 0, "energy_intensity",
          "energy_intensity", mask=limit.notnull())


def define_bans(f: Formulation) -> None:
    """Banned technologies get no new capacity."""
    if not f.cfg.banned:
        return
    new = f.values["new_capacity"].sel(technology=f.cfg.banned)
    f.add(new, "<=", 0, "banned_technology", "banned_technology",
          mask=f.years > f.inp.base_year)
