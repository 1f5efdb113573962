"""``shigen risk`` and ``shigen interdependence``: supply-risk analytics from the shell.

Exit 2 with one located message for an unknown commodity, stage, country or a year
without data; the message lists what is available.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer
from rich.table import Table

from shigen.cli.common import (
    DataOpt,
    JsonOpt,
    catalogue,
    emit_json,
    handle_errors,
    out,
    warnings_table,
)
from shigen.errors import InputError, Location


def parse_years(year: int | None, years: str | None) -> list[int] | None:
    """``--year Y`` or ``--years A:B`` → list of years (None: the latest with data).

    >>> parse_years(None, "2009:2011")
    [2009, 2010, 2011]
    """
    if year is not None and years is not None:
        raise InputError("give either --year or --years, not both", Location(field="--years"),
                         "use --year 2009 for one year or --years 2009:2012 for a range")
    if year is not None:
        if not 1900 <= year <= 2100:
            raise InputError(f"year {year} is outside 1900-2100", Location(field="--year"),
                             "give a calendar year like 2009")
        return [year]
    if years is None:
        return None
    m = re.fullmatch(r"\s*(\d{4})\s*:\s*(\d{4})\s*", years)
    if not m:
        raise InputError(f"--years '{years}' is not a range like 2009:2012",
                         Location(field="--years"), "write FIRST:LAST, e.g. 2009:2012")
    a, b = int(m.group(1)), int(m.group(2))
    if a > b:
        raise InputError(f"--years {years}: the first year is after the last",
                         Location(field="--years"), f"write {b}:{a}")
    return list(range(a, b + 1))


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def _notes_table(notes: list[str]) -> Table:
    t = Table(title="notes", show_header=False)
    t.add_column("note")
    for n in notes:
        t.add_row(n)
    return t


def risk_tables(doc: dict[str, Any], company_shares: dict[str, float]) -> list[Table]:
    """Rich tables for one year's risk document: indicators, shares, the chain, notes."""
    head = Table(title=f"{doc['commodity']} · {doc['stage']} · {doc['year']}"
                 + (f" · importer {doc['importer']}" if doc["importer"] else ""))
    head.add_column("indicator")
    head.add_column("value", justify="right")
    for k in ("production_hhi", "top_producer", "top_producer_share", "import_reliance",
              "import_hhi", "top_supplier", "top_supplier_share", "eu_supply_risk",
              "geopolrisk"):
        head.add_row(k, _fmt(doc[k]))
    shares = Table(title="shares (country · company)")
    for col in ("country", "share", "company", "share "):
        shares.add_column(col)
    countries = list(doc["shares"].items())
    companies = sorted(company_shares.items(), key=lambda kv: -kv[1])
    for i in range(max(len(countries), len(companies))):
        country, c_share = countries[i] if i < len(countries) else ("", None)
        company, k_share = companies[i] if i < len(companies) else ("", None)
        shares.add_row(country, _fmt(c_share) if country else "", company,
                       _fmt(k_share) if company else "")
    chain_t = Table(title="chain (in order)")
    for col in ("stage", "HHI", "top producer", "share"):
        chain_t.add_column(col)
    for x in doc["chain"]:
        chain_t.add_row(x["stage"], _fmt(x["production_hhi"]), _fmt(x["top_producer"]),
                        _fmt(x["top_producer_share"]))
    return [head, shares, chain_t, _notes_table(doc["notes"])]


@handle_errors
def risk(
    commodity: Annotated[str, typer.Argument(help="e.g. rare-earths, uranium, lng")],
    stage: Annotated[str | None, typer.Option(
        "--stage", help="chain stage (default: first)")] = None,
    importer: Annotated[str | None, typer.Option(
        "--importer", help="ISO3 of the importer")] = None,
    year: Annotated[int | None, typer.Option("--year", help="one year")] = None,
    years: Annotated[str | None, typer.Option("--years", help="a range FIRST:LAST")] = None,
    as_json: JsonOpt = False,
    data: DataOpt = None,
) -> None:
    """Concentration, import exposure and supply risk of a commodity stage."""
    from shigen.supply.data_warnings import data_warnings
    from shigen.supply.risk import risk as assess
    from shigen.supply.risk import risk_json

    cat = catalogue(data)
    ds = assess(cat, commodity, stage=stage, importer=importer, years=parse_years(year, years))
    docs = risk_json(ds)
    for d in docs:  # what to know before quoting: nulls for lack of data, stale data
        d["warnings"] = [w.to_json() for w in data_warnings(cat, [commodity], [d["year"]],
                                                            d["importer"])]
    if as_json:
        emit_json(docs[0] if year is not None or years is None else docs)
        return
    for d in docs:
        cs = ds["company_share"].sel(year=d["year"]).to_series().dropna()
        for t in risk_tables(d, {str(k): float(v) for k, v in cs.items()}):
            out.print(t)
        if (warned := warnings_table(d["warnings"])) is not None:
            out.print(warned)


@handle_errors
def interdependence(
    country_a: Annotated[str, typer.Argument(help="ISO3, e.g. JPN")],
    country_b: Annotated[str, typer.Argument(help="ISO3, e.g. CHN")],
    year: Annotated[int | None, typer.Option("--year", help="year (default: latest)")] = None,
    as_json: JsonOpt = False,
    data: DataOpt = None,
) -> None:
    """Bilateral interdependence: sensitivity, salience/symmetry, reciprocity."""
    from shigen.supply.interdependence import interdependence as measure
    from shigen.supply.interdependence import interdependence_json

    doc = interdependence_json(measure(catalogue(data), country_a.upper(), country_b.upper(),
                                       year))
    if as_json:
        emit_json(doc)
        return
    a, b = doc["countries"]
    t = Table(title=f"{a} ↔ {b} · {doc['year']}")
    for col in ("measure", a, b):
        t.add_column(col)
    t.add_row("trade share", _fmt(doc["trade_share"][a]), _fmt(doc["trade_share"][b]))
    t.add_row("sensitivity (Σ areas)", _fmt(doc["sensitivity"][a]), _fmt(doc["sensitivity"][b]))
    for k in ("salience", "symmetry", "interdependence", "asymmetry", "reciprocity"):
        t.add_row(k, _fmt(doc[k]), "")
    areas = Table(title="issue areas")
    for col in ("area", "dependent", "on", "sensitivity"):
        areas.add_column(col)
    for x in doc["issue_areas"]:
        areas.add_row(x["area"], x["dependent"], x["on"], _fmt(x["sensitivity"]))
    for tab in (t, areas, _notes_table(doc["notes"])):
        out.print(tab)
