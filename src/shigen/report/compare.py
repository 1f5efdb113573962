"""Comparison of runs: the rows of ``shigen runs compare`` as a table and grouped bars."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from shigen.report.figures import Figure, layout, slug
from shigen.report.tables import Cell, Table
from shigen.variables import describe_path

MAX_FIGURES = 8
MAX_KEYS = 30


def headline_table(cmp: dict[str, Any]) -> Table:
    """Each stage's summary figures by run, in the order given, with differences.

    The difference is the last run minus the first, absolute and relative;
    ``cmp`` is :meth:`shigen.runs.compare.Comparison.to_json`.
    """
    names = cmp["names"]
    labels = [f"{n} [{r[:8]}]" for n, r in zip(names, cmp["runs"], strict=True)]
    t = Table("headline", "Headline figures by run", ["stage", "figure", "unit", *labels,
                                                      "difference", "relative"],
              caption=f"Difference: {labels[-1]} minus {labels[0]}; relative to {labels[0]}. "
                      "Labels and units: the registry of result variables.")
    for h in cmp["headline"]:
        rel = h["rel_diff"]
        stage, _, path = str(h["key"]).partition(".")
        label, unit = describe_path(stage, path)
        t.add(stage, label, unit, *h["values"], h["diff"], None if rel is None else 100 * rel,
              fmt={len(labels) + 3: "+.3g"})
        if rel is not None:
            t.rows[-1][-1] = Cell(rel, f"{100 * rel:+.3g} %", numeric=True)
    return t


def compare_table(doc: dict[str, Any], limit: int = 500) -> Table:
    """Rows that differ between runs first, then the rest (first ``limit`` rows)."""
    runs = doc["runs"]
    t = Table("compare", "Values by run", ["stage", "variable", "key", *runs, "difference"],
              caption="Difference: largest minus smallest value across the runs.")
    rows = sorted(doc["rows"], key=lambda r: -_spread(r, runs))
    for r in rows[:limit]:
        spread = _spread(r, runs)
        t.add(r["stage"], r["variable"], r["key"], *[r.get(k) for k in runs],
              spread if spread == spread else None)
    return t


def _spread(row: dict[str, Any], runs: list[str]) -> float:
    values = [row.get(r) for r in runs]
    nums = [v for v in values if isinstance(v, int | float)]
    if len(nums) < 2:
        return float("nan") if not nums else 0.0
    return float(max(nums) - min(nums))


def compare_figures(doc: dict[str, Any]) -> list[Figure]:
    """Grouped bars per stage variable (one trace per run) for the variables that differ.

    Variables are ranked by the sum of their differences, then by the number of keys only
    some runs have; variables equal in every run get no figure.
    """
    runs = doc["runs"]
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in doc["rows"]:
        groups.setdefault((r["stage"], r["variable"]), []).append(r)
    def score(rows: list[dict[str, Any]]) -> tuple[float, int]:
        spread = sum(s for s in (_spread(r, runs) for r in rows) if s == s)
        partial = sum(1 for r in rows if any(r.get(k) is None for k in runs))
        return spread, partial

    ranked = sorted(((k, v, score(v)) for k, v in groups.items()),
                    key=lambda kvs: (-kvs[2][0], -kvs[2][1]))
    differing = [(k, v) for k, v, sc in ranked if sc[0] > 0 or sc[1] > 0]
    out = []
    for (stage, var), rows in differing[:MAX_FIGURES]:
        rows = sorted(rows, key=lambda r: -max(abs(r.get(k) or 0) for k in runs))[:MAX_KEYS]
        fig = go.Figure()
        for rid in runs:
            fig.add_trace(go.Bar(x=[r["key"] or var for r in rows],
                                 y=[r.get(rid) for r in rows], name=rid))
        title = f"{stage}: {var} by run"
        layout(fig, title, height=420)
        fig.update_layout(barmode="group")
        fig.update_xaxes(tickangle=-35)
        out.append(Figure(slug("compare", stage, var), stage, title, fig,
                          caption=f"{var} in each run (largest {len(rows)} keys).",
                          variables=(var,)))
    return out
