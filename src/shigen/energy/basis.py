"""Where each headline figure of an energy run comes from.

Every headline figure is one of (``docs/architecture.md``, "Where a number comes from"):

- ``emergent``: a model result;
- ``calibrated``: the base year, fitted to statistics;
- ``imposed``: set by a constraint of the study (a CO2 cap, a share target, a capacity bound);
- ``on a bound``: set by an assumed or data limit (a build or growth limit, a potential,
  an observed-capacity floor).

The label is read off the binding constraints (:mod:`shigen.energy.binding`): a build
rate averaged over the window is ``on a bound`` when a limit on its technologies binds in
any period of the window, and says in which periods and what share of the builds fell in
them (``share_at_bound``), so a reader can tell a figure set by an assumption from one the
optimisation chose.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import xarray as xr

from shigen.energy.binding import Binding
from shigen.energy.policy import HISTORY_GROUPS

EMERGENT, CALIBRATED, IMPOSED, ON_A_BOUND = "emergent", "calibrated", "imposed", "on a bound"
LABELS = (EMERGENT, CALIBRATED, IMPOSED, ON_A_BOUND)

#: the technologies each headline build figure sums (``energy.builds_per_year``)
BUILD_FIGURES: dict[str, tuple[str, ...]] = {
    "nuclear_gw": ("nuclear",), "coal_ccs_gw": ("coal_ccs",), "gas_ccs_gw": ("gas_ccs",),
    "wind_gw": ("wind_onshore", "wind_offshore"), "solar_pv_gw": ("solar_pv",),
}
#: the technologies each headline plant count sums (``energy.plants_per_year``)
PLANT_FIGURES: dict[str, tuple[str, ...]] = {
    "nuclear": ("nuclear",), "coal_ccs": ("coal_ccs",), "gas_ccs": ("gas_ccs",),
    "wind_turbines": ("wind_onshore", "wind_offshore"),
}
#: families whose item is not a power technology; every other family whose record names a
#: technology (build, growth, potential, history, capacity bounds, bans, and families added
#: later) bounds that technology's capacity
NOT_CAPACITY = ("co2_cap", "share", "energy_intensity", "biomass_supply", "fuel_ceiling",
                "efficiency_potential", "industry_ccs_limit", "variable_re_share",
                "vehicle_diffusion", "transmission_limit")


def _technologies(item: str | None) -> set[str]:
    if item is None:
        return set()
    return {item, *HISTORY_GROUPS.get(item, ())}


def limited_by(records: Iterable[Binding], technologies: tuple[str, ...],
               years: Iterable[int]) -> list[Binding]:
    """Records that bound the capacity of ``technologies`` in any of ``years``."""
    techs, ys = set(technologies), set(years)
    return [r for r in records
            if r.family not in NOT_CAPACITY and _technologies(r.item) & techs and set(r.years) & ys]


def build_basis(ds: xr.Dataset, records: list[Binding], technologies: tuple[str, ...],
                window: list[int]) -> dict[str, Any]:
    """Label of a build figure averaged over ``window``, with what limits it."""
    hits = limited_by(records, technologies, window)
    if not hits:
        return {"basis": EMERGENT, "limited_by": []}
    bound_years = sorted({y for r in hits for y in r.years} & set(window))
    builds = ds["builds_per_year"].sel(technology=list(technologies)).sum(
        ["region", "technology"]).sel(year=window)
    total = float(builds.sum())
    at_bound = float(builds.sel(year=bound_years).sum())
    limits = [r for r in hits if r.kind == "limit"]
    return {"basis": ON_A_BOUND if limits else IMPOSED,
            "limited_by": [_ref(r) for r in hits],
            "bound_years": bound_years,
            "share_at_bound": round(at_bound / total, 4) if total > 0 else None}


def _ref(r: Binding) -> dict[str, Any]:
    """A short reference to a record of ``energy.binding``."""
    return {"family": r.family, "constraint": r.constraint, "region": r.region,
            "item": r.item, "years": r.years}


def year_basis(years: Iterable[int], base_year: int, imposed_years: set[int]) -> dict[str, str]:
    """Per-year label of a series: the base year calibrated, capped years imposed."""
    out = {}
    for y in years:
        yi = int(y)
        out[str(yi)] = CALIBRATED if yi == base_year else (
            IMPOSED if yi in imposed_years else EMERGENT)
    return out


def figure_basis(ds: xr.Dataset, records: list[Binding], window: list[int]) -> dict[str, Any]:
    """``energy.figure_basis``: each headline figure's label (see the module)."""
    base = int(ds.attrs["base_year"])
    years = [int(y) for y in ds.year.values]
    out: dict[str, Any] = {}
    for key, techs in BUILD_FIGURES.items():
        out[f"builds_per_year.{key}"] = build_basis(ds, records, techs, window)
    for key, techs in PLANT_FIGURES.items():
        out[f"plants_per_year.{key}"] = build_basis(ds, records, techs, window)
    co2_caps = [r for r in records if r.family == "co2_cap"]
    economy = {y for r in co2_caps if r.item is None for y in r.years}
    out["co2_gt"] = year_basis(years, base, economy)
    for sector in ds.sector.values:
        capped = {y for r in co2_caps if r.item == str(sector) for y in r.years}
        out[f"co2_by_sector_gt.{sector}"] = year_basis(years, base, capped)
    for kind in ("nuclear_power", "renewables_power", "oil_primary", "transport_oil"):
        shares = {y for r in records if r.family == "share" and r.item
                  and r.item.split("_", 1)[-1].startswith(kind) for y in r.years}
        out[f"shares.{kind}"] = year_basis(years, base, shares)
    return out


def counts(basis: dict[str, Any]) -> dict[str, int]:
    """How many headline figures (build figures and year values) carry each label."""
    n = dict.fromkeys(LABELS, 0)
    for v in basis.values():
        if "basis" in v:
            n[v["basis"]] += 1
        else:
            for label in v.values():
                n[label] += 1
    return n


def basis_of(summary: dict[str, Any], path: str) -> str:
    """The label of a figure of an energy summary, by its path.

    Paths as ``co2_gt.2050`` or ``builds_per_year.nuclear_gw``; figures without a label
    are model results.
    """
    basis = summary.get("figure_basis") or {}
    if path in basis and "basis" in basis[path]:
        return str(basis[path]["basis"])
    series, _, year = path.rpartition(".")
    if series in basis and year in basis[series]:
        return str(basis[series][year])
    return EMERGENT
