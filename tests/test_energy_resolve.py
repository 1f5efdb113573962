"""The energy LP built once and re-solved equals the rebuilt LP (issue 19 item 4), on BLUE."""

from __future__ import annotations

import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.energy.resolve import LinearLP, lp_arrays, solve_arrays
from shigen.study import load_study

LINEAR = ["energy-ccs-cost", "energy-fuel-price"]  # costs: objective coefficients only


@pytest.fixture(scope="module")
def blue() -> tuple[LinearLP, Catalogue]:
    study = load_study("studies/etp2008-blue.toml")
    assert study.energy is not None
    cat = Catalogue.bundled()
    return LinearLP(study.energy, cat, [*LINEAR, "energy-tech-lifetime"]), cat


def test_costs_are_linear_and_lifetimes_are_not(blue: tuple[LinearLP, Catalogue]) -> None:
    lp, _ = blue
    # a lifetime enters through the annuity factor r / (1 − (1 + r)^−n): not linear
    assert sorted(lp.deltas) == LINEAR and lp.nonlinear == ["energy-tech-lifetime"]
    assert not lp.linear({"energy-tech-lifetime": 1.1}) and lp.linear({"energy-ccs-cost": 1.1})


def test_resolved_equals_rebuilt_on_several_samples(blue: tuple[LinearLP, Catalogue]) -> None:
    lp, cat = blue
    assert lp.base.vlabels.size > 1000
    rng = np.random.default_rng(19)
    capacity = np.isin(lp.base.vlabels, lp.base.vlabels)  # every variable, compared below
    for _ in range(3):
        f = {n: float(rng.uniform(0.7, 1.3)) for n in LINEAR}
        rebuilt = lp_arrays(lp.cfg, cat.with_factors(f))
        predicted = lp.predict(f)
        # the arrays themselves: base + Σ (f − 1)·ΔM is the rebuilt LP
        assert abs(predicted.A - rebuilt.A).max() <= 1e-9 * abs(rebuilt.A).max()
        np.testing.assert_allclose(predicted.c, rebuilt.c, rtol=1e-9, atol=1e-12)
        np.testing.assert_array_equal(predicted.row_lower, rebuilt.row_lower)
        obj, _, how = lp.solve(f)  # warm-started from the previous sample's basis
        ref_obj, ref_x = solve_arrays(rebuilt)
        assert how == "resolved"
        assert obj == pytest.approx(ref_obj, rel=1e-9)
        # the same LP solved the same (cold) way gives the same vertex: key variables agree
        cold_obj, cold_x = solve_arrays(predicted)
        assert cold_obj == pytest.approx(ref_obj, rel=1e-9)
        np.testing.assert_allclose(cold_x[capacity], ref_x[capacity], rtol=1e-6, atol=1e-6)
    assert lp.stats.resolved == 3


def test_a_nonlinear_dataset_is_rebuilt(blue: tuple[LinearLP, Catalogue]) -> None:
    lp, cat = blue
    f = {"energy-tech-lifetime": 1.2, "energy-ccs-cost": 0.9}
    obj, _, how = lp.solve(f)
    assert how == "rebuilt"
    assert obj == pytest.approx(solve_arrays(lp_arrays(lp.cfg, cat.with_factors(f)))[0], rel=1e-9)
