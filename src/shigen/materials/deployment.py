"""Deployment: units of each product entering use per year and region.

Two sources, added together: the energy stage's capacity additions (GW by
technology, mapped to products by ``from_energy``) and the study's trajectories
(sales, or an in-use stock turned into sales by a stock-driven cohort model).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import xarray as xr

from shigen.errors import InputError, Location
from shigen.materials import cohort
from shigen.materials.config import MaterialsConfig
from shigen.materials.lifetimes import InflowAt, Lifetime
from shigen.materials.registry import products
from shigen.materials.trajectories import interpolate


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


# energy-stage variables that deploy products: (variable, its category dim, product basis)
ENERGY_SOURCES = (("additions", "technology", "MW"), ("vehicle_sales", "vehicle", "vehicle"))
# the in-use stocks behind them (energy_basis = "stock")
ENERGY_STOCKS = (("capacity", "technology", "MW"), ("vehicle_stock", "vehicle", "vehicle"))
SPIN_UP_LIFETIMES = 3.0  # cohorts before the first year: 3 mean lifetimes retire > 99 % of them


def _to_basis(units: str, basis: str) -> float:
    """Factor from the energy variable's units (rate or per period) to product units."""
    amount = units.replace(" ", "").split("/")[0]
    if basis == "vehicle":
        return {"million": 1e6, "thousand": 1e3}.get(amount.lower(), 1.0)
    from shigen.datasets.units import factor

    return factor(amount or "GW", basis)


def annual_stock(points: xr.DataArray, years: np.ndarray, ramp: float = 1.0) -> xr.DataArray:
    """An in-use stock given at model periods, on every year of ``years``.

    Between periods: monotone cubic (PCHIP) interpolation, so the stock and its
    slope (net additions) are continuous and never overshoot the period values —
    a piecewise-linear stock would make sales jump at every period boundary.
    Before the first period the stock is carried back at the first period's growth
    rate; a stock that does not grow is taken to have been built up evenly over
    the ``ramp`` years before (one mean lifetime: a steady age mix). This gives the
    cohorts already in use their ages. After the last period the stock is held.
    These are assumptions, stated in docs/methods/materials.md.
    """
    pts = points.transpose("year", ...)
    xs = np.array([int(y) for y in pts["year"].values], dtype=float)
    out = annual_stock_values(xs, pts.values, years, ramp)
    return xr.DataArray(out, dims=pts.dims,
                        coords={"year": years, **{d: pts[d].values for d in pts.dims[1:]}})


def annual_stock_values(period_years: np.ndarray, values: np.ndarray, years: np.ndarray,
                        ramp: float = 1.0) -> np.ndarray:
    """:func:`annual_stock` on plain arrays: ``values`` has the periods on its first axis.

    The one implementation, shared with the numpy path of uncertainty samples
    (:mod:`shigen.materials.headline`), so the two cannot drift apart.
    """
    from scipy.interpolate import PchipInterpolator

    xs = np.asarray(period_years, dtype=float)
    order = np.argsort(xs)
    xs, vals = xs[order], np.clip(values[order], 0.0, None)
    t = years.astype(float)
    if len(xs) == 1:
        return np.broadcast_to(vals[0], (len(t), *vals.shape[1:])).copy()
    inside = PchipInterpolator(xs, vals, axis=0, extrapolate=False)(np.clip(t, xs[0], xs[-1]))
    ratio = np.where(vals[0] > 0, vals[1] / np.where(vals[0] > 0, vals[0], 1.0), 1.0)
    rate = np.log(np.clip(ratio, 1.0, None)) / (xs[1] - xs[0])
    back = np.minimum(t - xs[0], 0.0)
    grown = vals[0] * np.exp(np.multiply.outer(back, rate))
    ramped = np.multiply.outer(np.clip(1.0 + back / ramp, 0.0, 1.0), vals[0])
    before = np.where(rate > 0, grown, ramped)
    return np.where((t < xs[0]).reshape(-1, *[1] * (vals.ndim - 1)), before, inside)


def sales_from_stock(period_years: np.ndarray, stock: np.ndarray, years: np.ndarray,
                     lifetime: Lifetime, spin: int, inflow_at: InflowAt
                     ) -> tuple[np.ndarray, float, int]:
    """Yearly sales (region, year) that make the in-use stock follow ``stock``.

    ``stock`` is (period, region) at ``period_years``; it is made annual from ``spin``
    years before ``years[0]`` (:func:`annual_stock_values`) and a stock-driven cohort
    model turns it into sales: growth plus replacements. Returns the sales on ``years``
    clipped at 0, the unit mass-balance error and the number of regions whose implied
    sales went negative.
    """
    span = np.arange(int(years[0]) - spin, int(years[-1]) + 1)
    annual = annual_stock_values(period_years, stock, span, ramp=lifetime.expected())
    flows = cohort.stock_driven(annual.T[None], [lifetime], inflow_at)
    inflow = flows.inflow[0]
    scale = np.maximum(1.0, np.abs(inflow).max(axis=-1, keepdims=True))
    negative = int(np.any(inflow < -1e-9 * scale, axis=-1).sum())
    at = np.searchsorted(span, years)
    return np.clip(inflow, 0.0, None)[:, at], flows.max_rel_error(), negative


