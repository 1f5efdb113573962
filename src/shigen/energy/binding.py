"""Which constraints bind in a solved energy LP, and what they cost.

A constraint of a policy or data-limit family (:data:`~shigen.energy.formulation.
POLICY_FAMILIES`, :data:`~shigen.energy.formulation.LIMIT_FAMILIES`) binds where its
left-hand side sits on its bound. Each binding constraint becomes a :class:`Binding`
record: family, constraint, region, item (technology, sector, group...), the years it
binds, and its shadow price in the family's own units (:data:`FAMILY_UNITS`).

Shadow prices come from the duals HiGHS returns (through linopy). The objective is in
billion USD of present value, so a dual is undiscounted by the period's discount factor
(and divided by the period's length where the constraint is on a yearly quantity) and
scaled to the unit a reader knows: USD/kW for a build limit, USD/kW-yr for a capacity
bound, USD/tCO2 for a CO2 cap, USD/GJ for a fuel limit, USD/MWh for a power-share limit.

The family lists are read when a run is reported, so a family another builder adds to
them (e.g. a growth limit) is reported without changes here; a family without a row in
:data:`FAMILY_UNITS` is reported with its raw dual (bn USD of present value per unit).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import xarray as xr

from shigen.energy import formulation
from shigen.energy.formulation import Formulation

#: a constraint sits on its bound when its slack is within this share of the bound
#: (HiGHS' primal feasibility tolerance is 1e-7 absolute; the LP's rows reach 1e5)
REL_TOL = 1e-6
#: a dual below this (bn USD PV per unit) counts as zero
DUAL_TOL = 1e-9


@dataclass(frozen=True)
class FamilyUnit:
    """How a family's dual becomes a shadow price a reader knows.

    ``per_year``: the constraint is on a yearly quantity held over a period (capacity,
    emissions, fuel a year), so the dual is divided by discount factor x years per period;
    otherwise it is on a one-off quantity of the period (capacity built), divided by the
    discount factor only. ``bound_per_year``: the bound is for the whole period and is
    shown per year (a build limit of GW per period as GW/yr).
    """

    quantity: str
    price_unit: str
    scale: float
    per_year: bool
    bound_unit: str = ""
    bound_per_year: bool = False


_BUILT = FamilyUnit("GW built", "USD/kW", 1000.0, per_year=False, bound_unit="GW/yr",
                    bound_per_year=True)
_INSTALLED = FamilyUnit("GW installed", "USD/kW-yr", 1000.0, per_year=True, bound_unit="GW")
_CO2 = FamilyUnit("Mt CO2/yr", "USD/tCO2", 1000.0, per_year=True)
_FUEL = FamilyUnit("PJ/yr", "USD/GJ", 1000.0, per_year=True, bound_unit="PJ/yr")

#: bn USD per GW = 1000 USD/kW; per Mt = 1000 USD/t; per PJ = 1000 USD/GJ; per TWh = 1000 USD/MWh
FAMILY_UNITS: dict[str, FamilyUnit] = {
    "build_limit": _BUILT, "growth_limit": _BUILT, "banned_technology": _BUILT,
    "potential": _INSTALLED, "history": _INSTALLED, "capacity_min": _INSTALLED,
    "capacity_max": _INSTALLED,
    "co2_cap": _CO2, "industry_ccs_limit": _CO2,
    "biomass_supply": _FUEL, "fuel_ceiling": _FUEL, "efficiency_potential": _FUEL,
    "energy_intensity": _FUEL,
    "variable_re_share": FamilyUnit("TWh/yr", "USD/MWh", 1000.0, per_year=True),
    "vehicle_diffusion": FamilyUnit("million vehicles sold", "USD/vehicle", 1000.0,
                                    per_year=False),
}
RAW = FamilyUnit("constraint unit", "bn USD (present value) per unit", 1.0, per_year=False)


def reported_families() -> tuple[str, ...]:
    """Families whose binding constraints a run reports (read at call time, see module)."""
    return (*formulation.POLICY_FAMILIES, *formulation.LIMIT_FAMILIES)


@dataclass
class Binding:
    """One binding constraint: where, when, and its shadow price by year."""

    family: str
    constraint: str
    kind: str  # "policy" (set by the study) or "limit" (an assumed or data limit)
    region: str | None
    item: str | None
    where: dict[str, str]
    years: list[int]
    shadow_price: dict[str, float]
    unit: str
    bound: dict[str, float] = field(default_factory=dict)
    bound_unit: str = ""

    def describe(self, step: int) -> str:
        """One line for people: family, item, region, years, shadow price range."""
        what = self.family + (f" {self.item}" if self.item else "")
        if self.region:
            what += f" in {self.region}"
        prices = list(self.shadow_price.values())
        if prices:
            lo, hi = min(prices), max(prices)
            rng = f"{lo:,.3g}" if np.isclose(lo, hi) else f"{lo:,.3g}–{hi:,.3g}"
            what += f" {span(self.years, step)} (shadow price {rng} {self.unit})"
        return what


def span(years: list[int], step: int) -> str:
    """Periods ``step`` years apart as runs: ``2015–2020, 2040–2050``, ``2035, 2050``."""
    runs: list[list[int]] = []
    for y in sorted(set(years)):
        if runs and y - runs[-1][-1] == step:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def _undiscount(f: Formulation, unit: FamilyUnit) -> xr.DataArray:
    """Divisor that turns a dual (bn USD PV) into bn USD of the period's own year."""
    if unit.per_year:
        return f.weight()
    return f.weight() / f.cfg.step


