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

import numpy as np
import xarray as xr

from shigen.materials import graph
from shigen.materials.config import Recycling
from shigen.materials.trajectories import interpolate


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
    values = {graph.entering(["end of life"])[0].variable: outflow}
    step_input = outflow
    for onward in (f for f in graph.FLOWS if f.rate):
        kept = step_input * r[onward.rate]
        loss = next(f for f in graph.FLOWS if f.source == onward.source and f != onward)
        values[onward.variable] = kept
        values[loss.variable] = step_input - kept
        step_input = kept
    stored = [f.variable for f in graph.FLOWS if f.stored and f.variable in values]
    return xr.Dataset({name: values[name] for name in stored})


def closed_loop(demand: xr.DataArray, secondary: xr.DataArray) -> xr.Dataset:
    """Split demand into secondary (recycled) and primary parts; share recycled."""
    used = np.minimum(secondary, demand)
    share = xr.where(demand > 0, used / demand.where(demand > 0), 0.0)
    return xr.Dataset({"secondary_used": used, "primary_demand": demand - used,
                       "secondary_surplus": secondary - used, "recycling_share": share})
