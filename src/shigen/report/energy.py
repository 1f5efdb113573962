"""How the energy stage is shown: its figures, its HTML tables and its ``shigen run`` tables.

Figures: the generation mix, CO2 by sector, build rates, plants built per year and
primary energy. Tables: the generic ones of the summary (year series, then the rest).
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import xarray as xr
from rich.table import Table as RichTable

from shigen.report.figures import Figure, Summary, layout, slug, units
from shigen.report.tables import Table, generic_tables
from shigen.variables import describe_path


def figures(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """The energy stage's own figures, in the order the report shows them."""
    return [*energy_mix(ds, summary), *energy_co2(ds, summary),
            *energy_build_rates(ds, summary), *energy_plants(ds, summary),
            *energy_primary(ds, summary)]


#: summary keys shown in their own tables rather than flattened into the generic ones
OWN_TABLES = ("binding", "figure_basis", "warnings", "outage_effect", "investment_comparison")


def tables(summary: Summary) -> list[Table]:
    rest = {k: v for k, v in summary.items() if k not in OWN_TABLES}
    return [*generic_tables("energy", rest), *basis_tables(summary), *binding_tables(summary),
            *outage_tables(summary), *investment_tables(summary)]


def _years(years: list[int]) -> str:
    ys = sorted(years)
    return "" if not ys else (f"{ys[0]}–{ys[-1]}" if len(ys) > 2 else ", ".join(map(str, ys)))


def _price_range(prices: dict[str, float]) -> tuple[float | None, float | None]:
    vals = list(prices.values())
    return (min(vals), max(vals)) if vals else (None, None)


def basis_tables(summary: Summary) -> list[Table]:
    """Where each headline build figure comes from: emergent, imposed or on a bound."""
    basis = summary.get("figure_basis") or {}
    t = Table("energy-basis", "energy: where the build figures come from",
              ["figure", "value", "unit", "basis", "share at bound", "limited by"],
              caption="A figure 'on a bound' is set by an assumed limit (build, growth, "
                      "potential, observed history), not chosen by the optimisation; "
                      "'imposed' figures are set by the study. CO2 and share series are "
                      "labelled year by year in figure_basis of `shigen run --json`.")
    for key, b in basis.items():
        if "basis" not in b:
            continue
        group, name = key.split(".", 1)
        limits = "; ".join(f"{r['family']} {r['item']} {_years(r['years'])}"
                           for r in b["limited_by"])
        label, unit = describe_path("energy", key)
        t.add(label, (summary.get(group) or {}).get(name), unit, b["basis"],
              b.get("share_at_bound"), limits, fmt={4: ".0%"})
    return [t] if t.rows else []


def investment_rows(ic: dict[str, Any]) -> list[tuple[Any, ...]]:
    """(line, in shigen, additional, baseline, cost data) rows, then the reference's groups."""
    return [(ln["line"], "yes" if ln["in_shigen"] else "no", ln["additional_usd_trillion"],
             ln["baseline_usd_trillion"], ln["cost_data_status"] or "-")
            for ln in ic["lines"]]


def investment_tables(summary: Summary) -> list[Table]:
    """Additional investment line by line and the walk to the reference's figure."""
    ic = summary.get("investment_comparison")
    if not ic:
        return []
    win = ic["comparable_window"]
    lines = Table("energy-investment-lines", f"energy: additional investment by line, {win}",
                  ["line", "in shigen", "additional (USD tn)", "baseline total (USD tn)",
                   "cost data"],
                  caption="ETP 2008's investment lines and what shigen counts on each (USD "
                          "2005 trillion, undiscounted). Lines shigen does not model show 0.")
    for row in investment_rows(ic):
        lines.add(*row, fmt={2: ",.2f", 3: ",.1f"})
    out = [lines]
    if ic.get("walk"):
        walk = Table("energy-investment-walk",
                     f"energy: from shigen's figure to {ic['reference']}'s",
                     ["step", "USD tn", "note"],
                     caption="Headline + window + the rest = the reference's figure; the "
                             "'of which' rows split shigen's comparable figure by line.")
        for st in ic["walk"]:
            walk.add(st["step"], st["usd_trillion"], st["note"], fmt={1: ",.2f"})
        out.append(walk)
    return out


def binding_tables(summary: Summary) -> list[Table]:
    """Binding constraints with their shadow prices (``energy.binding``)."""
    t = Table("energy-binding", "energy: binding constraints",
              ["family", "kind", "region", "item", "years", "shadow price min",
               "shadow price max", "unit"],
              caption="Constraints of the study (policy) and of assumed or data limits (limit) "
                      "that bind, with the value of relaxing them by one unit in the year it "
                      "binds (dual of the LP, undiscounted).")
    for r in summary.get("binding") or []:
        lo, hi = _price_range(r["shadow_price"])
        t.add(r["family"], r["kind"], r["region"], r["item"], _years(r["years"]), lo, hi,
              r["unit"], fmt={5: ",.4g", 6: ",.4g"})
    return [t] if t.rows else []