def _item_of(name: str, family: str, coords: dict[str, str]) -> str | None:
    """What a record is about (``appliances/electricity``, ``transport``).

    Its coordinates but region, or the part of the constraint's name after its family
    (``co2_cap_transport``).
    """
    parts = [v for d, v in coords.items() if d != "region"]
    if parts:
        return "/".join(parts)
    if name.startswith(family + "_"):  # e.g. co2_cap_transport, share_min_nuclear_power_0
        return name[len(family) + 1:]
    return None


def constraint_bindings(f: Formulation, name: str, family: str) -> list[Binding]:
    """The binding rows of one constraint, one record per non-year coordinate."""
    con = f.m.constraints[name]
    dual = con.dual
    if dual is None:
        return []
    rhs = con.rhs
    activity = con.lhs.solution
    slack = (rhs - activity).where(con.labels >= 0)
    on_bound = abs(slack) <= REL_TOL * np.maximum(1.0, abs(rhs))
    priced = abs(dual) > DUAL_TOL
    # a bound of zero with no price is a technology that is not offered, not a limit
    binding = on_bound & (priced | (abs(rhs) > 0)) & slack.notnull()
    if not bool(binding.any()):
        return []
    unit = FAMILY_UNITS.get(family, RAW)
    years = f.years
    price = abs(dual) / _undiscount(f, unit).reindex(year=years.values) * unit.scale \
        if "year" in dual.dims else abs(dual) * unit.scale
    bound = rhs / f.cfg.step if unit.bound_per_year else rhs
    kind = "policy" if family in formulation.POLICY_FAMILIES else "limit"
    others = [d for d in binding.dims if d != "year"]
    stacked = binding.stack(_row=others) if others else binding.expand_dims(_row=[0])
    out: list[Binding] = []
    for i in range(stacked.sizes["_row"]):
        row = stacked.isel(_row=i)
        if not bool(row.any()):
            continue
        coords = {d: str(row[d].item()) for d in others}
        sel: dict[str, Any] = dict(coords)
        hit = [int(y) for y in row.year.values[row.values]] if "year" in row.dims else []
        p = price.sel(sel) if sel else price
        b = bound.sel(sel) if sel else bound
        prices = {str(y): round(float(p.sel(year=y)), 4) for y in hit} if hit else \
            {"all": round(float(p), 4)}
        bounds = {str(y): round(float(b.sel(year=y)), 4) for y in hit
                  if unit.bound_unit and float(b.sel(year=y)) != 0.0}
        out.append(Binding(family, name, kind, coords.get("region"), _item_of(name, family, coords),
                           coords, hit, prices, unit.price_unit, bounds, unit.bound_unit))
    return out


def binding_constraints(f: Formulation) -> list[Binding]:
    """Every binding constraint of a reported family, limits first, highest price first."""
    families = reported_families()
    records: list[Binding] = []
    for name, family in f.exprs.get("_families", {}).items():
        if family in families and name in f.m.constraints:
            records.extend(constraint_bindings(f, name, family))
    records.sort(key=lambda b: (b.kind != "limit", b.family,
                                -max(b.shadow_price.values(), default=0.0)))
    return records


def to_json(records: list[Binding]) -> str:
    """The records as the JSON text stored in the result dataset's attributes."""
    return json.dumps([asdict(r) for r in records])


def from_json(text: str | None) -> list[Binding]:
    """Records back from :func:`to_json` (an empty list for runs stored before them)."""
    if not text:
        return []
    return [Binding(**r) for r in json.loads(text)]
