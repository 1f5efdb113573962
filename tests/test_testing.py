"""The public testing helpers: they pass on good data and fail, with a located message,
on bad data. Includes hypothesis properties of the HHI."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given
from hypothesis import strategies as st

from shigen import testing
from shigen.supply import indicators


def shares_2d() -> xr.DataArray:
    return xr.DataArray([[0.6, 0.3, 0.1], [0.5, np.nan, 0.5], [np.nan, np.nan, np.nan]],
                        dims=("year", "country"),
                        coords={"year": [2009, 2010, 2011], "country": ["CHN", "USA", "OTHER"]})


def test_shares_sum_to_one_passes_and_skips_empty_slices() -> None:
    testing.assert_shares_sum_to_one(shares_2d(), "country")


def test_shares_sum_to_one_names_the_bad_year() -> None:
    bad = shares_2d().copy()
    bad.loc[{"year": 2010, "country": "CHN"}] = 0.4
    with pytest.raises(AssertionError, match="2010.*-0.1"):
        testing.assert_shares_sum_to_one(bad, "country")


def test_share_above_one_fails() -> None:
    with pytest.raises(AssertionError, match=r"outside \[0, 1\]"):
        testing.assert_shares_sum_to_one({"CHN": 1.2, "OTHER": -0.2}, "country")


def test_hhi_by_hand() -> None:
    h = testing.hhi(shares_2d(), "country")
    # 0.6² + 0.3² = 0.45 (OTHER excluded); 0.5² = 0.25; no data → NaN
    assert float(h.sel(year=2009)) == pytest.approx(0.45)
    assert float(h.sel(year=2010)) == pytest.approx(0.25)
    assert np.isnan(float(h.sel(year=2011)))
    testing.assert_hhi_within_bounds(h, shares_2d(), "country")


def test_hhi_outside_bounds_fails() -> None:
    with pytest.raises(AssertionError, match="HHI outside"):
        testing.assert_hhi_within_bounds(0.4, {"CHN": 0.5, "USA": 0.5}, "country")  # < 1/2


def test_mass_balance() -> None:
    years = {"year": [2020, 2021]}
    inflow = xr.DataArray([10.0, 12.0], dims="year", coords=years)
    outflow = xr.DataArray([4.0, 5.0], dims="year", coords=years)
    testing.assert_mass_balance(inflow, outflow, xr.DataArray([6.0, 13.0], dims="year",
                                                              coords=years))
    # a stock 1 t too high in 2021: off by 1/14 of the largest flow or stock, found there
    with pytest.raises(AssertionError, match=r"off by 0.0714 .*2021: -1"):
        testing.assert_mass_balance(inflow, outflow, xr.DataArray([6.0, 14.0], dims="year",
                                                                  coords=years))
    # a process without a stock; NumPy arrays carry time last
    testing.assert_mass_balance(np.array([[3.0, 4.0]]), np.array([[3.0, 4.0]]))
    with pytest.raises(AssertionError, match="off by 0.25"):
        testing.assert_mass_balance(np.array([[3.0, 4.0]]), np.array([[3.0, 3.0]]))


def test_energy_balance() -> None:
    gen = xr.DataArray([[100.0, 50.0], [80.0, 80.0]], dims=("year", "technology"),
                       coords={"year": [2030, 2040], "technology": ["nuclear", "wind"]})
    demand = xr.DataArray([150.0, 160.0], dims="year", coords={"year": [2030, 2040]})
    testing.assert_energy_balance(gen, demand)
    with pytest.raises(AssertionError, match="energy balance.*2040"):
        testing.assert_energy_balance(gen, demand + xr.DataArray([0, 1.0], dims="year",
                                                                 coords={"year": [2030, 2040]}))


def test_balance_fails_when_one_side_is_missing() -> None:
    a = xr.DataArray([1.0, 2.0], dims="x", coords={"x": [0, 1]})
    b = xr.DataArray([1.0], dims="x", coords={"x": [0]})
    with pytest.raises(AssertionError, match="1 point"):
        testing.assert_balance(a, b)


def test_assert_finite() -> None:
    testing.assert_finite(xr.DataArray([1.0, np.nan]))
    with pytest.raises(AssertionError, match="infinite"):
        testing.assert_finite(xr.DataArray([1.0, np.inf]))


# --- HHI properties ----------------------------------------------------------------------
# volumes in tonnes: no subnormal floats (5e-324 t x 0.5 underflows to 0, which no trade
# statistic holds; hypothesis found it in CI)
volumes = st.dictionaries(st.sampled_from(["CHN", "USA", "AUS", "KAZ", "CAN", "RUS", "OTHER"]),
                          st.floats(min_value=0.0, max_value=1e9, allow_nan=False,
                                    allow_subnormal=False),
                          min_size=1)


@given(volumes)
def test_shares_of_positive_volumes_sum_to_one(v: dict[str, float]) -> None:
    s = indicators.shares(v)
    if sum(x for x in v.values() if x > 0) > 0:
        testing.assert_shares_sum_to_one(s, "country")
    else:
        assert s == {}


@given(volumes)
def test_hhi_lies_between_s2_over_n_and_s2(v: dict[str, float]) -> None:
    s = indicators.shares(v)
    if not s:
        return
    h = indicators.hhi(s)
    testing.assert_hhi_within_bounds(h, s, "country")
    assert 0.0 <= h <= 1.0 + 1e-12
    assert h == pytest.approx(float(testing.hhi(s, "country")), abs=1e-12)


@given(volumes, st.floats(min_value=1e-3, max_value=1e6))
def test_hhi_is_scale_invariant(v: dict[str, float], k: float) -> None:
    a = indicators.hhi(indicators.shares(v))
    b = indicators.hhi(indicators.shares({c: x * k for c, x in v.items()}))
    assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


@given(st.integers(min_value=1, max_value=50))
def test_hhi_of_n_equal_suppliers_is_one_over_n(n: int) -> None:
    s = indicators.shares({f"C{i:02d}": 1.0 for i in range(n)})
    assert indicators.hhi(s) == pytest.approx(1.0 / n, rel=1e-12)


@given(volumes)
def test_merging_two_suppliers_never_lowers_hhi(v: dict[str, float]) -> None:
    named = [c for c in v if c != "OTHER"]
    if len(named) < 2:
        return
    a, b = named[:2]
    merged = {c: x for c, x in v.items() if c not in (a, b)}
    merged[a] = v[a] + v[b]
    assert indicators.hhi(indicators.shares(merged)) >= indicators.hhi(
        indicators.shares(v)) - 1e-12


def test_array_hhi_is_the_supply_indicator_slice_by_slice() -> None:
    # one formula: the array form must give the dict form's number exactly, with missing
    # shares left out, OTHER excluded and an all-missing slice NaN
    s = xr.DataArray([[0.5, 0.3, 0.2], [np.nan, 0.9, 0.1], [np.nan, np.nan, np.nan]],
                     dims=("year", "country"),
                     coords={"year": [2009, 2010, 2011], "country": ["CHN", "USA", "OTHER"]})
    h = testing.hhi(s, "country")
    assert float(h.sel(year=2009)) == indicators.hhi({"CHN": 0.5, "USA": 0.3, "OTHER": 0.2})
    assert float(h.sel(year=2010)) == indicators.hhi({"USA": 0.9})
    assert np.isnan(float(h.sel(year=2011)))
    assert float(testing.hhi(s, "country", exclude=()).sel(year=2009)) == 0.38
