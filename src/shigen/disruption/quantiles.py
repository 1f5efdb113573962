"""Quantiles over Monte Carlo draws where most draws share one value.

In most draws of a disruption study nothing happens in a given year (the shortfall is
exactly 0, the price ratio exactly 1) or only a scheduled event does (the same cut in
every draw). ``np.quantile`` still partitions every draw. :func:`draw_quantiles` finds
the value most draws share, sets those draws aside (they fill a known block of ranks of
the sorted sample), partitions only the others and interpolates exactly as
``np.quantile`` does with its default ``linear`` method, so the result is the same to
the last bit (``tests/test_disruption_quantiles.py`` checks it against ``np.quantile``).

>>> import numpy as np
>>> x = np.array([[0.0, 0.0, 0.0, 3.0, 0.0, 1.0]])
>>> draw_quantiles(x, (0.5, 0.9))
array([[0.],
       [2.]])
>>> np.quantile(x, (0.5, 0.9), axis=-1)
array([[0.],
       [2.]])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# above this share of draws away from the common value, a plain partition of the whole
# row is as fast as setting the common draws aside
DENSE_SHARE = 0.5
# draws looked at to find the common value (odd: one middle value)
SAMPLE = 63


def draw_quantiles(x: np.ndarray, qs: Sequence[float], axis: int = -1) -> np.ndarray:
    """``np.quantile(x, qs, axis=axis)``, faster when most draws share one value.

    Same result as numpy's default (``linear``) method, bit for bit.

    Returns an array of shape ``(len(qs), *other axes)``, float64 as ``np.quantile``
    gives for float32 and float64 input. ``x`` is not modified and need not be
    contiguous; rows holding a NaN give NaN, as in numpy. (Where a row mixes 0.0 and
    -0.0, a zero result may carry either sign, as numpy's own partition order decides.)
    """
    q = np.asarray(qs, dtype=float)
    if q.ndim != 1 or np.any((q < 0) | (q > 1)) or x.dtype.kind != "f":
        raise ValueError("draw_quantiles takes a sequence of quantiles in [0, 1] and a "
                         "float array")
    rows = np.moveaxis(x, axis, -1)
    n = rows.shape[-1]
    if n == 0:
        return np.quantile(x, q, axis=axis)
    # numpy's linear method: virtual index (n - 1) q, its floor and the next rank; at the
    # top both are the last rank and numpy takes the weight from index -1 (which decides
    # the sign of a zero result)
    virtual = (n - 1) * q
    top = virtual >= n - 1
    prev = np.where(top, n - 1, np.floor(virtual)).astype(np.intp)
    nxt = np.where(top, n - 1, prev + 1)
    gamma = virtual - np.where(top, -1, prev)
    ranks = np.unique(np.concatenate([prev, nxt]))
    ia, ib = np.searchsorted(ranks, prev), np.searchsorted(ranks, nxt)
    out = np.empty((len(q), *rows.shape[:-1]))
    # slabs of rows, each made contiguous (a small copy when ``axis`` is not last, as for
    # the (year, draw, market) arrays) so that every row is read at full speed
    slabs = rows.reshape((-1, *rows.shape[-2:])) if rows.ndim > 1 else rows[None, None]
    flat = out.reshape(len(q), slabs.shape[0], slabs.shape[1])
    for s, slab in enumerate(slabs):
        slab = np.ascontiguousarray(slab)
        for k, row in enumerate(slab):
            at = _order_statistics(row, ranks)
            if at is None:      # a NaN in the row: numpy's answer
                flat[:, s, k] = np.quantile(row, q)
            else:
                flat[:, s, k] = _lerp(at[ia], at[ib], gamma)
    return out


def _order_statistics(row: np.ndarray, ranks: np.ndarray) -> np.ndarray | None:
    """Values of ``row`` at the sorted ``ranks`` (in ``row``'s dtype); None if it holds a NaN."""
    n = row.shape[0]
    # a value more than half the draws share is, most likely, the middle one of the
    # first few (if not, few draws match it and the whole row is partitioned)
    head = np.partition(row[:SAMPLE], min(SAMPLE, n) // 2)
    common = head[min(SAMPLE, n) // 2]
    # a copy (partitioning it leaves x alone); np.compress is ~3x faster than row[mask]
    other = np.compress(row != common, row)
    if other.size > DENSE_SHARE * n:        # no such value (or NaN): partition the whole row
        other = np.array(row)
        other.partition(np.concatenate([ranks, [n - 1]]))
        return None if np.isnan(other[-1]) else other[ranks]
    if np.isnan(other).any():
        return None
    below = int(np.count_nonzero(other < common))
    n_common = n - other.size
    # sorted row = [other below common] [common x n_common] [other above common]
    in_block = (ranks >= below) & (ranks < below + n_common)
    pos = np.where(ranks < below, ranks, ranks - n_common)[~in_block]
    vals = np.full(ranks.shape, common, dtype=row.dtype)
    if pos.size:
        other.partition(pos)
        vals[~in_block] = other[pos]
    return vals


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Interpolate between neighbouring order statistics as numpy does.

    Operation for operation as ``numpy.lib._function_base_impl._lerp``, so that results
    match bit for bit.
    """
    diff = b - a                            # in the data's dtype, as numpy computes it
    out = np.add(a, diff * t)
    np.subtract(b, diff * (1 - t), out=out, where=t >= 0.5)
    return out
