"""Input-output algebra on tables a person can invert by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shigen.datasets import Catalogue
from shigen.economy import IOTable, leontief_inverse, market_impact
from shigen.economy import data as edata
from shigen.errors import InputError

# A chain: sector a sells 50 to b, b sells 100 to c; outputs 100, 200, 400.
CHAIN = IOTable(["a", "b", "c"],
                np.array([[0.0, 50.0, 0.0], [0.0, 0.0, 100.0], [0.0, 0.0, 0.0]]),
                np.array([100.0, 200.0, 400.0]), np.array([100.0, 150.0, 300.0]), "USD")


def test_leontief_inverse_of_the_chain_by_hand() -> None:
    # A = Z / x by column: A[a,b] = 50/200 = 0.25, A[b,c] = 100/400 = 0.25 (nilpotent), so
    # L = I + A + A^2 = [[1, .25, .0625], [0, 1, .25], [0, 0, 1]]
    expected = np.array([[1.0, 0.25, 0.0625], [0.0, 1.0, 0.25], [0.0, 0.0, 1.0]])
    np.testing.assert_allclose(leontief_inverse(CHAIN.a), expected, rtol=0, atol=1e-12)
    # final demand for c falls by 100: c loses 100, b 25 (its sales to c), a 6.25
    loss = CHAIN.output_loss_from_demand(np.array([0.0, 0.0, 100.0]))
    np.testing.assert_allclose(loss, [6.25, 25.0, 100.0], rtol=0, atol=1e-9)


def test_ghosh_shortfall_of_the_chain_by_hand() -> None:
    # B = Z / x by row: B[a,b] = 0.5, B[b,c] = 0.5; G = I + B + B^2. Sector a loses 10 of
    # a primary input: a -10, b -5 (half of a's output went to b), c -2.5
    loss = CHAIN.output_loss_from_supply(np.array([10.0, 0.0, 0.0]))
    np.testing.assert_allclose(loss, [10.0, 5.0, 2.5], rtol=0, atol=1e-9)
    # value added per output: a 1, b 0.75, c 0.75 -> 10 + 3.75 + 1.875 = 15.625
    imp = market_impact(CHAIN, np.array([1.0, 0.0, 0.0]), 1.0,
                        np.array([[10.0, 0.0], [10.0, 20.0]]), np.zeros((2, 2)))
    assert imp.multiplier == pytest.approx(1.5625, abs=1e-12)
    # draw 0: 10 a year for two years; draw 1: 0 then 20 -> both 15.625 a year on average
    np.testing.assert_allclose(imp.annual_loss_by_draw, [15.625, 15.625], atol=1e-9)
    assert imp.top_industries(2)[0][0] == "a"
    assert imp.expected_value_added_by_industry.sum() == pytest.approx(15.625)


def test_price_cost_counts_beside_gdp() -> None:
    imp = market_impact(CHAIN, np.array([1.0, 0.0, 0.0]), 1.0, np.zeros((1, 3)),
                        np.array([[0.0, 5.0, 7.0]]))
    np.testing.assert_allclose(imp.annual_loss_by_draw, [0.0, 5.0, 7.0])
    np.testing.assert_allclose(imp.value_added_by_draw, 0.0)


def test_loss_is_capped_at_the_economy() -> None:
    imp = market_impact(CHAIN, np.array([0.0, 0.0, 1.0]), 1.0, np.array([[1e9]]),
                        np.zeros((1, 1)))
    assert imp.annual_loss_by_draw[0] == pytest.approx(CHAIN.v.sum())


def test_from_long_builds_output_from_column_totals() -> None:
    rows = [("a", "b", 50.0), ("b", "c", 100.0), ("a", "fd", 50.0), ("b", "fd", 100.0),
            ("c", "fd", 400.0), ("91-va", "a", 100.0), ("91-va", "b", 150.0),
            ("91-va", "c", 300.0)]
    t = IOTable.from_long(pd.DataFrame(rows, columns=["row", "column", "value"]), "USD")
    assert t.industries == ["a", "b", "c"]
    np.testing.assert_allclose(t.x, [100.0, 200.0, 400.0])
    np.testing.assert_allclose(t.v, [100.0, 150.0, 300.0])


def test_zero_output_sector_is_refused() -> None:
    with pytest.raises(InputError, match="no output"):
        IOTable(["a"], np.zeros((1, 1)), np.zeros(1), np.zeros(1), "USD")


def test_bundled_japan_table_balances_and_matches_the_published_totals() -> None:
    cat = Catalogue.bundled()
    t = edata.load_table(cat, "JPN")
    assert len(t.industries) == 13
    # MIC 2011: domestic output 939.7 trillion yen, gross value added 463.3 trillion yen,
    # converted at 79.81 yen per USD
    assert t.x.sum() * 79.81 == pytest.approx(939.675e12, rel=1e-4)
    assert t.v.sum() * 79.81 == pytest.approx(463.272e12, rel=1e-4)
    # a productive table: L >= I elementwise and L (I - A) = I
    lmat = leontief_inverse(t.a)
    np.testing.assert_allclose(lmat @ (np.eye(13) - t.a), np.eye(13), atol=1e-9)
    assert (np.diag(lmat) >= 1.0).all() and (lmat >= -1e-12).all()
    for c in ("rare-earths", "lng", "crude-oil", "uranium"):
        assert edata.entry_shares(cat, "JPN", c, t).sum() == pytest.approx(1.0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1e6), min_size=3, max_size=3),
       st.floats(0.1, 10.0))
def test_loss_is_linear_and_non_negative(cut: list[float], k: float) -> None:
    dv = np.array(cut)
    one = CHAIN.output_loss_from_supply(dv)
    assert (one >= -1e-9).all()
    np.testing.assert_allclose(CHAIN.output_loss_from_supply(k * dv), k * one, rtol=1e-9,
                               atol=1e-6)
    assert one.sum() >= dv.sum() - 1e-6  # forward linkages only add to the direct cut


def test_entry_shares_must_add_up_to_one(tmp_path) -> None:
    (tmp_path / "catalogue.toml").write_text('''
[datasets.io-entry-jpn]
title = "entry shares that do not add up"
file = "entry.csv"
source = "test"
edition = "test"
license = "test"
unit = "fraction"
dimensions = ["commodity", "industry"]
status = "estimate"
''', "utf-8")
    (tmp_path / "entry.csv").write_text(
        "commodity,industry,value,unit\nlng,03-manufacturing,0.5,fraction\n"
        "lng,05-electricity-gas-and-water-supply,0.3,fraction\n", "utf-8")
    cat = Catalogue([tmp_path])  # the bundled datasets, this folder's entry shares on top
    t = edata.load_table(cat, "JPN")
    with pytest.raises(InputError, match="add up to 0.8000, not 1"):
        edata.entry_shares(cat, "JPN", "lng", t)
