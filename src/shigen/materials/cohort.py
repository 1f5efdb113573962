"""Vectorised cohort (dynamic stock) models: inflow-driven and stock-driven.

All series that share a lifetime are solved at once: the survival matrix of a
lifetime is built once (:func:`shigen.materials.lifetimes.survival_matrix`) and
applied to every series by one triangular matrix product (inflow-driven) or one
triangular solve with many right-hand sides (stock-driven), both in BLAS. Arrays
carry time on the **last** axis and the lifetime group on the **first**; everything
between (element, region, Monte Carlo draw, ...) is batched.

Every model returns :class:`StockFlows`, whose mass balance
``inflow - outflow - (stock[t] - stock[t-1]) = 0`` is computed from the two
matrix products independently, so the check can fail.

Examples
--------
>>> import numpy as np
>>> from shigen.materials.lifetimes import Lifetime, LifetimeKind
>>> pulse = np.zeros((1, 6)); pulse[0, 0] = 1.0
>>> flows = inflow_driven(pulse, [Lifetime(LifetimeKind.FIXED, mean=3)])
>>> flows.outflow[0].tolist()
[0.0, 0.0, 0.0, 1.0, 0.0, 0.0]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.linalg import blas

from shigen.materials.balance import max_abs, rel_error, stock_balance
from shigen.materials.lifetimes import (
    InflowAt,
    Lifetime,
    outflow_matrix,
    survival_matrix,
)


@dataclass(frozen=True)
class StockFlows:
    """Inflow, in-use stock (end of year) and outflow of a batch of series, time last."""

    inflow: np.ndarray
    stock: np.ndarray
    outflow: np.ndarray
    rel_error: float
    """Mass-balance error found while solving, block by block (see :meth:`max_rel_error`)."""

    def balance(self) -> np.ndarray:
        """``inflow - outflow - Δstock`` per series and year (zero up to rounding)."""
        return stock_balance(self.inflow, self.outflow, self.stock)

    def max_rel_error(self) -> float:
        """Largest absolute imbalance over the largest flow or stock (0 for empty models)."""
        return rel_error(self.balance(), [self.inflow, self.outflow, self.stock])


class _BalanceTracker:
    """Mass balance checked per lifetime group while its block is still in cache."""

    def __init__(self) -> None:
        self.error = 0.0
        self.scale = 0.0

    def add(self, inflow: np.ndarray, outflow: np.ndarray, stock: np.ndarray) -> None:
        self.error = max(self.error, max_abs(stock_balance(inflow, outflow, stock)))
        self.scale = max(self.scale, max_abs(inflow), max_abs(outflow), max_abs(stock))

    @property
    def relative(self) -> float:
        return self.error / self.scale if self.scale > 0 else 0.0


def _times_lower_t(x: np.ndarray, lower: np.ndarray, out: np.ndarray) -> None:
    """``out = x @ lower.T`` for a lower-triangular ``lower``, series on rows.

    BLAS ``dtrmm`` multiplies by a triangular matrix in half the operations of a full
    product (``np.matmul`` does not know the upper half is zero). Seen column-major,
    ``out.T = lower @ x.T``: ``out`` receives ``x`` and is multiplied in place.
    ``lower.T`` is the column-major view of ``lower``, so no copy is made.
    """
    if out.size == 0:
        return
    np.copyto(out, x)
    res = blas.dtrmm(1.0, lower.T, out.T, side=0, lower=0, trans_a=1, overwrite_b=1)
    if not np.shares_memory(res, out):     # BLAS worked on a copy (never for our arrays)
        out[...] = res.T


def _solve_lower_t(y: np.ndarray, lower: np.ndarray, out: np.ndarray) -> None:
    """``out`` such that ``out @ lower.T = y`` for a lower-triangular ``lower``.

    One BLAS ``dtrsm`` with every series as a right-hand side (as :func:`_times_lower_t`:
    ``lower @ out.T = y.T``, column-major, in place); no inverse is formed.
    """
    if out.size == 0:
        return
    if lower[0, 0] <= 0.0:
        raise ValueError("a lifetime retires everything in the year of inflow; a "
                         "stock-driven model needs products that survive their first year")
    np.copyto(out, y)
    res = blas.dtrsm(1.0, lower.T, out.T, side=0, lower=0, trans_a=1, overwrite_b=1)
    if not np.shares_memory(res, out):     # BLAS worked on a copy (never for our arrays)
        out[...] = res.T


def _groups(values: np.ndarray, lifetimes: Sequence[Lifetime]) -> None:
    if values.ndim < 2:
        raise ValueError("arrays need a lifetime-group axis first and time last")
    if values.shape[0] != len(lifetimes):
        raise ValueError(f"{values.shape[0]} lifetime groups in the array but "
                         f"{len(lifetimes)} lifetimes given")


def inflow_driven(inflow: np.ndarray, lifetimes: Sequence[Lifetime],
                  inflow_at: InflowAt = "middle") -> StockFlows:
    """Stock and outflow from inflow: ``stock = inflow @ sfᵀ``, ``outflow = inflow @ pdfᵀ``.

    Parameters
    ----------
    inflow
        Shape ``(G, ..., T)``: lifetime group ``g`` uses ``lifetimes[g]``.
    lifetimes
        One lifetime per group (equal lifetimes share one cached matrix).
    inflow_at
        When in the year inflow happens (flodym's convention; default middle).
    """
    inflow = np.asarray(inflow, dtype=float)
    _groups(inflow, lifetimes)
    n_t = inflow.shape[-1]
    stock = np.empty_like(inflow)
    outflow = np.empty_like(inflow)
    check = _BalanceTracker()
    for g, lifetime in enumerate(lifetimes):
        x, s, o = (a[g].reshape(-1, n_t) for a in (inflow, stock, outflow))
        _times_lower_t(x, survival_matrix(lifetime, n_t, inflow_at), s)
        _times_lower_t(x, outflow_matrix(lifetime, n_t, inflow_at), o)
        check.add(x, o, s)
    return StockFlows(inflow, stock, outflow, check.relative)


def stock_driven(stock: np.ndarray, lifetimes: Sequence[Lifetime],
                 inflow_at: InflowAt = "middle") -> StockFlows:
    """Inflow and outflow that make the in-use stock follow ``stock`` (start from empty).

    The system ``sf · inflow = stock`` is lower-triangular: one triangular solve per
    lifetime with all series of the group as right-hand sides. Inflow comes out
    negative where the stock falls faster than products retire; that is reported, not
    hidden.
    """
    stock = np.asarray(stock, dtype=float)
    _groups(stock, lifetimes)
    n_t = stock.shape[-1]
    stock = stock.copy()
    inflow = np.empty_like(stock)
    outflow = np.empty_like(stock)
    check = _BalanceTracker()
    for g, lifetime in enumerate(lifetimes):
        x, s, o = (a[g].reshape(-1, n_t) for a in (inflow, stock, outflow))
        _solve_lower_t(s, survival_matrix(lifetime, n_t, inflow_at), x)
        _times_lower_t(x, outflow_matrix(lifetime, n_t, inflow_at), o)
        check.add(x, o, s)
    return StockFlows(inflow, stock, outflow, check.relative)


def labelled(values: xr.DataArray, lifetimes: Mapping[str, Lifetime], *, by: str,
             time: str = "year", driven_by: str = "inflow",
             inflow_at: InflowAt = "middle") -> xr.Dataset:
    """Run a cohort model on a labelled array; lifetimes vary along dimension ``by``.

    Returns a dataset with ``inflow``, ``stock`` and ``outflow`` on the dims of
    ``values`` (``by`` first, ``time`` last) and the scalar attribute
    ``max_rel_error``.
    """
    missing = [k for k in values[by].values if str(k) not in lifetimes]
    if missing:
        raise ValueError(f"no lifetime for {by} {missing}")
    other = [d for d in values.dims if d not in (by, time)]
    arr = values.transpose(by, *other, time)
    lts = [lifetimes[str(k)] for k in arr[by].values]
    model = inflow_driven if driven_by == "inflow" else stock_driven
    flows = model(np.ascontiguousarray(arr.values), lts, inflow_at)
    coords = arr.coords
    out = xr.Dataset({name: (arr.dims, getattr(flows, name), ) for name in
                      ("inflow", "stock", "outflow")}, coords=coords)
    out.attrs["max_rel_error"] = flows.rel_error
    return out
