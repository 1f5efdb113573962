"""Key tables of a run, built from the stage summaries (the objects of ``shigen run --json``).

Every cell keeps the exact JSON value (``Cell.value``) beside its display text, so a
page or report shows the same numbers as ``--json`` and a test can compare them.
Tables are registered by stage like figures; a stage without its own table function
gets :func:`generic_tables`, a flattening of its summary.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

Summary = Mapping[str, Any]


@dataclass(frozen=True)
class Cell:
    """One table cell: the JSON value and how it is displayed."""

    value: Any
    text: str
    numeric: bool = False


@dataclass
class Table:
    """A titled table with a caption; ``rows`` are lists of :class:`Cell`."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""

    def add(self, *values: Any, fmt: Mapping[int, str] | None = None) -> None:
        self.rows.append([cell(v, (fmt or {}).get(i)) for i, v in enumerate(values)])

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "columns": self.columns,
                "caption": self.caption, "rows": [[c.value for c in r] for r in self.rows]}


def cell(value: Any, fmt: str | None = None) -> Cell:
    """A cell; numbers are shown with ``fmt`` (default: 6 significant digits)."""
    if value is None:
        return Cell(None, "–")
    if isinstance(value, bool):
        return Cell(value, "yes" if value else "no")
    if isinstance(value, int | float):
        return Cell(value, format(value, fmt or ".6g"), numeric=True)
    return Cell(value, str(value))


TableFn = Callable[[Summary], list[Table]]
TABLES: dict[str, TableFn] = {}


def table(stage: str) -> Callable[[TableFn], TableFn]:
    """Register the table function of a stage."""

    def deco(fn: TableFn) -> TableFn:
        TABLES[stage] = fn
        return fn

    return deco


def tables_for_stage(stage: str, summary: Summary) -> list[Table]:
    fn = TABLES.get(stage, lambda s: generic_tables(stage, s))
    return fn(summary)


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``{"a": {"b": 1}, "c": [2]}`` → ``[("a.b", 1), ("c[0]", 2)]`` (scalars only)."""
    if isinstance(obj, Mapping):
        out: list[tuple[str, Any]] = []
        for k, v in obj.items():
            out.extend(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(obj, list | tuple):
        out = []
        for i, v in enumerate(obj):
            out.extend(flatten(v, f"{prefix}[{i}]"))
        return out
    return [(prefix, obj)]


MAX_YEAR_COLUMNS = 15


def _year_series(obj: Any) -> bool:
    """True for ``{"2005": 1.0, "2010": 2.0, ...}``: scalars keyed by four-digit years."""
    return (isinstance(obj, Mapping) and len(obj) > 0
            and all(isinstance(k, str) and k.isdigit() and len(k) == 4 for k in obj)
            and all(v is None or isinstance(v, int | float) for v in obj.values()))


def _split_series(obj: Any, prefix: str = "") -> tuple[dict[str, Mapping[str, Any]], Any]:
    """Pull year series out of a summary: ({path: series}, the rest)."""
    if _year_series(obj):
        return {prefix: obj}, None
    if isinstance(obj, Mapping):
        series: dict[str, Mapping[str, Any]] = {}
        rest: dict[str, Any] = {}
        for k, v in obj.items():
            sub, left = _split_series(v, f"{prefix}.{k}" if prefix else str(k))
            series.update(sub)
            if left is not None and left != {}:
                rest[k] = left
        return series, rest
    return {}, obj


def generic_tables(stage: str, summary: Summary, limit: int = 400) -> list[Table]:
    """A summary as tables: year series, then the other scalars.

    Year series get one row each with years as columns; the other scalars a key/value
    table (first ``limit`` rows).
    """
    series, rest = _split_series(summary)
    out = []
    if series:
        years = sorted({y for s in series.values() for y in s}, key=int)
        note = ""
        if len(years) > MAX_YEAR_COLUMNS:  # every 5th year, and the first and last
            years = [y for i, y in enumerate(years)
                     if int(y) % 5 == 0 or i in (0, len(years) - 1)]
            note = " Every fifth year shown; all years are in the JSON."
        t = Table(f"{stage}-series", f"{stage}: by year", ["series", *years],
                  caption=f"Year series of the {stage} object of `shigen run --json`.{note}")
        for name, s in list(series.items())[:limit]:
            t.add(name, *[s.get(y) for y in years])
        out.append(t)
    t = Table(f"{stage}-summary", f"{stage}: summary", ["key", "value"],
              caption=f"The {stage} object of `shigen run --json`"
                      + (" (year series above)." if series else "."))
    for key, value in flatten(rest)[:limit]:
        t.add(key, value)
    if t.rows:
        out.append(t)
    return out


@table("policy")
def policy_tables(summary: Summary) -> list[Table]:
    """Packages in rank order with their score, rank stability and criterion values."""
    ranking = list(summary.get("ranking") or [])
    scores = summary.get("scores") or {}
    criteria = list(dict.fromkeys(c for p in ranking for c in scores.get(p, {})))
    t = Table("policy-ranking", "Policy packages, best first",
              ["rank", "package", "score", "rank stability", *criteria],
              caption="Rank stability: share of sampled weight vectors for which the package "
                      "ranks first.")
    for i, p in enumerate(ranking, start=1):
        t.add(i, p, (summary.get("score") or {}).get(p),
              (summary.get("rank_stability") or {}).get(p),
              *[scores.get(p, {}).get(c) for c in criteria], fmt={3: ".0%"})
    out = [t] if t.rows else []
    sobol = summary.get("sobol") or {}
    if sobol:
        s = Table("policy-sobol", "Sobol indices", ["criterion", "parameter", "S1", "ST"])
        for criterion, params in sobol.items():
            for param, idx in params.items():
                s.add(criterion, param, idx.get("S1"), idx.get("ST"), fmt={2: ".3f", 3: ".3f"})
        out.append(s)
    rest = {k: v for k, v in summary.items()
            if k not in ("ranking", "scores", "score", "rank_stability", "sobol", "sobol_bars")}
    return out + [t for t in generic_tables("policy", rest) if t.rows]


@table("disruption")
def disruption_tables(summary: Summary) -> list[Table]:
    """Shortfall, price and cover by market (commodity × importer), one row per market."""
    rows: list[tuple[str, str, Mapping[str, Any]]] = []
    rest: dict[str, Any] = {}
    for commodity, by_importer in summary.items():
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


@table("supply")
def supply_tables(summary: Summary) -> list[Table]:
    """Production concentration by stage, import dependence, criticality, interdependence."""
    prod = Table("supply-production", "Production concentration by stage",
                 ["commodity", "year", "stage", "production HHI (0–1)", "HHI points",
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
                  ["commodity", "year", "supply risk", "supply risk (upper bound)",
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
                  "supply_risk_upper": "supply risk (upper bound)",
                  "geopolrisk": "GeoPolRisk", "bottleneck_hhi": "bottleneck HHI"}
IMPORT_FORMATS = {2: ".1%", 3: ".4f", 5: ".1%", 7: ".4f", 8: ".4f"}
