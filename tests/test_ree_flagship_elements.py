"""Rare earths by element in the flagship (issue 14): element markets, ranges from data,
new supply by deposit mix, the choke price left unraised, and the speed-ups kept exact.

Figures checked by hand:

- Lynas (8 500 t REO/yr to Japan, full from 2013.0) is a monazite-type deposit: the
  neodymium market gets 8 500 x 0.185 = 1 572.5 t/yr, cerium 8 500 x 0.485 = 4 122.5.
- The flagship's dysprosium world market: ed drawn in [-0.3, -0.1] (dataset rows).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from shigen.datasets import Catalogue
from shigen.disruption import data
from shigen.disruption.config import DataRef, RangeRef
from shigen.disruption.model import compile_model
from shigen.disruption.world import JointGroup, WorldGroup, world_prices
from shigen.distributions import Fixed, Uniform
from shigen.errors import InputError
from shigen.study import load_study

ROOT = Path(__file__).resolve().parents[1]
ELEMENTS = ("lanthanum", "cerium", "praseodymium", "neodymium", "terbium", "dysprosium")


@pytest.fixture(scope="module")
def flagship_model() -> Any:
    cat = Catalogue.bundled()
    study = load_study(ROOT / "studies" / "japan-2009.toml")
    dis = study.disruption
    assert dis is not None
    # recycling levers read the materials stage, which this test does not run
    levers = [lv for lv in dis.levers if lv.kind != "recycling"]
    cfg = dis.model_copy(update={"draws": 100, "levers": levers})
    return compile_model(cfg, cat, {}), cfg


def test_range_reference_reads_low_and_high_rows() -> None:
    cat = Catalogue.bundled()
    dy = data.resolve_range(cat, RangeRef(range="ree-element-elasticities", select={
        "element": "dysprosium", "side": "demand"}), "f", -5.0, -1e-9)
    assert dy == Uniform(dist="uniform", low=-0.3, high=-0.1)
    # a number or distribution passes through untouched
    assert data.resolve_range(cat, Fixed(value=0.2), "f", 0.0, 5.0) == Fixed(value=0.2)
    # a demand range used as a supply elasticity has the wrong sign: located error
    with pytest.raises(InputError, match="outside") as exc:
        data.resolve_range(cat, RangeRef(range="ree-element-elasticities", select={
            "element": "dysprosium", "side": "demand"}), "w.supply_elasticity", 0.0, 5.0)
    assert exc.value.where.field == "w.supply_elasticity"
    with pytest.raises(InputError, match="no rows"):
        data.resolve_range(cat, RangeRef(range="ree-element-elasticities", select={
            "element": "dysprosium", "side": "nonsense"}), "f", -5.0, 0.0)


def test_flagship_prices_every_element_in_a_world_market(flagship_model: Any) -> None:
    model, cfg = flagship_model
    world = {g.commodity: g for g in model.world}
    assert set(world) == {"rare-earths", *ELEMENTS}
    assert world["dysprosium"].demand_elasticity == Uniform(dist="uniform", low=-0.3,
                                                            high=-0.1)
    # no market is calibrated on 2009-11 figures: the REO market takes the central row
    j = model.markets.index(("rare-earths", "JPN"))
    assert model.elasticity[j] == pytest.approx(-0.4)
    # the 20x choke price is kept, not raised, for REO and every element
    for c in ("rare-earths", *ELEMENTS):
        assert world[c].max_price_ratio == 20.0
    # Japan's dysprosium demand: 18 299 t REO (MoF 2009) x 0.012 = 219.6 t; over a third
    # of the market outside China (614 t), so a long embargo moves the world Dy price
    k = model.markets.index(("dysprosium", "JPN"))
    assert model.demand[0, k] == pytest.approx(18299 * 0.012)
    assert world["dysprosium"].demand[0] == pytest.approx(614.0)


def test_lynas_delivers_its_mix_to_the_element_markets(flagship_model: Any) -> None:
    model, _cfg = flagship_model
    years = model.grid.years
    full = int(np.flatnonzero(years == 2014)[0])        # 2010.9 + 1.1 + 2 years of ramp
    by_market: dict[str, float] = {}
    for ch, path in model.channel_supply:
        j, supplier, _share = model.channels[ch]
        if supplier == "AUS":
            by_market[model.markets[j][0]] = float(path[full])
    assert by_market["rare-earths"] == pytest.approx(8500.0)
    assert by_market["neodymium"] == pytest.approx(8500 * 0.185)
    assert by_market["cerium"] == pytest.approx(8500 * 0.485)
    # monazite itemises no dysprosium or terbium: Lynas is not listed for them
    assert "dysprosium" not in by_market and "terbium" not in by_market
    # JOGMEC's 60 days are held of REO and of the four magnet elements, not of La or Ce
    days = {c: model.stock_days[j] for j, (c, _i) in enumerate(model.markets)}
    assert all(days[c] == 60 for c in ("rare-earths", "neodymium", "praseodymium",
                                       "dysprosium", "terbium"))
    assert days["lanthanum"] == days["cerium"] == 0


def _reference_prices(groups: list[WorldGroup], jg: JointGroup, cover: np.ndarray,
                      seed: int, n: int) -> np.ndarray:
    """The joint fixed point on every (step, draw) cell, as before the active-cell cut."""
    from shigen.disruption.world import JOINT_ITERATIONS, JOINT_TOLERANCE, _draw

    ed = np.stack([_draw(g.demand_elasticity, g.key, 0, seed, 0, n) for g in groups], -1)
    es = np.stack([_draw(g.supply_elasticity, g.key, 1, seed, 0, n) for g in groups], -1)
    lp = np.log(cover) / (ed - es)[None]
    es_k = np.stack([_draw(d, k, 0, seed, 0, n) for d, k in zip(jg.elasticity, jg.keys,
                                                              strict=True)], -1)
    q = np.stack([g.demand for g in groups], -1)
    byp = jg.byproduct[None] / q[:, None, :]
    for _ in range(JOINT_ITERATIONS):
        basket = np.einsum("tne,ke->tnk", np.exp(lp), jg.weights)
        extra = np.einsum("tnk,tke->tne", basket ** es_k[None] - 1.0, byp)
        step = np.log(np.clip(cover * np.exp(es[None] * lp) + extra, 1e-9, None)) \
            / ed[None] - lp
        lp = lp + 0.5 * step
        if float(np.abs(step).max()) < JOINT_TOLERANCE:
            break
    return np.asarray(np.exp(lp))


def test_joint_prices_on_active_cells_equal_the_full_fixed_point() -> None:
    T, n = 4, 50
    q = {"neodymium": 20.0, "cerium": 50.0, "dysprosium": 2.0}
    groups = [WorldGroup(e, [], np.full(T, v), Uniform(dist="uniform", low=-0.6, high=-0.1),
                         Fixed(value=0.05), 11 + k, 0.0, np.zeros(T), 1e3, {}, {})
              for k, (e, v) in enumerate(q.items())]
    value = np.array([[0.2 * 50.0, 0.5 * 2.0, 0.0]])
    jg = JointGroup("rare-earths", [0, 1, 2], list(q), np.array([[20.0, 50.0, 0.0]]),
                    value / value.sum(), [Uniform(dist="uniform", low=0.0, high=0.3)], [99])
    rng = np.random.default_rng(3)
    cover = np.ones((T, n, 3))
    hit = rng.random((T, n)) < 0.2                     # a fifth of the cells disrupted
    cover[hit] = rng.uniform(0.5, 1.0, size=(int(hit.sum()), 3))
    wp = world_prices(groups, [jg], cover, 7, 0, n)
    assert np.allclose(wp.price, _reference_prices(groups, jg, cover, 7, n), rtol=1e-9)
    assert np.all(wp.price[~hit] == 1.0)               # undisturbed cells stay on the path


class _Cat:
    """The two calls ``data`` makes of a catalogue, over frames the test swaps."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frames = {"toy": frame}

    def __contains__(self, name: str) -> bool:
        return name in self.frames

    def frame(self, name: str) -> pd.DataFrame:
        return self.frames[name]

    def meta(self, name: str) -> Any:
        return type("M", (), {"dimensions": ["element"], "unit": "t"})()


