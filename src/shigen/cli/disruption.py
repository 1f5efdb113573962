"""``shigen fan``: write the disruption stage's fan chart of a stored run to HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from shigen.cli.common import (
    JsonOpt,
    RunArg,
    check_output,
    emit_json,
    handle_errors,
    out,
    resolve_run,
    store,
    write_failed,
)
from shigen.errors import InputError, Location

# --variable → the stage's fan variable
FAN_VARIABLES: dict[str, Literal["shortfall_fan", "price_ratio_fan"]] = {
    "shortfall": "shortfall_fan", "price": "price_ratio_fan"}


@handle_errors
def fan(
    run_id: RunArg,
    commodity: Annotated[str, typer.Option("--commodity", help="e.g. rare-earths")],
    importer: Annotated[str, typer.Option("--importer", help="ISO3, e.g. JPN")] = "JPN",
    variable: Annotated[str, typer.Option(
        "--variable", help="shortfall or price")] = "shortfall",
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write")] = Path(
        "fan.html"),
    as_json: JsonOpt = False,
) -> None:
    """Fan chart (P5-P95, P25-P75, median by year) of shortfall or price of a run."""
    from shigen.report.disruption import market_fan

    check_output(output)
    st = store()
    rid = resolve_run(st, run_id)
    if "disruption" not in st.manifest(rid)["stages"]:
        raise InputError(f"run {rid} has no disruption stage", Location(field="run_id"),
                         "pick a run of a study with a [disruption] section")
    ds = st.load_stage(rid, "disruption")
    if variable not in FAN_VARIABLES:
        raise InputError(f"unknown variable '{variable}'", Location(field="--variable"),
                         "use shortfall or price")
    var = FAN_VARIABLES[variable]
    have = {(str(c), str(i)) for c in ds.commodity.values for i in ds.importer.values
            if bool(ds[var].sel(commodity=c, importer=i).notnull().any())}
    if (commodity, importer) not in have:
        raise InputError(f"run {rid} has no market ({commodity}, {importer})",
                         Location(field="--commodity"), f"choose among {sorted(have)}")
    try:
        market_fan(ds, commodity, importer, var).write_html(output, include_plotlyjs=True)
    except OSError as exc:
        raise write_failed(output, exc) from None
    if as_json:
        emit_json({"run_id": rid, "output": str(output)})
    else:
        out.print(f"wrote {output}")
