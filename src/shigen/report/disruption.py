"""How the disruption stage is shown: fan charts, HTML tables, ``shigen run`` tables.

:func:`fan_chart` is the one fan chart of shigen: the report draws every variable with
a quantile and a ``year`` dimension with it, and ``shigen fan`` writes
:func:`market_fan` (the same chart of one market) to a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go
import xarray as xr
from rich.table import Table as RichTable

from shigen.report.figures import MAX_SERIES, Figure, Summary, layout, slug, units
from shigen.report.tables import Table, generic_tables

QUANTILE_DIMS = ("quantile", "fan_quantile")
#: The axis title of each market fan the stage stores (commodity × importer × year).
MARKET_FANS: dict[str, str] = {"shortfall_fan": "shortfall (t/yr)",
                               "price_ratio_fan": "price / path price"}


def fan_chart(da: xr.DataArray, title: str, yaxis: str, dim: str = "fan_quantile") -> go.Figure:
    """Quantile bands over ``year`` around the median line.

    Bands pair the quantiles from the outside in (P5–P95, then P25–P75, ...), darker
    inwards; the middle quantile of an odd number is the median line. The figure has
    plotly's default look: the report puts its own layout on top, ``shigen fan`` does not.
    """
    q = sorted(float(v) for v in da[dim].values)
    years = [int(y) for y in da["year"].values]
    fig = go.Figure()
    for k in range(len(q) // 2):
        lo, hi = q[k], q[-1 - k]
        fig.add_trace(go.Scatter(x=years, y=da.sel({dim: hi}).values.tolist(),
                                 mode="lines", line={"width": 0}, showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=years, y=da.sel({dim: lo}).values.tolist(),
                                 mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=f"rgba(31,119,180,{0.15 * (k + 1):.3g})",
                                 name=f"P{round(lo * 100)}-P{round(hi * 100)}"))
    if len(q) % 2:
        fig.add_trace(go.Scatter(x=years, y=da.sel({dim: q[len(q) // 2]}).values.tolist(),
                                 mode="lines", line={"color": "rgb(31,119,180)"},
                                 name="median"))
    fig.update_layout(title=title, xaxis_title="year", yaxis_title=yaxis)
    return fig


def market_fan(ds: xr.Dataset, commodity: str, importer: str,
               variable: str = "shortfall_fan") -> go.Figure:
    """The fan chart of one market (commodity × importer) of a disruption stage dataset.

    ``variable`` is one of ``MARKET_FANS``: ``"shortfall_fan"`` (t per year) or
    ``"price_ratio_fan"``.
    """
    da = ds[variable].sel(commodity=commodity, importer=importer)
    return fan_chart(da, f"{commodity} / {importer}: {MARKET_FANS[variable]}",
                     MARKET_FANS[variable])


def figures(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Fan charts of every disruption variable with a quantile and a ``year`` dimension.

    One figure per variable and per combination of its other dimensions (e.g.
    commodity × importer), at most ``MAX_SERIES`` per variable.
    """
    out = []
    for var in ds.data_vars:
        da = ds[var]
        dim = next((d for d in QUANTILE_DIMS if d in da.dims), None)
        if dim is None or "year" not in da.dims or da.sizes[dim] < 2:
            continue
        others = [d for d in da.dims if d not in (dim, "year")]
        keys = (list(da.stack(_k=others)["_k"].values)[:MAX_SERIES] if others else [()])
        for key in keys:
            key = key if isinstance(key, tuple) else (key,)
            sel = dict(zip(others, key, strict=True))
            sub = da.sel(sel) if others else da
            if not bool(sub.notnull().any()):
                continue
            if var in MARKET_FANS and set(others) == {"commodity", "importer"}:
                fig = market_fan(ds, sel["commodity"], sel["importer"], str(var))
            else:
                label = " · ".join(str(k) for k in key)
                fig = fan_chart(sub, f"{var} {label}".strip(), units(sub), dim)
            title = str(fig.layout.title.text)
            layout(fig, title, yaxis=str(fig.layout.yaxis.title.text or ""), xaxis="year")
            out.append(Figure(slug("disruption", var, *key), "disruption", title, fig,
                              caption="Quantiles of the Monte Carlo draws by year: the outer "
                                      "band P5–P95, the inner P25–P75, the line the median.",
                              variables=(str(var),)))
    return out


