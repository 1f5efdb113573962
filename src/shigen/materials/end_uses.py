"""Rare-earth demand from the end uses that are not deployed by the energy pathway.

Catalysts, polishing, glass, metallurgy, NiMH batteries, phosphors, ceramics,
other uses and the magnets of appliances, industry and electronics
(``magnets-other``): each use's world REO demand (dataset ``ree-end-use-demand``,
tonnes REO a year at anchor years, linear in between and held outside) times the
element split of that use (``ree-end-use-composition``, oxide basis) times the
metal fraction of each element's oxide gives tonnes of element metal a year —
the unit of the magnet flows. Magnets in vehicles and wind turbines are not here:
the stage derives them from the energy pathway, and ``magnets-other`` excludes
them.

Examples
--------
>>> from shigen.datasets import Catalogue
>>> from shigen.materials.config import EndUses
>>> import numpy as np
>>> da = demand(Catalogue.bundled(), EndUses(uses=["polishing"]), np.array([2010]))
>>> round(float(da.sel(ree="cerium").sum()))  # 16 100 t REO x 0.65 Ce x Ce in CeO2
8555
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from shigen.errors import InputError, Location
from shigen.materials.config import EndUses
from shigen.materials.mining import metal_fraction
from shigen.materials.registry import RARE_EARTHS
from shigen.materials.trajectories import interpolate

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

DEMAND = "ree-end-use-demand"
COMPOSITION = "ree-end-use-composition"
# regions with a sourced total demand: each use is the world's scaled by the region's share
REGIONAL_TOTALS = {"JPN": "japan-ree-demand"}


def reo_by_use(cat: Catalogue, cfg: EndUses, years: np.ndarray) -> xr.DataArray:
    """Tonnes of REO a year by use (dims use, year) at the configured bound."""
    frame = cat.frame(DEMAND)
    known = sorted(frame["use"].unique())
    uses = cfg.uses or known
    unknown = [u for u in uses if u not in known]
    if unknown:
        raise InputError(f"no end-use demand for {unknown}",
                         Location(field="materials.end_uses.uses"),
                         f"use some of {known} (dataset '{DEMAND}')")
    rows = frame[frame["bound"] == cfg.bound]
    out = np.zeros((len(uses), len(years)))
    for i, use in enumerate(uses):
        at = rows[rows["use"] == use]
        if at.empty:
            raise InputError(f"dataset '{DEMAND}' has no {cfg.bound} rows for '{use}'",
                             Location(field="materials.end_uses.bound"),
                             "use bound = \"central\"")
        points = {int(y): float(v) for y, v in zip(at["year"], at["value"], strict=True)}
        out[i] = interpolate(points, years, hold=True)
    da = xr.DataArray(out, dims=("use", "year"), coords={"use": uses, "year": years},
                      attrs={"units": "t REO/yr"})
    return da * regional_share(cat, cfg, years, frame)


def regional_share(cat: Catalogue, cfg: EndUses, years: np.ndarray,
                   world: pd.DataFrame) -> xr.DataArray:
    """The region's share of world demand by year (1 for WORLD).

    For a region with a sourced total (``REGIONAL_TOTALS``) the share is its total over
    the world total of every use at the configured bound, each linear between its years
    and held outside them; each use then keeps the world's mix — an assumption, since no
    regional split by use is bundled.
    """
    if cfg.region == "WORLD":
        return xr.DataArray(np.ones(len(years)), dims="year", coords={"year": years})
    if cfg.region not in REGIONAL_TOTALS:
        raise InputError(f"no end-use demand for region '{cfg.region}'",
                         Location(field="materials.end_uses.region"),
                         f"use one of {['WORLD', *REGIONAL_TOTALS]}")
    totals = cat.frame(REGIONAL_TOTALS[cfg.region])
    totals = totals[totals["product"] == "total"]
    region = interpolate({int(y): float(v) for y, v in zip(totals["year"], totals["value"],
                                                            strict=True)}, years, hold=True)
    rows = world[world["bound"] == cfg.bound].groupby("year")["value"].sum()
    total = interpolate({int(y): float(v) for y, v in rows.items()}, years, hold=True)
    return xr.DataArray(region / total, dims="year", coords={"year": years},
                        attrs={"source": REGIONAL_TOTALS[cfg.region]})


def demand(cat: Catalogue, cfg: EndUses, years: np.ndarray) -> xr.DataArray:
    """Tonnes of each rare-earth element (metal) a year by use: dims use, ree, year."""
    reo = reo_by_use(cat, cfg, years)
    comp = cat.array(COMPOSITION).fillna(0.0)
    missing = [u for u in reo["use"].values if u not in comp["use"].values]
    if missing:
        raise InputError(f"no element split for end use(s) {missing}",
                         Location(str(cat.path(COMPOSITION)), column="use"),
                         f"add rows for them to dataset '{COMPOSITION}'")
    elements = [e for e in RARE_EARTHS if e in comp["element"].values]
    frac = xr.DataArray([metal_fraction(cat, e) for e in elements], dims="ree",
                        coords={"ree": elements})
    split = comp.sel(use=reo["use"].values, element=elements).rename(element="ree")
    out = (reo * split * frac).transpose("use", "ree", "year")
    out.attrs["units"] = "t/yr"
    return out
