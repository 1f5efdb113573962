"""Appraisal: hand-checked TOPSIS and weighted sum, dominance, rank stability."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from shigen.policy import appraisal


def test_weighted_sum_by_hand():
    # criterion 0 (min): 1, 2, 3 → minmax 1, 0.5, 0; criterion 1 (max): 0, 10, 5 → 0, 1, 0.5
    x = np.array([[1.0, 0.0], [2.0, 10.0], [3.0, 5.0]])
    s = appraisal.weighted_sum(x, np.array([1.0, 3.0]), np.array([False, True]))
    np.testing.assert_allclose(s, [0.25, 0.125 + 0.75, 0.375], atol=1e-12)


def test_topsis_by_hand():
    # two packages, two benefit criteria, equal weights; vector norms: sqrt(10), sqrt(20)
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    v = 0.5 * x / np.sqrt([10.0, 20.0])
    d_plus = np.linalg.norm(v - v.max(axis=0), axis=1)
    d_minus = np.linalg.norm(v - v.min(axis=0), axis=1)
    expect = d_minus / (d_plus + d_minus)
    s = appraisal.topsis(x, np.array([1.0, 1.0]), np.array([True, True]))
    np.testing.assert_allclose(s, expect, atol=1e-12)
    np.testing.assert_allclose(s, [0.0, 1.0], atol=1e-12)  # package 1 is the ideal


def test_identical_packages_tie_and_keep_order():
    x = np.array([[2.0, 5.0], [2.0, 5.0]])
    for m in ("topsis", "weighted-sum"):
        s = appraisal.scores(x, np.array([0.3, 0.7]), np.array([False, True]), m)
        assert s[0] == s[1]
        assert appraisal.ranking(s).tolist() == [0, 1]


@settings(max_examples=60, deadline=None)
@given(others=arrays(float, st.tuples(st.integers(1, 5), st.integers(1, 5)),
                     elements=st.floats(0.0, 100.0)),
       gap=st.floats(0.01, 10.0), sense=st.lists(st.booleans(), min_size=5, max_size=5),
       weights=arrays(float, 5, elements=st.floats(0.001, 1.0)),
       method=st.sampled_from(["topsis", "weighted-sum"]))
def test_dominating_package_ranks_first_for_every_weight(others, gap, sense, weights, method):
    benefit = np.array(sense[: others.shape[1]])
    w = weights[: others.shape[1]]
    # strictly better than every other package on every criterion
    best = np.where(benefit, others.max(axis=0) + gap, others.min(axis=0) - gap)
    x = np.vstack([others, best])
    s = appraisal.scores(x, w, benefit, method)
    assert appraisal.ranking(s)[0] == len(others)
    assert (s[-1] > s[:-1]).all()
    stab = appraisal.rank_stability(x, benefit, method, 500, seed=1)
    assert stab[-1] == 1.0


def test_rank_stability_shares_sum_to_one_and_are_seeded():
    x = np.array([[1.0, 9.0], [9.0, 1.0], [5.0, 5.0]])
    benefit = np.array([True, True])
    a = appraisal.rank_stability(x, benefit, "weighted-sum", 20_000, seed=3)
    b = appraisal.rank_stability(x, benefit, "weighted-sum", 20_000, seed=3)
    assert a.sum() == pytest.approx(1.0)
    np.testing.assert_array_equal(a, b)
    # weighted sum with minmax: 0 wins when w0 > 0.5 and w0 > w1·... by symmetry 0 and 1
    # share the simplex equally; package 2 scores 0.5 always and wins only on the tie line
    assert a[0] == pytest.approx(0.5, abs=0.02) and a[1] == pytest.approx(0.5, abs=0.02)
    assert a[2] == 0.0


@settings(max_examples=40, deadline=None)
@given(x=arrays(float, (4, 3), elements=st.floats(0.1, 100.0)),
       scale=st.floats(0.01, 100.0), shift=st.floats(-50.0, 50.0))
def test_invariance_to_units(x, scale, shift):
    # TOPSIS (vector normalisation) does not depend on the unit of a criterion (scaling);
    # the weighted sum (min–max) does not depend on its unit or its origin (affine maps)
    # packages that differ only in the last bits tie after a rescaling rounds them together:
    # that is floating point, not a dependence on units, so such draws are not the question
    assume(np.ptp(x, axis=0).min() > 1e-6)
    w, benefit = np.array([0.2, 0.3, 0.5]), np.array([True, False, True])
    y = x.copy()
    y[:, 1] *= scale
    np.testing.assert_allclose(appraisal.topsis(y, w, benefit), appraisal.topsis(x, w, benefit),
                               atol=1e-9)
    y[:, 2] = y[:, 2] * scale + shift
    np.testing.assert_allclose(appraisal.weighted_sum(y, w, benefit),
                               appraisal.weighted_sum(x, w, benefit), atol=1e-9)
