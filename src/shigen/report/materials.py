"""How the materials stage is shown: its figures, its HTML tables and its ``shigen run`` tables.

Figures: the material balance by element, demand by end use per rare earth (when the
study counts every use) and the Sankey of the element flows. Tables: the generic ones of
the summary (year series, then the rest).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import plotly.graph_objects as go
import xarray as xr
from rich.table import Table as RichTable

from shigen.materials import graph
from shigen.materials.sankey import sankey
from shigen.report.figures import Figure, Summary, layout, slug, units
from shigen.report.tables import Table, generic_tables


def figures(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """The materials stage's own figures, in the order the report shows them."""
    return [*materials_balance(ds, summary), *materials_demand_by_use(ds, summary),
            *materials_sankey(ds, summary)]


def materials_demand_by_use(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Per rare earth, stacked yearly demand by end use (central estimate).

    Drawn from the summary's ``demand_by_use_t`` (``energy-products`` = the vehicles and
    wind turbines the energy pathway deploys; the rest from ``ree-end-use-demand``).
    """
    out = []
    for element, entry in summary.items():
        uses = entry.get("demand_by_use_t") if isinstance(entry, Mapping) else None
        if not uses:
            continue
        fig = go.Figure()
        for use, series in uses.items():
            fig.add_trace(go.Scatter(x=[int(y) for y in series], y=list(series.values()),
                                     mode="lines", stackgroup="uses", name=use))
        title = f"{element}: demand by end use"
        layout(fig, title, yaxis="t/yr", xaxis="year")
        out.append(Figure(slug("materials-demand-by-use", element), "materials", title, fig,
                          caption="Element demand (t metal a year) by end use; energy-products "
                                  "follow the energy pathway's fleets, the other uses the "
                                  "estimates of dataset ree-end-use-demand.",
                          variables=("end_use_demand", "demand")))
    return out


def tables(summary: Summary) -> list[Table]:
    return generic_tables("materials", summary)


# The balance figure draws the flows of the declared graph (shigen.materials.graph) that
# reach the products in use and what recycling returns: into fabrication, into use, out
# to end of life, and into secondary supply.
BALANCE_TARGETS = ("fabrication", "use", "end of life", "secondary supply")


def materials_balance(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Material balance by element, from the material-flow graph.

    One figure per element: every stored flow of ``graph.FLOWS`` whose target is one of
    ``BALANCE_TARGETS`` (primary and secondary supply to fabrication, fabrication to use,
    use to end of life, recovery to secondary supply), summed over other dimensions at
    the central draw (:func:`shigen.materials.graph.series`).
    """
    drawn = [f for f in graph.FLOWS if f.stored and f.target in BALANCE_TARGETS
             and f.variable in ds.data_vars and {"element", "year"} <= set(ds[f.variable].dims)]
    if not drawn:
        return []
    flows = graph.series(ds)
    names = [f"{f.source} -> {f.target}" for f in drawn]
    unit = units(ds[drawn[0].variable])
    out = []
    for element in flows[names[0]].element.values:
        fig = go.Figure()
        for name in names:
            da = flows[name].sel(element=element)
            fig.add_trace(go.Scatter(x=[int(y) for y in da.year.values], y=da.values,
                                     mode="lines+markers", name=name))
        title = f"{element}: material balance"
        layout(fig, title, yaxis=unit, xaxis="year")
        out.append(Figure(slug("materials-balance", element), "materials", title, fig,
                          caption="Flows of the material-flow graph: " + ", ".join(names)
                          + ".", variables=tuple(f.variable for f in drawn)))
    return out


def sankey_figure(nodes: list[str], links: list[Mapping[str, Any]], title: str) -> go.Figure:
    """A plotly Sankey from node labels and links ``{source, target, value}`` (index or label)."""
    index = {n: i for i, n in enumerate(nodes)}

    def pos(v: Any) -> int:
        return int(v) if isinstance(v, int | np.integer) else index[str(v)]

    fig = go.Figure(go.Sankey(
        node={"label": list(nodes), "pad": 14, "thickness": 14},
        link={"source": [pos(lk["source"]) for lk in links],
              "target": [pos(lk["target"]) for lk in links],
              "value": [float(lk["value"]) for lk in links]}))
    return layout(fig, title, height=440)


def materials_sankey(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Material flows of the Sankey year; nodes and links from the materials stage's ``sankey``."""
    try:
        spec = sankey(ds).to_dict()
    except (KeyError, ValueError):  # a dataset without the flows or the Sankey year
        return []
    label = " ".join(str(v) for v in (", ".join(spec["elements"]), spec["year"]) if v)
    title = f"Material flows {label}".strip()
    fig = sankey_figure(spec["nodes"], spec["links"], title)
    return [Figure(slug("materials-sankey", label or "all"), "materials", title, fig,
                   caption=f"Flows in {spec['unit']}.")]


def render(summary: dict[str, Any]) -> list[RichTable]:
    """One table: per element, demand and the magnet flows' recycling at key years.

    Demand counts every use the study names; secondary supply, recycled share and stock
    are those of the magnet flows (a dash for rare earths used only outside magnets).
    """
    t = RichTable(title="materials (central estimate)")
    for col in ("element", "year", "demand t", "secondary t", "recycled share", "stock t"):
        t.add_column(col, justify="right" if col != "element" else "left")
    for e, entry in summary.items():
        if "demand_t" not in entry:
            continue
        years = list(entry["demand_t"])
        picks = sorted({years[0], *[y for y in ("2010", "2020", "2030", "2050") if y in years],
                        years[-1]}, key=int)
        for y in picks:
            # rare earths used only outside magnets have demand but no magnet stock
            sec, share, stock = (entry.get(k, {}).get(y) for k in
                                 ("secondary_supply_t", "recycling_share", "stock_t"))
            t.add_row(e, y, f"{entry['demand_t'][y]:,.1f}",
                      "—" if sec is None else f"{sec:,.1f}",
                      "—" if share is None else f"{share:.1%}",
                      "—" if stock is None else f"{stock:,.0f}")
    tables = [t]
    if "thorium" in summary:
        r = RichTable(title="thorium and uranium in mining residues (t)")
        r.add_column("year")
        r.add_column("thorium", justify="right")
        r.add_column("uranium", justify="right")
        th, u = summary["thorium"]["residues_t"], summary["uranium"]["residues_t"]
        for y in [y for y in th if int(y) % 10 == 0] or list(th)[-1:]:
            r.add_row(y, f"{th[y]:,.2f}", f"{u[y]:,.2f}")
        tables.append(r)
    return tables
