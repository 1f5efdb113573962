"""Stocks of other holders in a world market (``stock_days``, issue 14).

The toy market is that of test_disruption_diversion.py (annual steps): world demand
100 t/yr at demand elasticity -0.1, no supply response; Japan and Korea buy 10 t each,
90 % of it from China. China stops all deliveries to Japan from 2021: the world loses
9 t a year. Holders outside Japan and Korea start with ``stock_days / 365 x 100 t``:

- 36.5 days = 10 t cover the 9 t of 2021: price 1;
- 18.25 days = 5 t leave 4 t lost in 2021: price 0.96^-10 = 1.5037; nothing is left for
  2022 (stocks are not refilled): price 0.91^-10 = 2.5687 as without stocks;
- 0 days is the model without stocks, to the last digit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shigen.datasets import Catalogue
from shigen.disruption.config import DisruptionConfig
from shigen.disruption.montecarlo import simulate
from shigen.disruption.world import draw_down


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory, tiny_catalogue: Any) -> Catalogue:
    d = tmp_path_factory.mktemp("stocks")
    files = {
        "s-demand": ("t", '"importer"', "importer,value,unit\nJPN,10,t\nKOR,10,t\n"),
        "s-shares": ("fraction", '"origin"',
                     "origin,value,unit\nCHN,0.9,fraction\nAUS,0.1,fraction\n"),
        "s-days": ("day", '"commodity", "bound"',
                   "commodity,bound,value,unit\nree,low,10,day\nree,high,30,day\n"),
    }
    return tiny_catalogue(d, files)


def market(importer: str) -> dict[str, Any]:
    return {"commodity": "ree", "importer": importer, "max_price_ratio": 1e3,
            "demand": {"dataset": "s-demand", "select": {"importer": importer}},
            "suppliers": {"dataset": "s-shares"}, "elasticity": -0.1}


def config(stock_days: Any = None, draws: int = 4) -> DisruptionConfig:
    world: dict[str, Any] = {"commodity": "ree", "importers": ["JPN", "KOR"],
                             "world_demand": 100.0, "demand_elasticity": -0.1,
                             "world_suppliers": {"dataset": "s-shares"},
                             "max_price_ratio": 1e3}
    if stock_days is not None:
        world["stock_days"] = stock_days
    return DisruptionConfig.model_validate({
        "start": 2020, "end": 2022, "draws": draws,
        "markets": [market("JPN"), market("KOR")],
        "events": [{"name": "halt", "kind": "embargo", "commodity": "ree",
                    "supplier": "CHN", "importer": "JPN", "onset": 2021,
                    "duration_days": 730, "depth": 1.0}],
        "world_markets": [world]})


def test_zero_stock_reproduces_the_model_without_stocks(cat: Catalogue) -> None:
    before = simulate(config(), cat, 7).draws
    after = simulate(config(stock_days=0.0), cat, 7).draws
    assert before.annual_price[1, :, 0] == pytest.approx(0.91 ** -10, rel=1e-5)
    for name in ("annual_price", "annual_shortfall", "peak_price", "total_shortfall"):
        np.testing.assert_array_equal(getattr(before, name), getattr(after, name))


def test_a_stock_larger_than_the_loss_holds_the_price(cat: Catalogue) -> None:
    sim = simulate(config(stock_days=36.5), cat, 7).draws
    assert sim.annual_price[1] == pytest.approx(1.0)
    # 1 t is left for 2022, which loses 9 t: 8 t net
    assert sim.annual_price[2, :, 0] == pytest.approx(0.92 ** -10, rel=1e-5)


def test_a_stock_is_used_once_and_never_refilled(cat: Catalogue) -> None:
    price = simulate(config(stock_days=18.25), cat, 7).draws.annual_price[:, :, 0]
    assert price[1] == pytest.approx(0.96 ** -10, rel=1e-5)     # 9 t lost - 5 t of stock
    assert price[2] == pytest.approx(0.91 ** -10, rel=1e-5)     # nothing left


def test_a_stock_range_is_drawn_per_draw(cat: Catalogue) -> None:
    cfg = config(stock_days={"range": "s-days", "select": {"commodity": "ree"}}, draws=200)
    price = simulate(cfg, cat, 7).draws.annual_price[1, :, 0].astype(float)
    stock = 100.0 * np.array([10.0, 30.0]) / 365.0                # 2.74 .. 8.22 t
    lo, hi = (1.0 - (9.0 - stock) / 100.0) ** -10
    assert price.min() >= hi * (1 - 1e-5) and price.max() <= lo * (1 + 1e-5)
    assert price.std() > 0.0


def test_draw_down_by_hand() -> None:
    # 20 t/yr lost for 12 months, 5 t of stock: the first 3 months are covered
    loss = np.full((12, 1), 20.0)
    out = draw_down(loss, np.array([5.0]), 1.0 / 12.0)
    np.testing.assert_allclose(out[:3, 0], 0.0, atol=1e-12)
    np.testing.assert_allclose(out[3:, 0], 20.0)
    # a surplus (negative loss) is not stocked and uses nothing
    out = draw_down(np.array([[-5.0], [10.0]]), np.array([2.0]), 0.5)
    np.testing.assert_allclose(out[:, 0], [-5.0, 6.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=24),
       st.floats(0, 100), st.sampled_from([1.0, 1 / 12, 1 / 52]))
def test_released_volume_is_conserved(loss: list[float], stock: float, dt: float) -> None:
    arr = np.array(loss)[:, None]
    out = draw_down(arr, np.array([stock]), dt)
    released = float(((arr - out) * dt).sum())
    need = float(np.clip(arr, 0.0, None).sum() * dt)
    assert released == pytest.approx(min(stock, need), abs=1e-9)
    assert np.all(out <= arr + 1e-12) and np.all(out >= np.minimum(arr, 0.0) - 1e-12)
