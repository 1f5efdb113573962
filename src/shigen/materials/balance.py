"""Mass balance: the residual of a stock or a process and its relative size.

One measure serves the cohort models while they solve, the materials stage's run
checks (per element) and :func:`shigen.testing.assert_mass_balance`: the largest
``|residual|`` over the largest flow or stock it balances. Relative to the largest
flow, not elementwise, because a year with almost no flow would otherwise fail on
rounding alone.

Examples
--------
>>> import numpy as np
>>> inflow, outflow, stock = np.array([10.0, 12.0]), np.array([4.0, 5.0]), np.array([6.0, 13.0])
>>> stock_balance(inflow, outflow, stock).tolist()
[0.0, 0.0]
>>> too_high = np.array([6.0, 14.0])  # 1 t more in stock than came in net
>>> rel_error(stock_balance(inflow, outflow, too_high), [inflow, outflow, too_high]) == 1 / 14
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

import numpy as np
import xarray as xr

__all__ = ["max_abs", "rel_error", "stock_balance"]


def stock_balance(inflow: np.ndarray, outflow: np.ndarray, stock: np.ndarray) -> np.ndarray:
    """``inflow - outflow - (stock[t] - stock[t-1])`` with ``stock[-1] = 0`` (time last)."""
    out = np.subtract(inflow, outflow)
    out -= stock
    out[..., 1:] += stock[..., :-1]
    return out


def max_abs(a: np.ndarray) -> float:
    """Largest absolute entry (0 for an empty array); two reductions, no temporary."""
    if a.size == 0:
        return 0.0
    return max(float(np.max(a)), -float(np.min(a)))


@overload
def rel_error(residual: np.ndarray | xr.DataArray,
              scale_of: Sequence[np.ndarray | xr.DataArray], by: None = None) -> float: ...


@overload
def rel_error(residual: xr.DataArray, scale_of: Sequence[xr.DataArray],
              by: str) -> dict[str, float]: ...


def rel_error(residual: np.ndarray | xr.DataArray,
              scale_of: Sequence[np.ndarray | xr.DataArray],
              by: str | None = None) -> float | dict[str, float]:
    """Largest ``|residual|`` over the largest ``|flow|`` of ``scale_of`` (0 where all are 0).

    With ``by`` (labelled arrays), one ratio per coordinate of that dimension, e.g. per
    element, each over that coordinate's own largest flow.
    """
    if by is None:
        scale = max((max_abs(np.asarray(s)) for s in scale_of), default=0.0)
        return max_abs(np.asarray(residual)) / scale if scale > 0 else 0.0
    if not isinstance(residual, xr.DataArray) or not all(
            isinstance(s, xr.DataArray) for s in scale_of):
        raise TypeError("rel_error(..., by=dim) needs labelled arrays")
    flows = [s for s in scale_of if isinstance(s, xr.DataArray)]
    largest = xr.concat([abs(s).max([d for d in s.dims if d != by]) for s in flows], "_")
    by_scale: xr.DataArray = largest.max("_")
    err = abs(residual).max([d for d in residual.dims if d != by]) / by_scale.where(by_scale > 0)
    return {str(k): float(v) for k, v in err.fillna(0.0).to_series().items()}
