"""One presentation per stage: the lookup, the terminal tables of ``shigen run``."""

from __future__ import annotations

from rich.table import Table as RichTable

from shigen.report import presentation
from shigen.runs import RunStore


def cells(table: RichTable, column: int) -> list[str]:
    return [str(c) for c in table.columns[column]._cells]


def test_every_stage_of_the_flagship_run_renders_its_own_tables(report_home):
    home, rid = report_home
    stages = RunStore(home).manifest(rid)["stages"]
    assert set(stages) == {"energy", "materials", "supply", "disruption", "policy"}
    for stage, info in stages.items():
        tables = presentation(stage).render(info["summary"])
        assert tables and all(isinstance(t, RichTable) for t in tables), stage
        assert all(t.title != stage for t in tables), stage  # not the generic key/value table
    energy = stages["energy"]["summary"]
    co2 = presentation("energy").render(energy)[0]
    assert cells(co2, 0) == list(energy["co2_gt"])
    assert cells(co2, 1) == [f"{v:.1f}" for v in energy["co2_gt"].values()]
    policy = stages["policy"]["summary"]
    ranked = presentation("policy").render(policy)[0]
    assert cells(ranked, 1) == policy["ranking"]


def test_a_stage_without_a_module_renders_figures_values_and_units():
    """One row per figure, labelled by the registry where it knows the key, else humanized."""
    summary = {"count": 3, "nested": {"a": [1.23456, 2]}, "co2_gt": 12.983}
    (table,) = presentation("new-stage").render(summary)
    assert table.title == "new-stage"
    assert cells(table, 0) == ["count", "nested · a", "nested · a", "co2"]
    assert cells(table, 1) == ["3", "1.23", "2", "13"]
    assert cells(table, 2) == ["", "", "", ""]  # a stage unknown to the registry has no units


def test_docstring_examples_run():
    import doctest
    import importlib

    for name in ("shigen.report.figures", "shigen.report.stages"):
        result = doctest.testmod(importlib.import_module(name))
        assert result.attempted > 0 and result.failed == 0, name
