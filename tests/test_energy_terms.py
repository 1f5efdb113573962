"""shigen.energy.terms: numpy-held linear expressions agree with linopy's algebra."""

from __future__ import annotations

from typing import Any

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


# ---- review: partial label overlap, dims order, scalars, non-finite coefficients --------

@settings(max_examples=25, deadline=None)
@given(keep=st.lists(st.sampled_from(list(T)), min_size=1, max_size=3, unique=True),
       extra=st.booleans(), coefs=st.lists(st.floats(-5, 5), min_size=4, max_size=4),
       s=st.floats(-3, 3), seed=st.integers(0, 1000))
def test_partial_overlap_and_dims_order_agree_with_linopy(
        keep: list[str], extra: bool, coefs: list[float], s: float, seed: int) -> None:
    """A coefficient on some technologies (plus, maybe, one the expression lacks), given with
    its dimensions in the other order, equals linopy's product with the coefficient
    reindexed to the expression's labels with 0 (the documented rule), to 1e-9."""
    m, x, _ = model()
    labels = keep + (["hydro"] if extra else [])
    vals = np.array(coefs[:len(labels)])[:, None] * np.array([1.0, 2.0, 3.0])[None, :]
    coef = xr.DataArray(vals, dims=("technology", "year"),
                        coords={"technology": labels, "year": Y}).transpose("year", "technology")
    ours = (Terms.of(x) * coef * s).sum("technology")
    filled = coef.reindex(technology=T, fill_value=0.0)
    theirs = (x * filled * s).sum("technology")
    sol = np.random.default_rng(seed).uniform(0, 10, m._xCounter)
    v, w = value(ours, sol), lvalue(theirs, sol)
    assert set(v.dims) == {"region", "year"}
    xr.testing.assert_allclose(v, w.transpose(*v.dims), rtol=1e-12, atol=1e-9)


def test_scalar_and_zero_dim_array_are_the_same_coefficient() -> None:
    m, x, _ = model()
    a = Terms.of(x) * 2.5
    b = Terms.of(x) * xr.DataArray(2.5)
    np.testing.assert_array_equal(a.coeffs, b.coeffs)
    assert a.dims == b.dims


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_coefficient_is_refused(bad: float) -> None:
    """NaN or inf coefficients must never reach the solver: an array, a scalar, a divisor."""
    m, x, _ = model()
    coef = xr.DataArray([1.0, bad, 3.0], dims="technology", coords={"technology": T})
    with pytest.raises(ValueError, match="not finite"):
        Terms.of(x) * coef
    with pytest.raises(ValueError, match="not finite"):
        Terms.of(x) * bad
    with pytest.raises(ValueError, match="not finite"):
        Terms.of(x) / xr.DataArray([1.0, 0.0, 2.0], dims="technology",
                                   coords={"technology": T})


def test_nan_in_coefficient_on_a_label_the_expression_lacks_is_harmless() -> None:
    """Only the cells the expression has are checked (hydro is dropped by the reindex)."""
    m, x, _ = model()
    coef = xr.DataArray([1.0, 2.0, 3.0, np.nan], dims="technology",
                        coords={"technology": [*T, "hydro"]})
    t = Terms.of(x) * coef
    assert np.isfinite(t.coeffs).all()


# ---- review: constraint families of the BLUE model against plain linopy algebra ---------

def _canonical(con: Any) -> dict[tuple[Any, ...], tuple[dict[int, float], float, str]]:
    """Per cell: {variable label: summed coefficient} (zeros dropped), rhs, sign."""
    d = con.data if hasattr(con, "data") else con
    dims = [str(x) for x in d["rhs"].dims]
    coeffs = d["coeffs"].transpose(*dims, "_term").values
    vars_ = d["vars"].transpose(*dims, "_term").values
    rhs = d["rhs"].transpose(*dims).values
    sign = np.broadcast_to(d["sign"].transpose(*dims).values, rhs.shape)
    out = {}
    for idx in np.ndindex(rhs.shape):
        key = tuple(str(d.indexes[dim][i]) for dim, i in zip(dims, idx, strict=True))
        terms: dict[int, float] = {}
        for c, v in zip(coeffs[idx], vars_[idx], strict=True):
            if v >= 0 and c != 0:
                terms[int(v)] = terms.get(int(v), 0.0) + float(c)
        out[key] = ({k: c for k, c in terms.items() if abs(c) > 1e-12}, float(rhs[idx]),
                    str(sign[idx]))
    return out


