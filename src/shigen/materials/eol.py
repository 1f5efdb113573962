"""End of life: collection, pre-processing and recovery of retired magnets.

Per element, product, region and year::

    collected     = outflow × collection(year)
    preprocessed  = collected × preprocessing(year)
    recovered     = preprocessed × recovery(year)        (secondary supply)

Recovered material feeds new magnets (closed loop) up to the year's demand of
the element in the region; any excess is reported as ``secondary_surplus``.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from shigen.materials.config import Recycling
from shigen.materials.trajectories import interpolate


def rates(cfg: Recycling, years: np.ndarray) -> xr.Dataset:
    """The three yield trajectories on the model years (flat outside the given years)."""
    return xr.Dataset({name: ("year", interpolate(getattr(cfg, name), years, hold=True))
                       for name in ("collection", "preprocessing", "recovery")},
                      coords={"year": years})


def end_of_life(outflow: xr.DataArray, r: xr.Dataset) -> xr.Dataset:
    """EoL flows from the outflow of use (any dims including ``year``)."""
    collected = outflow * r["collection"]
    preprocessed = collected * r["preprocessing"]
    recovered = preprocessed * r["recovery"]
    return xr.Dataset({
        "eol_outflow": outflow,
        "collected": collected,
        "not_collected": outflow - collected,
        "preprocessing_loss": collected - preprocessed,
        "recovery_loss": preprocessed - recovered,
        "secondary_supply": recovered,
    })


def closed_loop(demand: xr.DataArray, secondary: xr.DataArray) -> xr.Dataset:
    """Split demand into secondary (recycled) and primary parts; share recycled."""
    used = np.minimum(secondary, demand)
    share = xr.where(demand > 0, used / demand.where(demand > 0), 0.0)
    return xr.Dataset({"secondary_used": used, "primary_demand": demand - used,
                       "secondary_surplus": secondary - used, "recycling_share": share})
