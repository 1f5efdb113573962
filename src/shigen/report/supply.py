"""How the supply stage is shown: its figures, its HTML tables and its ``shigen run`` tables.

Figures: production shares by country per chain stage, production HHI, the importer's
imports by origin, the criticality matrix and the chain view. Tables: production
concentration, import dependence, criticality and bilateral interdependence.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import xarray as xr
from rich.table import Table as RichTable

from shigen.report.figures import PALETTE, Figure, Summary, layout, slug, units
from shigen.report.tables import Table


def figures(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """The supply stage's own figures, in the order the report shows them."""
    return [*supply_shares(ds, summary), *supply_hhi(ds, summary),
            *supply_import_shares(ds, summary), *supply_criticality_matrix(ds, summary),
            *supply_chain_view(ds, summary)]


def _share_frame(da: xr.DataArray, value: str) -> pd.DataFrame:
    return da.to_series().dropna().rename(value).reset_index()


def _stacked_shares(frame: pd.DataFrame, category: str | list[str], value: str) -> go.Figure:
    """Horizontal stacked bars of shares: one bar per ``category × year``, colour = country."""
    cats = [category] if isinstance(category, str) else list(category)
    frame = frame[frame[value] > 0].copy()
    frame["bar"] = frame[cats].astype(str).agg(" ".join, axis=1) + " " + \
        frame["year"].astype(int).astype(str)
    frame = frame.groupby(["bar", "year", *cats, "country"], as_index=False, sort=False)[
        value].sum()
    totals = frame.groupby("country")[value].sum().sort_values(ascending=False)
    bars = list(dict.fromkeys(frame.sort_values(["year", *cats])["bar"]))
    fig = go.Figure()
    for country in totals.index:
        sub = frame[frame["country"] == country].set_index("bar")[value]
        fig.add_trace(go.Bar(y=bars, x=[float(sub.get(b, 0.0)) for b in bars], name=str(country),
                             orientation="h",
                             hovertemplate=f"{country}: %{{x:.1%}}<extra>%{{y}}</extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    return fig


def supply_shares(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Producer shares by country at each chain stage, one figure per commodity."""
    if "share" not in ds:
        return []
    out = []
    frame = _share_frame(ds["share"], "share")
    for commodity, sub in frame.groupby("commodity", sort=False):
        if sub.empty:
            continue
        fig = _stacked_shares(sub, "stage", "share")
        n_bars = sub[["stage", "year"]].drop_duplicates().shape[0]
        title = f"{commodity}: production shares by country"
        layout(fig, title, xaxis="share of world production",
                height=max(260, 120 + 40 * n_bars))
        out.append(Figure(slug("supply-shares", commodity), "supply", title, fig,
                          caption="Shares of world production by country at each stage of the "
                                  "chain and year (OTHER: the residual of small producers).",
                          variables=("share",)))
    return out


def supply_hhi(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Production HHI (0–1) by year, one line per commodity and stage."""
    if "production_hhi" not in ds:
        return []
    da = ds["production_hhi"]
    frame = da.to_series().dropna()
    if frame.empty:
        return []
    fig = go.Figure()
    wide = frame.unstack("year")
    for (commodity, stage), row in wide.iterrows():
        row = row.dropna()
        fig.add_trace(go.Scatter(x=[int(y) for y in row.index], y=row.to_numpy(),
                                 mode="lines+markers", name=f"{commodity} · {stage}"))
    for level, label in ((0.15, "moderately concentrated"), (0.25, "highly concentrated")):
        fig.add_hline(y=level, line_dash="dot", line_color="#999", annotation_text=label,
                      annotation_position="top right", annotation_font_size=10,
                      annotation_font_color="#666")
    title = "Concentration of production (HHI)"
    layout(fig, title, yaxis="HHI (0–1)", xaxis="year")
    fig.update_yaxes(range=[0, 1])
    fig.update_xaxes(dtick=1)
    return [Figure("supply-hhi", "supply", title, fig,
                   caption="Herfindahl–Hirschman index over named producers (0–1); dotted "
                           "lines: the US DoJ/FTC 1,500 and 2,500-point thresholds.",
                   variables=("production_hhi",))]


def supply_import_shares(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """The importer's imports by origin, one bar per commodity and year."""
    if "import_share" not in ds:
        return []
    frame = _share_frame(ds["import_share"], "import_share")
    if frame.empty:
        return []
    cats = [d for d in ("commodity", "stage") if d in frame.columns]
    fig = _stacked_shares(frame, cats, "import_share")
    importer = ds.attrs.get("importer") or summary.get("importer") or "importer"
    title = f"{importer}: imports by origin"
    n_bars = frame[[*cats, "year"]].drop_duplicates().shape[0]
    layout(fig, title, xaxis="share of imports", height=max(260, 120 + 34 * n_bars))
    return [Figure("supply-import-shares", "supply", title, fig,
                   caption=f"Share of {importer}'s imports of each commodity by country of origin.",
                   variables=("import_share",))]


# The supply stage's variables that can be a criticality matrix's axes, preferred first.
RISK_AXES = ("crit_supply_risk", "crit_supply_risk_upper", "supply_risk_upper", "eu_supply_risk")
IMPORTANCE_AXES = ("crit_economic_importance", "import_reliance", "crit_energy_share")


def _criticality_points(ds: xr.DataArray | Any, y_name: str, x_name: str
                        ) -> tuple[int | None, pd.DataFrame]:
    """Points (commodity → x, y) of one pair of axes, in the year with the most points."""
    risk, imp = ds[y_name], ds[x_name]
    if "commodity" not in risk.dims or "commodity" not in imp.dims:
        return None, pd.DataFrame()
    year = None
    if "year" in risk.dims:  # the year with the most commodities drawn (then the latest)
        both = risk.notnull() & (imp.notnull() if "year" in imp.dims else imp.notnull().any())
        both = both.any([d for d in both.dims if d not in ("commodity", "year")])
        counts = both.sum("commodity")
        if int(counts.max()) == 0:
            return None, pd.DataFrame()
        year = max(int(y) for y in counts.year.values
                   if int(counts.sel(year=y)) == int(counts.max()))
        risk = risk.sel(year=year)
        imp = imp.sel(year=year) if "year" in imp.dims else imp
    extra = [d for d in (*risk.dims, *imp.dims) if d != "commodity"]
    risk = risk.max([d for d in extra if d in risk.dims]) if extra else risk
    imp = imp.max([d for d in extra if d in imp.dims]) if extra else imp
    return year, pd.DataFrame({"x": imp.to_series(), "y": risk.to_series()}).dropna()


def supply_criticality_matrix(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Criticality matrix: supply risk against importance, one point per commodity.

    y is one of ``RISK_AXES``, x one of
    ``IMPORTANCE_AXES`` (dimension ``commodity``, optionally ``year``): the pair of axes
    with the most commodities drawn (earlier names first on ties), in the year with the
    most. Commodities without both values are left out.
    """
    best: tuple[int, str, str, int | None, pd.DataFrame] | None = None
    for y_name in (n for n in RISK_AXES if n in ds.data_vars):
        for x_name in (n for n in IMPORTANCE_AXES if n in ds.data_vars):
            year, frame = _criticality_points(ds, y_name, x_name)
            if len(frame) and (best is None or len(frame) > best[0]):
                best = (len(frame), y_name, x_name, year, frame)
    if best is None:
        return []
    _, y_name, x_name, year, frame = best
    fig = go.Figure(go.Scatter(
        x=frame["x"].to_numpy(), y=frame["y"].to_numpy(), mode="markers+text",
        text=[str(c) for c in frame.index], textposition="top center",
        marker={"size": 12, "color": PALETTE[3]}, name="commodities"))
    importer = ds.attrs.get("importer") or summary.get("importer") or ""
    title = f"Criticality matrix {importer} {year or ''}".replace("  ", " ").strip()
    x_label, y_label = (n.removeprefix("crit_").replace("_", " ") for n in (x_name, y_name))
    layout(fig, title, xaxis=f"{x_label} ({units(ds[x_name])})",
            yaxis=f"{y_label} ({units(ds[y_name])})")
    crit = summary.get("criticality") or {}
    if crit.get("sr_threshold") is not None and "supply_risk" in y_name:
        fig.add_hline(y=float(crit["sr_threshold"]), line_dash="dot", line_color="#999",
                      annotation_text="supply-risk threshold", annotation_font_size=10)
    return [Figure("supply-criticality-matrix", "supply", title, fig,
                   caption=f"Each commodity's {y_label} against its {x_label}.",
                   variables=(y_name, x_name))]


def supply_chain_view(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Chain view: the largest named producer and its share at each stage of each chain.

    Draws ``share`` (``commodity``, ``stage``, ``country``, ``year``: the last year with
    data for each cell) as a heatmap, stages in chain order.
    """
    if "share" not in ds:
        return []
    da = ds["share"]
    named = da.drop_sel(country=[c for c in ("OTHER",) if c in da.country.values])
    if "year" in named.dims:  # the latest year with data in each cell
        have = named.notnull().any("country")
        last = named.year.where(have).max("year")
        named = named.where(named.year == last).max("year")
    top_share = named.max("country")
    top_country = named.fillna(-1).idxmax("country")
    z = top_share.transpose("commodity", "stage")
    z = z.dropna("commodity", how="all").dropna("stage", how="all")
    if z.size == 0:
        return []
    text = [[str(top_country.sel(commodity=c, stage=s).item()) if np.isfinite(v) else ""
             for s, v in zip(z.stage.values, row, strict=True)]
            for c, row in zip(z.commodity.values, z.values, strict=True)]
    fig = go.Figure(go.Heatmap(z=z.values, x=[str(s) for s in z.stage.values],
                               y=[str(c) for c in z.commodity.values], text=text,
                               texttemplate="%{text}<br>%{z:.0%}", zmin=0, zmax=1,
                               colorscale="OrRd", colorbar={"title": "top share"},
                               hovertemplate="%{y} · %{x}: %{text} %{z:.1%}<extra></extra>"))
    title = "Supply chain view: largest producer at each stage"
    layout(fig, title, height=max(260, 140 + 50 * z.sizes["commodity"]))
    return [Figure("supply-chain-view", "supply", title, fig,
                   caption="Largest named producer and its share of world output at each "
                           "stage of each chain (latest year with data).",
                   variables=("share",))]


def tables(summary: Summary) -> list[Table]:
    """Production concentration by stage, import dependence, criticality, interdependence."""
    prod = Table("supply-production", "Production concentration by stage",
                 ["commodity", "year", "stage", "production HHI (0–1)", "HHI (points, 0–10,000)",
                  "top producer", "top producer share"],
                 caption="HHI over named producers; points = 10,000 × HHI.")
    importer = summary.get("importer") or "the importer"
    imports = Table("supply-imports", f"Import dependence of {importer}",
                    ["commodity", "year", *IMPORT_COLUMNS.values()],
                    caption="Blank: no data for that year.")
    for commodity, years in (summary.get("commodities") or {}).items():
        for year, entry in years.items():
            for st in entry.get("stages", []):
                hhi = st.get("production_hhi")
                prod.add(commodity, int(year), st.get("stage"), hhi,
                         None if hhi is None else round(hhi * 10_000),
                         st.get("top_producer"), st.get("top_producer_share"),
                         fmt={3: ".4f", 4: "d", 6: ".1%"})
            values = [entry.get(k) for k in IMPORT_COLUMNS]
            if any(v is not None for v in values):
                imports.add(commodity, int(year), *values, fmt=IMPORT_FORMATS)
    out = [t for t in (prod, imports) if t.rows]
    crit = summary.get("criticality") or {}
    if crit.get("by_commodity"):
        t = Table("supply-criticality", f"Criticality of {importer}",
                  ["commodity", "year", "supply risk", "supply risk, upper bound (EU scale)",
                   "economic importance", "share of primary energy"],
                  caption=f"EU method: critical when supply risk ≥ {crit.get('sr_threshold')} "
                          f"and economic importance ≥ {crit.get('ei_threshold')}.")
        for commodity, years in crit["by_commodity"].items():
            for year, v in years.items():
                row = [v.get(k) for k in ("supply_risk", "supply_risk_upper",
                                          "economic_importance", "energy_share")]
                if any(x is not None for x in row):
                    t.add(commodity, int(year), *row, fmt={5: ".1%"})
        if t.rows:
            out.append(t)
    pairs = summary.get("interdependence") or {}
    if pairs:
        cols = list(dict.fromkeys(k for v in pairs.values() for k in v if k != "year"))
        t = Table("supply-interdependence", "Bilateral interdependence",
                  ["pair", "year", *[c.replace("_", " ") for c in cols]],
                  caption="Trade shares, salience, symmetry, Barbieri interdependence, "
                          "sensitivities, asymmetry and reciprocity (docs/methods/supply.md).")
        for pair, v in pairs.items():
            t.add(pair, v.get("year"), *[v.get(c) for c in cols])
        out.append(t)
    return out


IMPORT_COLUMNS = {"import_reliance": "import reliance", "import_hhi": "import HHI (0–1)",
                  "top_supplier": "top supplier", "top_supplier_share": "top supplier share",
                  "supply_risk_upper": "supply risk, upper bound (EU scale)",
                  "geopolrisk": "GeoPolRisk (0–1)", "bottleneck_hhi": "bottleneck HHI (0–1)"}
IMPORT_FORMATS = {2: ".1%", 3: ".4f", 5: ".1%", 7: ".4f", 8: ".4f"}


def render(summary: dict[str, Any]) -> list[Any]:
    """Rich tables for ``shigen run``: per commodity, each year's chain in order."""

    def f(v: Any) -> str:
        return "—" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))

    tables = []
    imp = summary.get("importer")
    for commodity, per in summary["commodities"].items():
        t = RichTable(title=f"supply · {commodity}" + (f" · importer {imp}" if imp else ""))
        for col in ("year", "stage", "HHI", "top producer", "share", "top supplier",
                    "import HHI", "IR", "GeoPolRisk"):
            t.add_column(col)
        for year, e in per.items():
            lines = e["stages"] or [{"stage": "—", "production_hhi": None,
                                     "top_producer": None, "top_producer_share": None}]
            for i, x in enumerate(lines):
                extra = ([f(e.get("top_supplier")), f(e.get("import_hhi")),
                          f(e.get("import_reliance")), f(e.get("geopolrisk"))]
                         if i == 0 else ["", "", "", ""])
                t.add_row(year if i == 0 else "", x["stage"], f(x["production_hhi"]),
                          f(x["top_producer"]), f(x["top_producer_share"]), *extra)
        tables.append(t)
    crit = summary.get("criticality")
    if crit:
        t = RichTable(title=f"criticality (EU 2017: critical if SR >= {crit['sr_threshold']} "
                  f"and EI >= {crit['ei_threshold']})")
        for col in ("commodity", "year", "SR", "SR upper", "EI", "energy share"):
            t.add_column(col)
        for c, per in crit["by_commodity"].items():
            for y, m in per.items():
                if any(v is not None for v in m.values()):
                    t.add_row(c, y, f(m["supply_risk"]), f(m["supply_risk_upper"]),
                              f(m["economic_importance"]), f(m["energy_share"]))
        tables.append(t)
    if summary.get("interdependence"):
        t = RichTable(title="interdependence")
        for col in ("pair", "year", "salience", "symmetry", "reciprocity", "asymmetry"):
            t.add_column(col)
        for pair, m in summary["interdependence"].items():
            t.add_row(pair, str(m["year"]), f(m["salience"]), f(m["symmetry"]),
                      f(m["reciprocity"]), f(m["asymmetry"]))
        tables.append(t)
    return tables