#: physical import units as tables show them (oil in thousand barrels a day)
_SHOWN_UNIT = {"million barrels/day": ("kb/d", 1000.0)}


def _outage_years(effect: dict[str, Any]) -> list[str]:
    """The years in which the outage changes imports (any fuel, any direction)."""
    phys = effect["extra_imports_physical"]
    years = sorted({y for f in phys.values() for y, v in f["series"].items() if abs(v) > 1e-6})
    return years


def outage_rows(effect: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of the outage table: per year, extra imports and their bill."""
    phys = effect["extra_imports_physical"]
    cur = effect.get("currency")
    fuels = list(phys)
    cols = ["year"] + [f"{f} ({_SHOWN_UNIT.get(phys[f]['unit'], (phys[f]['unit'], 1.0))[0]})"
                       for f in fuels]
    cols += ["bill, bn USD", *([f"bill, bn {cur}"] if cur else []), "price basis",
             "bill at model price, bn USD 2005"]
    rows = []
    for y in _outage_years(effect):
        row: list[Any] = [y]
        for f in fuels:
            factor = _SHOWN_UNIT.get(phys[f]["unit"], ("", 1.0))[1]
            v = phys[f]["series"].get(y)
            row.append(None if v is None else v * factor)
        row.append(effect["total_extra_bill_usd_bn"].get(y))
        if cur:
            row.append(effect["total_extra_bill_local_bn"].get(y))
        bases = sorted({b[y] for b in effect["price_basis"].values() if y in b})
        row.append(" / ".join(bases))
        row.append(sum(v.get(y, 0.0) for v in effect["extra_bill_model_price_usd2005_bn"].values()))
        rows.append(row)
    return cols, rows


def outage_tables(summary: Summary) -> list[Table]:
    """The outage's extra fuel imports and their bill (``energy.outage_effect``)."""
    effect = summary.get("outage_effect")
    if not effect:
        return []
    cols, rows = outage_rows(effect)
    labels = effect["price_basis_labels"]
    t = Table("energy-outage", "energy: extra fuel imports and their bill because of the outage",
              cols, caption=f"Against {effect['counterfactual']}. Volumes are model results; "
              f"the bill is at the price basis shown (historical: {labels['historical']}; "
              f"model: {labels['model']}), converted with the year's exchange rate "
              "(exchange-rates). The bill covers coal, LNG and oil; the last column is the "
              "model-price bill of every fuel, uranium saved included.")
    for r in rows:
        t.add(*r, fmt={i: ",.1f" for i in range(1, len(cols)) if cols[i] != "price basis"})
    return [t] if t.rows else []


def render_outage(effect: dict[str, Any]) -> RichTable:
    """``shigen run``'s table of the outage's extra imports and bill."""
    cols, rows = outage_rows(effect)
    t = RichTable(title="energy: extra imports and bill because of the outage "
                        "(against the same study without it)")
    for c in cols:
        t.add_column(c, justify="left" if c == "price basis" else "right")
    for r in rows:
        t.add_row(*[str(v) if isinstance(v, str) else ("-" if v is None else f"{v:,.1f}")
                    for v in r])
    return t


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
    """Energy pathway: generation by technology and year, stacked areas."""
    var = "generation"
    if var not in ds or "technology" not in ds[var].dims or "year" not in ds[var].dims:
        return []
    fig = _stacked_area(ds[var], "technology")
    title = f"Energy mix: {var} by technology"
    layout(fig, title, yaxis=units(ds[var]), xaxis="year", height=420)
    return [Figure(slug("energy-mix", var), "energy", title, fig,
                   caption=f"{var} by technology along the pathway.", variables=(var,))]


def energy_co2(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Energy pathway: CO2 emissions by year (summed over other dimensions)."""
    var = "co2"
    if var not in ds or "year" not in ds[var].dims:
        return []
    da = ds[var]
    other = [d for d in da.dims if d != "year"]
    by = "sector" if "sector" in other else (str(other[0]) if other else None)
    fig = _stacked_area(da, by) if by else go.Figure(go.Scatter(
        x=[int(y) for y in da.year.values], y=da.values, mode="lines+markers", name=var))
    title = "CO2 emissions"
    layout(fig, title, yaxis=units(da), xaxis="year")
    return [Figure("energy-co2", "energy", title, fig, caption="CO2 emissions by year.",
                   variables=(var,))]


def energy_build_rates(ds: xr.Dataset, summary: Summary) -> list[Figure]:
    """Energy pathway: capacity additions (build rates) by technology and period, bars."""
    var = "builds_per_year"
    if var not in ds or "year" not in ds[var].dims:
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
    layout(fig, title, yaxis=units(ds[var]), xaxis="year")
    return [Figure(slug("energy-build", var), "energy", title, fig,
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
    layout(fig, title, yaxis="plants per year" + (" (log scale)" if spread > 100 else ""),
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
    layout(fig, title, yaxis=units(ds["primary_energy"]), xaxis="year", height=420)
    return [Figure("energy-primary", "energy", title, fig,
                   caption="Primary energy supply by carrier.", variables=("primary_energy",))]


def render(summary: dict[str, Any]) -> list[RichTable]:
    """Rich tables for ``shigen run``: CO2 path and builds per year."""
    t = RichTable(title="energy: CO2 (Gt), electricity (TWh), carbon price (USD/t)")
    for c in ("year", "CO2", "electricity", "CO2 price", "import dep."):
        t.add_column(c, justify="right")
    for y, v in summary["co2_gt"].items():
        t.add_row(y, f"{v:.1f}", f"{summary['electricity_twh'].get(y, 0):,.0f}",
                  f"{summary['co2_price_usd_per_t'].get(y, 0):,.0f}",
                  f"{summary['import_dependence'].get(y, 0):.0%}")
    b = RichTable(title=f"energy: builds per year {summary['builds_window']}")
    b.add_column("technology")
    b.add_column("GW/yr", justify="right")
    b.add_column("basis")
    basis = summary.get("figure_basis") or {}
    for k, v in summary["builds_per_year"].items():
        fb = basis.get(f"builds_per_year.{k}", {})
        label = fb.get("basis", "")
        if fb.get("share_at_bound") is not None:
            label += f" ({fb['share_at_bound']:.0%} of builds at the limit)"
        b.add_row(k.removesuffix("_gw"), "-" if v is None else f"{v:.1f}", label)
    tables = [t, b]
    if summary.get("outage_effect"):
        tables.append(render_outage(summary["outage_effect"]))
    if summary.get("binding"):
        tables.append(render_binding(summary["binding"]))
    if summary.get("additional_investment_usd_trillion") is not None:
        a = RichTable(title=f"energy: against {summary['baseline']}")
        a.add_column("indicator")
        a.add_column("value", justify="right")
        a.add_row("additional investment (USD 2005 trillion)",
                  f"{summary['additional_investment_usd_trillion']:.1f}")
        a.add_row("share of GDP", f"{summary['additional_investment_share_gdp']:.2%}")
        for k, v in (summary.get("emission_reduction_shares") or {}).items():
            a.add_row(f"reduction share: {k}", "-" if v is None else f"{v:.0%}")
        tables.append(a)
    if summary.get("investment_comparison"):
        tables.append(render_investment(summary["investment_comparison"]))
    return tables


def render_investment(ic: dict[str, Any]) -> RichTable:
    """Additional investment by ETP line, and the reference's figures beside shigen's."""
    t = RichTable(title=f"energy: additional investment by line, {ic['comparable_window']} "
                        "(USD 2005 trillion)")
    for c in ("line", "in shigen", "additional", "baseline total", "cost data"):
        t.add_column(c, justify="left" if c in ("line", "cost data") else "right")
    for line, inside, add, base, status in investment_rows(ic):
        t.add_row(line, inside, f"{add:.2f}", f"{base:.1f}", status)
    for g in ic.get("groups") or []:
        if g["reference"] is not None:
            t.add_row(f"{ic['reference']}: {g['group']} {g['measure']}", "",
                      f"{g['shigen']:.1f} vs {g['reference']:.0f}", "", g["reference_status"])
    return t


def render_binding(records: list[dict[str, Any]]) -> RichTable:
    """The binding constraints, limits first, with their shadow price range."""
    t = RichTable(title="energy: binding constraints (shadow price = value of one more unit)")
    for c in ("family", "item", "region", "years", "shadow price"):
        t.add_column(c)
    for r in records:
        lo, hi = _price_range(r["shadow_price"])
        price = "-" if lo is None or hi is None else (
            f"{hi:,.4g}" if abs(hi - lo) < 1e-9 else f"{lo:,.4g}–{hi:,.4g}")
        t.add_row(f"{r['family']} ({r['kind']})", r["item"] or "-", r["region"] or "all",
                  _years(r["years"]), f"{price} {r['unit']}")
    return t
