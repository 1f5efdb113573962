"""``shigen assess`` of markets in world markets (issue 14): hand-checked scenarios.

The toy study (tests' own catalogue): France buys 10 t/yr of gallium (90 % from AUS,
10 % from BRA) and 10 t/yr of antimony (30 % AUS, 60 % BRA, 10 % CAN), each in its own world
market of 100 t/yr, demand elasticity -0.1 everywhere, no supply response, no stocks,
no choke in reach. The study's one event, AUS cutting gallium to France, re-sells
half of what it withholds (``diversion = 0.5``); antimony has no event.

A scenario cuts one supplier's deliveries to France for the year: the world loses
``x = share x 10 t x (1 - d) / 100 t`` a year. Prices answer the trailing twelve months
(cover 1 before the start), so in month ``k`` the world's cover is ``1 - k x / 12`` and
France, at the world's elasticity, consumes that share of its demand: its shortfall
over the year is ``10 t x sum_k k x / 144 = 10 t x x x 78 / 144``.

- gallium AUS (the study's event, d = 0.5): x = 0.045, shortfall 0.24375 t;
- gallium BRA (no event of its own: the market's, d = 0.5): x = 0.005, 0.0270833 t;
- antimony AUS, BRA, CAN (no targeted event, d = 0): x = 0.03, 0.06, 0.01: 0.1625 t,
  0.325 t, 0.0541667 t.

Before issue 14's fix every scenario here was refused: each kept both world markets,
one of which named a commodity with no market in the scenario.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.economy.allocation import constrained_allocation, expected_allocation
from shigen.economy.assess import assess
from shigen.economy.iotable import IOTable
from shigen.errors import InputError
from shigen.stages import get_stage
from shigen.study import load_study

ROOT = Path(__file__).resolve().parents[1]

STUDY = """
[study]
name = "tiny-world-assess"
title = "two commodities in world markets"

[disruption]
start = 2024
end = 2024
resolution = "month"
draws = 3
{markets}
[[disruption.events]]
name = "a-cuts-gallium"
kind = "embargo"
commodity = "gallium"
supplier = "AUS"
importer = "FRA"
annual_probability = 0.1
duration_days = 365
depth = 1.0
diversion = {diversion}
{extra}"""

MARKET = """
[[disruption.markets]]
commodity = "{c}"
importer = "FRA"
demand = {{ dataset = "w-demand", select = {{ commodity = "{c}" }} }}
suppliers = {{ dataset = "w-suppliers", select = {{ commodity = "{c}" }} }}
reference_price = {{ dataset = "w-prices", select = {{ commodity = "{c}" }} }}
elasticity = -0.1
max_price_ratio = 1000.0

