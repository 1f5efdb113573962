"""``shigen assess``: a USGS-style assessment of an importer's trade disruptions."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from shigen.cli.common import DataOpt, JsonOpt, catalogue, emit_json, handle_errors, out
from shigen.errors import InputError, Location


@handle_errors
def assess(
    study_path: Annotated[Path, typer.Argument(
        help="study whose disruption markets are assessed, e.g. studies/assess-japan.toml")],
    probability: Annotated[float, typer.Option(
        "--probability", help="annual probability of a supplier's disruption when the "
        "study declares no event for it (an assumption)")] = 0.02,
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
    result = run_assessment(load_study(study_path), catalogue(data), probability)
    if as_json:
        emit_json(result.to_json())
        return
    t = Table(title=f"expected annual loss of year-long trade disruptions, {result.importer} "
                    f"{result.year} (USD, probability-weighted)")
    for col in ("rank", "commodity", "expected loss"):
        t.add_column(col, justify="right" if col != "commodity" else "left")
    for i, (c, v) in enumerate(result.by_commodity(), start=1):
        t.add_row(str(i), c, f"{v / 1e6:,.1f} M")
    s = Table(title="scenarios (one supplier cut for a year)")
    for col in ("commodity", "supplier", "share", "probability", "shortfall (t)", "loss",
                "weighted"):
        s.add_column(col)
    for sc in result.scenarios:
        s.add_row(sc.commodity, sc.supplier, f"{sc.share:.0%}",
                  f"{sc.probability:g} ({sc.probability_source})", f"{sc.shortfall_t:,.0f}",
                  f"{sc.loss_usd / 1e6:,.1f} M", f"{sc.expected_usd / 1e6:,.2f} M")
    out.print(t)
    out.print(s)
