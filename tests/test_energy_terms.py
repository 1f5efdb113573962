"""shigen.energy.terms: numpy-held linear expressions agree with linopy's algebra."""

from __future__ import annotations

import linopy
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from shigen.energy.terms import Terms, constraint

R = pd.Index(["a", "b"], name="region")
T = pd.Index(["coal", "gas", "wind"], name="technology")
Y = pd.Index([2005, 2010, 2015], name="year")


def model() -> tuple[linopy.Model, linopy.Variable, linopy.Variable]:
    m = linopy.Model(force_dim_names=True)
    x = m.add_variables(lower=0, coords=[R, T, Y], name="x")
    z = m.add_variables(lower=0, coords=[R, Y], name="z")
    return m, x, z


def value(t: Terms, sol: np.ndarray) -> xr.DataArray:
    """Evaluate an expression at variable values ``sol`` (indexed by label)."""
    vals = np.where(t.vars >= 0, sol[np.maximum(t.vars, 0)], 0.0)
    return t.dataarray((t.coeffs * vals).sum(-1) + t.const)


def lvalue(e: linopy.LinearExpression, sol: np.ndarray) -> xr.DataArray:
    d = e.data
    vals = xr.where(d.vars >= 0, xr.DataArray(sol)[d.vars.clip(min=0)].variable, 0.0)
    return (d.coeffs * vals).sum("_term") + d.const


def test_sum_of_scaled_variable_by_hand() -> None:
    """sum over technology of x x (1, 2, 3): cell (a, 2005) = x0 + 2 x1 + 3 x2."""
    m, x, _ = model()
    coef = xr.DataArray([1.0, 2.0, 3.0], dims="technology", coords={"technology": T})
    t = (Terms.of(x) * coef).sum("technology")
    assert t.dims == ("region", "year")
    labels = x.labels.sel(region="a", year=2005).values
    np.testing.assert_array_equal(t.vars[0, 0], labels)
    np.testing.assert_array_equal(t.coeffs[0, 0], [1.0, 2.0, 3.0])


def test_merge_of_different_labels_is_their_union() -> None:
    m, x, _ = model()
    a = Terms.of(x).sel(technology=["coal", "gas"])
    b = Terms.of(x).sel(technology=["gas", "wind"]) * 2.0
    s = a + b
    assert list(s.coords["technology"]) == ["coal", "gas", "wind"]
    # coal: only a's term; wind: only b's (twice); gas: both
    sol = np.arange(x.labels.size, dtype=float) + 1.0
    v = value(s, sol)
    xv = xr.DataArray(sol[x.labels.values], dims=x.labels.dims, coords=x.labels.coords)
    expect = xv * xr.DataArray([1.0, 3.0, 2.0], dims="technology", coords={"technology": T})
    xr.testing.assert_allclose(v, expect.transpose(*v.dims))


def test_groupby_sum_and_scalar_sel() -> None:
    m, x, _ = model()
    t = Terms.of(x).groupby_sum("technology", ["fossil", "fossil", "renewable"], "kind")
    assert t.dims == ("kind", "region", "year")
    sol = np.ones(x.labels.size)
    v = value(t, sol)
    assert float(v.sel(kind="fossil").max()) == 2.0 and float(v.sel(kind="renewable").max()) == 1.0
    assert Terms.of(x).sel(year=2010).dims == ("region", "technology")


def test_constraint_moves_constant_to_rhs() -> None:
    """x - 5 <= rhs(year) becomes x <= rhs + 5 on every cell."""
    m, x, _ = model()
    rhs = xr.DataArray([1.0, 2.0, 3.0], dims="year", coords={"year": Y})
    con = constraint(m, Terms.of(x) - 5.0, "<=", rhs)
    got = con.data["rhs"].sel(region="a", technology="gas")
    np.testing.assert_allclose(got.values, [6.0, 7.0, 8.0])


@settings(max_examples=25, deadline=None)
@given(c1=st.lists(st.floats(-5, 5), min_size=3, max_size=3),
       c2=st.lists(st.floats(-5, 5), min_size=3, max_size=3),
       k=st.floats(-10, 10), seed=st.integers(0, 1000))
def test_terms_agree_with_linopy(c1: list[float], c2: list[float], k: float,
                                 seed: int) -> None:
    """(x x c1(tech)).sum(tech) + z x c2(year) - x.sel(coal) + k, evaluated both ways."""
    m, x, z = model()
    a = xr.DataArray(c1, dims="technology", coords={"technology": T})
    b = xr.DataArray(c2, dims="year", coords={"year": Y})
    ours = (Terms.of(x) * a).sum("technology") + Terms.of(z) * b \
        - Terms.of(x).sel(technology="coal") + k
    theirs = (x * a).sum("technology") + z * b - x.sel(technology="coal", drop=True) + k
    sol = np.random.default_rng(seed).uniform(0, 10, m._xCounter)
    v, w = value(ours, sol), lvalue(theirs, sol)
    xr.testing.assert_allclose(v, w.transpose(*v.dims), rtol=1e-12, atol=1e-9)


def test_rhs_with_a_dimension_the_expression_lacks_is_refused() -> None:
    m, _, z = model()
    bad = xr.DataArray([1.0, 2.0, 3.0], dims="technology", coords={"technology": T})
    with pytest.raises(ValueError, match="dimensions"):
        constraint(m, Terms.of(z), "<=", bad)
