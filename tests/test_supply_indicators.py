"""Indicator formulas: hand-checked values and invariants (hypothesis)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shigen.supply import indicators as ind

shares_st = st.dictionaries(
    st.sampled_from(["CHN", "USA", "AUS", "MMR", "RUS", "KAZ", "CAN", "NAM"]),
    st.floats(min_value=0.001, max_value=100.0), min_size=1, max_size=8)


def test_hhi_hand_checked():
    # two equal suppliers: 0.5² + 0.5² = 0.5 (5000 points)
    assert ind.hhi({"CHN": 0.5, "USA": 0.5}) == pytest.approx(0.5, abs=1e-12)
    assert ind.hhi_points({"CHN": 0.5, "USA": 0.5}) == pytest.approx(5000.0, abs=1e-9)
    # OTHER is a residual, not a supplier: 0.9² = 0.81
    assert ind.hhi({"CHN": 0.9, "OTHER": 0.1}) == pytest.approx(0.81, abs=1e-12)


def test_top_ignores_other_and_breaks_ties_by_code():
    assert ind.top({"OTHER": 0.6, "CHN": 0.4}) == ("CHN", 0.4)
    assert ind.top({"AUS": 0.5, "USA": 0.5}) == ("USA", 0.5)
    assert ind.top({"OTHER": 1.0}) == (None, None)


@given(shares_st)
def test_hhi_bounds(vol):
    s = ind.shares(vol)
    n = len(s)
    h = ind.hhi(s)
    assert 1.0 / n - 1e-12 <= h <= 1.0 + 1e-12


@given(shares_st)
def test_hhi_permutation_invariant(vol):
    s = ind.shares(vol)
    rev = dict(reversed(list(s.items())))
    assert ind.hhi(rev) == pytest.approx(ind.hhi(s), rel=1e-12)


@given(st.floats(min_value=1e-6, max_value=1e9))
def test_hhi_single_supplier_is_one(v):
    assert ind.hhi(ind.shares({"CHN": v})) == pytest.approx(1.0, abs=1e-12)


@given(st.floats(min_value=0, max_value=1), st.floats(min_value=0, max_value=1))
def test_reciprocity_symmetric_and_bounded(a, b):
    r = ind.reciprocity(a, b)
    assert r == ind.reciprocity(b, a)
    assert 0.0 <= r <= 1.0


@given(st.floats(min_value=0, max_value=1), st.floats(min_value=0, max_value=1))
def test_barbieri_symmetric(a, b):
    assert ind.salience(a, b) == pytest.approx(ind.salience(b, a))
    assert ind.symmetry(a, b) == ind.symmetry(b, a)
    assert -1.0 <= ind.asymmetry(a, b) <= 1.0


def test_import_reliance():
    assert ind.import_reliance(0.0, 10.0) == 1.0
    assert ind.import_reliance(30.0, 70.0, 0.0) == pytest.approx(0.7)
    with pytest.raises(ValueError):
        ind.import_reliance(0.0, 1.0, 2.0)


def test_wgi_scaled_and_instability():
    best = dict.fromkeys(["va", "pv", "ge", "rq", "rl", "cc"], 2.5)
    worst = dict.fromkeys(best, -2.5)
    assert ind.wgi_scaled(best) == 0.0 and ind.wgi_scaled(worst) == 10.0
    assert ind.political_instability(2.5) == 0.0
    assert ind.political_instability(-2.5) == 1.0
    with pytest.raises(ValueError):
        ind.wgi_scaled({"va": 0.0})


def test_eu_supply_risk_formula_by_hand():
    # [4·0.8/2 + 2·(1 − 0.8/2)] · (1 − 0.1) · 0.9 = (1.6 + 1.2) · 0.81 = 2.268
    assert ind.eu_supply_risk(4.0, 2.0, 0.8, 0.1, 0.9) == pytest.approx(2.268, abs=1e-12)


def test_geopolrisk_by_hand():
    # HHI 0.5 · F/(p+F) 1 · (0.6·0.9 + 0.2·0.1); OTHER (0.2) has no g -> covered 0.8
    g, cov = ind.geopolrisk(0.5, {"CHN": 0.6, "AUS": 0.2, "OTHER": 0.2},
                            {"CHN": 0.9, "AUS": 0.1}, 1.0)
    assert g == pytest.approx(0.5 * (0.54 + 0.02), abs=1e-12)
    assert cov == pytest.approx(0.8)


def test_salience_symmetry_by_hand():
    assert ind.salience(0.2, 0.05) == pytest.approx(math.sqrt(0.01))
    assert ind.symmetry(0.2, 0.05) == pytest.approx(0.85)
