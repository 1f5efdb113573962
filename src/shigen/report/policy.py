"""How the policy stage is shown: its figures, its HTML tables and its ``shigen run`` tables.

Figures: packages by criterion (best first), rank stability and Sobol indices, all
drawn from the summary. Tables: packages in rank order and the Sobol indices.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import xarray as xr
from rich.table import Table as RichTable

from shigen.report.economy import cost_benefit_tables, render_cost_benefit
from shigen.report.figures import PALETTE, Figure, Summary, layout, slug
from shigen.report.tables import Table, generic_tables


def figures(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """The policy stage's own figures, in the order the report shows them."""
    return [*policy_ranking(ds, summary), *policy_sobol(ds, summary)]


def policy_ranking(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Policy packages ranked: score per criterion (grouped bars), best first; rank stability.

    Draws the policy summary (``ranking``, ``scores``, ``rank_stability``), i.e. the same
    numbers as ``shigen run --json``.
    """
    if not summary.get("ranking"):
        return []
    ranking = [str(p) for p in summary["ranking"]]
    out = []
    scores = summary.get("scores") or {}
    if scores:
        criteria = list(dict.fromkeys(c for p in ranking for c in scores.get(p, {})))
        senses = {c: (summary.get("criteria") or {}).get(c, {}).get("sense", "max")
                  for c in criteria}
        z: list[list[float | None]] = []
        text: list[list[str]] = []
        for p in ranking:
            row_z: list[float | None] = []
            row_t: list[str] = []
            for c in criteria:
                col = [scores.get(q, {}).get(c) for q in ranking]
                nums = [v for v in col if isinstance(v, int | float)]
                v = scores.get(p, {}).get(c)
                if not isinstance(v, int | float) or not nums:
                    row_z.append(None)
                    row_t.append("")
                    continue
                lo, hi = min(nums), max(nums)
                good = 0.5 if hi == lo else (v - lo) / (hi - lo)
                row_z.append(1 - good if senses[c] == "min" else good)
                row_t.append(f"{v:.4g}")
            z.append(row_z)
            text.append(row_t)
        fig = go.Figure(go.Heatmap(
            z=z, x=criteria, y=ranking, text=text, texttemplate="%{text}", zmin=0, zmax=1,
            colorscale="RdYlGn", colorbar={"title": "better →", "tickvals": [0, 1],
                                           "ticktext": ["worst", "best"]},
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
        fig.update_yaxes(autorange="reversed")
        fig.update_xaxes(tickangle=-30)
        title = "Policy packages by criterion (best package first)"
        layout(fig, title, height=max(300, 160 + 45 * len(ranking)))
        out.append(Figure("policy-scores", "policy", title, fig,
                          caption="Each criterion's value by package; colour: from the worst "
                                  "(red) to the best (green) package on that criterion, "
                                  "given whether it is minimised or maximised."))
    stability = summary.get("rank_stability") or {}
    if stability:
        fig = go.Figure(go.Bar(x=ranking, y=[stability.get(p, 0.0) for p in ranking],
                               marker_color=PALETTE[2], name="rank stability"))
        layout(fig, "Rank stability: share of weight space where each package ranks first",
                yaxis="share")
        fig.update_yaxes(range=[0, 1], tickformat=".0%")
        out.append(Figure("policy-rank-stability", "policy", "Rank stability", fig,
                          caption="Share of sampled weight vectors for which each package "
                                  "ranks first."))
    return out


def policy_sobol(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Sobol indices (S1 and ST) by parameter, one figure per criterion.

    Criteria on which no parameter has an index above 1e-9 get no figure (the table
    lists their zeros).
    """
    if not summary.get("sobol"):
        return []
    out = []
    for criterion, params in summary["sobol"].items():
        names = list(params)
        if all(abs(params[p].get(i) or 0.0) < 1e-9 for p in names for i in ("S1", "ST")):
            continue
        fig = go.Figure()
        for index in ("S1", "ST"):
            fig.add_trace(go.Bar(y=names, x=[params[p].get(index) for p in names],
                                 orientation="h", name=index))
        fig.update_layout(barmode="group")
        title = f"Sensitivity of {criterion} (Sobol indices)"
        layout(fig, title, xaxis="index", height=max(260, 120 + 40 * len(names)))
        out.append(Figure(slug("policy-sobol", criterion), "policy", title, fig,
                          caption="First-order (S1) and total (ST) Sobol indices."))
    return out


def tables(summary: Summary) -> list[Table]:
    """Packages in rank order with their score, rank stability and criterion values."""
    ranking = list(summary.get("ranking") or [])
    scores = summary.get("scores") or {}
    criteria = list(dict.fromkeys(c for p in ranking for c in scores.get(p, {})))
    t = Table("policy-ranking", "Policy packages, best first",
              ["rank", "package", "score", "rank stability"],
              caption="Rank stability: share of sampled weight vectors for which the package "
                      "ranks first. The criterion values follow, one row per criterion.")
    for i, p in enumerate(ranking, start=1):
        t.add(i, p, (summary.get("score") or {}).get(p),
              (summary.get("rank_stability") or {}).get(p), fmt={3: ".0%"})
    out = [t] if t.rows else []
    # criteria as rows, packages as columns: a study may have many criteria, few packages
    meta = summary.get("criteria") or {}
    values = Table("policy-criteria", "Criterion values by package (best package first)",
                   ["criterion", "unit", *ranking])
    for c in criteria:
        unit = (meta.get(c) or {}).get("unit", "") if isinstance(meta, dict) else ""
        values.add(c, unit, *[scores.get(p, {}).get(c) for p in ranking])
    if values.rows:
        out.append(values)
    sobol = summary.get("sobol") or {}
    if sobol:
        # the bootstrap 95 % half-widths (sobol_bars): an index is only as good as its interval
        conf = {(c, b["parameter"]): b for c, bars in (summary.get("sobol_bars") or {}).items()
                for b in bars}
        s = Table("policy-sobol", "Sobol indices", ["criterion", "parameter", "S1", "S1_conf",
                                                     "ST", "ST_conf"],
                  caption="First-order (S1) and total (ST) indices with their bootstrap 95 % "
                          "half-widths: an index within its half-width of 0 is not resolved.")
        for criterion, params in sobol.items():
            for param, idx in params.items():
                ci = conf.get((criterion, param), {})
                s.add(criterion, param, idx.get("S1"), ci.get("S1_conf"), idx.get("ST"),
                      ci.get("ST_conf"), fmt={2: ".3f", 3: ".3f", 4: ".3f", 5: ".3f"})
        out.append(s)
    out += cost_benefit_tables(summary)
    rest = {k: v for k, v in summary.items()
            if k not in ("ranking", "scores", "score", "rank_stability", "sobol", "sobol_bars",
                         "cost_benefit")}
    return out + [t for t in generic_tables("policy", rest) if t.rows]


def render(summary: dict[str, Any]) -> list[RichTable]:
    """Rich tables for ``shigen run``: packages ranked with criteria; Sobol indices."""
    crit = summary["criteria"]
    ranking = summary["ranking"]
    t = RichTable(title=f"policy packages ranked ({summary['method']}; stability = share of "
                    "weight space where the package ranks first)")
    for col in ("rank", "package", "score", "stability"):
        t.add_column(col)
    for i, p in enumerate(ranking, start=1):
        t.add_row(str(i), p, f"{summary['score'][p]:.3f}", f"{summary['rank_stability'][p]:.2f}")
    c = RichTable(title="criteria by package (↓ less is better, ↑ more is better)")
    c.add_column("criterion")
    c.add_column("weight")
    for p in ranking:
        c.add_column(p, justify="right")
    for name, meta in crit.items():
        arrow = "↓" if meta["sense"] == "min" else "↑"
        unit = f" ({meta['unit']})" if meta["unit"] else ""
        c.add_row(f"{name}{unit} {arrow}", f"{meta['weight']:g}",
                  *(f"{summary['scores'][p][name]:.4g}" for p in ranking))
    tables = [t, c, *render_cost_benefit(summary)]
    if "sobol" in summary:
        s = RichTable(title=f"Sobol indices S1 / ST (package {summary['sensitivity_package']}, "
                        f"{summary['sensitivity_evaluations']} evaluations)")
        s.add_column("criterion")
        params = list(next(iter(summary["sobol"].values())))
        for p in params:
            s.add_column(p)
        for c, row in summary["sobol"].items():
            s.add_row(c, *(f"{row[p]['S1']:.2f} / {row[p]['ST']:.2f}" for p in params))
        tables.append(s)
    return tables
