"""The headline atoms of a re-solved sample (shigen.energy.headline), piece by piece.

The end-to-end check (headline figures of re-solved BLUE samples equal the full
extraction of rebuilt ones) is in tests/test_uncertainty_resolve.py; these are the small
pieces it rests on, each against the code of the full extraction it replaces.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from shigen.energy import headline
from shigen.energy.constants import BN
from shigen.energy.results import _stock_investment


def _cells(values: np.ndarray, **coords: list[Any]) -> headline.Cells:
    return headline.Cells(values, {d: pd.Index(v, name=d) for d, v in coords.items()})


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**31 - 1))
def test_ramp_is_the_stock_investment_of_the_full_extraction(seed: int) -> None:
    rng = np.random.default_rng(seed)
    years, sectors = [2005, 2010, 2015, 2020], ["industry", "buildings", "transport"]
    outlay = rng.normal(1.0, 2.0, size=(3, 4))  # falls as well as rises
    decay = rng.uniform(0.0, 1.0, size=3)
    da = xr.DataArray(outlay, dims=("demand_sector", "year"),
                      coords={"demand_sector": sectors, "year": years})
    want = _stock_investment(da, xr.DataArray(decay, dims="demand_sector",
                                              coords={"demand_sector": sectors})) / BN
    got = _cells(outlay, demand_sector=sectors, year=years).ramp(
        _cells(np.broadcast_to(decay[:, None], (3, 4)).copy(), demand_sector=sectors,
               year=years))
    np.testing.assert_allclose(got.values, want.transpose("demand_sector", "year").values,
                               rtol=0, atol=1e-12)
    assert (got.values >= 0).all()


def test_cells_sum_pick_and_order_as_xarray_does() -> None:
    vals = np.arange(24.0).reshape(2, 3, 4)
    coords = {"region": ["A", "B"], "technology": ["coal", "nuclear", "storage"],
              "year": [2010, 2020, 2030, 2040]}
    c = _cells(vals, **coords)
    da = xr.DataArray(vals, dims=tuple(coords), coords=coords)
    by_year = c.only("technology", "year")
    np.testing.assert_array_equal(by_year.values, da.sum("region").values)
    assert list(by_year.coords) == ["technology", "year"]
    two = c.sel("technology", ["nuclear", "coal"]).only("year")
    np.testing.assert_array_equal(two.values,
                                  da.sel(technology=["nuclear", "coal"]).sum(
                                      ["region", "technology"]).values)
    one = c.sel("technology", "nuclear").only("year")
    assert one.series(np.array([2040, 2010])).tolist() == [
        float(da.sel(technology="nuclear", year=y).sum()) for y in (2040, 2010)]
    with pytest.raises(KeyError):
        c.sel("technology", ["hydro"])


def test_a_study_with_electricity_links_takes_the_full_path() -> None:
    f = SimpleNamespace(inp=SimpleNamespace(links=object()), cfg=None)
    with pytest.raises(headline.Unsupported, match="electricity links"):
        headline.atoms(f, None)  # type: ignore[arg-type]


def _stack(A: np.ndarray, const: np.ndarray) -> Any:
    slot = headline._Slot(slice(0, A.shape[0]), {"year": pd.Index([2010, 2020], name="year")})
    return headline._Stack(sp.csr_array(A), const, {"atom": slot})


def _recorder(joint_A: np.ndarray) -> headline.Recorder:
    """Two datasets moving one atom's coefficients by 1 and by 2 per unit of factor."""
    rec = headline.Recorder()
    base = np.array([[1.0, 0.0], [0.0, 1.0]])
    step = 0.05
    rec.stacks = {(): _stack(base, np.zeros(2)),
                  (("a", 1 + step),): _stack(base + step * np.eye(2), np.zeros(2)),
                  (("b", 1 + step),): _stack(base + 2 * step * np.eye(2), np.zeros(2)),
                  (("a", 1.075), ("b", 1.1)): _stack(joint_A, np.zeros(2))}
    rec._base = dict(dual_rows={}, objective_const=0.0, co2_price_given=None,
                     years=np.array([2010, 2020]), base_year=2005, step=5, units={},
                     physical_units={}, nx=2)
    return rec


def test_atoms_moved_by_a_product_of_datasets_are_refused() -> None:
    base = np.eye(2)
    linear = base + 0.075 * np.eye(2) + 2 * 0.1 * np.eye(2)  # the sum of the single moves
    hm = _recorder(linear).finish(0.05, {"a": 1.075, "b": 1.1})
    x = np.array([2.0, 3.0])
    got = hm.values(x, {"a": 1.075, "b": 1.1})["atom"].values
    np.testing.assert_allclose(got, linear @ x, rtol=1e-12)
    curved = linear + 0.01 * np.eye(2)  # a*b: the joint move is not the sum
    with pytest.raises(headline.Unsupported, match="other than linearly"):
        _recorder(curved).finish(0.05, {"a": 1.075, "b": 1.1})
