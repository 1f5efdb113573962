"""The cohort models' triangular BLAS products and solves against plain numpy."""

from __future__ import annotations

import numpy as np
import pytest

from shigen.materials import cohort
from shigen.materials.lifetimes import Lifetime, LifetimeKind, outflow_matrix, survival_matrix


def test_triangular_product_and_solve_match_numpy() -> None:
    rng = np.random.default_rng(5)
    lt = Lifetime(LifetimeKind.NORMAL, mean=12.0, std=3.0)
    sf, pdf = survival_matrix(lt, 60), outflow_matrix(lt, 60)
    x = rng.random((25, 60)) * 100
    out = np.empty_like(x)
    cohort._times_lower_t(x, pdf, out)
    assert out == pytest.approx(x @ pdf.T, rel=1e-12, abs=1e-9)
    stock = x @ sf.T
    back = np.empty_like(x)
    cohort._solve_lower_t(stock, sf, back)
    assert back == pytest.approx(x, rel=1e-9, abs=1e-9)
    assert stock == pytest.approx(x @ sf.T)        # inputs left alone


def test_stock_driven_refuses_products_that_never_survive_a_year() -> None:
    gone = Lifetime(LifetimeKind.FIXED, mean=0.0)
    with pytest.raises(ValueError, match="survive their first year"):
        cohort.stock_driven(np.ones((1, 5)), [gone])
