"""Limited foresight: a rolling horizon of solves that cannot see beyond their window.

With ``[energy] foresight = { window = N }`` the model is solved period by period: each
solve sees the next ``N`` periods only, its decisions for the first of them are then fixed
(every LP variable of that year: capacity built, mothballed, dispatch, stocks), and the
next solve starts one period later. A fleet outage in 2012 is thus not foreseen by the
solve that decides 2010, as it was not by the utilities that planned the 2010 system.
The last solve covers the whole horizon with the past fixed, so its formulation is an
ordinary solved model that :mod:`shigen.energy.results` reads as it reads any other.

This is the "myopic" mode of TIMES (``FIXBOH`` / time-stepped runs) and of PyPSA-Eur's
``foresight: myopic``, in its simplest form: one period committed per solve.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import xarray as xr

from shigen.energy.config import EnergyConfig, RollingHorizon
from shigen.energy.formulation import Formulation
from shigen.energy.inputs import load_inputs

if TYPE_CHECKING:
    from collections.abc import Callable

    from shigen.datasets import Catalogue
    from shigen.energy.model import Status, Timings


def windows(periods: list[int], window: int) -> list[tuple[int, int]]:
    """(last year seen, last year committed) of each solve of a rolling horizon.

    >>> windows([2005, 2010, 2015, 2020], 2)
    [(2015, 2010), (2020, 2020)]
    """
    out = []
    k = 1
    while True:
        end = min(k + window - 1, len(periods) - 1)
        if end == len(periods) - 1:
            out.append((periods[end], periods[end]))
            return out
        out.append((periods[end], periods[k]))
        k += 1


def fix_past(f: Formulation, past: dict[str, xr.DataArray]) -> None:
    """Fix every variable's value in the committed years to an earlier solve's."""
    for name, values in past.items():
        var = f.values.get(name)
        if var is None or "year" not in var.dims:
            continue
        years = [y for y in values.year.values if y in var.coords["year"].values]
        if not years:
            continue
        lower, upper = var.lower.copy(), var.upper.copy()
        fixed = values.sel(year=years).broadcast_like(lower.sel(year=years)).transpose(
            *lower.dims)
        # past values back within the bounds the new window computes (solver tolerance)
        fixed = fixed.clip(min=lower.sel(year=years), max=upper.sel(year=years))
        lower.loc[{"year": years}] = fixed.values
        upper.loc[{"year": years}] = fixed.values
        var.update(lower=lower, upper=upper)


def committed(f: Formulation, up_to: int) -> dict[str, xr.DataArray]:
    """Every year-indexed variable's solution in the years up to ``up_to``."""
    out = {}
    for name, var in f.values.items():
        if "year" in var.dims:
            sol = var.solution.fillna(0.0)
            out[name] = sol.sel(year=[y for y in sol.year.values if y <= up_to])
    return out


def solve_rolling(cfg: EnergyConfig, cat: Catalogue, rolling: RollingHorizon,
                  build: Callable[[EnergyConfig, object], Formulation],
                  solve: Callable[[Formulation], tuple[Status, float, float]],
                  tm: Timings) -> tuple[Status, Formulation]:
    """Solve window by window; return the last solve's status and formulation."""
    past: dict[str, xr.DataArray] = {}
    status = None
    f = None
    for seen, commit in windows(cfg.periods(), rolling.window):
        sub = cfg.model_copy(update={"last_year": seen})
        t0 = time.perf_counter()
        inp = load_inputs(sub, cat)
        tm.load += time.perf_counter() - t0
        t0 = time.perf_counter()
        f = build(sub, inp)
        fix_past(f, past)
        tm.build += time.perf_counter() - t0
        status, wall, solver = solve(f)
        tm.solve_total += wall
        tm.solver += solver
        if status.value != "optimal":
            return status, f
        past = committed(f, commit)
    assert status is not None and f is not None  # at least one window
    return status, f
