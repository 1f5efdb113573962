"""End-of-horizon checks: variables that jump between the last two periods.

A least-cost model with a finite horizon tends to do odd things in its last period
(build what it will never pay for in full, or stop building what it would need after the
horizon). :func:`horizon_jumps` finds the build rates and generation that change by more
than a threshold between the last two periods, so a run can warn about them; the results
side turns the records into ``energy.warnings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shigen.energy.model import Outcome

#: relative change between the last two periods above which a variable is reported
JUMP_THRESHOLD = 0.5
#: changes smaller than this (GW/yr of builds, TWh of generation) are noise, not jumps
MIN_SIZE = {"builds_per_year": 1.0, "generation": 50.0}
UNIT = {"builds_per_year": "GW/year", "generation": "TWh"}


@dataclass(frozen=True)
class HorizonJump:
    """One variable that changes by more than the threshold in the last period."""

    variable: str       # "builds_per_year" or "generation"
    region: str
    technology: str
    years: tuple[int, int]  # the last two periods
    before: float
    after: float
    unit: str

    @property
    def change(self) -> float:
        """Relative change (after / before - 1); inf when the variable starts from 0."""
        return self.after / self.before - 1 if self.before else float("inf")

    def message(self) -> str:
        y0, y1 = self.years
        return (f"{self.variable} of {self.technology} in {self.region} jumps from "
                f"{self.before:,.1f} to {self.after:,.1f} {self.unit} between {y0} and {y1}, "
                "the last two periods: possibly an end-of-horizon artefact")


def horizon_jumps(result: Outcome, threshold: float = JUMP_THRESHOLD) -> list[HorizonJump]:
    """Builds and generation that jump between the last two periods, larger first.

    A jump is a change of more than ``threshold`` (relative to the earlier value) and at
    least :data:`MIN_SIZE`; a start from zero counts as a jump.
    """
    f = result.formulation
    periods = f.inp.periods
    if len(periods) < 3:  # the base year is calibrated: no pair of modelled periods
        return []
    y0, y1 = periods[-2], periods[-1]
    series = {"builds_per_year": f.values["new_capacity"].solution.fillna(0.0) / f.cfg.step,
              "generation": f.values["generation"].solution.fillna(0.0).sum("slice")}
    out = []
    for name, da in series.items():
        a, b = da.sel(year=y0), da.sel(year=y1)
        for region in da.region.values:
            for tech in da.technology.values:
                before = float(a.sel(region=region, technology=tech))
                after = float(b.sel(region=region, technology=tech))
                if abs(after - before) < MIN_SIZE[name]:
                    continue
                if abs(after - before) > threshold * max(abs(before), 0.0) or before == 0:
                    out.append(HorizonJump(name, str(region), str(tech), (y0, y1),
                                           before, after, UNIT[name]))
    return sorted(out, key=lambda j: -abs(j.after - j.before))
