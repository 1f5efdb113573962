"""Figures of a run: a registry keyed by stage and variable.

A figure function takes a stage's ``xarray.Dataset`` and its summary (the stage's
object in ``shigen run --json``) and returns a list of :class:`Figure`. Functions
are registered with :func:`figure` for the variables they draw; any variable of a
stage that no registered function draws gets a generic figure (a line over ``year``
when it has one, bars otherwise), so a new stage is visible from its first run and
its own figures replace the generic ones when they are registered here.

Hooks for each stage (the names say what they draw):

- ``energy``: :func:`energy_mix`, :func:`energy_co2`, :func:`energy_build_rates`
- ``materials``: :func:`materials_balance`, :func:`materials_sankey`
- ``supply``: :func:`supply_shares`, :func:`supply_hhi`, :func:`supply_import_shares`,
  :func:`supply_criticality_matrix`, :func:`supply_chain_view`
- ``disruption``: :func:`disruption_fan_charts`
- ``policy``: :func:`policy_ranking`, :func:`policy_sobol`

Examples
--------
>>> import xarray as xr
>>> ds = xr.Dataset({"x": ("year", [1.0, 2.0])}, coords={"year": [2009, 2010]})
>>> [f.title for f in figures_for_stage("unknown-stage", ds, {})]
['unknown-stage: x']
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import xarray as xr

Summary = Mapping[str, Any]
FigureFn = Callable[[xr.Dataset, Summary], list["Figure"]]

#: Colours for categories, stable across figures (Okabe–Ito, colour-blind safe, then grey).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000", "#999999", "#7F3C8D", "#11A579", "#3969AC")
MAX_SERIES = 12
GRID = "#EBF0F8"
# A small template of our own: plotly's named templates cost ~50 ms per figure to apply.
pio.templates["shigen"] = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "closest",
    "xaxis": {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True},
    "yaxis": {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True},
})


@dataclass
class Figure:
    """One figure of a run: a stable id, a title, a caption and the plotly figure."""

    id: str
    stage: str
    title: str
    figure: go.Figure
    caption: str = ""
    variables: tuple[str, ...] = ()
    generic: bool = False

    def to_json(self) -> str:
        """The plotly JSON (``data`` and ``layout``) the page hands to ``Plotly.newPlot``."""
        return str(self.figure.to_json())

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "stage": self.stage, "title": self.title,
                "caption": self.caption, "variables": list(self.variables),
                "generic": self.generic, "figure": json.loads(self.to_json())}


@dataclass(frozen=True)
class FigureSpec:
    """A registered figure function and the variables (or summary keys) it draws."""

    stage: str
    name: str
    fn: FigureFn
    variables: tuple[str, ...] = ()
    summary_keys: tuple[str, ...] = ()

    def applies(self, ds: xr.Dataset, summary: Summary) -> bool:
        if self.variables and not all(v in ds.data_vars for v in self.variables):
            return False
        return all(k in summary and summary[k] for k in self.summary_keys)


@dataclass
class Registry:
    """Figure functions by stage, in registration order."""

    specs: dict[str, list[FigureSpec]] = field(default_factory=dict)

    def add(self, spec: FigureSpec) -> None:
        self.specs.setdefault(spec.stage, []).append(spec)

    def for_stage(self, stage: str) -> list[FigureSpec]:
        return list(self.specs.get(stage, []))


REGISTRY = Registry()


def figure(stage: str, name: str, *, variables: tuple[str, ...] = (),
           summary_keys: tuple[str, ...] = ()) -> Callable[[FigureFn], FigureFn]:
    """Register a figure function for a stage; it runs when its variables are present."""

    def deco(fn: FigureFn) -> FigureFn:
        REGISTRY.add(FigureSpec(stage, name, fn, variables, summary_keys))
        return fn

    return deco


def figures_for_stage(stage: str, ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Every figure of one stage: registered ones first, then generic ones for the rest."""
    out: list[Figure] = []
    drawn: set[str] = set()
    for spec in REGISTRY.for_stage(stage):
        if not spec.applies(ds, summary):
            continue
        figs = spec.fn(ds, summary)
        out.extend(figs)
        if figs:
            drawn.update(spec.variables)
            for f in figs:
                drawn.update(f.variables)
    for var in ds.data_vars:
        if str(var) in drawn:
            continue
        fig = generic_figure(stage, ds[var])
        if fig is not None:
            out.append(fig)
    return out


