"""Element intensities (kg of element per unit of product) and product lifetimes.

They come from the sourced datasets ``ndfeb-magnet-mass``, ``ndfeb-composition`` and
``product-lifetimes``.

Intensity of element ``e`` in a product entering use in year ``y``::

    intensity[e, p, y, draw] = magnet_mass[p, draw] × composition[application(p), e, y]

Magnet mass draws come from a triangular distribution (low, central, high) where
the dataset gives a range; draw 0 is always the central value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from shigen.errors import InputError, Location
from shigen.materials.config import MaterialsConfig
from shigen.materials.lifetimes import Lifetime, LifetimeKind
from shigen.materials.registry import products

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

MAGNET_MASS = "ndfeb-magnet-mass"
COMPOSITION = "ndfeb-composition"
LIFETIMES = "product-lifetimes"


def magnet_mass(cat: Catalogue, names: Sequence[str], draws: int,
                rng: np.random.Generator) -> xr.DataArray:
    """Magnet mass (kg NdFeB) per unit, dims (product, draw); draw 0 central, others triangular."""
    frame = cat.frame(MAGNET_MASS)
    out = np.zeros((len(names), draws + 1))
    for i, p in enumerate(names):
        rows = frame[frame["product"] == p].set_index("bound")["value"]
        if "central" not in rows:
            raise InputError(f"dataset '{MAGNET_MASS}' has no central value for product '{p}'",
                             Location(str(cat.path(MAGNET_MASS)), column="product"),
                             "add a row with bound = central")
        central = float(rows["central"])
        low, high = float(rows.get("low", central)), float(rows.get("high", central))
        if not low <= central <= high:
            raise InputError(f"dataset '{MAGNET_MASS}': product '{p}' needs low <= central <= high",
                             Location(str(cat.path(MAGNET_MASS)), column="value"),
                             "order the bounds")
        out[i, 0] = central
        if draws:
            out[i, 1:] = central if high == low else rng.triangular(low, central, high, draws)
    return xr.DataArray(out, dims=("product", "draw"),
                        coords={"product": list(names), "draw": np.arange(draws + 1)},
                        attrs={"units": "kg/unit"})


def composition(cat: Catalogue, applications: Sequence[str], elements: Sequence[str],
                years: np.ndarray, thrifting: bool) -> xr.DataArray:
    """Mass fraction of each element in the magnet by application and cohort year."""
    da = cat.array(COMPOSITION)
    missing = [a for a in applications if a not in da["application"].values]
    if missing:
        raise InputError(f"dataset '{COMPOSITION}' has no rows for application(s) {missing}",
                         Location(str(cat.path(COMPOSITION)), column="application"),
                         "add the composition of those magnet grades")
    totals = da.fillna(0.0).sum("element")
    bad = [(str(a), int(y)) for a in applications for y in da["year"].values
           if da.sel(application=a, year=y).notnull().any()
           and abs(float(totals.sel(application=a, year=y)) - 1.0) > 1e-6]
    if bad:
        app, year = bad[0]
        total = float(totals.sel(application=app, year=year))
        raise InputError(f"dataset '{COMPOSITION}': element shares of {app} in {year} sum "
                         f"to {total:.4g}, not 1",
                         Location(str(cat.path(COMPOSITION)), column="value"),
                         "give every element of the magnet (Fe is the balance)")
    da = da.sel(application=list(applications), element=list(elements)).fillna(0.0)
    known = da["year"].values.astype(float)
    if not thrifting:
        da = da.isel(year=[0])
        known = known[:1]
    values = np.stack([np.stack([np.interp(years, known, da.sel(application=a, element=e).values)
                                 if len(known) > 1 else np.full(len(years), float(
                                     da.sel(application=a, element=e).values[0]))
                                 for e in elements]) for a in applications])
    return xr.DataArray(values, dims=("application", "element", "year"),
                        coords={"application": list(applications), "element": list(elements),
                                "year": years}, attrs={"units": "fraction"})


def element_intensity(cat: Catalogue, cfg: MaterialsConfig, names: Sequence[str],
                      years: np.ndarray, rng: np.random.Generator) -> xr.DataArray:
    """Element mass (kg) per unit of product entering use, dims (element, product, year, draw)."""
    mass = magnet_mass(cat, names, cfg.draws, rng)
    apps = sorted({products()[p].application for p in names})
    comp = composition(cat, apps, cfg.elements, years, cfg.thrifting)
    app_of = xr.DataArray([products()[p].application for p in names], dims="product",
                          coords={"product": list(names)})
    per_product = comp.sel(application=app_of).drop_vars("application")
    out = (per_product * mass).transpose("element", "product", "year", "draw")
    out.attrs["units"] = "kg/unit"
    return out


def lifetimes(cat: Catalogue, cfg: MaterialsConfig, names: Sequence[str]) -> dict[str, Lifetime]:
    """Lifetime of each product: the study's override, else ``product-lifetimes``."""
    frame = cat.frame(LIFETIMES)
    out: dict[str, Lifetime] = {}
    for p in names:
        if p in cfg.lifetimes:
            o = cfg.lifetimes[p]
            try:
                out[p] = Lifetime(LifetimeKind(o.kind), o.mean, o.std, o.shape, o.scale)
            except ValueError as exc:
                raise InputError(str(exc), Location(field=f"materials.lifetimes.{p}"),
                                 "give positive lifetime parameters") from None
            continue
        rows = frame[frame["product"] == p].set_index("parameter")["value"]
        kind = LifetimeKind(products()[p].lifetime)
        params = {k: float(v) for k, v in rows.items()
                  if k in ("mean", "std", "shape", "scale")}
        try:
            out[p] = Lifetime(kind, **params)
        except (ValueError, TypeError) as exc:
            raise InputError(f"dataset '{LIFETIMES}' cannot give a {kind.value} lifetime for "
                             f"'{p}': {exc}", Location(str(cat.path(LIFETIMES)), column="value"),
                             f"add the parameters of product '{p}' or set "
                             f"[materials.lifetimes.{p}] in the study") from None
    return out
