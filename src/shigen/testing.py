"""Domain assertions for tests: shares, concentration, mass and energy balances.

Like ``xarray.testing``, these raise ``AssertionError`` with a message that names
the worst offending coordinates, so a failing test says *where* a law breaks.
shigen's own tests use them, and so can studies and plug-in stages.

Examples
--------
>>> import xarray as xr
>>> from shigen import testing
>>> s = xr.DataArray([[0.6, 0.4], [0.5, 0.5]], dims=("year", "country"),
...                  coords={"year": [2009, 2010], "country": ["CHN", "USA"]})
>>> testing.assert_shares_sum_to_one(s, "country")
>>> testing.assert_hhi_within_bounds(testing.hhi(s, "country"), s, "country")
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xarray as xr

from shigen.materials import balance
from shigen.supply import indicators

__all__ = [
    "assert_balance",
    "assert_energy_balance",
    "assert_finite",
    "assert_hhi_within_bounds",
    "assert_mass_balance",
    "assert_shares_in_unit_interval",
    "assert_shares_sum_to_one",
    "hhi",
    "hhi_bounds",
]

ArrayLike = xr.DataArray | Mapping[str, float]


def _as_array(values: ArrayLike, dim: str) -> xr.DataArray:
    if isinstance(values, xr.DataArray):
        return values
    keys = list(values)
    return xr.DataArray([float(values[k]) for k in keys], dims=(dim,), coords={dim: keys})


def _worst(diff: xr.DataArray, n: int = 3) -> str:
    """The ``n`` largest absolute deviations with their coordinates, for messages."""
    if diff.ndim == 0:
        return f"{float(diff):+.3g}"
    series = abs(diff).to_series().dropna().sort_values(ascending=False)
    parts = [f"{k}: {diff.to_series()[k]:+.3g}" for k in series.index[:n]]
    return "; ".join(parts)


def assert_balance(lhs: xr.DataArray, rhs: xr.DataArray, *, what: str = "balance",
                   rtol: float = 1e-9, atol: float = 1e-9) -> None:
    """Assert ``lhs == rhs`` elementwise within ``atol + rtol * |rhs|`` (NaN on both sides ok).

    Raises
    ------
    AssertionError
        Naming the worst coordinates and their deviation.
    """
    lhs, rhs = xr.align(lhs, rhs, join="outer")
    both_nan = lhs.isnull() & rhs.isnull()
    diff = (lhs - rhs).where(~both_nan, 0.0)
    tol = atol + rtol * abs(rhs).fillna(0.0)
    bad = (abs(diff) > tol) | diff.isnull()
    if bool(bad.any()):
        n_bad = int(bad.sum())
        raise AssertionError(f"{what} violated at {n_bad} point(s); worst: "
                             f"{_worst(diff.where(bad))} (atol={atol}, rtol={rtol})")


def assert_shares_in_unit_interval(shares: xr.DataArray, *, atol: float = 1e-12) -> None:
    """Assert every (non-NaN) share is a fraction in [0, 1]."""
    low = shares < -atol
    high = shares > 1 + atol
    if bool((low | high).any()):
        raise AssertionError("shares outside [0, 1]: "
                             f"{_worst(shares.where(low | high))}")


def assert_shares_sum_to_one(shares: ArrayLike, dim: str, *, atol: float = 1e-9) -> None:
    """Assert shares are in [0, 1] and sum to one along ``dim`` wherever any is given.

    Slices that are all NaN (no data for that year, commodity, ...) are skipped.
    """
    da = _as_array(shares, dim)
    assert_shares_in_unit_interval(da, atol=atol)
    present = da.notnull().any(dim)
    total = da.sum(dim, skipna=True).where(present)
    assert_balance(total, xr.ones_like(total).where(present), what=f"shares summing to one over "
                   f"'{dim}'", atol=atol, rtol=0.0)


def hhi(shares: ArrayLike, dim: str, *, exclude: tuple[str, ...] = ("OTHER",)) -> xr.DataArray:
    """Herfindahl–Hirschman index Σ s² along ``dim`` (0–1 scale), excluding aggregates.

    :func:`shigen.supply.indicators.hhi_along` (missing shares count as zero; a slice
    with no share at all gives NaN).

    >>> round(float(hhi({"CHN": 0.5, "USA": 0.3, "OTHER": 0.2}, "country")), 12)
    0.34
    """
    return indicators.hhi_along(_as_array(shares, dim), dim, exclude)


def hhi_bounds(shares: ArrayLike, dim: str,
               *, exclude: tuple[str, ...] = ("OTHER",)) -> tuple[xr.DataArray, xr.DataArray]:
    """Bounds of the HHI of named suppliers whose shares sum to ``S`` over ``n`` names.

    Σ s² is smallest when the ``n`` shares are equal (``S²/n``) and largest when one
    holds everything (``S²``); with ``S = 1`` this is the familiar ``[1/n, 1]``.
    """
    da = _as_array(shares, dim)
    drop = [c for c in exclude if c in da[dim].values]
    named = da.drop_sel({dim: drop}) if drop else da
    total = named.sum(dim, skipna=True)
    n = (named.fillna(0.0) > 0).sum(dim)
    low = xr.where(n > 0, total**2 / n.where(n > 0), 0.0)
    return low, total**2


def assert_hhi_within_bounds(value: xr.DataArray | float, shares: ArrayLike, dim: str,
                             *, exclude: tuple[str, ...] = ("OTHER",),
                             atol: float = 1e-9) -> None:
    """Assert an HHI lies within :func:`hhi_bounds` of the shares it was computed from."""
    low, high = hhi_bounds(shares, dim, exclude=exclude)
    val = value if isinstance(value, xr.DataArray) else xr.DataArray(float(value))
    bad = ((val < low - atol) | (val > high + atol)) & val.notnull()
    if bool(bad.any()):
        off = xr.where(val > high, val - high, val - low).where(bad)
        raise AssertionError(f"HHI outside [S²/n, S²] (deviation beyond the bound): "
                             f"{_worst(off)}")


def assert_mass_balance(inflow: np.ndarray | xr.DataArray, outflow: np.ndarray | xr.DataArray,
                        stock: np.ndarray | xr.DataArray | None = None, *, time: str = "year",
                        rtol: float = 1e-9) -> None:
    """Assert inflow − outflow = Δstock within ``rtol`` of the largest flow or stock.

    ``stock`` is the stock at the end of each period, empty before the first (omit it
    for a process without a stock: inflow = outflow). Arrays are NumPy with time on the
    last axis or labelled arrays with a ``time`` dimension. The measure is the materials
    stage's own (:func:`shigen.materials.balance.rel_error`), so a test and a run agree
    on what balances.

    >>> import numpy as np
    >>> assert_mass_balance(np.array([10.0, 12.0]), np.array([4.0, 5.0]), np.array([6.0, 13.0]))
    """
    given = [inflow, outflow, inflow * 0.0 if stock is None else stock]
    labels: xr.DataArray | None = None
    if all(isinstance(a, xr.DataArray) for a in given):
        aligned = xr.align(*[a for a in given if isinstance(a, xr.DataArray)], join="exact")
        labels = aligned[0].transpose(..., time)
        given = [labels, *(a.transpose(..., time) for a in aligned[1:])]
    arrays = [np.asarray(a, dtype=float) for a in given]
    residual = balance.stock_balance(*arrays)
    err = balance.rel_error(residual, arrays)
    if not err <= rtol:
        where = "" if labels is None else f"; worst: {_worst(labels.copy(data=residual))}"
        raise AssertionError(f"mass balance (in − out = Δstock) off by {err:.3g} relative to "
                             f"the largest flow (> {rtol:g}){where}")


def assert_energy_balance(generation: xr.DataArray, demand: xr.DataArray, dim: str = "technology",
                          *, rtol: float = 1e-6, atol: float = 1e-6) -> None:
    """Assert generation summed over ``dim`` meets demand in every other coordinate."""
    supplied = generation.sum(dim, skipna=True)
    assert_balance(supplied, demand, what=f"energy balance (Σ over '{dim}' = demand)",
                   rtol=rtol, atol=atol)


def assert_finite(da: xr.DataArray) -> None:
    """Assert no value is ±inf (NaN marks missing data and is allowed)."""
    bad = np.isinf(da)
    if bool(bad.any()):
        raise AssertionError(f"infinite values: {_worst(da.where(bad))}")
