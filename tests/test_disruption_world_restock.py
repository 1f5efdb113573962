"""Other holders rebuild their stocks from a surplus (``restock_days_per_year``, issue 14).

Toy world market (annual steps 2020-2023): world demand 100 t/yr at demand elasticity
-0.1, no supply response; Japan and Korea buy 10 t each, 90 % of it from China; spare
capacity 5 % (5 t/yr: the world has a surplus of 5 t in a year without events); holders
outside Japan and Korea start with 36.5 days = 10 t.

- 2021: China stops all deliveries to Japan: 9 t lost - 5 t spare = 4 t, taken from the
  stock (10 -> 6 t); price 1.
- 2022: no event, a surplus of 5 t. Without restocking the stock stays at 6 t; at
  10.95 days a year (3 t/yr) it is rebuilt to 9 t; at 365 days a year to 10 t (the room).
- 2023: China stops Japan and Korea: 18 t - 5 t = 13 t. Left to cover: 7 t (no restock,
  price 0.93^-10 = 2.0664), 4 t (3 t/yr, 0.96^-10 = 1.5037), 3 t (fast, 0.97^-10 = 1.3563).
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
    d = tmp_path_factory.mktemp("restock")
    files = {
        "r-demand": ("t", '"importer"', "importer,value,unit\nJPN,10,t\nKOR,10,t\n"),
        "r-shares": ("fraction", '"origin"',
                     "origin,value,unit\nCHN,0.9,fraction\nAUS,0.1,fraction\n"),
        "r-pace": ("day", '"commodity", "bound"',
                   "commodity,bound,value,unit\nree,low,3.65,day\nree,high,10.95,day\n"),
    }
    return tiny_catalogue(d, files)


def market(importer: str) -> dict[str, Any]:
    return {"commodity": "ree", "importer": importer, "max_price_ratio": 1e3,
            "demand": {"dataset": "r-demand", "select": {"importer": importer}},
            "suppliers": {"dataset": "r-shares"}, "elasticity": -0.1}


def halt(name: str, importer: str, year: int) -> dict[str, Any]:
    return {"name": name, "kind": "embargo", "commodity": "ree", "supplier": "CHN",
            "importer": importer, "onset": year, "duration_days": 365, "depth": 1.0}


def config(restock: Any = None, draws: int = 4) -> DisruptionConfig:
    world: dict[str, Any] = {"commodity": "ree", "importers": ["JPN", "KOR"],
                             "world_demand": 100.0, "demand_elasticity": -0.1,
                             "world_suppliers": {"dataset": "r-shares"},
                             "spare_capacity_share": 0.05, "stock_days": 36.5,
                             "max_price_ratio": 1e3}
    if restock is not None:
        world["restock_days_per_year"] = restock
    return DisruptionConfig.model_validate({
        "start": 2020, "end": 2023, "draws": draws,
        "markets": [market("JPN"), market("KOR")],
        "events": [halt("first", "JPN", 2021), halt("second-jpn", "JPN", 2023),
                   halt("second-kor", "KOR", 2023)],
        "world_markets": [world]})


def prices(cat: Catalogue, restock: Any = None, draws: int = 4) -> np.ndarray:
    """Japan's annual price ratio (year, draw)."""
    return simulate(config(restock, draws), cat, 7).draws.annual_price[:, :, 0].astype(float)


def test_without_restocking_the_second_event_finds_what_the_first_left(cat: Catalogue
                                                                        ) -> None:
    p = prices(cat)
    assert p[:3] == pytest.approx(1.0)
    assert p[3] == pytest.approx(0.93 ** -10, rel=1e-5)


def test_restocking_from_the_surplus_by_hand(cat: Catalogue) -> None:
    p = prices(cat, restock=10.95)                 # 3 t/yr of the 5 t surplus of 2022
    assert p[:3] == pytest.approx(1.0)             # restocking never makes the world short
    assert p[3] == pytest.approx(0.96 ** -10, rel=1e-5)
    fast = prices(cat, restock=365.0)              # the room (4 t), not the surplus (5 t)
    assert fast[3] == pytest.approx(0.97 ** -10, rel=1e-5)


