"""Cohort models: hand-checked cases and property tests (mass balance, no negative stock)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from shigen.materials import cohort
from shigen.materials.lifetimes import (
    Lifetime,
    LifetimeKind,
    outflow_matrix,
    survival_by_age,
    survival_matrix,
)
from shigen.materials.testing import assert_agree, assert_non_negative
from shigen.testing import assert_mass_balance

FIXED = LifetimeKind.FIXED


@pytest.mark.parametrize("life", [1, 3, 10])
@pytest.mark.parametrize("at", ["start", "middle", "end"])
def test_fixed_lifetime_pulse_leaves_exactly_l_years_later(life: int, at: str) -> None:
    # a unit pulse in year 2 with fixed lifetime L is one unit of outflow in year 2+L, nothing else
    pulse = np.zeros((1, 1, 20))
    pulse[0, 0, 2] = 1.0
    flows = cohort.inflow_driven(pulse, [Lifetime(FIXED, mean=life)], at)  # type: ignore[arg-type]
    expected = np.zeros(20)
    expected[2 + life] = 1.0
    # middle/end: age at end of year t is t-c+0.5 / t-c; start: t-c+1 < L ⇒ leaves in c+L-1
    if at == "start":
        expected = np.roll(expected, -1)
    np.testing.assert_array_equal(flows.outflow[0, 0], expected)
    # in use at L year-ends (L-1 when inflow is at the start of the year)
    assert flows.stock[0, 0].sum() == life - (at == "start")
    assert_mass_balance(flows.inflow, flows.outflow, flows.stock, rtol=0.0)


@pytest.mark.parametrize("life", [2, 5, 12])
def test_stock_driven_constant_stock_needs_inflow_s_over_l(life: int) -> None:
    # stock ramps up S/L per year for L years, then stays at S: steady-state inflow is S/L
    s = 120.0
    t = np.arange(40)
    stock = np.minimum((t + 1) * s / life, s)[None, None, :]
    flows = cohort.stock_driven(stock, [Lifetime(FIXED, mean=life)])
    np.testing.assert_allclose(flows.inflow[0, 0], s / life, rtol=1e-12)
    np.testing.assert_allclose(flows.outflow[0, 0, life:], s / life, rtol=1e-12)
    assert_mass_balance(flows.inflow, flows.outflow, flows.stock)


def test_stock_driven_normal_lifetime_converges_to_stock_over_mean_residence() -> None:
    # renewal theorem, discrete: constant stock S ⇒ inflow → S / Σ_k sf(k)
    lt = Lifetime(LifetimeKind.NORMAL, mean=10, std=2)
    n = 200
    stock = np.full((1, 1, n), 50.0)
    flows = cohort.stock_driven(stock, [lt])
    residence = survival_by_age(lt, n).sum()  # ≈ mean lifetime (10 years)
    assert residence == pytest.approx(10.0, abs=1e-6)
    assert flows.inflow[0, 0, -1] == pytest.approx(50.0 / residence, rel=1e-6)


def test_survival_matrix_is_toeplitz_and_outflow_rows_sum_to_retirement() -> None:
    lt = Lifetime(LifetimeKind.WEIBULL, shape=2.0, scale=8.0)
    sf, pdf = survival_matrix(lt, 30), outflow_matrix(lt, 30)
    assert np.allclose(np.triu(sf, 1), 0) and np.allclose(np.diag(sf), sf[0, 0])
    # what left cohort 0 by year t plus what is still there is the whole cohort
    np.testing.assert_allclose(pdf[:, 0].cumsum() + sf[:, 0], 1.0, rtol=1e-14)


def test_lifetime_groups_are_solved_with_their_own_lifetime() -> None:
    inflow = np.zeros((2, 3, 10))
    inflow[:, :, 0] = 1.0
    flows = cohort.inflow_driven(inflow, [Lifetime(FIXED, mean=2), Lifetime(FIXED, mean=5)])
    assert flows.outflow[0, :, 2].tolist() == [1.0, 1.0, 1.0]
    assert flows.outflow[1, :, 5].tolist() == [1.0, 1.0, 1.0]


def test_stock_driven_inverts_inflow_driven() -> None:
    rng = np.random.default_rng(1)
    inflow = rng.random((3, 4, 60))
    lts = [Lifetime(LifetimeKind.NORMAL, mean=12, std=3),
           Lifetime(LifetimeKind.LOGNORMAL, mean=8, std=4),
           Lifetime(LifetimeKind.WEIBULL, shape=1.5, scale=10)]
    forward = cohort.inflow_driven(inflow, lts)
    back = cohort.stock_driven(forward.stock, lts)
    assert_agree(back.inflow, inflow, rtol=1e-9)
    assert_agree(back.outflow, forward.outflow, rtol=1e-9)


def test_bad_lifetimes_are_rejected() -> None:
    with pytest.raises(ValueError, match="std"):
        Lifetime(LifetimeKind.NORMAL, mean=10)
    with pytest.raises(ValueError, match="survive"):
        cohort.stock_driven(np.ones((1, 5)), [Lifetime(FIXED, mean=0)], "end")
    with pytest.raises(ValueError, match="lifetime groups"):
        cohort.inflow_driven(np.ones((2, 5)), [Lifetime(FIXED, mean=1)])


lifetimes = st.one_of(
    st.builds(lambda m: Lifetime(FIXED, mean=m), st.integers(1, 40).map(float)),
    st.builds(lambda m, s: Lifetime(LifetimeKind.NORMAL, mean=m, std=s),
              st.floats(0.5, 40), st.floats(0.1, 15)),
    st.builds(lambda m, s: Lifetime(LifetimeKind.LOGNORMAL, mean=m, std=s),
              st.floats(0.5, 40), st.floats(0.1, 15)),
    st.builds(lambda k, s: Lifetime(LifetimeKind.WEIBULL, shape=k, scale=s),
              st.floats(0.3, 8), st.floats(0.5, 40)),
)


@settings(max_examples=60, deadline=None)
@given(inflow=arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(1, 4),
                                              st.integers(1, 60)),
                     elements=st.floats(0, 1e6, allow_subnormal=False)),
       lt=lifetimes, at=st.sampled_from(["start", "middle", "end"]))
def test_inflow_driven_balances_and_never_goes_negative(inflow: np.ndarray, lt: Lifetime,
                                                        at: str) -> None:
    flows = cohort.inflow_driven(inflow, [lt] * inflow.shape[0], at)  # type: ignore[arg-type]
    assert_mass_balance(flows.inflow, flows.outflow, flows.stock, rtol=1e-9)
    assert_non_negative(flows.stock, "stock")
    assert_non_negative(flows.outflow, "outflow")
    # nothing leaves that did not come in
    assert flows.outflow.sum() <= flows.inflow.sum() * (1 + 1e-12) + 1e-9


# subnormal flows (~5e-324 t) are excluded: their relative error is a floating-point artifact
@settings(max_examples=40, deadline=None)
@given(increments=arrays(np.float64, st.tuples(st.integers(1, 3), st.integers(2, 50)),
                         elements=st.floats(0, 1e4, allow_subnormal=False)),
       lt=lifetimes)
def test_stock_driven_balances_on_growing_stocks(increments: np.ndarray, lt: Lifetime) -> None:
    stock = np.cumsum(increments, axis=-1)[None]
    try:
        flows = cohort.stock_driven(stock, [lt])
    except ValueError:  # lifetime shorter than the first year: rightly refused
        assert survival_matrix(lt, stock.shape[-1])[0, 0] == 0.0
        return
    assert_mass_balance(flows.inflow, flows.outflow, flows.stock, rtol=1e-9)
    assert_non_negative(flows.stock, "stock")
