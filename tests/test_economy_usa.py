"""The U.S. table, the constrained allocation and a hand-checked assessment (issue 15)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shigen.datasets import Catalogue
from shigen.economy import data as edata
from shigen.economy.allocation import constrained_allocation, value_added_per_output
from shigen.economy.assess import assess
from shigen.economy.iotable import IOTable, industry_by_industry, leontief_inverse
from shigen.study import load_study

# a sells 50 to b, b sells 100 to c; outputs 100, 200, 400; value added 100, 150, 300
CHAIN = IOTable(["a", "b", "c"],
                np.array([[0.0, 50.0, 0.0], [0.0, 0.0, 100.0], [0.0, 0.0, 0.0]]),
                np.array([100.0, 200.0, 400.0]), np.array([100.0, 150.0, 300.0]), "USD")


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue()


def test_industry_by_industry_by_hand() -> None:
    # two industries, two commodities: industry 1 makes 90 of commodity 1 and 10 of
    # commodity 2, industry 2 makes 50 of commodity 2. Market shares D = [[1, 1/6],
    # [0, 5/6]]; Z = D U splits the use of commodity 2 one sixth / five sixths.
    make = np.array([[90.0, 10.0], [0.0, 50.0]])
    use = np.array([[9.0, 18.0], [6.0, 3.0]])
    z = industry_by_industry(make, use)
    np.testing.assert_allclose(z, [[10.0, 18.5], [5.0, 2.5]], atol=1e-12)
    # what each industry buys is unchanged (columns keep their totals)
    np.testing.assert_allclose(z.sum(axis=0), use.sum(axis=0), atol=1e-12)


def test_bundled_us_table_matches_bea(cat: Catalogue) -> None:
    t = edata.load_table(cat, "USA")
    assert len(t.industries) == 71 and t.currency == "USD"
    # BEA 2023: gross output of the 71 industries 48.39 tn USD, value added 27.72 tn (GDP)
    assert t.x.sum() == pytest.approx(48.387e12, rel=1e-3)
    assert t.v.sum() == pytest.approx(27.7207e12, rel=1e-4)
    # inputs + value added never exceed output (up to BEA's rounding to USD 1 M a cell,
    # which the table's other-inputs row carries: at most USD 5 M a column)
    np.testing.assert_array_less(t.z.sum(axis=0) + t.v, t.x + 6e6)
    # the inverse exists and is the inverse
    np.testing.assert_allclose(leontief_inverse(t.a) @ (np.eye(71) - t.a), np.eye(71),
                               atol=1e-9)
    # BEA's summary use table 2023: computer and electronic products made 0.5 tn USD
    k = t.industries.index("334-computer-and-electronic-products")
    assert 0.3e12 < t.x[k] < 0.7e12


@pytest.mark.parametrize("commodity", ["gallium", "germanium", "graphite", "antimony"])
def test_us_entry_shares_add_up_and_name_industries(cat: Catalogue, commodity: str) -> None:
    t = edata.load_table(cat, "USA")
    e = edata.entry_shares(cat, "USA", commodity, t)   # raises on an unknown industry
    assert e.sum() == pytest.approx(1.0, abs=1e-9)
    assert np.isfinite(edata.unit_value(cat, "USA", commodity))


def test_constrained_allocation_by_hand() -> None:
    # no flows between industries: a makes 50 of value added per 100 of output, b 80.
    # Each uses 10 of the commodity; withholding 1 costs a 0.5 x 100 / 10 = 5 and b 8,
    # so a goes without first.
    t = IOTable(["a", "b"], np.zeros((2, 2)), np.array([100.0, 100.0]),
                np.array([50.0, 80.0]), "USD")
    use = np.array([10.0, 10.0])
    small = constrained_allocation(t, use, 5.0)
    np.testing.assert_allclose(small.withheld, [5.0, 0.0], atol=1e-9)
    assert small.total == pytest.approx(25.0, abs=1e-9)
    big = constrained_allocation(t, use, 15.0)
    np.testing.assert_allclose(big.value_added_loss, [50.0, 40.0], atol=1e-9)
    # nothing more than the whole use can go missing
    assert constrained_allocation(t, use, 1e6).total == pytest.approx(130.0, abs=1e-9)
    # if only half of a's output needs the commodity, withholding 1 costs a 2.5: 5 -> 12.5
    half = constrained_allocation(t, use, 5.0, dependent_share=np.array([0.5, 1.0]))
    assert half.total == pytest.approx(12.5, abs=1e-9)


def test_us_dependent_shares_are_bea_detail_over_summary(cat: Catalogue) -> None:
    t = edata.load_table(cat, "USA")
    s = edata.dependent_shares(cat, "USA", "gallium", t)
    # BEA 2017 detail: semiconductor devices (334413) made 64 242 of the 354 302 M USD of
    # summary industry 334
    k = t.industries.index("334-computer-and-electronic-products")
    assert s[k] == pytest.approx(64242 / 354302, abs=1e-4)
    # an industry the commodity does not enter keeps the bound's 1
    assert s[t.industries.index("22-utilities")] == 1.0
    for commodity in ("germanium", "graphite", "antimony"):
        d = edata.dependent_shares(cat, "USA", commodity, t)
        assert ((d > 0) & (d <= 1)).all()


def test_constrained_allocation_runs_forward_through_the_chain() -> None:
    # G = I + B + B^2 with B[a,b] = B[b,c] = 0.5; v/x = 1, .75, .75, so one unit of
    # output lost at a costs 1 + .5 x .75 + .25 x .75 = 1.5625 of value added
    np.testing.assert_allclose(value_added_per_output(CHAIN), [1.5625, 1.125, 0.75],
                               atol=1e-12)
    # a uses 10 of the commodity for its whole output (100): 2 missing stops 20 of a,
    # which b and c then lack too
    res = constrained_allocation(CHAIN, np.array([10.0, 0.0, 0.0]), 2.0)
    np.testing.assert_allclose(res.output_loss, [20.0, 10.0, 5.0], atol=1e-9)
    assert res.total == pytest.approx(31.25, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(1.0, 50.0), min_size=3, max_size=3),
       st.lists(st.one_of(st.just(0.0), st.floats(0.01, 20.0)), min_size=3, max_size=3),
       st.floats(0.0, 80.0))
def test_constrained_allocation_is_optimal_and_conserves(va: list[float], use: list[float],
                                                         shortfall: float) -> None:
    t = IOTable(["a", "b", "c"], np.array([[0.0, 5.0, 1.0], [2.0, 0.0, 3.0], [1.0, 1.0, 0.0]]),
                np.array([100.0, 100.0, 100.0]), np.array(va), "USD")
    u = np.array(use)
    res = constrained_allocation(t, u, shortfall)
    assert res.withheld.sum() == pytest.approx(min(shortfall, u.sum()), abs=1e-6)
    assert (res.withheld >= -1e-9).all() and (res.withheld <= u + 1e-9).all()
    # no allocation does better: e.g. the proportional one
    if u.sum() > 0:
        prop = u * min(shortfall, u.sum()) / u.sum()
        w = np.divide(value_added_per_output(t) * t.x, u, out=np.zeros(3), where=u > 0)
        assert res.total <= float(w @ prop) + 1e-6


TINY_CATALOGUE = """
[datasets.io-table-fra]
title = "tiny table"
file = "io_table_fra.csv"
source = "test"
license = "test"
edition = "test"
unit = "USD"
dimensions = ["row_kind", "row", "column"]
status = "estimate"

