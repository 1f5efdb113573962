"""End of life: collection, pre-processing and recovery of retired magnets.

Per element, product, region and year::

    collected     = outflow × collection(year)
    preprocessed  = collected × preprocessing(year)
    recovered     = preprocessed × recovery(year)        (secondary supply)

Recovered material feeds new magnets (closed loop) up to the year's demand of
the element in the region; any excess is reported as ``secondary_surplus``. The
steps, their yields and their loss flows are those declared in
:mod:`shigen.materials.graph`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from shigen.materials import graph
from shigen.materials.config import Recycling
from shigen.materials.trajectories import interpolate

CHAIN = ("end of life", "collection", "recovery")  # the processes end_of_life fills


def rates(cfg: Recycling, years: np.ndarray) -> xr.Dataset:
    """The yield trajectories of the graph's end-of-life steps on the model years.

    Flat outside the given years.
    """
    return xr.Dataset({name: ("year", interpolate(getattr(cfg, name), years, hold=True))
                       for name in (f.rate for f in graph.FLOWS if f.rate)},
                      coords={"year": years})


def end_of_life(outflow: xr.DataArray, r: xr.Dataset) -> xr.Dataset:
    """EoL flows from the outflow of use (any dims including ``year``).

    Walks the graph's yield steps from ``end of life``: each step sends ``input × rate``
    on and the rest to its loss flow; stored flows become variables, in declared order.
    """
    values = flows(outflow, lambda name: r[name])
    stored = [f.variable for f in graph.FLOWS if f.stored and f.variable in values]
    return xr.Dataset({name: values[name] for name in stored})


def flows(outflow: Any, rate: Callable[[str], Any]) -> dict[str, Any]:
    """Every flow of the end-of-life steps, by variable, from ``outflow`` (labelled or numpy).

    Walks the graph's yield steps from ``end of life``: each step sends ``input × rate``
    on and the rest to its loss flow; ``rate(name)`` gives a step's yield on ``outflow``'s
    last axis (``year``). :func:`end_of_life` and the numpy summary of an uncertainty
    sample (:mod:`shigen.materials.headline`) both take the steps from here.
    """
    values = {graph.entering(["end of life"])[0].variable: outflow}
    step_input = outflow
    for onward in graph.FLOWS:
        if onward.rate is None:
            continue
        kept = step_input * rate(onward.rate)
        loss = next(f for f in graph.FLOWS if f.source == onward.source and f != onward)
        values[onward.variable] = kept
        values[loss.variable] = step_input - kept
        step_input = kept
    return values


def chain_balance(values: dict[str, Any]) -> Any:
    """Σ entering − Σ leaving flows of :data:`CHAIN` on :func:`flows`' values (0 if it balances)."""
    residual = sum(values[f.variable] for f in graph.entering(CHAIN))
    for f in graph.leaving(CHAIN):
        residual = residual - values[f.variable]
    return residual


def closed_loop(demand: xr.DataArray, secondary: xr.DataArray) -> xr.Dataset:
    """Split demand into secondary (recycled) and primary parts; share recycled."""
    used = np.minimum(secondary, demand)
    share = xr.where(demand > 0, used / demand.where(demand > 0), 0.0)
    return xr.Dataset({"secondary_used": used, "primary_demand": demand - used,
                       "secondary_surplus": secondary - used, "recycling_share": share})