[[disruption.world_markets]]
commodity = "{c}"
importers = ["FRA"]
max_price_ratio = 1000.0
world_demand = {{ dataset = "w-world", select = {{ commodity = "{c}" }} }}
"""


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory, tiny_catalogue: Any) -> Catalogue:
    d = tmp_path_factory.mktemp("assess-world")
    per_t = "commodity,value,unit\ngallium,{g},{u}\nantimony,{a},{u}\n"
    return tiny_catalogue(d, {
        # two industries with no flows between them: s1 makes 0.5 of value added per unit
        # of output (gallium enters it), s2 0.8 (antimony)
        "io-table-fra": ("USD", '"row_kind", "row", "column"',
                         "row_kind,row,column,value,unit\nvalue-added,va,s1,5000,USD\n"
                         "other-input,other,s1,5000,USD\nvalue-added,va,s2,800,USD\n"
                         "other-input,other,s2,200,USD\nindustry,s1,s2,0,USD\n"
                         "industry,s2,s1,0,USD\n"),
        "io-entry-fra": ("fraction", '"commodity", "industry"',
                         "commodity,industry,value,unit\ngallium,s1,1,fraction\n"
                         "antimony,s2,1,fraction\n"),
        "w-demand": ("t", '"commodity"', per_t.format(g=10, a=10, u="t")),
        "w-world": ("t", '"commodity"', per_t.format(g=100, a=100, u="t")),
        "w-prices": ("USD/t", '"commodity"', per_t.format(g=100, a=100, u="USD/t")),
        "w-suppliers": ("fraction", '"commodity", "origin"',
                        "commodity,origin,value,unit\ngallium,AUS,0.9,fraction\n"
                        "gallium,BRA,0.1,fraction\nantimony,AUS,0.3,fraction\n"
                        "antimony,BRA,0.6,fraction\nantimony,CAN,0.1,fraction\n"),
    })


def _study(tmp_path: Path, diversion: str = "0.5", extra: str = "") -> Any:
    path = tmp_path / "tiny.toml"
    path.write_text(STUDY.format(markets="".join(MARKET.format(c=c)
                                                 for c in ("gallium", "antimony")),
                                 diversion=diversion, extra=extra))
    return load_study(path)


def _shortfall(share: float, d: float) -> float:
    return 10.0 * share * 10.0 * (1.0 - d) / 100.0 * 78.0 / 144.0


def test_each_scenario_keeps_its_own_world_market_and_the_diversion(
        tmp_path: Path, cat: Catalogue) -> None:
    res = assess(_study(tmp_path), cat)
    got = {(s.commodity, s.supplier): s for s in res.scenarios}
    expected = {("gallium", "AUS"): (0.9, 0.5, "study event a-cuts-gallium"),
                ("gallium", "BRA"): (0.1, 0.5, "market events a-cuts-gallium"),
                ("antimony", "AUS"): (0.3, 0.0, "none"),
                ("antimony", "BRA"): (0.6, 0.0, "none"),
                ("antimony", "CAN"): (0.1, 0.0, "none")}
    assert set(got) == set(expected)
    for key, (share, d, source) in expected.items():
        s = got[key]
        assert s.shortfall_t == pytest.approx(_shortfall(share, d), rel=1e-6), key
        assert s.diversion_source == source
        assert s.choke_share == 0.0
    # the loss is the value added of the missing tonnes (0.5 per USD in s1, 0.8 in s2) plus
    # the price rise on what France still bought: the annual price ratio is the mean of
    # the months' (1 - k x / 12)^-10 (the stage holds prices in single precision: 1e-5)
    for (c, supplier), (share, d, _) in expected.items():
        x = share * 10.0 * (1.0 - d) / 100.0
        price = float(np.mean((1.0 - np.arange(1, 13) * x / 12.0) ** -10.0))
        short = _shortfall(share, d)
        va = {"gallium": 0.5, "antimony": 0.8}[c]
        assert got[(c, supplier)].loss_usd == pytest.approx(
            short * 100.0 * va + (price - 1.0) * 100.0 * (10.0 - short), rel=1e-5)


@pytest.mark.parametrize("d", [0.0, 0.25, 1.0])
def test_the_cut_costs_one_minus_the_diversion_of_the_undiverted_cut(
        tmp_path: Path, cat: Catalogue, d: float) -> None:
    # d = 0 is the cut without diversion; d = 1: AUS re-sells every tonne, France buys
    # the tonnes that frees elsewhere and loses nothing
    res = assess(_study(tmp_path, diversion=str(d)), cat)
    aus = next(s for s in res.scenarios if (s.commodity, s.supplier) == ("gallium", "AUS"))
    assert aus.shortfall_t == pytest.approx(_shortfall(0.9, 0.0) * (1.0 - d), abs=1e-9)
    assert (aus.loss_usd == 0.0) == (d == 1.0)


def test_constrained_loss_is_the_mean_over_draws(tmp_path: Path, cat: Catalogue) -> None:
    # a ranged diversion gives each draw its own shortfall; s1 makes 5 of value added per
    # USD of gallium (5000 on 1000 of gallium), so the constrained loss of the gallium
    # cut is 5 x 100 USD/t x the mean shortfall, plus the same price cost as Ghosh
    study = _study(tmp_path, diversion='{ dist = "uniform", low = 0.2, high = 0.8 }')
    res = assess(study, cat, allocation="constrained")
    aus = next(s for s in res.scenarios if (s.commodity, s.supplier) == ("gallium", "AUS"))
    ghosh = next(s for s in assess(study, cat).scenarios
                 if (s.commodity, s.supplier) == ("gallium", "AUS"))
    assert aus.shortfall_t == pytest.approx(ghosh.shortfall_t)
    assert aus.loss_usd - ghosh.loss_usd == pytest.approx(
        (5.0 - 0.5) * 100.0 * aus.shortfall_t, rel=1e-6)


def test_diverging_diversions_of_a_market_are_refused(tmp_path: Path, cat: Catalogue) -> None:
    extra = """
[[disruption.events]]
name = "a-cuts-antimony"
kind = "embargo"
commodity = "antimony"
supplier = "AUS"
importer = "FRA"
annual_probability = 0.02
duration_days = 365
depth = 1.0
diversion = 0.2

