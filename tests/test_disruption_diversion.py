"""Trade diversion of targeted restrictions in a world market (issue 14).

The toy market (tests' own catalogue, annual steps, no stocks, no spare capacity):
world demand 100 t/yr at demand elasticity -0.1 and no supply response; Japan and
Korea buy 10 t each, 90 % of it from China. China stops all deliveries to Japan for
2021 (an embargo of 365 days): it withholds W = 0.9 x 10 = 9 t.

- d = 0: the world loses all 9 t: cover 0.91, price 0.91^-10 = 2.5687 (the model
  before diversion, to the last digit);
- d = 1: China sells the 9 t to third buyers, who need 9 t less of the others' output,
  which Japan buys: the world loses nothing, price 1, no shortfall for anyone;
- any d: the world loses (1 - d) W, so the price is (1 - (1 - d) 0.09)^-10.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.disruption.config import DisruptionConfig
from shigen.disruption.model import compile_model
from shigen.disruption.montecarlo import simulate
from shigen.disruption.world import Diverted, diversion_draws
from shigen.distributions import Uniform


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory, tiny_catalogue: Any) -> Catalogue:
    d = tmp_path_factory.mktemp("diversion")
    files = {
        "d-demand": ("t", '"importer"', "importer,value,unit\nJPN,10,t\nKOR,10,t\n"),
        "d-shares": ("fraction", '"origin"',
                     "origin,value,unit\nCHN,0.9,fraction\nAUS,0.1,fraction\n"),
        "d-range": ("fraction", '"market", "bound"',
                    "market,bound,value,unit\nx,low,0.25,fraction\nx,high,0.75,fraction\n"),
    }
    return tiny_catalogue(d, files)


def market(importer: str) -> dict[str, Any]:
    return {"commodity": "ree", "importer": importer, "max_price_ratio": 1e3,
            "demand": {"dataset": "d-demand", "select": {"importer": importer}},
            "suppliers": {"dataset": "d-shares"}, "elasticity": -0.1}


def config(diversion: Any = None, quota: float | None = None,
           draws: int = 4) -> DisruptionConfig:
    embargo: dict[str, Any] = {"name": "halt", "kind": "embargo", "commodity": "ree",
                               "supplier": "CHN", "importer": "JPN", "onset": 2021,
                               "duration_days": 365, "depth": 1.0}
    if diversion is not None:
        embargo["diversion"] = diversion
    events = [embargo]
    if quota is not None:      # China cuts exports to every buyer: never diverted
        events.insert(0, {"name": "quota", "kind": "quota-cut", "commodity": "ree",
                          "supplier": "CHN", "onset": 2021, "duration_days": 365,
                          "depth": quota})
    return DisruptionConfig.model_validate({
        "start": 2020, "end": 2022, "draws": draws,
        "markets": [market("JPN"), market("KOR")], "events": events,
        "world_markets": [{"commodity": "ree", "importers": ["JPN", "KOR"],
                           "world_demand": 100.0, "demand_elasticity": -0.1,
                           "world_suppliers": {"dataset": "d-shares"},
                           "max_price_ratio": 1e3}]})


def test_no_diversion_reproduces_the_model_without_it(cat: Catalogue) -> None:
    before = simulate(config(), cat, 7).draws
    after = simulate(config(diversion=0.0), cat, 7).draws
    assert before.annual_price[1, :, 0] == pytest.approx(0.91 ** -10, rel=1e-5)
    for name in ("annual_price", "annual_shortfall", "peak_price", "total_shortfall"):
        np.testing.assert_array_equal(getattr(before, name), getattr(after, name))


def test_full_diversion_leaves_the_world_price_at_one(cat: Catalogue) -> None:
    sim = simulate(config(diversion=1.0), cat, 7).draws
    assert np.all(sim.annual_price == 1.0)
    # Japan lost China's 9 t but buys what the third buyers no longer need
    assert np.all(sim.annual_shortfall == 0.0)


@pytest.mark.parametrize("d", [0.0, 0.25, 0.5, 0.8, 1.0])
def test_world_loses_one_minus_d_of_the_withheld_flow(cat: Catalogue, d: float) -> None:
    price = simulate(config(diversion=d), cat, 7).draws.annual_price[1, :, 0]
    # invert the world price: net loss = Q (1 - p^ed) = (1 - d) W
    lost = 100.0 * (1.0 - price.astype(float) ** -0.1)
    assert lost == pytest.approx((1.0 - d) * 9.0, rel=1e-5, abs=1e-5)
    # both buyers of the one market pay it and consume D p^-0.1
    short = simulate(config(diversion=d), cat, 7).draws.annual_shortfall[1]
    assert short[:, 0] == pytest.approx(short[:, 1], rel=1e-6)
    assert short[:, 0] == pytest.approx(10.0 * (1.0 - d) * 0.09, rel=1e-4, abs=1e-6)


def test_uncertain_diversion_is_drawn_per_draw_from_its_own_stream(cat: Catalogue) -> None:
    cfg = config(diversion={"range": "d-range", "select": {"market": "x"}}, draws=200)
    model = compile_model(cfg, cat)
    ev = model.events[0]
    assert ev.diversion == Uniform(dist="uniform", low=0.25, high=0.75)
    d = diversion_draws(ev.diversion, ev.diversion_key, 7, 0, 200)
    assert d is not None and d.min() >= 0.25 and d.max() <= 0.75
    price = simulate(cfg, cat, 7).draws.annual_price[1, :, 0].astype(float)
    assert price == pytest.approx((1.0 - (1.0 - d) * 0.09) ** -10, rel=1e-5)
    # the event's own draws (onset, duration, depth) do not move when diversion is added
    plain = simulate(config(draws=200), cat, 7).draws
    assert plain.annual_price[1, :, 0] == pytest.approx(0.91 ** -10, rel=1e-5)


def test_a_quota_on_all_exports_is_never_diverted(cat: Catalogue) -> None:
    # quota 0.5 on every buyer, then the embargo on Japan re-selling all it withholds.
    # China exports half of its 90 t; none of it to Japan. The quota's 45 t are lost to
    # the world; what the embargo withholds beyond the quota (4.5 t) is re-sold:
    # net loss 45 t, price 0.55^-10, whoever is embargoed
    price = simulate(config(diversion=1.0, quota=0.5), cat, 7).draws.annual_price[1, :, 0]
    assert price == pytest.approx(0.55 ** -10, rel=1e-5)
    # without diversion the world also loses the 4.5 t: 49.5 t
    price0 = simulate(config(quota=0.5), cat, 7).draws.annual_price[1, :, 0]
    assert price0 == pytest.approx(0.505 ** -10, rel=1e-5)


def test_diverted_share_never_exceeds_what_the_channel_lost() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        div = Diverted(frozenset({0}))
        kept = np.ones((2, 5))
        for _e in range(int(rng.integers(1, 4))):
            cut = rng.uniform(0, 1, (2, 5))
            share = rng.uniform(0, 1, 5) if rng.uniform() < 0.6 else None
            div.add(0, cut, share)
            kept *= 1.0 - cut
        lost = 1.0 - kept
        assert np.all(np.asarray(div.share(0)) <= lost + 1e-12)
        assert np.all(np.asarray(div.share(0)) >= 0.0)


def test_the_shipped_flagship_has_no_price_at_the_choke(flagship_store: Any) -> None:
    # the 20x choke bound terbium and dysprosium in 0.2-0.3 % of draws before diversion
    warnings = flagship_store.summary["disruption"].get("warnings", [])
    assert [w for w in warnings if w["code"] == "price-at-choke"] == []
    # ... and the run still says when it does: docs/methods/disruption.md