# --- layout helpers -----------------------------------------------------------------
def _layout(fig: go.Figure, title: str, *, yaxis: str = "", xaxis: str = "",
            height: int = 380) -> go.Figure:
    fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left"}, height=height,
                      margin={"l": 60, "r": 20, "t": 50, "b": 50}, template="shigen",
                      legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top"},
                      font={"size": 12},
                      colorway=list(PALETTE))
    if yaxis:
        fig.update_yaxes(title_text=yaxis)
    if xaxis:
        fig.update_xaxes(title_text=xaxis)
    if xaxis == "year":
        fig.update_xaxes(tickformat="d")
    return fig


def _slug(*parts: object) -> str:
    text = "-".join(str(p) for p in parts)
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def _unit(da: xr.DataArray) -> str:
    return str(da.attrs.get("units", ""))


def _series_label(index: tuple[Any, ...] | Any, dims: list[str]) -> str:
    if not isinstance(index, tuple):
        index = (index,)
    return " · ".join(str(v) for v in index) if dims else ""


def generic_figure(stage: str, da: xr.DataArray) -> Figure | None:
    """A figure for any variable: lines over ``year`` if it has one, else bars by key.

    Scalars get no figure (they appear in the run's tables). At most
    ``MAX_SERIES`` series are drawn, the largest by absolute total.
    """
    var = str(da.name)
    if da.ndim == 0 or da.size == 0:
        return None
    unit = _unit(da)
    title = f"{stage}: {var}"
    frame = da.to_series().dropna()
    if frame.empty:
        return None
    fig = go.Figure()
    if "year" in da.dims:
        others = [str(d) for d in da.dims if d != "year"]
        if others:
            wide = frame.unstack("year")
            order = wide.abs().sum(axis=1).sort_values(ascending=False).index[:MAX_SERIES]
            for key in order:
                row = wide.loc[key].dropna()
                fig.add_trace(go.Scatter(x=[int(y) for y in row.index], y=row.to_numpy(),
                                         mode="lines+markers", name=_series_label(key, others)))
        else:
            fig.add_trace(go.Scatter(x=[int(y) for y in frame.index], y=frame.to_numpy(),
                                     mode="lines+markers", name=var))
        _layout(fig, title, yaxis=unit, xaxis="year")
    else:
        dims = [str(d) for d in da.dims]
        top = frame.abs().sort_values(ascending=False).index[:30]
        sel = frame.loc[top]
        fig.add_trace(go.Bar(x=[_series_label(k, dims) for k in sel.index], y=sel.to_numpy(),
                             name=var))
        _layout(fig, title, yaxis=unit)
    return Figure(_slug(stage, var), stage, title, fig,
                  caption=f"{var} ({unit or 'no unit'}) by {', '.join(map(str, da.dims))}.",
                  variables=(var,), generic=True)


# --- supply -------------------------------------------------------------------------
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