def test_cached_selections_follow_the_frame_not_the_name() -> None:
    ref = DataRef(dataset="toy", select={"element": "nd"})
    cat = _Cat(pd.DataFrame({"element": ["nd", "ce"], "value": [1.0, 2.0]}))
    assert data.scalar(cat, ref, "f") == 1.0  # type: ignore[arg-type]
    assert data.series(cat, DataRef(dataset="toy"), "element", "f") == {  # type: ignore[arg-type]
        "ce": 2.0, "nd": 1.0}
    # an override replaces the frame under the same name: the new values are read
    cat.frames["toy"] = pd.DataFrame({"element": ["nd", "ce"], "value": [5.0, 7.0]})
    assert data.scalar(cat, ref, "f") == 5.0  # type: ignore[arg-type]
    assert data.series(cat, DataRef(dataset="toy"), "element", "f") == {  # type: ignore[arg-type]
        "ce": 7.0, "nd": 5.0}


# --- exporter and buyer behaviour of the backtest (issue 14, item 6) ---------------------

def _backtest_event(name: str) -> Any:
    study = load_study(ROOT / "studies" / "backtest-ree-2010.toml")
    dis = study.disruption
    assert dis is not None
    model = compile_model(dis.model_copy(update={"draws": 10}), Catalogue.bundled(), {})
    return model, next(e for e in model.events if e.name == name)


def test_quota_cut_by_half_year_with_unrecorded_exports() -> None:
    model, quota = _backtest_event("china-export-quota")
    labels = model.grid.labels()
    depth = dict(zip(labels, quota.depth_by_step, strict=True))
    # by hand: 1 - 2 x 22 282 / 50 145 = 0.11130; 1 - 2 x 7 976 / 50 145 = 0.68189
    assert depth["2010-03"] == pytest.approx(1 - 2 * 22282 / 50145, rel=1e-9)
    assert depth["2010-09"] == pytest.approx(1 - 2 * 7976 / 50145, rel=1e-9)
    assert depth["2011-02"] == pytest.approx(1 - 2 * 14508 / 50145, rel=1e-9)
    assert depth["2009-06"] == 0.0
    # the white paper's 2006-2008 range is drawn per draw, not folded into the path
    assert quota.quota_leak == Uniform(dist="uniform", low=0.35, high=0.59)


