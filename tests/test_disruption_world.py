"""World markets shared by importers, stock releases, element markets, joint production.

The toy world (tests' own catalogue, annual steps): world crude demand 100 units/yr;
Japan and Korea buy 10 each, all from SAU. 20 % of world supply passes Hormuz, 80 % of
Japan's imports and 50 % of Korea's. A full closure in 2021 for a year:

- Japan loses 8, covered by its stock of 10 (365 days) -> gap 0;
- Korea loses 5, no stock -> gap 5;
- the rest of the world loses 20 - 8 - 5 = 7; spare capacity gives back 2.

Net loss 0 + 5 + 7 - 2 = 10 of 100, so with demand elasticity -0.1 and no supply
response the world price ratio is 0.9^(1/-0.1) = 0.9^-10 = 2.8680, for both; each
importer consumes D p^-0.1 = 0.9 D, a shortfall of 1.0 each. The world balance
checks: 100 - 20 + 2 spare + 8 from Japan's stock = 90 consumed = 0.9 x 100.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.disruption.config import DisruptionConfig
from shigen.disruption.model import compile_model
from shigen.disruption.montecarlo import simulate
from shigen.disruption.results import summarize, to_dataset
from shigen.disruption.world import JointGroup, WorldGroup, world_prices
from shigen.distributions import Fixed
from shigen.errors import InputError


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory, tiny_catalogue: Any) -> Catalogue:
    d = tmp_path_factory.mktemp("world")
    files = {
        "w-demand": ("t", '"importer"', "importer,value,unit\nJPN,10,t\nKOR,10,t\n"),
        "w-shares": ("fraction", '"origin"', "origin,value,unit\nSAU,1,fraction\n"),
        "w-routes": ("fraction", '"importer", "commodity", "chokepoint"',
                     "importer,commodity,chokepoint,value,unit\nJPN,crude,hormuz,0.8,fraction"
                     "\nKOR,crude,hormuz,0.5,fraction\n"),
        "w-ree-shares": ("fraction", '"origin"',
                         "origin,value,unit\nCHN,0.9,fraction\nAUS,0.1,fraction\n"),
    }
    return tiny_catalogue(d, files)


def crude(importer: str) -> dict[str, Any]:
    return {"commodity": "crude", "importer": importer,
            "demand": {"dataset": "w-demand", "select": {"importer": importer}},
            "suppliers": {"dataset": "w-shares"}, "elasticity": -0.1}


HORMUZ = {"name": "hormuz", "kind": "chokepoint", "commodity": "crude", "chokepoint": "hormuz",
          "route_share": {"dataset": "w-routes"}, "onset": 2021, "duration_days": 365,
          "depth": 1.0}
JPN_STOCK = {"kind": "stockpile", "commodity": "crude", "importer": "JPN", "days": 365}
WORLD = {"commodity": "crude", "importers": ["JPN", "KOR"], "world_demand": 100.0,
         "demand_elasticity": -0.1, "spare_capacity_share": 0.02,
         "route_shares": {"hormuz": 0.2}}


def hormuz_config(world: bool = True, levers: list[dict[str, Any]] | None = None,
                  **world_kw: Any) -> DisruptionConfig:
    doc: dict[str, Any] = {
        "start": 2020, "end": 2022, "draws": 4, "markets": [crude("JPN"), crude("KOR")],
        "events": [HORMUZ], "levers": [JPN_STOCK, *(levers or [])],
        "world_markets": [{**WORLD, **world_kw}] if world else []}
    return DisruptionConfig.model_validate(doc)


def by_market(cfg: DisruptionConfig, cat: Catalogue) -> dict[str, Any]:
    return summarize(to_dataset(simulate(cfg, cat, 3)))["crude"]


def test_hormuz_world_price_rises_for_both_though_japan_is_covered(cat: Catalogue) -> None:
    sim = simulate(hormuz_config(), cat, 3)
    price = sim.draws.annual_price                     # (year, draw, market)
    # 2021: 0.9^-10 = 2.8680 for Japan and Korea alike; 2020 and 2022 on the path
    assert price[1, :, 0] == pytest.approx(0.9 ** -10, rel=1e-5)
    assert price[1, :, 1] == pytest.approx(0.9 ** -10, rel=1e-5)
    assert np.all(price[[0, 2]] == 1.0)
    # each consumes 0.9 x 10: a shortfall of 1.0 for both, whoever lost the barrels
    short = sim.draws.annual_shortfall[1]
    assert short[:, 0] == pytest.approx(1.0, rel=1e-5)
    assert short[:, 1] == pytest.approx(1.0, rel=1e-5)
    # Japan's stock covered its 8 units: 2 of 10 left = 73 days
    assert sim.draws.min_cover_days[:, 0] == pytest.approx(73.0)


def test_importer_local_price_stays_flat_when_stocks_cover(cat: Catalogue) -> None:
    # the old importer-local market: Japan's stocks cover its volume, so its price is 1
    # while Korea's own cover 0.5 gives 0.5^-10 (capped at the default choke price 20)
    out = by_market(hormuz_config(world=False), cat)
    assert out["JPN"]["peak_price_ratio"] == 1.0
    assert out["JPN"]["expected_shortfall_t"] == 0.0
    assert out["KOR"]["peak_price_ratio"] == 20.0


def test_coordinated_stock_release_lowers_the_world_price(cat: Catalogue) -> None:
    # other holders release 5 units over 2021: net loss 5 of 100, price 0.95^-10 = 1.6701
    iea = {"kind": "stock-release", "name": "iea-collective-action", "commodity": "crude",
           "holders": ["USA", "DEU", "FRA"], "volume": 5.0, "start": 2021,
           "duration_days": 365}
    sim = simulate(hormuz_config(levers=[iea]), cat, 3)
    assert sim.draws.annual_price[1, :, 0] == pytest.approx(0.95 ** -10, rel=1e-5)
    assert sim.draws.annual_shortfall[1, :, 1] == pytest.approx(0.5, rel=1e-5)


def test_supply_response_divides_the_log_price(cat: Catalogue) -> None:
    # p = (1 - x)^(1 / (ed - es)) = 0.9^(1 / -0.2)
    sim = simulate(hormuz_config(supply_elasticity=0.1), cat, 3)
    assert sim.draws.annual_price[1, :, 1] == pytest.approx(0.9 ** -5, rel=1e-5)


def test_choke_price_binding_is_a_warning_record(cat: Catalogue) -> None:
    out = summarize(to_dataset(simulate(hormuz_config(max_price_ratio=2.0), cat, 3)))
    # one record per importer of the world market, both at the cap in every draw
    found = out["warnings"]
    assert [w["where"]["importer"] for w in found] == ["JPN", "KOR"]
    for w in found:
        assert set(w) == {"code", "stage", "message", "where", "severity"}
        assert w["code"] == "price-at-choke" and w["severity"] == "warning"
        assert w["where"]["share_of_draws"] == 1.0
    # without the cap binding there is no warning at all
    assert "warnings" not in summarize(to_dataset(simulate(hormuz_config(), cat, 3)))


def test_world_market_needs_the_importers_markets(cat: Catalogue) -> None:
    with pytest.raises(ValueError, match="no market of commodity 'crude'"):
        hormuz_config(importers=["JPN", "CHN"])
    with pytest.raises(InputError, match="below its importers' demand"):
        compile_model(hormuz_config(world_demand=15.0), cat)


# --- elements -------------------------------------------------------------------------

def element(name: str, share: float) -> dict[str, Any]:
    return {"commodity": name, "importer": "JPN", "element_of": "rare-earths",
            "demand": {"dataset": "w-demand", "select": {"importer": "JPN"}},
            "demand_share": share, "suppliers": {"dataset": "w-ree-shares"},
            "elasticity": -0.5}


def test_events_name_elements_or_groups(cat: Catalogue) -> None:
    heavy = {"name": "controls", "kind": "quota-cut", "commodity": "rare-earths",
             "supplier": "CHN", "group": "heavy", "onset": 2021, "duration_days": 365,
             "depth": 0.5}
    quota = {"name": "quota", "kind": "quota-cut", "commodity": "rare-earths",
             "supplier": "CHN", "onset": 2021, "duration_days": 365, "depth": 0.1}
    cfg = DisruptionConfig.model_validate({
        "start": 2020, "end": 2022, "draws": 4,
        "markets": [element("neodymium", 0.2), element("dysprosium", 0.02)],
        "events": [heavy, quota],
        "levers": [{"kind": "stockpile", "commodity": "rare-earths", "importer": "JPN",
                    "elements": ["neodymium"], "days": 60}]})
    model = compile_model(cfg, cat)
    reached = {e.name: {model.markets[t.market][0] for t in e.touches} for e in model.events}
    assert reached == {"controls": {"dysprosium"}, "quota": {"neodymium", "dysprosium"}}
    # element demand = 10 x share; the stockpile holds 60 days of neodymium only
    assert model.demand[0] == pytest.approx([2.0, 0.2])
    assert model.stock_days.tolist() == [60.0, 0.0]
    sim = simulate(cfg, cat, 1)
    # dysprosium: 0.9 x (0.5 + 0.1 - 0.05) lost -> cover 0.505, price 0.505^-2;
    # neodymium: 0.09 lost, 60 days of stock (2 x 60/365 = 0.329) cover 0.329 of 0.18
    assert sim.draws.annual_price[1, :, 1] == pytest.approx(
        (1 - 0.9 * (1 - 0.5 * 0.9)) ** -2, rel=1e-5)
    assert sim.draws.annual_shortfall[1, :, 0] == pytest.approx(0.0, abs=1e-9)


def test_joint_production_by_products_follow_the_driver() -> None:
    # one deposit mining Nd 0.2, Ce 0.5 of its oxide, 100 t/yr, supply elasticity 0.5;
    # Nd is cut 20 %, Ce not at all. The fixed point must satisfy each element's balance
    #   c_e + B_e (basket^0.5 - 1) / Q_e = p_e^-0.5
    T, n = 1, 3
    q = {"neodymium": 20.0, "cerium": 50.0}
    groups = [WorldGroup(e, [], np.full(T, q[e]), Fixed(value=-0.5), Fixed(value=0.0), k, 0.0,
                         np.zeros(T), 1e3, {}, {}) for k, e in enumerate(q)]
    value = np.array([[0.2 * 50.0, 0.5 * 2.0]])            # USD/kg x mix
    jg = JointGroup("rare-earths", [0, 1], list(q), np.array([[20.0, 50.0]]),
                    value / value.sum(), [Fixed(value=0.5)], [99])
    cover = np.ones((T, n, 2))
    cover[..., 0] = 0.8
    wp = world_prices(groups, [jg], cover, 1, 0, n)
    p_nd, p_ce = wp.price[0, 0]
    g = (jg.weights[0] @ np.array([p_nd, p_ce])) ** 0.5
    assert 0.8 + (g - 1) == pytest.approx(p_nd ** -0.5, rel=1e-3)
    assert 1.0 + (g - 1) == pytest.approx(p_ce ** -0.5, rel=1e-3)
    # Nd dearer than without by-products (0.8^-2 = 1.5625 with no response) is cheaper;
    # cerium, brought along by the expansion, gets cheaper than its path
    assert 1.0 < p_nd < 0.8 ** -2
    assert p_ce < 1.0
    assert int(wp.unconverged.sum()) == 0
