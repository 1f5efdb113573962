"""Why is a study infeasible? An elastic re-solve names the conflicting constraints.

When HiGHS reports an infeasible LP, the model is built again with a non-negative slack
on every policy constraint (penalty 1) and every data limit (penalty 1000) and solved
for the least total slack. Families whose slack is positive cannot be met; data limits
whose duals are non-zero in that solution are what they conflict with. The message
names both, with years and technologies, never the solver's own output.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from shigen.energy.config import EnergyConfig
from shigen.energy.formulation import LIMIT_FAMILIES, POLICY_FAMILIES
from shigen.energy.inputs import Inputs
from shigen.energy.model import Status, create_model, solve

LABELS = {
    "co2_cap": "CO2 cap", "share": "share target", "capacity_min": "minimum capacity",
    "capacity_max": "maximum capacity", "energy_intensity": "energy-intensity target",
    "banned_technology": "technology ban", "build_limit": "build-rate limit",
    "growth_limit": "build-rate limit (growth)", "decline_limit": "build-rate floor (decline)",
    "potential": "resource potential", "biomass_supply": "biomass supply",
    "variable_re_share": "variable-renewables share ceiling", "fuel_ceiling": "fuel-share ceiling",
    "efficiency_potential": "efficiency potential", "industry_ccs_limit": "industry CCS ceiling",
    "history": "observed historical capacity",
    "transmission_limit": "transmission expansion limit",
    "vehicle_diffusion": "drivetrain sales-share growth limit",
}


#: units of a family's slack, for families whose slack has one unit
UNITS = {"co2_cap": "Mt CO2", "capacity_min": "GW", "capacity_max": "GW"}


@dataclass
class Conflict:
    """One constraint family in an infeasibility: where it binds or falls short."""

    family: str
    constraint: str
    years: list[int]
    items: list[str] = field(default_factory=list)
    shortfall: float = 0.0
    worst: float = 0.0

    def describe(self) -> str:
        label = LABELS.get(self.family, self.family)
        what = label if self.constraint == self.family else f"{label} '{self.constraint}'"
        if self.items:
            what += f" ({', '.join(self.items)})"
        yrs = _span(self.years)
        out = f"{what} in {yrs}" if yrs else what
        unit = UNITS.get(self.family)
        if unit and self.worst > 0:
            out += f" (short by up to {self.worst:,.0f} {unit} in a year)"
        return out


@dataclass
class Diagnosis:
    """Constraints that cannot all hold: those needing slack, and the limits against them."""

    violated: list[Conflict]
    binding: list[Conflict]

    def message(self) -> str:
        if not self.violated:
            return ("the energy model is infeasible, and relaxing every policy and data limit "
                    "does not restore it: check the base-year data (generation, capacity, "
                    "demand) for consistency")
        need = "; ".join(c.describe() for c in self.violated)
        msg = f"the energy model is infeasible: cannot meet {need}"
        if self.binding:
            msg += " — it conflicts with " + "; ".join(c.describe() for c in self.binding[:5])
        return msg


def _span(years: list[int]) -> str:
    ys = sorted(set(years))
    if not ys:
        return ""
    if len(ys) > 2:
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(str(y) for y in ys)


def _where(da: xr.DataArray, tol: float) -> tuple[list[int], list[str], float]:
    hit = abs(da) > tol
    if not bool(hit.any()):
        return [], [], 0.0
    years: list[int] = []
    items: set[str] = set()
    for dim in da.dims:
        if dim == "year":
            years = [int(y) for y in da.year.values[hit.any([d for d in da.dims if d != "year"])
                                                       .values]]
        elif dim == "technology":
            others = [d for d in da.dims if d != "technology"]
            sel = hit.any(others) if others else hit
            items.update(str(t) for t in da.technology.values[sel.values])
        elif dim in ("sector", "fuel"):
            others = [d for d in da.dims if d != dim]
            sel = hit.any(others) if others else hit
            items.update(str(t) for t in da[dim].values[sel.values])
    return years, sorted(items), float(abs(da).where(hit).sum())


def diagnose(cfg: EnergyConfig, inp: Inputs) -> Diagnosis:
    """Elastic re-solve of an infeasible study."""
    f = create_model(cfg, inp, elastic=True)
    status, _, _ = solve(f, "dual")
    if status is not Status.OPTIMAL:
        return Diagnosis([], [])
    families = f.exprs.get("_families", {})
    violated: list[Conflict] = []
    for name, slack in f.slacks.items():
        base = name.split("#")[0]
        sol = slack.solution.fillna(0.0)
        years, items, amount = _where(sol, 1e-6)
        per_year = sol.sum([d for d in sol.dims if d != "year"]) if "year" in sol.dims else sol
        worst = float(per_year.max()) if per_year.size else 0.0
        if years or amount > 1e-6:
            prior = next((c for c in violated if c.constraint == base), None)
            if prior:
                prior.years = sorted(set(prior.years) | set(years))
                prior.shortfall += amount
                prior.worst = max(prior.worst, worst)
            else:
                violated.append(Conflict(families.get(base, base), base, years, items, amount,
                                         worst))
    violated.sort(key=lambda c: (c.family not in POLICY_FAMILIES, -c.shortfall))
    binding: list[Conflict] = []
    short = {c.constraint for c in violated}
    for name, fam in families.items():
        if fam not in LIMIT_FAMILIES or name in short or name not in f.m.constraints:
            continue
        dual = f.m.constraints[name].dual
        if dual is None or not np.isfinite(dual.values).any():
            continue
        years, items, amount = _where(dual.fillna(0.0), 1e-7)
        if years:
            binding.append(Conflict(fam, name, years, items, amount))
    binding.sort(key=lambda c: -c.shortfall)
    return Diagnosis(violated, binding)