def _toy(tmp_path: Path, quota_csv: str) -> Catalogue:
    (tmp_path / "catalogue.toml").write_text("""
[datasets.t-demand]
title = "t"
file = "t_demand.csv"
source = "test"
edition = "1"
license = "CC0"
unit = "t"
dimensions = ["year"]
status = "estimate"

[datasets.t-shares]
title = "t"
file = "t_shares.csv"
source = "test"
edition = "1"
license = "CC0"
unit = "fraction"
dimensions = ["origin"]
status = "estimate"

[datasets.t-quota]
title = "t"
file = "t_quota.csv"
source = "test"
edition = "1"
license = "CC0"
unit = "t"
dimensions = ["year", "half"]
status = "estimate"
""")
    (tmp_path / "t_demand.csv").write_text("year,value,unit\n2020,120,t\n")
    (tmp_path / "t_shares.csv").write_text("origin,value,unit\nCHN,1,fraction\n")
    (tmp_path / "t_quota.csv").write_text(quota_csv)
    return Catalogue([tmp_path])


def _cfg(events: list[dict[str, Any]]) -> Any:
    from shigen.disruption.config import DisruptionConfig

    return DisruptionConfig.model_validate({
        "start": 2020, "end": 2021, "resolution": "month", "draws": 50,
        "markets": [{"commodity": "toy", "importer": "JPN",
                     "demand": {"dataset": "t-demand", "select": {"year": 2020}},
                     "suppliers": {"dataset": "t-shares"}, "elasticity": -0.5}],
        "events": events})


def test_unrecorded_exports_soften_the_quota_cut(tmp_path: Path) -> None:
    from shigen.disruption.montecarlo import simulate

    cat = _toy(tmp_path, "year,half,value,unit\n2020,1,50,t\n2020,2,50,t\n"
                         "2021,1,50,t\n2021,2,20,t\n")
    quota = {"name": "q", "kind": "quota-cut", "commodity": "toy", "supplier": "CHN",
             "onset": "2020-01-01", "duration_days": 800,
             "quota": {"dataset": "t-quota", "base_year": 2020}}
    # second half of 2021: rate 40 against 100 -> depth 0.6 of 10 t/month = 6 t short
    short = simulate(_cfg([quota]), cat, 1).draws.annual_shortfall[1, :, 0]
    assert np.allclose(short, 6 * 6.0, rtol=1e-6)
    # a half of the flow outside the quota (leak 0.5): the cut reaches 1 / 1.5 of it
    leak = {**quota, "quota": {**quota["quota"], "unrecorded_exports": 0.5}}
    short = simulate(_cfg([leak]), cat, 1).draws.annual_shortfall[1, :, 0]
    assert np.allclose(short, 6 * 6.0 / 1.5, rtol=1e-6)


def test_backlog_of_a_halt_is_delivered_after_it(tmp_path: Path) -> None:
    from shigen.disruption.montecarlo import simulate

    cat = _toy(tmp_path, "year,half,value,unit\n2020,1,50,t\n2020,2,50,t\n")
    # March 2020 (31 days) fully halted; everything withheld arrives over the 31 days after
    halt = {"name": "h", "kind": "embargo", "commodity": "toy", "supplier": "CHN",
            "importer": "JPN", "onset": "2020-03-01", "duration_days": 31, "depth": 1.0}
    sim = simulate(_cfg([halt]), cat, 1)
    # 31 days (the model's year is 365 days) x 120 t / 365 days, in every draw
    assert sim.draws.total_shortfall[:, 0] == pytest.approx(120 * 31 / 365, rel=1e-9)
    from shigen.disruption.kernel import _events

    def flow(event: dict[str, Any]) -> np.ndarray:
        mult, _ = _events(compile_model(_cfg([event]), cat, {}), 1, 0, 4)
        return np.asarray(mult[0][:, 0])          # (T,) multiplier of China's flow

    held = flow(halt)
    withheld = float((1 - held).sum())            # months of flow: 31 / 365 x 12
    assert withheld == pytest.approx(31 / 365 * 12, rel=1e-9)
    assert held[2] < 0.05                         # March: halted (from 1 March)
    for share in (1.0, 0.5):
        got = flow({**halt, "backlog_release": share, "backlog_days": 31})
        # what was withheld comes back, times the share, in the 31 days after the end
        assert float((got - held).sum()) == pytest.approx(share * withheld, rel=1e-9)
        assert got[3] > 1.0 and np.all(got[5:] == 1.0) and got[0] == 1.0
    with pytest.raises(Exception, match="backlog_release"):
        _cfg([{**halt, "backlog_release": 1.0, "kind": "quota-cut", "importer": None}])
