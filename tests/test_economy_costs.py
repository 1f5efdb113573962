"""What levers cost, discounting and the cost–benefit figures, checked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.economy import LeverSpec, annuity_factor, cost_benefit, lever_costs, present_value
from shigen.economy.appraisal import package_figure
from shigen.errors import InputError

YEARS = [2010, 2011, 2012]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue.bundled()


def test_stockpile_is_bought_held_and_returned(cat: Catalogue) -> None:
    s = LeverSpec("stockpile", "rare-earths", "JPN", "stockpile", "f", 2010.0,
                  tonnes_held=1000.0)
    (c,) = lever_costs([s], YEARS, cat, {("rare-earths", "JPN"): 12000.0})
    # 1000 t x 12 000 USD/t bought in 2010, 50 USD/t a year to hold, value back in 2012
    np.testing.assert_allclose(c.cash_flow, [12e6 + 5e4, 5e4, 5e4 - 12e6])
    assert c.total == pytest.approx(1.5e5)


def test_diversification_financing_and_premium(cat: Catalogue) -> None:
    s = LeverSpec("diversification", "rare-earths", "JPN", "AUS", "f", 2010.9,
                  tonnes_by_year=np.array([0.0, 100.0, 200.0]))
    (c,) = lever_costs([s], YEARS, cat, {("rare-earths", "JPN"): 12000.0})
    # 250 M USD / 8 500 t = 29 412 USD per t/yr of offtake; 2 400 USD/t premium
    fin = 200.0 * 29400.0
    np.testing.assert_allclose(c.cash_flow, [fin, 100 * 2400.0, 200 * 2400.0])


def test_recycling_net_of_recovered_value_plus_research(cat: Catalogue) -> None:
    s = LeverSpec("recycling", "rare-earths", "JPN", "recycling", "f", 2011.0,
                  tonnes_by_year=np.array([10.0, 10.0, 10.0]))
    (c,) = lever_costs([s], YEARS, cat, {("rare-earths", "JPN"): 12000.0})
    # (20 000 - 12 000) USD/t x 10 t, and 10 M USD research a year from 2011
    np.testing.assert_allclose(c.cash_flow, [8e4, 8e4 + 1e7, 8e4 + 1e7])


def test_agreements_are_never_free(cat: Catalogue) -> None:
    named = LeverSpec("agreement", None, "JPN", "japan-china-joint-research", "f", 2011.5)
    other = LeverSpec("agreement", None, "JPN", "some-new-pact", "f", 2010.0)
    a, b = lever_costs([named, other], YEARS, cat, {})
    np.testing.assert_allclose(a.cash_flow, [0.0, 1e7, 2e7])  # half of 2011, then full
    np.testing.assert_allclose(b.cash_flow, [5e6] * 3)          # the 'default' row


def test_a_lever_without_a_price_is_a_located_error(cat: Catalogue) -> None:
    s = LeverSpec("stockpile", "rare-earths", "JPN", "stockpile", "disruption.levers.3",
                  2010.0, tonnes_held=10.0)
    with pytest.raises(InputError) as exc:
        lever_costs([s], YEARS, cat, {})
    assert exc.value.where is not None and exc.value.where.field == "disruption.levers.3"


def test_discounting_by_hand() -> None:
    assert annuity_factor(0.0, 20) == 20.0
    assert annuity_factor(0.1, 2) == pytest.approx(1 + 1 / 1.1)
    assert float(present_value(np.array([100.0, 110.0]), 0.1)) == pytest.approx(200.0)
    flows = np.array([100.0, 0.0, 0.0])
    assert package_figure("total_cost_usd", 10.0, 50.0, flows, 0.0) == pytest.approx(130.0)


def test_cost_benefit_against_the_reference() -> None:
    cb = cost_benefit([100.0, 150.0, 400.0], [50.0, 40.0, 35.0], [500.0, 300.0, 200.0],
                      reference=0, annuity=10.0)
    # package 1: +50 cost, 10 a year less loss over an annuity of 10 -> benefit 100
    np.testing.assert_allclose(cb.benefit, [0.0, 100.0, 150.0])
    np.testing.assert_allclose(cb.npv, [0.0, 50.0, -150.0])
    np.testing.assert_allclose(cb.bcr[1:], [2.0, 0.5])
    assert np.isnan(cb.bcr[0])
    np.testing.assert_allclose(cb.tail_benefit, [0.0, 2000.0, 3000.0])


@pytest.mark.parametrize("name", ["shigen.economy.iotable", "shigen.economy.appraisal"])
def test_docstring_examples(name: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
