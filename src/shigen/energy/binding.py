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
    "build_limit": _BUILT, "growth_limit": _BUILT, "decline_limit": _BUILT,
    "banned_technology": _BUILT,
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


class Activity:
    """Left-hand-side values of solved constraints, read from HiGHS' row values.

    Evaluating each constraint's linopy expression costs ~0.1 s per family; the solver
    already holds every row's value (rows in the order of ``m.matrices.clabels``). Without
    a HiGHS model (another solver) the expression is evaluated.
    """

    def __init__(self, f: Formulation):
        self.m = f.m
        self.rows: np.ndarray | None = None
        self.pos: np.ndarray | None = None
        h = getattr(f.m, "solver_model", None)
        if h is not None and hasattr(h, "getSolution"):
            rows = np.asarray(h.getSolution().row_value, dtype=float)
            labels = np.asarray(f.m.matrices.clabels)
            if len(rows) == len(labels) and len(labels):
                self.rows = rows
                self.pos = np.full(int(labels.max()) + 1, -1)
                self.pos[labels] = np.arange(len(labels))

    def of(self, name: str) -> xr.DataArray:
        con = self.m.constraints[name]
        if self.rows is None or self.pos is None:
            return con.lhs.solution
        rows, pos = self.rows, self.pos
        labels = con.labels
        safe = np.clip(labels.values, 0, len(pos) - 1)
        found = (labels.values >= 0) & (pos[safe] >= 0)
        values = np.where(found, rows[np.where(found, pos[safe], 0)], np.nan)
        return labels.copy(data=values)


def constraint_bindings(f: Formulation, name: str, family: str,
                        activity: Activity | None = None) -> list[Binding]:
    """The binding rows of one constraint, one record per non-year coordinate.

    Plain numpy on the constraint's cells (labels' dimension order): xarray arithmetic on
    these small arrays costs more than the solve.
    """
    con = f.m.constraints[name]
    if con.dual is None:
        return []
    labels = con.labels
    dims = [str(d) for d in labels.dims]
    valid = labels.values >= 0
    rhs = con.rhs.broadcast_like(labels).transpose(*dims).values
    dual = con.dual.broadcast_like(labels).transpose(*dims).values
    lhs = (activity or Activity(f)).of(name).transpose(*dims).values
    slack = np.where(valid, rhs - lhs, np.nan)
    on_bound = np.abs(slack) <= REL_TOL * np.maximum(1.0, np.abs(rhs))
    priced = np.abs(dual) > DUAL_TOL
    # a bound of zero with no price is a technology that is not offered, not a limit
    binding = valid & on_bound & (priced | (np.abs(rhs) > 0))
    if not binding.any():
        return []
    unit = FAMILY_UNITS.get(family, RAW)
    price = np.abs(dual) * unit.scale
    if "year" in dims:
        years = [int(y) for y in labels["year"].values]
        divisor = _undiscount(f, unit).sel(year=years).values
        axis = dims.index("year")
        shape = [1] * len(dims)
        shape[axis] = len(years)
        price = price / divisor.reshape(shape)
    bound = rhs / f.cfg.step if unit.bound_per_year else rhs
    kind = "policy" if family in formulation.POLICY_FAMILIES else "limit"
    others = [d for d in dims if d != "year"]
    cells: dict[tuple[str, ...], list[tuple[int | None, float, float]]] = {}
    for idx in zip(*np.nonzero(binding), strict=True):
        at = dict(zip(dims, idx, strict=True))
        key = tuple(str(labels[d].values[at[d]]) for d in others)
        year = int(labels["year"].values[at["year"]]) if "year" in dims else None
        cells.setdefault(key, []).append((year, float(price[idx]), float(bound[idx])))
    out: list[Binding] = []
    for key in sorted(cells):
        coords = dict(zip(others, key, strict=True))
        rows = sorted(cells[key], key=lambda c: -1 if c[0] is None else c[0])
        hit = [y for y, _, _ in rows if y is not None]
        prices = ({str(y): round(p, 4) for y, p, _ in rows} if hit
                  else {"all": round(rows[0][1], 4)})
        bounds = {str(y): round(b, 4) for y, _, b in rows
                  if hit and unit.bound_unit and b != 0.0}
        out.append(Binding(family, name, kind, coords.get("region"),
                           _item_of(name, family, coords), coords, hit, prices,
                           unit.price_unit, bounds, unit.bound_unit))
    return out


def binding_constraints(f: Formulation) -> list[Binding]:
    """Every binding constraint of a reported family, limits first, highest price first."""
    families = reported_families()
    records: list[Binding] = []
    activity = Activity(f)
    for name, family in f.exprs.get("_families", {}).items():
        if family in families and name in f.m.constraints:
            records.extend(constraint_bindings(f, name, family, activity))
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
