"""Builders of the study's policies: CO2 cap or price, shares, capacities, intensity, bans."""

from __future__ import annotations

import numpy as np
import xarray as xr

from shigen.energy.formulation import Formulation
from shigen.energy.inputs import RENEWABLE


def path_on_periods(points: dict[int, float], periods: list[int]) -> xr.DataArray:
    """A policy path given at some years, linear in between, NaN before the first year."""
    ys = sorted(points)
    vals = np.interp(periods, ys, [points[y] for y in ys])
    vals = np.where(np.array(periods) < ys[0], np.nan, vals)
    return xr.DataArray(vals, dims="year", coords={"year": periods})


def define_co2_cap(f: Formulation) -> None:
    """Energy CO2 of all regions below the cap path (Mt)."""
    cfg = f.cfg
    total = f.exprs["co2_total"].sum("region")
    if cfg.co2_cap_vs_2005:
        frac = path_on_periods(cfg.co2_cap_vs_2005, f.inp.periods)
        mask = frac.notnull() & (f.years > f.inp.base_year)
        base = total.sel(year=f.inp.base_year, drop=True)
        f.add(total - base * frac.fillna(0.0), "<=", 0, "co2_cap", "co2_cap", mask=mask)
    elif cfg.co2_cap_gt:
        cap = path_on_periods(cfg.co2_cap_gt, f.inp.periods) * 1000.0
        mask = cap.notnull() & (f.years > f.inp.base_year)
        f.add(total, "<=", cap.fillna(0.0), "co2_cap", "co2_cap", mask=mask)


def define_co2_price(f: Formulation) -> None:
    """A carbon price on every tonne emitted (USD/t), as a cost."""
    if not f.cfg.co2_price:
        return
    price = path_on_periods(f.cfg.co2_price, f.inp.periods).fillna(0.0)
    f.cost((f.exprs["co2_total"] * price * 1e-3 * f.weight()).sum())


def _share_parts(f: Formulation, kind: str):  # type: ignore[no-untyped-def]
    gen = f.exprs["generation_year"]
    power = gen.drop_sel(technology="storage").sum("technology")
    if kind == "nuclear_power":
        return gen.sel(technology="nuclear", drop=True), power
    if kind == "renewables_power":
        return gen.sel(technology=list(RENEWABLE)).sum("technology"), power
    if kind == "oil_primary":
        return f.exprs["primary"]["oil"], f.exprs["primary_total"]
    if kind == "fossil_primary":
        p = f.exprs["primary"]
        return p["coal"] + p["oil"] + p["gas"], f.exprs["primary_total"]
    return f.exprs["transport_oil"], f.exprs["transport_energy"]


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
        c = cap.sel(technology=b.technology, drop=True)
        if b.min_gw is not None:
            f.add(c, ">=", b.min_gw, f"capacity_min_{b.technology}_{i}", "capacity_min",
                  mask=mask)
        if b.max_gw is not None:
            f.add(c, "<=", b.max_gw, f"capacity_max_{b.technology}_{i}", "capacity_max",
                  mask=mask)


def define_energy_intensity(f: Formulation) -> None:
    """Primary energy per GDP at least ``reduction`` below the base year."""
    if not f.cfg.energy_intensity:
        return
    total = f.exprs["primary_total"]
    base = total.sel(year=f.inp.base_year, drop=True)
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
    new = f.exprs["new_capacity"].sel(technology=f.cfg.banned, drop=True)
    f.add(new, "<=", 0, "banned_technology", "banned_technology",
          mask=f.years > f.inp.base_year)
