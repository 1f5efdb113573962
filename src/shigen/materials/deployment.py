"""Deployment: units of each product entering use per year and region.

Two sources, added together: the energy stage's capacity additions (GW by
technology, mapped to products by ``from_energy``) and the study's trajectories
(sales, or an in-use stock turned into sales by a stock-driven cohort model).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from shigen.errors import InputError, Location
from shigen.materials import cohort
from shigen.materials.config import MaterialsConfig
from shigen.materials.lifetimes import Lifetime
from shigen.materials.registry import products
from shigen.materials.trajectories import interpolate

GW_TO_MW = 1000.0


def _norm(name: str) -> str:
    return str(name).strip().lower().replace("_", "-").replace(" ", "-")


def _annual_additions(additions: xr.DataArray) -> xr.DataArray:
    """Energy additions as units per year on annual years.

    Additions labelled by period end (e.g. 2010, 2015, ...) in GW per period are
    spread evenly over the years of the period; units with ``/yr`` are rates.
    """
    years = np.array([int(y) for y in additions["year"].values])
    units = str(additions.attrs.get("units", "GW")).replace(" ", "")
    is_rate = any(s in units for s in ("/yr", "/a", "/year", "peryear"))
    order = np.argsort(years)
    years = years[order]
    values = additions.isel(year=order).transpose("year", ...)
    if len(years) > 1:
        steps = np.diff(years)
        lengths = np.concatenate([[steps[0]], steps])
    else:
        lengths = np.array([1])
    rows, labels = [], []
    for y, n, k in zip(years, lengths, range(len(years)), strict=True):
        per_year = values.isel(year=k) if is_rate else values.isel(year=k) / float(n)
        for yy in range(int(y) - int(n) + 1, int(y) + 1):
            rows.append(per_year.values)
            labels.append(yy)
    return xr.DataArray(np.array(rows), dims=("year", *values.dims[1:]),
                        coords={"year": labels, **{d: values[d].values for d in values.dims[1:]}})


def from_energy(cfg: MaterialsConfig, energy: xr.Dataset | None,
                years: np.ndarray) -> xr.DataArray | None:
    """Units (MW) entering use by product, region and year from energy additions."""
    if energy is None or not cfg.from_energy or "additions" not in energy:
        return None
    add = energy["additions"]
    needed = {"year", "technology"}
    if not needed <= set(add.dims):
        raise InputError(f"energy additions have dims {list(add.dims)}, need year and technology",
                         Location(field="materials.from_energy"),
                         "run an energy stage that reports additions by year and technology")
    if "region" not in add.dims:
        add = add.expand_dims(region=["WORLD"])
    annual = _annual_additions(add.transpose("year", "region", "technology"))
    annual = annual.reindex(year=years, fill_value=0.0)
    techs = {_norm(t): t for t in annual["technology"].values}
    out: dict[str, xr.DataArray] = {}
    for tech, split in cfg.from_energy.items():
        if _norm(tech) not in techs:
            raise InputError(f"energy technology '{tech}' is not among the energy stage's "
                             f"technologies", Location(field=f"materials.from_energy.{tech}"),
                             f"use one of {sorted(str(t) for t in techs.values())}")
        gw = annual.sel(technology=techs[_norm(tech)], drop=True)
        for product, share in split.items():
            if products()[product].basis != "MW":
                raise InputError(f"product '{product}' is counted per "
                                 f"{products()[product].basis}, not per MW of capacity",
                                 Location(field=f"materials.from_energy.{tech}.{product}"),
                                 "map energy technologies to products with basis MW")
            mw = gw * GW_TO_MW * share
            out[product] = out[product] + mw if product in out else mw
    da = xr.concat(list(out.values()), dim=xr.Variable("product", list(out)))
    return da.clip(min=0.0).transpose("product", "region", "year")


def from_trajectories(cfg: MaterialsConfig, years: np.ndarray,
                      lifetimes: Mapping[str, Lifetime]) -> tuple[xr.DataArray | None, float, int]:
    """Units entering use from the study's trajectories.

    Returns the units, the mass-balance error of the stock-driven unit models and
    the number of (product, region) series whose implied sales go negative.
    """
    if not cfg.deployment:
        return None, 0.0, 0
    rel_error, negative = 0.0, 0
    series: dict[tuple[str, str], np.ndarray] = {}
    for i, d in enumerate(cfg.deployment):
        try:
            values = interpolate(d.values, years, hold=False)
        except ValueError as exc:
            raise InputError(str(exc), Location(field=f"materials.deployment.{i}.values"),
                             f"give values for {int(years[0])} and {int(years[-1])} or change "
                             "start_year/end_year") from None
        if d.kind == "stock":
            flows = cohort.stock_driven(values[None, None, :], [lifetimes[d.product]],
                                        cfg.inflow_at)
            rel_error = max(rel_error, flows.max_rel_error())
            values = flows.inflow[0, 0]
            negative += int(np.any(values < -1e-9 * max(1.0, float(np.abs(values).max()))))
        series[(d.product, d.region)] = values
    prods = sorted({p for p, _ in series})
    regions = sorted({r for _, r in series})
    arr = np.zeros((len(prods), len(regions), len(years)))
    for (p, r), v in series.items():
        arr[prods.index(p), regions.index(r)] = v
    da = xr.DataArray(arr, dims=("product", "region", "year"),
                      coords={"product": prods, "region": regions, "year": years})
    return da, rel_error, negative


def combine(parts: list[xr.DataArray | None]) -> xr.DataArray:
    """Sum deployment parts on the union of their products and regions."""
    present = [p for p in parts if p is not None]
    if not present:
        raise InputError("the materials stage has no deployment",
                         Location(field="materials.deployment"),
                         "add materials.deployment trajectories, or run an energy section "
                         "whose additions materials.from_energy maps to products")
    aligned = xr.align(*present, join="outer", fill_value=0.0)
    total = aligned[0]
    for p in aligned[1:]:
        total = total + p
    return total.transpose("product", "region", "year")