[datasets.io-entry-fra]
title = "tiny entry"
file = "io_entry_fra.csv"
source = "test"
license = "test"
edition = "test"
unit = "fraction"
dimensions = ["commodity", "industry"]
status = "estimate"

[datasets.tiny-demand]
title = "tiny demand"
file = "tiny_demand.csv"
source = "test"
license = "test"
edition = "test"
unit = "t"
dimensions = ["commodity"]
status = "estimate"

[datasets.tiny-suppliers]
title = "tiny suppliers"
file = "tiny_suppliers.csv"
source = "test"
license = "test"
edition = "test"
unit = "fraction"
dimensions = ["commodity", "origin"]
status = "estimate"

[datasets.tiny-prices]
title = "tiny prices"
file = "tiny_prices.csv"
source = "test"
license = "test"
edition = "test"
unit = "USD/t"
dimensions = ["commodity"]
status = "estimate"
"""

TINY_STUDY = """
[study]
name = "tiny-assess"
title = "two commodities, two suppliers"

[disruption]
start = 2024
end = 2024
resolution = "month"
draws = 10
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
"""

MARKET = """
[[disruption.markets]]
commodity = "{c}"
importer = "FRA"
demand = {{ dataset = "tiny-demand", select = {{ commodity = "{c}" }} }}
suppliers = {{ dataset = "tiny-suppliers", select = {{ commodity = "{c}" }} }}
reference_price = {{ dataset = "tiny-prices", select = {{ commodity = "{c}" }} }}
elasticity = -0.1
max_price_ratio = 1.000001   # no price response: the shortfall is the supplier's share
"""


def _tiny(tmp_path: Path) -> tuple[Catalogue, Path]:
    d = tmp_path / "data"
    d.mkdir()
    (d / "catalogue.toml").write_text(TINY_CATALOGUE)
    # two industries with no flows between them: s1 makes 5000 of value added on 10000 of
    # output, s2 800 on 1000
    (d / "io_table_fra.csv").write_text(
        "row_kind,row,column,value,unit\nvalue-added,va,s1,5000,USD\n"
        "other-input,other,s1,5000,USD\nvalue-added,va,s2,800,USD\n"
        "other-input,other,s2,200,USD\nindustry,s1,s2,0,USD\nindustry,s2,s1,0,USD\n")
    (d / "io_entry_fra.csv").write_text(
        "commodity,industry,value,unit\ngallium,s1,1,fraction\nantimony,s2,1,fraction\n")
    (d / "tiny_demand.csv").write_text("commodity,value,unit\ngallium,10,t\nantimony,10,t\n")
    (d / "tiny_suppliers.csv").write_text(
        "commodity,origin,value,unit\ngallium,AUS,0.6,fraction\ngallium,BRA,0.4,fraction\n"
        "antimony,AUS,0.3,fraction\nantimony,BRA,0.7,fraction\n")
    (d / "tiny_prices.csv").write_text("commodity,value,unit\ngallium,100,USD/t\n"
                                       "antimony,100,USD/t\n")
    study = tmp_path / "tiny.toml"
    study.write_text(TINY_STUDY.format(markets="".join(
        MARKET.format(c=c) for c in ("gallium", "antimony"))))
    return Catalogue([d]), study


def test_tiny_assessment_ranks_by_hand(tmp_path: Path) -> None:
    cat, path = _tiny(tmp_path)
    res = assess(load_study(path), cat, default_probability=0.02)
    loss = {(s.commodity, s.supplier): s.loss_usd for s in res.scenarios}
    # a year without a supplier loses its share of 10 t at 100 USD/t; value added per
    # output is 0.5 in s1 (gallium) and 0.8 in s2 (antimony): gallium AUS 6 t -> 300,
    # BRA 4 t -> 200; antimony AUS 3 t -> 240, BRA 7 t -> 560 (the price is held)
    expected = {("gallium", "AUS"): 300.0, ("gallium", "BRA"): 200.0,
                ("antimony", "AUS"): 240.0, ("antimony", "BRA"): 560.0}
    for key, value in expected.items():
        assert loss[key] == pytest.approx(value, rel=1e-3)
    # weighted: gallium 0.1 x 300 + 0.02 x 200 = 34 > antimony 0.02 x (240 + 560) = 16
    ranking = res.by_commodity()
    assert [c for c, _ in ranking] == ["gallium", "antimony"]
    assert ranking[0][1] == pytest.approx(34.0, rel=1e-3)
    assert ranking[1][1] == pytest.approx(16.0, rel=1e-3)


def test_tiny_assessment_constrained_bound_by_hand(tmp_path: Path) -> None:
    cat, path = _tiny(tmp_path)
    res = assess(load_study(path), cat, allocation="constrained")
    loss = {(s.commodity, s.supplier): s.loss_usd for s in res.scenarios}
    # gallium is 1000 USD of s1's 10000 of output: withholding 1 USD stops 10 of output
    # and 5 of value added -> AUS (600 USD missing) 3000; antimony is 1000 of s2's 1000:
    # 1 USD stops 1 of output, 0.8 of value added -> AUS (300 USD) 240, as the Ghosh model
    assert loss[("gallium", "AUS")] == pytest.approx(3000.0, rel=1e-3)
    assert loss[("antimony", "AUS")] == pytest.approx(240.0, rel=1e-3)
    assert res.scenarios[0].top_industry == "s1"


@pytest.mark.parametrize(("row", "message"), [
    ("gallium,999-no-such-industry,0.5,fraction", "is not a sector of io-table-usa"),
    ("gallium,334-computer-and-electronic-products,0,fraction", "not a fraction in"),
])
def test_bad_dependent_share_is_a_located_error(tmp_path: Path, row: str,
                                                message: str) -> None:
    from shigen.errors import InputError

    d = tmp_path / "data"
    d.mkdir()
    (d / "catalogue.toml").write_text(
        '[datasets.io-dependent-share-usa]\ntitle = "bad"\nfile = "s.csv"\nsource = "test"\n'
        'license = "test"\nedition = "test"\nunit = "fraction"\n'
        'dimensions = ["commodity", "industry"]\nstatus = "estimate"\n')
    (d / "s.csv").write_text(f"commodity,industry,value,unit\n{row}\n")
    cat = Catalogue([d])
    t = edata.load_table(cat, "USA")
    with pytest.raises(InputError, match=message) as err:
        edata.dependent_shares(cat, "USA", "gallium", t)
    assert err.value.where.field == "io-dependent-share-usa" and err.value.fix
