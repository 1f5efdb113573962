"""Warnings of the energy stage: records a run reports beside its results.

Each warning has exactly the fields of the run-level collector (``code``, ``stage``,
``message``, ``where``, ``severity``), so the run can gather every stage's list as is.

:data:`ARTEFACT_CHECKS` is the hook for checks of the solved pathway: each is a function
of the result dataset returning warnings. :func:`artefact_checks` adds
``shigen.energy.artefacts.horizon_jumps`` (end-of-horizon jumps) when that module exists.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import xarray as xr

from shigen.energy.binding import span

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


def _artefact_module_checks() -> list[Check]:
    """Checks another module provides (end-of-horizon jumps), when it is installed."""
    try:
        mod = importlib.import_module("shigen.energy.artefacts")
    except ImportError:
        return []
    fn = getattr(mod, "horizon_jumps", None)
    return [fn] if callable(fn) else []


#: checks run on every solved pathway (extend with functions of the result dataset)
ARTEFACT_CHECKS: list[Check] = []


def artefact_checks() -> list[Check]:
    """Registered checks plus those of ``shigen.energy.artefacts`` if present."""
    return [*ARTEFACT_CHECKS, *_artefact_module_checks()]


def as_warning(w: Any) -> EnergyWarning:
    """A check's result (EnergyWarning, dataclass or mapping with the five fields)."""
    if isinstance(w, EnergyWarning):
        return w
    d = w if isinstance(w, Mapping) else asdict(w)
    return EnergyWarning(str(d["code"]), str(d.get("stage", "energy")), str(d["message"]),
                         dict(d.get("where") or {}), d.get("severity", "warning"))


def run_checks(ds: xr.Dataset) -> list[EnergyWarning]:
    """Warnings of every artefact check on a result dataset."""
    return [as_warning(w) for check in artefact_checks() for w in check(ds)]


def to_json(ws: Iterable[EnergyWarning]) -> str:
    return json.dumps([asdict(w) for w in ws])


def from_json(text: str | None) -> list[EnergyWarning]:
    return [EnergyWarning(**w) for w in json.loads(text)] if text else []
