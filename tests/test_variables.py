"""The registry of result variables covers what the stages emit; numbers format by rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shigen.report.tables import flatten
from shigen.runs import RunStore
from shigen.study import STAGE_ORDER
from shigen.variables import describe_path, fmt, lookup, registry

# every stage the pipeline knows, so a new stage's variables must be registered too
STAGES = tuple(STAGE_ORDER)


@pytest.mark.parametrize("stage", STAGES)
def test_every_dataset_variable_is_registered_with_its_unit(flagship_store, stage: str) -> None:
    if stage not in flagship_store.summary:
        pytest.skip(f"the flagship study has no {stage} stage")
    ds = RunStore(flagship_store.home).load_stage(flagship_store.run_id, stage)
    missing = [str(v) for v in ds.data_vars if lookup(stage, str(v)) is None]
    assert not missing, (f"the {stage} stage emits variables the registry lacks: {missing}; "
                         f"add them to src/shigen/variables.toml under [{stage}.<name>]")
    wrong = {str(v): (ds[v].attrs.get("units"), lookup(stage, str(v)).unit)  # type: ignore[union-attr]
             for v in ds.data_vars
             if ds[v].attrs.get("units") != lookup(stage, str(v)).unit}  # type: ignore[union-attr]
    assert not wrong, f"unit in the dataset vs the registry: {wrong}"


@pytest.mark.parametrize("stage", STAGES)
def test_every_summary_figure_has_a_registered_label(flagship_store, stage: str) -> None:
    """No table built from a summary shows a raw JSON key: each path names a registered key."""
    if stage not in flagship_store.summary:
        pytest.skip(f"the flagship study has no {stage} stage")
    paths = [p for p, _ in flatten(flagship_store.summary[stage])]
    bare = [p for p in paths
            if not any(lookup(stage, part) for part in p.replace("[", ".[").split("."))]
    assert not bare, f"{stage} summary keys without a registry entry: {bare[:10]}"


def test_registered_dataset_variables_are_marked() -> None:
    """An entry with dataset = true is one a stage's dataset holds: a label is never invented."""
    assert lookup("energy", "co2").dataset and not lookup("energy", "co2_gt").dataset
    assert all(v.label and v.label == v.label.strip() for v in registry().values())
    assert all("_" not in v.label for v in registry().values()), "labels are not JSON keys"


def test_paths_read_as_labels_with_units() -> None:
    assert describe_path("energy", "co2_by_sector_gt.buildings") == (
        "CO2 emissions by sector · buildings", "Gt CO2/year")
    assert describe_path("materials", "neodymium.demand_t") == ("Demand · neodymium", "t/year")
    assert describe_path("energy", "timings_s.build") == ("Time taken · build", "s")
    assert describe_path("disruption", "lng.JPN.p95_shortfall_t") == (
        "Shortfall, P95 · lng · JPN", "t")


@pytest.mark.parametrize(("value", "text"), [
    (6.75621e-09, "6.76×10⁻⁹"), (0.0073318, "0.00733"), (143.557, "144"), (36.25, "36.2"),
    (17591.4, "17,600"), (2050, "2050"), (0.0, "0"), (None, "–"), (1.0, "1"),
    (float("nan"), "–"), (-1234567.0, "-1,230,000"), (1e13, "1×10¹³")])
def test_fmt_by_hand(value: float | None, text: str) -> None:
    assert fmt(value) == text


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False).filter(lambda x: x != 0))
def test_fmt_keeps_three_significant_figures(x: float) -> None:
    """What is printed reads back within half a unit of the third significant figure."""
    text = fmt(x).replace(",", "")
    if "×10" in text:
        mant, exp = text.split("×10")
        exponent = int(exp.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
        back = float(f"{mant}e{exponent}")  # not mant * 10 ** e: that underflows for subnormals
    else:
        back = float(text)
    assert math.isclose(back, x, rel_tol=5.01e-3, abs_tol=0)


def test_the_first_part_with_a_unit_is_the_figure() -> None:
    """``shares.transport_oil`` is a share (not the transport oil use in PJ); containers
    without a unit (``commodities``, ``criticality``) neither label nor qualify."""
    assert describe_path("energy", "shares.transport_oil") == ("Share · transport oil", "fraction")
    assert describe_path("supply", "commodities.rare-earths.2009.import_hhi") == (
        "Import HHI · rare-earths · 2009", "fraction")
    assert describe_path("supply", "commodities.uranium.2010.stages[1].stage") == (
        "Chain stage · uranium · 2010", "")
    assert describe_path("energy", "regions[0]") == ("Regions", "")
