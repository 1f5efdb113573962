"""Figures and HTML tables of each stage's presentation module, and the generic fallback."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from shigen.report import disruption as disruption_view
from shigen.report import presentation
from shigen.report import supply as supply_view
from shigen.report.energy import energy_build_rates, energy_co2, energy_mix, energy_plants
from shigen.report.figures import MAX_SERIES, generic_figure
from shigen.report.materials import materials_balance, materials_sankey, sankey_figure
from shigen.report.policy import policy_ranking, policy_sobol
from shigen.report.supply import supply_chain_view, supply_criticality_matrix
from shigen.report.tables import flatten
from shigen.study import STAGE_ORDER


def traces(fig):  # plotly JSON decoded, so typed arrays come back as lists
    return json.loads(fig.figure.to_json())["data"]


def values(arr) -> list:
    """Decode a plotly JSON array (plain list or a base64 typed array)."""
    if isinstance(arr, dict) and "bdata" in arr:
        import base64

        flat = np.frombuffer(base64.b64decode(arr["bdata"]), dtype=np.dtype(arr["dtype"]))
        if "shape" in arr:
            flat = flat.reshape([int(n) for n in str(arr["shape"]).split(",")])
        return flat.tolist()
    return list(arr)


@pytest.fixture(scope="module")
def supply(report_home):
    from shigen.runs.store import RunStore

    home, rid = report_home
    store = RunStore(home)
    return store.load_stage(rid, "supply"), store.manifest(rid)["stages"]["supply"]["summary"]


def figures_for_stage(stage, ds, summary):
    return presentation(stage).figures(ds, summary)


def tables_for_stage(stage, summary):
    return presentation(stage).tables(summary)


def test_every_stage_has_a_presentation_module():
    for stage in STAGE_ORDER:
        module = presentation(stage).module
        assert module is not None and module.__name__ == f"shigen.report.{stage}", stage
    assert presentation("new-stage").module is None


def test_supply_figures_cover_every_variable(supply):
    ds, summary = supply
    figs = figures_for_stage("supply", ds, summary)
    ids = [f.id for f in figs]
    assert "supply-hhi" in ids and "supply-import-shares" in ids and "supply-chain-view" in ids
    assert "supply-shares-rare-earths" in ids and "supply-shares-uranium" in ids
    assert not any(i.startswith("supply-share") and i.endswith("-share") for i in ids)
    own = {v for f in figs if not f.generic for v in f.variables}
    assert {"share", "production_hhi", "import_share"} <= own
    generic = [f for f in figs if f.generic]  # every other variable gets a generic figure
    assert {f.variables[0] for f in generic} | own >= {
        str(v) for v in ds.data_vars if ds[v].ndim and ds[v].notnull().any()}
    assert not own & {f.variables[0] for f in generic}


def test_stacked_shares_sum_to_one_per_bar(supply):
    ds, summary = supply
    fig = next(f for f in figures_for_stage("supply", ds, summary)
               if f.id == "supply-shares-uranium")
    data = traces(fig)
    bars = data[0]["y"]
    totals = np.sum([values(t["x"]) for t in data], axis=0)
    cells = ds["share"].sel(commodity="uranium").notnull().any("country")
    assert len(bars) == int(cells.sum())  # one bar per stage × year with data
    np.testing.assert_allclose(totals, 1.0, atol=1e-9)


def test_hhi_figure_shows_the_summary_values(supply):
    ds, summary = supply
    fig = next(f for f in figures_for_stage("supply", ds, summary) if f.id == "supply-hhi")
    shown = {t["name"]: dict(zip(values(t["x"]), values(t["y"]), strict=True))
             for t in traces(fig)}
    for commodity, years in summary["commodities"].items():
        for year, entry in years.items():
            for stage in entry["stages"]:
                # the summary rounds to 6 decimals
                assert shown[f"{commodity} · {stage['stage']}"][int(year)] == pytest.approx(
                    stage["production_hhi"], abs=1e-6)


def test_supply_tables_hold_the_json_values(supply):
    _, summary = supply
    tables = {t.id: t for t in supply_view.tables(summary)}
    prod, imports = tables["supply-production"], tables["supply-imports"]
    row = next(r for r in prod.rows if r[0].value == "rare-earths" and r[1].value == 2009)
    re09 = summary["commodities"]["rare-earths"]["2009"]["stages"][0]
    assert row[3].value == re09["production_hhi"]
    assert row[4].value == round(re09["production_hhi"] * 10_000)
    assert row[5].value == "CHN" and row[6].text == f"{re09['top_producer_share']:.1%}"
    re_imports = next(r for r in imports.rows if r[0].value == "rare-earths" and r[1].value == 2009)
    year09 = summary["commodities"]["rare-earths"]["2009"]
    assert [c.value for c in re_imports[2:6]] == [
        year09["import_reliance"], year09["import_hhi"], "CHN", year09["top_supplier_share"]]


def test_generic_fallback_for_unknown_stage():
    ds = xr.Dataset({"stock": (("year", "element"), [[1.0, 2.0], [3.0, 4.0]]),
                     "total": ((), 5.0), "by_region": ("region", [1.0, 2.0])},
                    coords={"year": [2020, 2030], "element": ["nd", "dy"],
                            "region": ["JPN", "CHN"]})
    ds["stock"].attrs["units"] = "t"
    figs = figures_for_stage("new-stage", ds, {})
    assert [f.id for f in figs] == ["new-stage-stock", "new-stage-by-region"]  # scalar: none
    lines = traces(figs[0])
    assert {t["name"] for t in lines} == {"nd", "dy"}
    nd = next(t for t in lines if t["name"] == "nd")
    assert values(nd["x"]) == [2020, 2030] and values(nd["y"]) == [1.0, 3.0]
    assert json.loads(figs[0].figure.to_json())["layout"]["yaxis"]["title"]["text"] == "t"


@settings(max_examples=30, deadline=None)
@given(n_years=st.integers(1, 6), n_keys=st.integers(1, 20),
       seed=st.integers(0, 2**16))
def test_generic_figure_draws_the_data_and_at_most_max_series(n_years, n_keys, seed):
    rng = np.random.default_rng(seed)
    data = rng.normal(size=(n_years, n_keys))
    da = xr.DataArray(data, dims=("year", "key"),
                      coords={"year": 2000 + np.arange(n_years),
                              "key": [f"k{i}" for i in range(n_keys)]}, name="v")
    fig = generic_figure("s", da)
    assert fig is not None
    shown = traces(fig)
    assert len(shown) == min(n_keys, MAX_SERIES)
    for t in shown:  # every drawn point is the array's value
        np.testing.assert_allclose(values(t["y"]), da.sel(key=t["name"]).values)
    # the series drawn are the largest by absolute total
    totals = np.abs(data).sum(axis=0)
    cutoff = np.sort(totals)[::-1][len(shown) - 1]
    assert all(totals[int(t["name"][1:])] >= cutoff - 1e-12 for t in shown)


def test_energy_hooks():
    years, techs = [2010, 2030, 2050], ["nuclear", "wind", "coal"]
    gen = xr.DataArray([[10, 1, 20], [20, 5, 10], [30, 10, 0.0]], dims=("year", "technology"),
                       coords={"year": years, "technology": techs}, attrs={"units": "TWh"})
    ds = xr.Dataset({"generation": gen, "co2": ("year", [30.0, 20.0, 14.0]),
                     "builds_per_year": gen / 10})
    mix, co2, build = energy_mix(ds, {}), energy_co2(ds, {}), energy_build_rates(ds, {})
    coal = next(t for t in traces(mix[0]) if t["name"] == "coal")
    assert values(coal["y"]) == [20.0, 10.0, 0.0]  # a zero point stays in the stack
    assert values(traces(co2[0])[0]["y"]) == [30.0, 20.0, 14.0]
    assert {t["name"] for t in traces(build[0])} == set(techs)
    assert {f.id for f in figures_for_stage("energy", ds, {})} == {
        "energy-mix-generation", "energy-co2", "energy-build-builds-per-year"}


def test_plants_per_year_uses_the_summary_technologies():
    plants = xr.DataArray([[[10.0, 1000.0, 0.0], [30.0, 2000.0, 0.0]]],
                          dims=("region", "year", "technology"),
                          coords={"region": ["WLD"], "year": [2030, 2050],
                                  "technology": ["nuclear", "solar_pv", "coal_ccs"]})
    ds = xr.Dataset({"plants_per_year": plants})
    (fig,) = energy_plants(ds, {"plants_per_year": {"nuclear": 20.0, "coal_ccs": 0.0}})
    shown = traces(fig)
    assert [t["name"] for t in shown] == ["nuclear"]  # coal_ccs builds nothing; solar not named
    assert values(shown[0]["y"]) == [10.0, 30.0]
    (fig,) = energy_plants(ds, {})  # no summary: every technology that builds, log scale
    assert [t["name"] for t in traces(fig)] == ["nuclear", "solar_pv"]
    assert json.loads(fig.figure.to_json())["layout"]["yaxis"]["type"] == "log"


def test_materials_hooks():
    da = xr.DataArray([[1.0, 2.0]], dims=("element", "year"),
                      coords={"element": ["neodymium"], "year": [2020, 2030]})
    ds = xr.Dataset({"primary_demand": da, "secondary_supply": da / 4})
    bal = materials_balance(ds, {})  # the graph's flows that these variables store
    shown = traces(bal[0])
    assert [t["name"] for t in shown] == ["primary supply -> fabrication",
                                          "recovery -> secondary supply"]
    assert values(shown[1]["y"]) == [0.25, 0.5]
    assert bal[0].variables == ("primary_demand", "secondary_supply")
    assert materials_sankey(ds, {}) == []  # no flows to draw
    # links name their nodes by label or by index
    fig = sankey_figure(["mine", "magnet", "scrap"],
                        [{"source": "mine", "target": "magnet", "value": 2},
                         {"source": 1, "target": 2, "value": 0.5}], "flows")
    sankey = json.loads(fig.to_json())["data"][0]
    assert values(sankey["link"]["source"]) == [0, 1]
    assert values(sankey["link"]["target"]) == [1, 2]


def test_materials_sankey_draws_the_stage_flows(report_home):
    from shigen.materials.sankey import sankey
    from shigen.runs import RunStore

    home, rid = report_home
    ds = RunStore(home).load_stage(rid, "materials")
    flows = sankey(ds)
    (fig,) = materials_sankey(ds, {})
    assert fig.title == f"Material flows {', '.join(flows.elements)} {flows.year}"
    drawn = traces(fig)[0]
    assert drawn["node"]["label"] == flows.nodes
    np.testing.assert_allclose(values(drawn["link"]["value"]),
                               [lk["value"] for lk in flows.links])


def test_supply_risk_hooks():
    share = [[[[0.9, 0.1], [0.5, 0.5]], [[0.3, 0.7], [np.nan, np.nan]]],   # 2009
             [[[0.8, 0.2], [np.nan, np.nan]], [[0.2, 0.8], [0.6, 0.4]]]]   # 2010
    ds = xr.Dataset({"supply_risk_upper": (("commodity", "year"), [[2.5, 2.6], [0.8, np.nan]]),
                     "import_reliance": (("commodity", "year"), [[1.0, 1.0], [1.0, 1.0]]),
                     "share": (("year", "commodity", "stage", "country"), share)},
                    coords={"commodity": ["rare-earths", "uranium"], "year": [2009, 2010],
                            "stage": ["mining", "processing"], "country": ["CHN", "KAZ"]})
    fig = supply_criticality_matrix(ds, {"importer": "JPN"})[0]
    point = traces(fig)[0]
    # 2009 is the year with the most commodities drawn (uranium has no 2010 risk value)
    assert fig.title == "Criticality matrix JPN 2009"
    assert values(point["x"]) == [1.0, 1.0] and values(point["y"]) == [2.5, 0.8]
    assert point["text"] == ["rare-earths", "uranium"]
    only_2010 = ds.assign(supply_risk_upper=ds["supply_risk_upper"].where(ds.year == 2010))
    point = traces(supply_criticality_matrix(only_2010, {})[0])[0]
    assert point["text"] == ["rare-earths"] and values(point["y"]) == [2.6]
    heat = traces(supply_chain_view(ds, {})[0])[0]
    # each cell: the latest year with data; rare-earths processing only has 2009
    assert heat["text"] == [["CHN", "CHN"], ["KAZ", "CHN"]]  # the 0.5/0.5 tie: first country
    np.testing.assert_allclose(values(heat["z"]), [[0.8, 0.5], [0.8, 0.6]])


def test_disruption_fan_chart():
    q = [0.05, 0.5, 0.95]
    data = np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 5.0]])  # quantile × year
    ds = xr.Dataset({"shortfall": (("commodity", "quantile", "year"), data[None])},
                    coords={"commodity": ["neodymium"], "quantile": q, "year": [2010, 2011]})
    ds["shortfall"].attrs["units"] = "t/yr"
    figs = disruption_view.figures(ds, {})
    assert [f.id for f in figs] == ["disruption-shortfall-neodymium"]
    assert figs[0].title == "shortfall neodymium"
    t = traces(figs[0])
    assert values(t[0]["y"]) == [3.0, 5.0] and values(t[1]["y"]) == [1.0, 2.0]
    assert t[1]["name"] == "P5-P95"
    assert t[2]["name"] == "median" and values(t[2]["y"]) == [2.0, 3.0]
    layout = json.loads(figs[0].to_json())["layout"]
    assert layout["yaxis"]["title"]["text"] == "t/yr"


def test_policy_hooks_draw_the_summary():
    summary = {"ranking": ["stockpile", "diversify"],
               "scores": {"diversify": {"cost": 1.0, "security": 0.4},
                          "stockpile": {"cost": 2.0, "security": 0.9}},
               "rank_stability": {"stockpile": 0.8, "diversify": 0.2},
               "sobol": {"security": {"price": {"S1": 0.6, "ST": 0.7},
                                      "demand": {"S1": 0.2, "ST": 0.3}},
                         "cost": {"price": {"S1": 0.0, "ST": 0.0}}}}
    ds = xr.Dataset()
    summary["criteria"] = {"cost": {"sense": "min"}, "security": {"sense": "max"}}
    scores, stability = policy_ranking(ds, summary)
    heat = traces(scores)[0]
    assert heat["y"] == ["stockpile", "diversify"] and heat["x"] == ["cost", "security"]
    # cost is minimised: stockpile (2.0) is the worst on it; security maximised: it is best
    assert values(heat["z"]) == [[0.0, 1.0], [1.0, 0.0]]
    assert heat["text"] == [["2", "0.9"], ["1", "0.4"]]
    assert values(traces(stability)[0]["y"]) == [0.8, 0.2]
    sobol = traces(policy_sobol(ds, summary)[0])
    assert sobol[1]["name"] == "ST" and values(sobol[1]["x"]) == [0.7, 0.3]
    assert len(figures_for_stage("policy", ds, summary)) == 3


def test_generic_tables_flatten_the_summary():
    assert flatten({"a": {"b": 1}, "c": [2, {"d": None}]}) == [
        ("a.b", 1), ("c[0]", 2), ("c[1].d", None)]
    (t,) = tables_for_stage("unknown", {"x": {"y": 0.5}})
    assert t.columns == ["figure", "value", "unit"]
    assert [[c.value for c in r] for r in t.rows] == [["x · y", 0.5, ""]]


def test_generic_tables_put_year_series_in_columns():
    """Labels and units come from the registry; a list of names is one cell."""
    summary = {"co2_gt": {"2005": 27.1, "2050": 14.0},
               "shares": {"nuclear_power": {"2005": 0.15, "2030": 0.2}},
               "regions": ["WLD", "JPN"]}
    series, rest = tables_for_stage("energy", summary)
    assert series.columns == ["figure", "unit", "2005", "2030", "2050", "trend"]
    assert [[c.value for c in r[:-1]] for r in series.rows] == [
        ["CO2 emissions", "Gt CO2/year", 27.1, None, 14.0],
        ["Share · nuclear power", "fraction", 0.15, 0.2, None]]
    assert "<polyline" in series.rows[0][-1].svg  # two points: a trend line
    assert [[c.value for c in r] for r in rest.rows] == [["Regions", "WLD, JPN", ""]]


def test_long_year_series_show_round_decades_and_fold_every_year():
    summary = {"demand_t": {str(y): float(y) for y in range(2000, 2051)}}
    compact, full = tables_for_stage("materials", summary)
    assert compact.columns[2:-1] == [str(y) for y in range(2000, 2051, 10)]
    assert [c.value for c in compact.rows[0][2:-1]] == [float(y) for y in range(2000, 2051, 10)]
    assert [c.text for c in compact.rows[0][2:4]] == ["2,000", "2,010"]  # 3 sig. figs
    assert full.collapsed and full.columns[2:] == [str(y) for y in range(2000, 2051)]
    assert "every year is in the full table" in compact.caption


def test_policy_table_in_rank_order():
    summary = {"ranking": ["b", "a"], "score": {"a": 0.2, "b": 0.7},
               "rank_stability": {"a": 0.1, "b": 0.9},
               "scores": {"a": {"cost": 1.0}, "b": {"cost": 3.0}}, "method": "topsis"}
    ranking, values, rest = tables_for_stage("policy", summary)
    assert [[c.value for c in r] for r in ranking.rows] == [[1, "b", 0.7, 0.9],
                                                          [2, "a", 0.2, 0.1]]
    # criteria as rows, packages in rank order as columns
    assert values.columns[2:] == ["b", "a"]
    assert [[c.value for c in r] for r in values.rows] == [["cost", "", 3.0, 1.0]]
    assert ranking.rows[0][3].text == "90%"
    assert ranking.columns[:4] == ["Rank (index)", "package", "Score (index)",
                                   "Rank stability (fraction)"]
    assert [[c.value for c in r] for r in rest.rows] == [["Ranking method", "topsis", ""]]


def test_compare_draws_only_variables_that_differ():
    from shigen.report.compare import compare_figures, compare_table

    doc = {"runs": ["a", "b"], "rows": [
        {"stage": "s", "variable": "same", "key": "k", "a": 1.0, "b": 1.0},
        {"stage": "s", "variable": "more", "key": "k1", "a": 1.0, "b": None},
        {"stage": "s", "variable": "diff", "key": "k", "a": 1.0, "b": 3.5}]}
    figs = compare_figures(doc)
    assert [f.id for f in figs] == ["compare-s-diff", "compare-s-more"]
    bars = traces(figs[0])
    assert [t["name"] for t in bars] == ["a", "b"] and values(bars[1]["y"]) == [3.5]
    table = compare_table(doc)
    assert [r[2].value for r in table.rows][0] == "k" and table.rows[0][-1].value == 2.5


def test_validation_notes_read_as_text():
    from shigen.report.view import validation_notes

    manifest = {"stages": {"materials": {"checks": {
        "mass_balance": {"by_element": {"nd": 1.2e-16}, "passed": True, "tolerance": 1e-9},
        "min_stock": 0.0}}},
        "data": {"a": {"status": "estimate"}, "b": {"status": "verified"}},
        "absent_stages": ["energy"]}
    assert validation_notes(manifest) == [
        "materials check mass_balance: by_element.nd = 1.2e-16; passed = yes; tolerance = 1e-09",
        "materials check min_stock: 0",
        "datasets with status 'estimate' (unverified figures): a",
        "stages not in this run: energy"]


def test_market_fans_are_the_fan_chart_of_shigen_fan():
    q = [0.05, 0.25, 0.5, 0.75, 0.95]
    data = np.array([[0.0, 10.0], [1.0, 20.0], [2.0, 30.0], [3.0, 40.0], [4.0, 50.0]]).T
    ds = xr.Dataset({"shortfall_fan": (("commodity", "importer", "year", "fan_quantile"),
                                       data[None, None])},
                    coords={"commodity": ["rare-earths"], "importer": ["JPN"],
                            "year": [2010, 2011], "fan_quantile": q})
    (fig,) = disruption_view.figures(ds, {})
    assert fig.id == "disruption-shortfall-fan-rare-earths-jpn"
    assert fig.title == "rare-earths / JPN: shortfall (t/yr)"
    drawn = traces(fig)
    assert [t.get("name") for t in drawn] == [None, "P5-P95", None, "P25-P75", "median"]
    assert values(drawn[-1]["y"]) == [2.0, 30.0]
    # the same bands and median as the chart `shigen fan` writes
    fan = json.loads(disruption_view.market_fan(ds, "rare-earths", "JPN").to_json())["data"]
    assert [(t.get("name"), t["y"]) for t in fan] == [(t.get("name"), t["y"]) for t in drawn]


def test_disruption_table_one_row_per_market():
    summary = {"uranium": {"JPN": {"expected_shortfall_t": 167.9, "days_of_cover": 0.0}},
               "lng": {"JPN": {"expected_shortfall_t": 4868.8, "days_of_cover": 0.0}},
               "checks": [{"check": "a", "ok": True}]}
    markets, rest = tables_for_stage("disruption", summary)
    assert markets.columns == ["commodity", "importer", "Expected shortfall (t)",
                               "Days of cover (day)"]
    assert [[c.value for c in r] for r in markets.rows] == [
        ["uranium", "JPN", 167.9, 0.0], ["lng", "JPN", 4868.8, 0.0]]
    assert [[c.value for c in r] for r in rest.rows] == [["Check", "a", ""],
                                                       ["Passed", True, ""]]
