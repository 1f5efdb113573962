"""Warnings of the energy stage: records a run reports beside its results.

Each warning has exactly the fields of the run-level collector (``code``, ``stage``,
``message``, ``where``, ``severity``), so the run can gather every stage's list as is.

:data:`ARTEFACT_CHECKS` is the hook for checks of the solved pathway: each is a function
of the result dataset returning warnings. End-of-horizon jumps come from the solved model
(:func:`shigen.energy.artefacts.horizon_jumps`), so :func:`run_checks` takes it too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import xarray as xr

from shigen.energy.artefacts import horizon_jumps
from shigen.energy.binding import span

if TYPE_CHECKING:
    from shigen.energy.model import Outcome

Severity = Literal["info", "warning"]


@dataclass(frozen=True)
class EnergyWarning:
    """One warning: a code, its stage, a sentence, where it applies, how serious."""

    code: str
    stage: str
    message: str
    where: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "warning"


#: a check of a solved pathway: the result dataset in, warnings out
Check = Callable[[xr.Dataset], Iterable[Any]]


def on_assumed_bound(basis: Mapping[str, Any], step: int) -> list[EnergyWarning]:
    """A headline build rate set by an assumed limit rather than by the optimisation."""
    out = []
    for figure, b in basis.items():
        if not figure.startswith("builds_per_year.") or b.get("basis") != "on a bound":
            continue
        fams = sorted({r["family"] for r in b["limited_by"]})
        share = b.get("share_at_bound")
        part = "" if share is None else f"{share:.0%} of it built in "
        out.append(EnergyWarning(
            "energy.on_assumed_bound", "energy",
            f"{figure} is set by an assumed limit ({', '.join(fams)}): {part}periods where "
            f"the limit binds ({span(b['bound_years'], step)}); it moves with the limit, not with "
            f"the optimisation", {"figure": figure, "families": fams}, "warning"))
    return out


#: checks run on every solved pathway (extend with functions of the result dataset)
ARTEFACT_CHECKS: list[Check] = []


def artefact_checks() -> list[Check]:
    """The registered checks of the result dataset."""
    return list(ARTEFACT_CHECKS)


def horizon_jump_warnings(outcome: Outcome) -> list[EnergyWarning]:
    """End-of-horizon jumps (:func:`shigen.energy.artefacts.horizon_jumps`) as warnings."""
    return [EnergyWarning(
        "energy.horizon_jump", "energy", j.message(),
        {"variable": j.variable, "region": j.region, "technology": j.technology,
         "years": list(j.years), "before": round(j.before, 6), "after": round(j.after, 6),
         "unit": j.unit}, "warning") for j in horizon_jumps(outcome)]


def as_warning(w: Any) -> EnergyWarning:
    """A check's result (EnergyWarning, dataclass or mapping with the five fields)."""
    if isinstance(w, EnergyWarning):
        return w
    d = w if isinstance(w, Mapping) else asdict(w)
    return EnergyWarning(str(d["code"]), str(d.get("stage", "energy")), str(d["message"]),
                         dict(d.get("where") or {}), d.get("severity", "warning"))


def run_checks(ds: xr.Dataset, outcome: Outcome | None = None) -> list[EnergyWarning]:
    """Warnings of every artefact check on a result dataset (and the solved model's jumps)."""
    found = [as_warning(w) for check in artefact_checks() for w in check(ds)]
    return found + (horizon_jump_warnings(outcome) if outcome is not None else [])


def to_json(ws: Iterable[EnergyWarning]) -> str:
    return json.dumps([asdict(w) for w in ws])


def from_json(text: str | None) -> list[EnergyWarning]:
    return [EnergyWarning(**w) for w in json.loads(text)] if text else []
