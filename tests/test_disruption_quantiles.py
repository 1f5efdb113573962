"""The fast statistics of the disruption stage give numpy's numbers, bit for bit.

``draw_quantiles`` replaces ``np.quantile`` over draws, and the kernel's helpers replace
numpy expressions; the stage's results must not move by one ulp (the golden outputs and
common-random-number comparisons between studies rely on it).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from shigen.disruption.kernel import _by_year, _draws_last, _sum_of_products
from shigen.disruption.quantiles import draw_quantiles

FAN = (0.05, 0.25, 0.5, 0.75, 0.95)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and \
        np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()


@st.composite
def draws(draw: st.DrawFn) -> np.ndarray:
    """(rows, draws) arrays where most draws often share one value, as in a disruption run."""
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    rows = draw(st.integers(1, 4))
    n = draw(st.integers(1, 300))
    common = draw(st.sampled_from([0.0, 1.0, 2.5, -3.0]))
    x = np.full((rows, n), common, dtype=dtype)
    share = draw(st.floats(0.0, 1.0))
    values = draw(hnp.arrays(dtype, (rows, n), elements=st.floats(
        -1e6, 1e6, allow_nan=False, width=32 if dtype == np.float32 else 64)))
    mask = draw(hnp.arrays(np.float64, (rows, n), elements=st.floats(0, 1))) < share
    # + 0.0: no -0.0 (numpy's partition orders 0.0 and -0.0 as it happens to; the
    # kernel's arrays hold no -0.0)
    x[mask] = values[mask] + dtype(0.0)
    return x


@settings(max_examples=150, deadline=None)
@given(draws(), st.sampled_from([FAN, (0.05, 0.5, 0.95), (0.0, 1.0), (0.3,)]))
def test_draw_quantiles_are_numpys_bit_for_bit(x: np.ndarray, qs: tuple[float, ...]) -> None:
    assert same_bits(draw_quantiles(x, qs), np.quantile(x, qs, axis=-1))
    # draws on another axis, read through a strided view
    assert same_bits(draw_quantiles(x.T, qs, axis=0), np.quantile(x.T, qs, axis=0))


def test_shortfall_like_rows_by_hand() -> None:
    # 90 draws without a shortfall, ten with 1..10 t: P95 sits between the 95th and
    # 96th smallest (0-based ranks 94.05), i.e. 5 + 0.05 x (6 - 5) = 5.05 t
    x = np.zeros(100)
    x[90:] = np.arange(1.0, 11.0)
    np.random.default_rng(0).shuffle(x)
    assert draw_quantiles(x, (0.5, 0.95)).tolist() == pytest.approx([0.0, 5.05])


def test_rows_with_nan_give_nan_like_numpy() -> None:
    x = np.zeros((2, 50))
    x[0, 7] = np.nan
    x[1, :3] = (1.0, 2.0, 3.0)
    got = draw_quantiles(x, FAN)
    assert np.isnan(got[:, 0]).all()
    assert same_bits(got, np.quantile(x, FAN, axis=-1))


def test_the_year_draw_market_layout_of_the_kernel() -> None:
    rng = np.random.default_rng(3)
    short = np.where(rng.random((6, 500, 3)) < 0.1, rng.random((6, 500, 3)), 0.0)
    kept = _draws_last(short, np.float32)          # (Y, n, M) view of a (Y, M, n) array
    assert kept.shape == (6, 500, 3) and kept.transpose(0, 2, 1).flags.c_contiguous
    assert same_bits(draw_quantiles(kept, FAN, axis=1),
                     np.quantile(np.ascontiguousarray(kept), FAN, axis=1))


def test_kernel_sums_match_numpy_expressions() -> None:
    rng = np.random.default_rng(4)
    a = rng.random((12, 40, 2))
    b = rng.random((12, 40, 2)).astype(np.float32)
    assert same_bits(_sum_of_products(a, b), (a * b).sum(axis=0))
    # monthly steps into years: a running sum in step order, as the recursion had it
    running = np.zeros((3, 40, 2))
    for t in range(12):
        running[t // 4] += a[t]
    assert same_bits(_by_year(a, 4), running)
    assert _by_year(a, 1) is a
