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

from collections.abc import Callable, Mapping

import xarray as xr

from shigen.energy.config import EnergyConfig, RollingHorizon
from shigen.energy.formulation import Formulation

#: solves one window: (the window's study section, the past to fix) -> (optimal?, model)
WindowSolve = Callable[[EnergyConfig, Mapping[str, xr.DataArray]], tuple[bool, Formulation]]


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


def fix_past(f: Formulation, past: Mapping[str, xr.DataArray]) -> None:
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


def solve_rolling(cfg: EnergyConfig, rolling: RollingHorizon,
                  solve_window: WindowSolve) -> tuple[bool, Formulation]:
    """Solve window by window; the last solve's outcome (or the first that fails)."""
    past: dict[str, xr.DataArray] = {}
    result: tuple[bool, Formulation] | None = None
    for seen, commit in windows(cfg.periods(), rolling.window):
        ok, f = result = solve_window(cfg.model_copy(update={"last_year": seen}), past)
        if not ok:
            return result
        past = committed(f, commit)
    assert result is not None  # windows() returns at least one window
    return result