def _year_region_item(energy: xr.Dataset, var: str, dim: str) -> xr.DataArray:
    """Energy variable ``var`` on (year, region, ``dim``).

    Other dimensions are summed and a region-less variable counts as WORLD; a variable
    without year or ``dim`` is refused.
    """
    da = energy[var]
    if not {"year", dim} <= set(da.dims):
        raise InputError(f"energy {var} has dims {list(da.dims)}, need year and {dim}",
                         Location(field="materials.from_energy"),
                         f"run an energy stage that reports {var} by year and {dim}")
    if "region" not in da.dims:
        da = da.expand_dims(region=["WORLD"])
    extra = [d for d in da.dims if d not in ("year", "region", dim)]
    if extra:
        da = da.sum(extra)
    return da.transpose("year", "region", dim)


def _energy_arrays(energy: xr.Dataset, sources: tuple[tuple[str, str, str], ...],
                   ) -> dict[str, tuple[xr.DataArray, str, str]]:
    """Energy variables by normalised category name: (array on year × region, basis, units)."""
    out: dict[str, tuple[xr.DataArray, str, str]] = {}
    for var, dim, basis in sources:
        if var not in energy:
            continue
        da = _year_region_item(energy, var, dim)
        for item in da[dim].values:
            out[_norm(item)] = (da.sel({dim: item}, drop=True), basis,
                                str(energy[var].attrs.get("units", "")))
    return out


def _split(cfg: MaterialsConfig, available: Mapping[str, tuple[xr.DataArray, str]],
           what: str) -> dict[str, xr.DataArray]:
    """Map each ``from_energy`` key's series onto its products with their shares."""
    out: dict[str, xr.DataArray] = {}
    for key, split in cfg.from_energy.items():
        if _norm(key) not in available:
            raise InputError(f"'{key}' is neither a technology nor a vehicle type with "
                             f"{what} in the energy stage",
                             Location(field=f"materials.from_energy.{key}"),
                             f"use one of {sorted(available)}")
        units, basis = available[_norm(key)]
        for product, share in split.items():
            if products()[product].basis != basis:
                raise InputError(f"product '{product}' is counted per "
                                 f"{products()[product].basis}, but '{key}' deploys {basis}",
                                 Location(field=f"materials.from_energy.{key}.{product}"),
                                 f"map '{key}' to products counted per {basis}")
            part = units * share
            out[product] = out[product] + part if product in out else part
    return out


def from_energy_stock(cfg: MaterialsConfig, energy: xr.Dataset | None, years: np.ndarray,
                      lifetimes: Mapping[str, Lifetime],
                      ) -> tuple[xr.DataArray | None, float, int]:
    """Units entering use from the energy stage's in-use stocks (new plus replacements).

    The energy model's installed ``capacity`` (GW by technology) and
    ``vehicle_stock`` (million by vehicle) at its periods are made annual
    (:func:`annual_stock`) and a stock-driven cohort model with each product's
    lifetime turns them into yearly sales: growth plus the replacement of retiring
    units, so sales follow the pathway year by year instead of the LP's
    period-by-period new builds. Returns the units, the unit mass-balance error
    and the number of series whose implied sales went negative (clipped to 0).
    """
    if energy is None or not cfg.from_energy:
        return None, 0.0, 0
    arrays = _energy_arrays(energy, ENERGY_STOCKS)
    mapped = _split(cfg, {k: (v * _to_basis(u, b), b) for k, (v, b, u) in arrays.items()},
                    "an in-use stock")
    if not mapped:
        return None, 0.0, 0
    spin = spin_up(lifetimes[p] for p in mapped)
    rel_error, negative, parts = 0.0, 0, {}
    for product, points in mapped.items():
        pts = points.transpose("year", "region")
        sales, err, neg = sales_from_stock(pts["year"].values.astype(float), pts.values, years,
                                           lifetimes[product], spin, cfg.inflow_at)
        rel_error, negative = max(rel_error, err), negative + neg
        parts[product] = xr.DataArray(sales, dims=("region", "year"),
                                      coords={"region": pts["region"].values, "year": years})
    da = xr.concat(list(parts.values()), dim=xr.Variable("product", list(parts)))
    return da.transpose("product", "region", "year"), rel_error, negative


def spin_up(lifetimes: Iterable[Lifetime]) -> int:
    """Years of cohorts before the first year: 3 mean lifetimes of the longest-lived product."""
    return int(np.ceil(SPIN_UP_LIFETIMES * max(lt.expected() for lt in lifetimes)))


def from_energy(cfg: MaterialsConfig, energy: xr.Dataset | None,
                years: np.ndarray) -> xr.DataArray | None:
    """Units entering use by product, region and year from the energy stage's additions.

    ``energy_basis = "additions"``: capacity ``additions`` (GW per period, by
    technology) feed products counted per MW; ``vehicle_sales`` (million per year,
    by vehicle) feed products counted per vehicle, spread evenly over each period.
    Each key of ``from_energy`` names a technology or a vehicle type.
    """
    if energy is None or not cfg.from_energy:
        return None
    available: dict[str, tuple[xr.DataArray, str]] = {}
    for var, dim, basis in ENERGY_SOURCES:
        if var not in energy:
            continue
        da = _year_region_item(energy, var, dim)
        annual = _annual_additions(da)
        annual = annual.reindex(year=years, fill_value=0.0)
        annual = annual * _to_basis(str(energy[var].attrs.get("units", "")), basis)
        for item in annual[dim].values:
            available[_norm(item)] = (annual.sel({dim: item}, drop=True), basis)
    out = _split(cfg, available, "capacity additions or sales")
    if not out:
        return None
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
