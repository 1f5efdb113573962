"""``shigen assess``: a USGS-style assessment of an importer's trade disruptions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

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
from shigen.options import EXAMPLES

ISO3 = re.compile(r"[A-Za-z]{3}")


def _importers(path: Path) -> set[str]:
    """The importers of a shipped study's disruption markets (read without validation)."""
    import tomllib

    markets = tomllib.loads(path.read_text()).get("disruption", {}).get("markets", [])
    return {str(m.get("importer", "")).upper() for m in markets}


def _study_file(target: str) -> Path:
    """A study path, or an importer's ISO3 code naming a shipped ``assess-*.toml``."""
    path = Path(target)
    if path.exists() or not ISO3.fullmatch(target):
        return path
    shipped = {p: _importers(p) for p in sorted(EXAMPLES.glob("assess-*.toml"))}
    for study, importers in shipped.items():
        if importers == {target.upper()}:
            return study
    have = sorted({i for importers in shipped.values() for i in importers})
    raise InputError(f"no shipped assessment for {target.upper()}", Location(field="STUDY"),
                     f"use one of {', '.join(have)} or give a study file whose "
                     "[[disruption.markets]] name that importer")


@handle_errors
def assess(
    study: Annotated[str, typer.Argument(
        help="an importer's ISO3 code with a shipped assessment (USA, JPN) or a study file "
        "whose disruption markets are assessed, e.g. studies/assess-usa.toml")],
    probability: Annotated[float, typer.Option(
        "--probability", help="annual probability of a supplier's disruption when the "
        "study declares no event for it (an assumption)")] = 0.02,
    allocation: Annotated[str, typer.Option(
        "--allocation", help="how a shortfall becomes lost GDP: ghosh (value-proportional, "
        "default) or constrained (USGS-style linear programme, no substitution: an upper "
        "bound)")] = "ghosh",
    data: DataOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Year-long disruption of every supplier of every market, ranked by expected loss."""
    from shigen.economy.assess import assess as run_assessment
    from shigen.study import load_study

    if not 0.0 < probability <= 1.0:
        raise InputError(f"--probability {probability} is not in (0, 1]",
                         Location(field="--probability"), "give an annual probability, e.g. "
                         "0.02")
    result = run_assessment(load_study(_study_file(study)), catalogue(data), probability,
                            allocation=allocation)
    if as_json:
        emit_json(result.to_json())
        return
    t = Table(title=f"expected annual loss of year-long trade disruptions, {result.importer} "
                    f"{result.year} (USD, probability-weighted; {result.allocation})")
    for col in ("rank", "commodity", "expected loss"):
        t.add_column(col, justify="right" if col != "commodity" else "left")
    for i, (c, v) in enumerate(result.by_commodity(), start=1):
        t.add_row(str(i), c, f"{v / 1e6:,.1f} M")
    s = Table(title="scenarios (one supplier cut for a year)")
    for col in ("commodity", "supplier", "share", "probability", "shortfall (t)", "loss",
                "weighted", "industry losing most"):
        s.add_column(col)
    for sc in result.scenarios:
        s.add_row(sc.commodity, sc.supplier, f"{sc.share:.0%}",
                  f"{sc.probability:g} ({sc.probability_source})", f"{sc.shortfall_t:,.1f}",
                  f"{sc.loss_usd / 1e6:,.1f} M", f"{sc.expected_usd / 1e6:,.2f} M",
                  sc.top_industry or "-")
    out.print(t)
    out.print(s)
    choke = warnings_table(result.warnings())
    if choke is not None:
        out.print(choke)
