"""What the builders share: the linopy model, the inputs and named expressions.

Each ``define_*`` function in :mod:`shigen.energy.supply`, :mod:`shigen.energy.demand`
and :mod:`shigen.energy.policy` adds one family of variables or constraints to a
:class:`Formulation` and records the expressions later stages need (``exprs``) and the
constraint families a diagnosis may relax (``soft``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import linopy
import xarray as xr

from shigen.energy.config import EnergyConfig
from shigen.energy.inputs import Inputs
from shigen.energy.terms import Terms, constraint

#: constraint families a user sets (relaxed first when a study is infeasible)
POLICY_FAMILIES = ("co2_cap", "share", "capacity_min", "capacity_max", "energy_intensity",
                   "banned_technology")
#: physical limits from data (relaxed, at a higher penalty, only if policies alone can't)
LIMIT_FAMILIES = ("build_limit", "growth_limit", "decline_limit", "potential", "biomass_supply",
                  "variable_re_share", "fuel_ceiling", "efficiency_potential",
                  "industry_ccs_limit", "history", "transmission_limit", "vehicle_diffusion")


@dataclass
class Formulation:
    """The LP under construction (or solved): model, inputs, named expressions."""

    m: linopy.Model
    inp: Inputs
    cfg: EnergyConfig
    elastic: bool = False
    values: dict[str, linopy.Variable] = field(default_factory=dict)
    exprs: dict[str, Any] = field(default_factory=dict)
    alive_by: dict[str, xr.DataArray] = field(default_factory=dict)
    slacks: dict[str, linopy.Variable] = field(default_factory=dict)
    slack_terms: list[Any] = field(default_factory=list)

    @property
    def years(self) -> xr.DataArray:
        p = self.inp.periods
        return xr.DataArray(p, dims="year", coords={"year": p})

    def weight(self) -> xr.DataArray:
        """Discount factor x years per period, to turn yearly costs into present value."""
        r = self.inp.params["discount_rate"]
        y = self.years
        return (1 + r) ** (-(y - self.inp.base_year)) * self.cfg.step

    def alive(self, life: xr.DataArray) -> xr.DataArray:
        """1 where something built in period ``vintage`` still runs in period ``year``."""
        y = self.years
        v = y.rename(year="vintage")
        age = y - v
        return ((age >= 0) & (age < life)).astype(float)

    @staticmethod
    def in_service(built: Any, alive: xr.DataArray) -> Any:
        """Of what was ``built`` in each period, what still runs in each ``year``.

        ``alive`` is :meth:`alive` (times a per-unit figure, e.g. km per vehicle);
        ``built`` is a variable's Terms while building or its solution after solving.
        """
        return (built.rename(year="vintage") * alive).sum("vintage")

    def turnover(self, life: xr.DataArray) -> xr.DataArray:
        """Share of base-year equipment replaced by period ``year`` (linear retirement)."""
        return ((self.years - self.inp.base_year) / life).clip(max=1.0)

    def t(self, name: str) -> Terms:
        """Variable ``name`` as a :class:`~shigen.energy.terms.Terms` expression (cached)."""
        cache = self.exprs.setdefault("_terms", {})
        if name not in cache:
            cache[name] = Terms.of(self.values[name])
        return cache[name]

    def add(self, lhs: Any, sign: str, rhs: Any, name: str, family: str,
            mask: xr.DataArray | None = None) -> None:
        """Add a constraint family; in elastic mode a relaxable family gets a slack."""
        self.exprs.setdefault("_families", {})[name] = family
        expr = as_terms(lhs)
        if not (self.elastic and (family in POLICY_FAMILIES or family in LIMIT_FAMILIES)):
            self.m.add_constraints(constraint(self.m, expr, sign, rhs), name=name, mask=mask,
                                   freeze=True)
            return
        expr = expr - rhs
        coords = [expr.coords[d] for d in expr.dims] if expr.dims else None
        slack = self.m.add_variables(lower=0, coords=coords, name=f"slack_{name}")
        self.slacks[name] = slack
        penalty = 1.0 if family in POLICY_FAMILIES else 1000.0
        self.slack_terms.append(Terms.of(slack).sum() * penalty)
        expr = expr - slack if sign == "<=" else expr + Terms.of(slack)
        if sign == "==":
            slack_neg = self.m.add_variables(lower=0, coords=coords, name=f"slackn_{name}")
            self.slacks[name + "#neg"] = slack_neg
            self.slack_terms.append(Terms.of(slack_neg).sum() * penalty)
            expr = expr - slack_neg
        self.m.add_constraints(constraint(self.m, expr, sign, 0), name=name, mask=mask,
                               freeze=True)


def as_terms(x: Any) -> Terms:
    """A builder's left-hand side (Terms, linopy variable or expression) as Terms."""
    if isinstance(x, Terms):
        return x
    if isinstance(x, linopy.Variable):
        return Terms.of(x)
    return Terms.from_linopy(x)