def tables(summary: Summary) -> list[Table]:
    """Shortfall, price and cover by market (commodity × importer), one row per market."""
    rows: list[tuple[str, str, Mapping[str, Any]]] = []
    rest: dict[str, Any] = {}
    for commodity, by_importer in summary.items():
        if commodity in NOT_MARKETS:  # the stage's warnings: in the run's warnings section
            continue
        markets = by_importer if isinstance(by_importer, Mapping) else {}
        scalar_markets = {i: m for i, m in markets.items() if isinstance(m, Mapping) and m
                          and all(not isinstance(v, Mapping | list) for v in m.values())}
        if scalar_markets and len(scalar_markets) == len(markets):
            rows += [(str(commodity), str(i), m) for i, m in scalar_markets.items()]
        else:
            rest[commodity] = by_importer
    out = []
    if rows:
        metrics = list(dict.fromkeys(k for _, _, m in rows for k in m))
        t = Table("disruption-markets", "Disruption outcomes by market",
                  ["commodity", "importer", *[k.replace("_", " ") for k in metrics]],
                  caption="Over the Monte Carlo draws: shortfall quantiles and expectation, "
                          "peak price ratio, days of cover.")
        for commodity, importer, m in rows:
            t.add(commodity, importer, *[m.get(k) for k in metrics])
        out.append(t)
    return out + [t for t in generic_tables("disruption", rest) if t.rows]


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


# top-level summary keys that are not commodities
NOT_MARKETS = ("warnings", "backtest_score")


def render(summary: dict[str, Any]) -> list[RichTable]:
    """One table of outcomes per market, and one model-versus-history table per backtest."""
    t = RichTable(title="disruption: shortfall after levers (Monte Carlo)")
    for col in ("commodity", "importer", "mean short t", "P95 short t", "P(>10%)",
                "cover days", "peak price x"):
        left = col in ("commodity", "importer")
        t.add_column(col, justify="left" if left else "right", min_width=11 if
                     col == "commodity" else 8, overflow="fold")
    tables = [t]
    for c, by_imp in summary.items():
        if c in NOT_MARKETS:
            continue
        for i, e in by_imp.items():
            t.add_row(c, i, _fmt(e["expected_shortfall_t"]), _fmt(e["p95_shortfall_t"]),
                      _fmt(e["prob_shortfall_gt_10pct"]), _fmt(e["days_of_cover"]),
                      _fmt(e["peak_price_ratio"]))
            if e.get("backtest"):
                b = RichTable(title=f"backtest {c} / {i}: model against history")
                for col in ("check", "period", "unit", "history", "model P5", "model P50",
                            "model P95"):
                    left = col in ("check", "period", "unit")
                    b.add_column(col, justify="left" if left else "right",
                                 min_width={"check": 18, "unit": 4, "period": 7}.get(col, 7),
                                 overflow="fold")
                for row in e["backtest"]:
                    b.add_row(row["check"], row["period"], row["unit"], _fmt(row["history"]),
                              _fmt(row["model_p5"]), _fmt(row["model_p50"]),
                              _fmt(row["model_p95"]))
                tables.append(b)
    if "backtest_score" in summary:
        sc = summary["backtest_score"]
        b = RichTable(title=f"backtest score: {sc['inside_p5_p95']} of "
                            f"{sc['out_of_sample_checks']} out-of-sample checks inside P5-P95")
        b.add_column("checks used to estimate parameters (not scored)", overflow="fold")
        b.add_row(", ".join(sc["used_for_estimation"]) or "none")
        tables.append(b)
    for w in summary.get("warnings", []):
        b = RichTable(title=f"warning {w['code']}")
        b.add_column("message", overflow="fold")
        b.add_row(w["message"])
        tables.append(b)
    return tables