@figure("supply", "shares", variables=("share",))
def supply_shares(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Producer shares by country at each chain stage, one figure per commodity."""
    out = []
    frame = _share_frame(ds["share"], "share")
    for commodity, sub in frame.groupby("commodity", sort=False):
        if sub.empty:
            continue
        fig = _stacked_shares(sub, "stage", "share")
        n_bars = sub[["stage", "year"]].drop_duplicates().shape[0]
        title = f"{commodity}: production shares by country"
        _layout(fig, title, xaxis="share of world production",
                height=max(260, 120 + 40 * n_bars))
        out.append(Figure(_slug("supply-shares", commodity), "supply", title, fig,
                          caption="Shares of world production by country at each stage of the "
                                  "chain and year (OTHER: the residual of small producers).",
                          variables=("share",)))
    return out


@figure("supply", "hhi", variables=("production_hhi",))
def supply_hhi(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Production HHI (0–1) by year, one line per commodity and stage."""
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
    _layout(fig, title, yaxis="HHI (0–1)", xaxis="year")
    fig.update_yaxes(range=[0, 1])
    fig.update_xaxes(dtick=1)
    return [Figure("supply-hhi", "supply", title, fig,
                   caption="Herfindahl–Hirschman index over named producers (0–1); dotted "
                           "lines: the US DoJ/FTC 1,500 and 2,500-point thresholds.",
                   variables=("production_hhi",))]


@figure("supply", "import-shares", variables=("import_share",))
def supply_import_shares(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """The importer's imports by origin, one bar per commodity and year."""
    frame = _share_frame(ds["import_share"], "import_share")
    if frame.empty:
        return []
    cats = [d for d in ("commodity", "stage") if d in frame.columns]
    fig = _stacked_shares(frame, cats, "import_share")
    importer = ds.attrs.get("importer") or summary.get("importer") or "importer"
    title = f"{importer}: imports by origin"
    n_bars = frame[[*cats, "year"]].drop_duplicates().shape[0]
    _layout(fig, title, xaxis="share of imports", height=max(260, 120 + 34 * n_bars))
    return [Figure("supply-import-shares", "supply", title, fig,
                   caption=f"Share of {importer}'s imports of each commodity by country of origin.",
                   variables=("import_share",))]


RISK_AXES = ("crit_supply_risk", "supply_risk", "crit_supply_risk_upper", "supply_risk_upper",
             "eu_supply_risk")
IMPORTANCE_AXES = ("crit_economic_importance", "economic_importance", "import_reliance",
                   "crit_energy_share", "energy_share")


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

    Hook for the supply-risk analytics: y is one of ``RISK_AXES``, x one of
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
    _layout(fig, title, xaxis=f"{x_label} ({_unit(ds[x_name])})",
            yaxis=f"{y_label} ({_unit(ds[y_name])})")
    crit = summary.get("criticality") or {}
    if crit.get("sr_threshold") is not None and "supply_risk" in y_name:
        fig.add_hline(y=float(crit["sr_threshold"]), line_dash="dot", line_color="#999",
                      annotation_text="supply-risk threshold", annotation_font_size=10)
    return [Figure("supply-criticality-matrix", "supply", title, fig,
                   caption=f"Each commodity's {y_label} against its {x_label}.",
                   variables=(y_name, x_name))]


REGISTRY.add(FigureSpec("supply", "criticality-matrix", supply_criticality_matrix))


@figure("supply", "chain-view", variables=("share",))
def supply_chain_view(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Chain view: the largest named producer and its share at each stage of each chain.

    Draws ``share`` (``commodity``, ``stage``, ``country``, ``year``: the last year with
    data for each cell) as a heatmap, stages in chain order.
    """
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
    _layout(fig, title, height=max(260, 140 + 50 * z.sizes["commodity"]))
    return [Figure("supply-chain-view", "supply", title, fig,
                   caption="Largest named producer and its share of world output at each "
                           "stage of each chain (latest year with data).",
                   variables=("share",))]


# --- energy -------------------------------------------------------------------------
def _first(ds: xr.Dataset, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in ds.data_vars), None)


def _stacked_area(da: xr.DataArray, by: str) -> go.Figure:
    fig = go.Figure()
    reduce = [d for d in da.dims if d not in ("year", by)]
    if reduce:
        da = da.sum(reduce)
    for key in da[by].values:
        s = da.sel({by: key}).to_series().dropna()
        if s.abs().sum() == 0:
            continue
        fig.add_trace(go.Scatter(x=[int(y) for y in s.index], y=s.to_numpy(), name=str(key),
                                 mode="lines", stackgroup="one"))
    return fig


def energy_mix(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Energy pathway: generation (or capacity) by technology and year, stacked areas."""
    var = _first(ds, ("generation", "capacity"))
    if var is None or "technology" not in ds[var].dims or "year" not in ds[var].dims:
        return []
    fig = _stacked_area(ds[var], "technology")
    title = f"Energy mix: {var} by technology"
    _layout(fig, title, yaxis=_unit(ds[var]), xaxis="year", height=420)
    return [Figure(_slug("energy-mix", var), "energy", title, fig,
                   caption=f"{var} by technology along the pathway.", variables=(var,))]


def energy_co2(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Energy pathway: CO2 emissions by year (summed over other dimensions)."""
    var = _first(ds, ("co2", "co2_emissions", "emissions"))
    if var is None or "year" not in ds[var].dims:
        return []
    da = ds[var]
    other = [d for d in da.dims if d != "year"]
    by = "sector" if "sector" in other else (str(other[0]) if other else None)
    fig = _stacked_area(da, by) if by else go.Figure(go.Scatter(
        x=[int(y) for y in da.year.values], y=da.values, mode="lines+markers", name=var))
    title = "CO2 emissions"
    _layout(fig, title, yaxis=_unit(da), xaxis="year")
    return [Figure("energy-co2", "energy", title, fig, caption="CO2 emissions by year.",
                   variables=(var,))]


def energy_build_rates(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Energy pathway: capacity additions (build rates) by technology and period, bars."""
    var = _first(ds, ("builds_per_year", "additions", "capacity_additions"))
    if var is None or "year" not in ds[var].dims:
        return []
    da = ds[var]
    reduce = [d for d in da.dims if d not in ("year", "technology")]
    if reduce:
        da = da.sum(reduce)
    fig = go.Figure()
    if "technology" in da.dims:
        for tech in da.technology.values:
            s = da.sel(technology=tech).to_series().dropna()
            if s.abs().sum() == 0:
                continue
            fig.add_trace(go.Bar(x=[int(y) for y in s.index], y=s.to_numpy(), name=str(tech)))
    else:
        fig.add_trace(go.Bar(x=[int(y) for y in da.year.values], y=da.values, name=var))
    fig.update_layout(barmode="stack")
    title = f"Build rates: {var}"
    _layout(fig, title, yaxis=_unit(ds[var]), xaxis="year")
    return [Figure(_slug("energy-build", var), "energy", title, fig,
                   caption="Capacity built per period by technology.", variables=(var,))]


def energy_plants(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Plants (units of a typical size) built per year: the 'how many a year' figure.

    Technologies named in the summary's ``plants_per_year`` object when it has them
    (e.g. nuclear, coal_ccs, gas_ccs), else all; a log scale when counts span decades.
    """
    if "plants_per_year" not in ds or "technology" not in ds["plants_per_year"].dims:
        return []
    da = ds["plants_per_year"]
    da = da.sum([d for d in da.dims if d not in ("year", "technology")])
    named = [t for t in (summary.get("plants_per_year") or {}) if t in da.technology.values]
    fig = go.Figure()
    drawn = []
    for tech in named or list(da.technology.values):
        s = da.sel(technology=tech).to_series().dropna()
        s = s[s > 0]
        if s.sum() < 0.5:  # fewer than half a plant over the horizon
            continue
        drawn.append(s)
        fig.add_trace(go.Scatter(x=[int(y) for y in s.index], y=s.to_numpy(), name=str(tech),
                                 mode="lines+markers"))
    if not drawn:
        return []
    spread = max(float(s.max()) for s in drawn) / min(float(s.min()) for s in drawn)
    title = "Plants built per year"
    _layout(fig, title, yaxis="plants per year" + (" (log scale)" if spread > 100 else ""),
            xaxis="year")
    if spread > 100:  # counts that span decades
        fig.update_yaxes(type="log")
    return [Figure("energy-plants", "energy", title, fig,
                   caption="Capacity built per year divided by a typical unit size.",
                   variables=("plants_per_year",))]


def energy_primary(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Primary energy by carrier, stacked areas."""
    if "primary_energy" not in ds or "carrier" not in ds["primary_energy"].dims:
        return []
    fig = _stacked_area(ds["primary_energy"], "carrier")
    title = "Primary energy by carrier"
    _layout(fig, title, yaxis=_unit(ds["primary_energy"]), xaxis="year", height=420)
    return [Figure("energy-primary", "energy", title, fig,
                   caption="Primary energy supply by carrier.", variables=("primary_energy",))]


for _fn, _name in ((energy_mix, "mix"), (energy_co2, "co2"), (energy_build_rates, "build-rates"),
                   (energy_plants, "plants"), (energy_primary, "primary")):
    REGISTRY.add(FigureSpec("energy", _name, _fn))


# --- materials ----------------------------------------------------------------------
BALANCE = ("demand", "primary_demand", "secondary_used", "secondary_supply", "eol_outflow",
           "end_of_life")


def materials_balance(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Material balance by element: primary demand, secondary supply, stock and end of life.

    Hook for the materials stage: draws whichever of ``BALANCE`` exist (``element``,
    ``year``), one figure per element, summed over other dimensions (the central draw
    when there is a ``draw`` dimension).
    """
    names = [n for n in BALANCE if n in ds.data_vars and {"element", "year"} <= set(ds[n].dims)]
    if not names:
        return []
    names = [n for n in names if _unit(ds[n]) == _unit(ds[names[0]])]  # flows, not stocks
    out = []
    for element in ds[names[0]].element.values:
        fig = go.Figure()
        for n in names:
            da = ds[n].sel(element=element)
            if "draw" in da.dims:
                da = da.isel(draw=0)
            da = da.sum([d for d in da.dims if d != "year"]) if da.ndim > 1 else da
            kind = go.Scatter(x=[int(y) for y in da.year.values], y=da.values,
                              mode="lines+markers", name=n.replace("_", " "))
            fig.add_trace(kind)
        title = f"{element}: material balance"
        _layout(fig, title, yaxis=_unit(ds[names[0]]), xaxis="year")
        out.append(Figure(_slug("materials-balance", element), "materials", title, fig,
                          caption="Element flows in use: " + ", ".join(
                              n.replace("_", " ") for n in names) + ".",
                          variables=tuple(names)))
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
    return _layout(fig, title, height=440)


def materials_sankey(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Material flows as a Sankey; nodes and links from ``ds.attrs["sankey_json"]``.

    Hook for the materials stage: ``sankey_json`` is JSON of ``{"year": ..., "unit": ...,
    "nodes": [labels], "links": [{"source", "target", "value"}]}`` (or a list of those,
    one per element).
    """
    raw = ds.attrs.get("sankey_json") or summary.get("sankey")
    if not raw:
        raw = _materials_sankey(ds)
    if not raw:
        return []
    specs = json.loads(raw) if isinstance(raw, str) else raw
    specs = specs if isinstance(specs, list) else [specs]
    out = []
    for spec in specs:
        elements = spec.get("element") or ", ".join(spec.get("elements") or [])
        label = " ".join(str(v) for v in (elements, spec.get("year")) if v)
        title = f"Material flows {label}".strip()
        fig = sankey_figure(spec["nodes"], spec["links"], title)
        out.append(Figure(_slug("materials-sankey", label or "all"), "materials", title, fig,
                          caption=f"Flows in {spec.get('unit', '')}.".replace(" .", ".")))
    return out


def _materials_sankey(ds: xr.Dataset) -> dict[str, Any] | None:
    """Nodes and links from the materials stage's own ``sankey`` function, when present."""
    try:
        from shigen.materials.sankey import sankey  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        result: dict[str, Any] = sankey(ds).to_dict()
    except (KeyError, ValueError):
        return None
    return result


REGISTRY.add(FigureSpec("materials", "balance", materials_balance))
REGISTRY.add(FigureSpec("materials", "sankey", materials_sankey))


# --- disruption ---------------------------------------------------------------------
QUANTILE_DIMS = ("quantile", "fan_quantile")


def fan_chart(da: xr.DataArray, title: str, dim: str = "quantile") -> go.Figure:
    """Quantile bands over ``year``: outer band (min–max quantile), inner bands, median."""
    q = sorted(float(v) for v in da[dim].values)
    fig = go.Figure()
    years = [int(y) for y in da.year.values]
    pairs = [(q[i], q[-1 - i]) for i in range(len(q) // 2)]
    for k, (lo, hi) in enumerate(pairs):
        alpha = 0.15 + 0.2 * k
        fig.add_trace(go.Scatter(x=years, y=da.sel({dim: hi}).values, mode="lines",
                                 line={"width": 0}, showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=years, y=da.sel({dim: lo}).values, mode="lines",
                                 line={"width": 0}, fill="tonexty",
                                 fillcolor=f"rgba(0,114,178,{alpha:.2f})",
                                 name=f"{lo:.0%}–{hi:.0%}"))
    if len(q) % 2:
        mid = q[len(q) // 2]
        fig.add_trace(go.Scatter(x=years, y=da.sel({dim: mid}).values, mode="lines+markers",
                                 line={"color": PALETTE[0]}, name=f"median ({mid:.0%})"))
    return _layout(fig, title, yaxis=_unit(da), xaxis="year")


def _stage_fan_chart() -> Callable[..., go.Figure] | None:
    """The disruption stage's own fan chart (the one ``shigen fan`` writes), if present."""
    try:
        from shigen.disruption.figures import fan_chart as stage_fan  # type: ignore[import-not-found]
    except ImportError:
        return None
    return stage_fan  # type: ignore[no-any-return]


def disruption_fan_charts(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Fan charts of every disruption variable with a quantile and a ``year`` dimension.

    Hook for the disruption stage: one figure per variable and per combination of its
    other dimensions (e.g. commodity × importer), at most ``MAX_SERIES`` per variable.
    ``shortfall_fan`` and ``price_ratio_fan`` are drawn by the stage's own
    ``shigen.disruption.figures.fan_chart`` (as ``shigen fan`` draws them).
    """
    stage_fan = _stage_fan_chart()
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
            label = " · ".join(str(k) for k in key)
            title = f"{var} {label}".strip()
            if (stage_fan is not None and var in ("shortfall_fan", "price_ratio_fan")
                    and set(others) == {"commodity", "importer"}):
                fig = stage_fan(ds, sel["commodity"], sel["importer"], var)
                title = str(fig.layout.title.text or title)
                _layout(fig, title, yaxis=str(fig.layout.yaxis.title.text or ""), xaxis="year")
            else:
                fig = fan_chart(sub, title, dim)
            out.append(Figure(_slug("disruption", var, *key), "disruption", title, fig,
                              caption="Quantiles of the Monte Carlo draws by year: the outer "
                                      "band P5–P95, the inner P25–P75, the line the median.",
                              variables=(str(var),)))
    return out


REGISTRY.add(FigureSpec("disruption", "fan-charts", disruption_fan_charts))


# --- policy -------------------------------------------------------------------------
@figure("policy", "ranking", summary_keys=("ranking",))
def policy_ranking(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Policy packages ranked: score per criterion (grouped bars), best first; rank stability.

    Draws the policy summary (``ranking``, ``scores``, ``rank_stability``), i.e. the same
    numbers as ``shigen run --json``.
    """
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
        _layout(fig, title, height=max(300, 160 + 45 * len(ranking)))
        out.append(Figure("policy-scores", "policy", title, fig,
                          caption="Each criterion's value by package; colour: from the worst "
                                  "(red) to the best (green) package on that criterion, "
                                  "given whether it is minimised or maximised."))
    stability = summary.get("rank_stability") or {}
    if stability:
        fig = go.Figure(go.Bar(x=ranking, y=[stability.get(p, 0.0) for p in ranking],
                               marker_color=PALETTE[2], name="rank stability"))
        _layout(fig, "Rank stability: share of weight space where each package ranks first",
                yaxis="share")
        fig.update_yaxes(range=[0, 1], tickformat=".0%")
        out.append(Figure("policy-rank-stability", "policy", "Rank stability", fig,
                          caption="Share of sampled weight vectors for which each package "
                                  "ranks first."))
    return out


@figure("policy", "sobol", summary_keys=("sobol",))
def policy_sobol(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Sobol indices (S1 and ST) by parameter, one figure per criterion.

    Criteria on which no parameter has an index above 1e-9 get no figure (the table
    lists their zeros).
    """
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
        _layout(fig, title, xaxis="index", height=max(260, 120 + 40 * len(names)))
        out.append(Figure(_slug("policy-sobol", criterion), "policy", title, fig,
                          caption="First-order (S1) and total (ST) Sobol indices."))
    return out