def _same(ours: Any, theirs: Any) -> None:
    a, b = _canonical(ours), _canonical(theirs)
    assert a.keys() == b.keys()
    for key in a:
        (ta, ra, sa), (tb, rb, sb) = a[key], b[key]
        norm = {"=": "==", "==": "==", "<=": "<=", ">=": ">="}
        assert norm[sa] == norm[sb], key
        assert ta.keys() == tb.keys(), key
        for v in ta:
            assert ta[v] == pytest.approx(tb[v], rel=1e-12, abs=1e-12), (key, v)
        assert ra == pytest.approx(rb, rel=1e-12, abs=1e-9), key


def test_blue_families_equal_their_linopy_algebra() -> None:
    """sector_balance, fuel_switch, travel_demand, liquid_fuel and vehicle_stock of the BLUE
    model, built with Terms, have the same terms, coefficients (1e-12) and right-hand sides
    as the same constraints written in linopy's own algebra."""
    from pathlib import Path

    from shigen.datasets import Catalogue
    from shigen.energy.inputs import load_inputs
    from shigen.energy.model import create_model
    from shigen.study import load_study

    root = Path(__file__).resolve().parents[1]
    cfg = load_study(root / "studies" / "etp2008-blue.toml").energy
    assert cfg is not None
    inp = load_inputs(cfg, Catalogue.bundled())
    f = create_model(cfg, inp)
    v, m = f.values, f.m
    demand, mix = inp.final_demand, inp.fuel_mix
    use, save = v["end_use"], v["saving"]
    _same(m.constraints["sector_balance"],
          (use.sum("end_fuel") + save.sum("step") == demand))
    with pytest.raises(AssertionError):  # the comparison sees a changed coefficient
        _same(m.constraints["sector_balance"],
              (use.sum("end_fuel") + 2 * save.sum("step") == demand))
    _same(m.constraints["fuel_switch"],
          (v["fuel_switch"] - use >= -(mix * demand)))
    _same(m.constraints["travel_demand"], (v["travel"].sum("vehicle") == inp.ldv_demand))
    per_km = inp.vehicle_intensity.sel(carrier="liquids", drop=True)
    _same(m.constraints["liquid_fuel"],
          (v["ldv_liquid"].sum("liquid") - (v["travel"] * per_km).sum("vehicle") == 0))
    life = inp.vehicle_life
    alive = f.alive(life)
    old = inp.vehicle_stock * (1 - f.turnover(life)) * inp.mileage
    stock_km = (v["vehicle_sales"].rename(year="vintage") * (alive * inp.mileage)).sum(
        "vintage")
    _same(m.constraints["vehicle_stock"], (v["travel"] - stock_km <= old))


def test_unlabelled_numpy_array_is_refused_not_broadcast_into_objects() -> None:
    """A bare ndarray has no labels to align: refused; numpy scalars still work."""
    m, x, _ = model()
    with pytest.raises(TypeError):
        np.array([1.0, 2.0, 3.0]) * Terms.of(x)
    with pytest.raises(TypeError):
        Terms.of(x) * np.array([1.0, 2.0, 3.0])
    t = np.float64(2.0) * Terms.of(x)
    assert isinstance(t, Terms) and float(t.coeffs.max()) == 2.0


def test_nan_right_hand_side_is_refused_not_dropped() -> None:
    """NaN data, or a year the right-hand side lacks, would silently drop constraint cells."""
    m, _, z = model()
    rhs = xr.DataArray([1.0, np.nan, 3.0], dims="year", coords={"year": Y})
    with pytest.raises(ValueError, match="right-hand side is not finite .* 2010"):
        constraint(m, Terms.of(z), "<=", rhs)
    short = xr.DataArray([1.0, 2.0], dims="year", coords={"year": Y[:2]})
    with pytest.raises(ValueError, match="2015"):
        constraint(m, Terms.of(z), "<=", short)
    with pytest.raises(ValueError, match="right-hand side"):
        constraint(m, Terms.of(z) + float("nan"), "<=", 0.0)
    inf = xr.DataArray([1.0, np.inf, 3.0], dims="year", coords={"year": Y})
    assert np.isinf(constraint(m, Terms.of(z), "<=", inf).data["rhs"].values).any()