[[disruption.events]]
name = "b-cuts-antimony"
kind = "embargo"
commodity = "antimony"
supplier = "BRA"
importer = "FRA"
annual_probability = 0.02
duration_days = 365
depth = 1.0
diversion = 0.9
"""
    # AUS and BRA each have their own event; CAN has none and two to choose from
    with pytest.raises(InputError, match="give different diversions") as err:
        assess(_study(tmp_path, extra=extra), cat)
    assert err.value.where.field == "disruption.markets.1" and "CAN" in str(err.value.fix)


def test_expected_allocation_is_the_mean_of_the_draws_allocations() -> None:
    # across the kink: industry a (w = 5) goes without first, b (w = 8) after a's 10;
    # shortfalls 5 and 15 cost 25 and 50 + 40, mean 57.5 (the mean shortfall, 10, costs 50)
    t = IOTable(["a", "b"], np.zeros((2, 2)), np.array([100.0, 100.0]),
                np.array([50.0, 80.0]), "USD")
    use = np.array([10.0, 10.0])
    assert expected_allocation(t, use, np.array([5.0, 15.0])).total == pytest.approx(57.5)
    assert constrained_allocation(t, use, 10.0).total == pytest.approx(50.0)
    # any draws, a table with flows and a dependent share: the mean of one programme per draw
    t3 = IOTable(["a", "b", "c"], np.array([[0.0, 10.0, 5.0], [20.0, 0.0, 0.0],
                                           [0.0, 30.0, 0.0]]),
                 np.array([100.0, 200.0, 150.0]), np.array([40.0, 120.0, 60.0]), "USD")
    use3, share = np.array([4.0, 0.0, 6.0]), np.array([0.5, 1.0, 0.2])
    draws = np.random.default_rng(3).uniform(0.0, 12.0, 40)
    exact = expected_allocation(t3, use3, draws, share)
    each = [constrained_allocation(t3, use3, float(s), share) for s in draws]
    assert exact.total == pytest.approx(np.mean([a.total for a in each]), rel=1e-9)
    np.testing.assert_allclose(exact.withheld, np.mean([a.withheld for a in each], axis=0),
                               rtol=1e-9, atol=1e-12)


def test_the_shipped_assessments_have_no_price_at_the_choke(cat_shipped: Catalogue) -> None:
    # every scenario of `shigen assess USA` and `JPN`, and each study's own Monte Carlo
    stage = get_stage("disruption")
    for name in ("assess-usa.toml", "assess-japan.toml"):
        study = load_study(ROOT / "studies" / name)
        assert study.disruption is not None and study.disruption.world_markets
        res = assess(study, cat_shipped)
        assert [s for s in res.scenarios if s.choke_share > 0] == []
        ds = stage.run(study.disruption, study, cat_shipped, {})
        codes = [w["code"] for w in json.loads(ds.attrs["warnings"])]
        assert "price-at-choke" not in codes


@pytest.fixture(scope="module")
def cat_shipped() -> Catalogue:
    from shigen.cli.common import catalogue

    return catalogue()


def test_a_scenario_priced_by_the_choke_says_so(tmp_path: Path, cat: Catalogue) -> None:
    # the same toy with every choke at 1.5x: gallium AUS undiverted would need a price of
    # 0.91^-10 = 2.57 by December, so the cap sets it; antimony CAN (x = 0.01: at most
    # 0.99^-10 = 1.106) stays below it
    study = _study(tmp_path, diversion="0.0")
    assert study.disruption is not None
    capped = study.model_copy(update={"disruption": study.disruption.model_copy(update={
        "markets": [m.model_copy(update={"max_price_ratio": 1.5})
                    for m in study.disruption.markets],
        "world_markets": [w.model_copy(update={"max_price_ratio": 1.5})
                          for w in study.disruption.world_markets]})})
    res = assess(capped, cat)
    flagged = {(w["where"]["commodity"], w["where"]["supplier"]) for w in res.warnings()}
    assert ("gallium", "AUS") in flagged and ("antimony", "CAN") not in flagged
    assert all(w["code"] == "price-at-choke" and w["where"]["share_of_draws"] > 0
               for w in res.warnings())
    assert res.to_json()["warnings"] == res.warnings()
    # the shipped ones have none (test_the_shipped_assessments_have_no_price_at_the_choke)
    assert assess(_study(tmp_path), cat).to_json()["warnings"] == []