def test_zero_pace_reproduces_the_model_without_restocking(cat: Catalogue) -> None:
    before = simulate(config(), cat, 7).draws
    after = simulate(config(restock=0.0), cat, 7).draws
    for name in ("annual_price", "annual_shortfall", "peak_price", "total_shortfall"):
        np.testing.assert_array_equal(getattr(before, name), getattr(after, name))


def test_a_pace_range_is_drawn_per_draw(cat: Catalogue) -> None:
    p = prices(cat, restock={"range": "r-pace", "select": {"commodity": "ree"}}, draws=200)
    # 1 .. 3 t rebuilt in 2022: 2023 nets 6 .. 4 t
    lo, hi = 0.96 ** -10, 0.94 ** -10
    assert p[3].min() >= lo * (1 - 1e-5) and p[3].max() <= hi * (1 + 1e-5)
    assert p[3].std() > 0.0


def test_restock_needs_stock_days() -> None:
    with pytest.raises(ValueError, match="give 'stock_days' too"):
        DisruptionConfig.model_validate({
            "start": 2020, "end": 2021, "markets": [market("JPN")],
            "world_markets": [{"commodity": "ree", "importers": ["JPN"],
                               "world_demand": 100.0, "restock_days_per_year": 30}]})


def test_draw_down_restocks_by_hand() -> None:
    # loss 10, surplus 4, surplus 4, loss 10 (rates, dt = 1); stock 10; pace 3 a step
    loss = np.array([[10.0], [-4.0], [-4.0], [10.0]])
    out = draw_down(loss, np.array([10.0]), 1.0, np.full((4, 1), 3.0))
    np.testing.assert_allclose(out[:, 0], [0.0, -1.0, -1.0, 4.0])
    np.testing.assert_allclose(draw_down(loss, np.array([10.0]), 1.0)[:, 0],
                               [0.0, -4.0, -4.0, 10.0])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=1, max_size=24), st.floats(0, 100),
       st.floats(0, 20), st.sampled_from([1.0, 1 / 12]))
def test_restocked_tonnes_come_out_of_the_surplus(loss: list[float], stock: float,
                                                  pace: float, dt: float) -> None:
    arr = np.array(loss)[:, None]
    steps = np.full(arr.shape, pace)
    out = draw_down(arr, np.array([stock]), dt, steps)
    refilled = np.where(arr <= 0.0, (out - arr) * dt, 0.0)[:, 0]
    used = np.where(arr > 0.0, (arr - out) * dt, 0.0)[:, 0]
    # restocking only absorbs a surplus: the world is never made short by it
    assert np.all(out[arr <= 0.0] <= 1e-12)
    assert np.all(refilled >= -1e-12) and np.all(refilled <= pace + 1e-9)
    # the stock stays between empty and where it started, step by step
    level = stock - np.cumsum(used) + np.cumsum(refilled)
    assert np.all(level >= -1e-9) and np.all(level <= stock + 1e-9)
    # a pace of zero is the model without restocking, to the last digit
    np.testing.assert_array_equal(draw_down(arr, np.array([stock]), dt, np.zeros_like(arr)),
                                  draw_down(arr, np.array([stock]), dt))


def test_restocking_never_raises_a_price_in_us_today() -> None:
    """The shipped study with and without restocking, draw by draw (500 draws)."""
    from pathlib import Path

    from shigen.study import load_study

    study = load_study(Path(__file__).parents[1] / "studies" / "us-today.toml")
    cfg = study.disruption.model_copy(update={"draws": 500})
    doc = cfg.model_dump()
    assert any(w["restock_days_per_year"] is not None for w in doc["world_markets"])
    for w in doc["world_markets"]:
        w["restock_days_per_year"] = None
    cat = Catalogue.bundled()
    with_ = simulate(cfg, cat, study.study.seed).draws
    without = simulate(DisruptionConfig.model_validate(doc), cat, study.study.seed).draws
    assert np.all(with_.annual_price <= without.annual_price * (1 + 1e-6))
    assert np.all(with_.total_shortfall <= without.total_shortfall * (1 + 1e-6) + 1e-9)
    # it matters somewhere (germanium: the bans' re-sold flow refills the stocks)
    assert np.any(with_.annual_price < without.annual_price * (1 - 1e-4))
