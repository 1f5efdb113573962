"""``shigen runs list|show|export|compare|delete``: the run store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

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
from shigen.errors import InputError

app = typer.Typer(help="The run store.", no_args_is_help=True)


@app.command("list")
@handle_errors
def runs_list(as_json: JsonOpt = False) -> None:
    """List stored runs."""
    records = [r.to_dict() for r in store().list()]
    if as_json:
        emit_json(records)
        return
    t = Table(title=f"{len(records)} runs")
    for col in ("run_id", "study", "created", "stages"):
        t.add_column(col, no_wrap=col == "run_id")
    for r in records:
        t.add_row(r["run_id"], r["study"], r["created"], ", ".join(r["stages"]))
    out.print(t)


@app.command("show")
@handle_errors
def runs_show(run_id: RunArg, as_json: JsonOpt = False) -> None:
    """Show a run's manifest summary."""
    from shigen.runs.document import run_document

    st = store()
    doc = run_document(st, resolve_run(st, run_id))
    if as_json:
        emit_json(doc)
    else:
        out.print_json(json.dumps(doc, default=str))


@app.command("export")
@handle_errors
def runs_export(
    run_id: RunArg,
    fmt: Annotated[str, typer.Option(
        "--format", help="iamc | xlsx | csv | parquet | netcdf")] = "iamc",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="where to write")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export a run (IAMC table for pyam, Excel workbook, CSV or Parquet folders, NetCDF)."""
    from shigen.runs.export import export_run

    formats = ("iamc", "xlsx", "csv", "parquet", "netcdf")
    if fmt not in formats:
        raise InputError(f"unknown format '{fmt}'", fix=f"use one of: {', '.join(formats)}")
    if output is not None:
        check_output(output)
    st = store()
    rid = resolve_run(st, run_id)
    files = {"iamc": f"{rid}.iamc.csv", "xlsx": f"{rid}.xlsx", "netcdf": f"{rid}.nc"}
    target = check_output(output or Path(files.get(fmt, f"{rid}-{fmt}")))
    try:
        path = export_run(st, rid, fmt, target)  # type: ignore[arg-type]
    except OSError as exc:
        raise write_failed(target, exc) from None
    if as_json:
        emit_json({"run_id": rid, "format": fmt, "path": str(path)})
    else:
        out.print(f"wrote {path}")


@app.command("compare")
@handle_errors
def runs_compare(
    run_ids: Annotated[list[str], typer.Argument(help="two or more run ids")],
    limit: Annotated[int | None, typer.Option(
        "--limit", min=1, help="variable rows to show (default 200; --json: all)")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="show every variable row")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Compare runs: headline figures of each stage with differences, then every variable."""
    from shigen.report.compare import headline_table
    from shigen.runs.compare import comparison
    from shigen.runs.export import compare_runs

    if len(run_ids) < 2:
        raise InputError("compare needs at least two runs", fix="pass two or more run ids")
    st = store()
    rids = [resolve_run(st, r) for r in run_ids]
    cmp = comparison(st, rids)
    table = compare_runs(st, rids)
    # columns in the order the runs were given (the pivot sorts them by id)
    table = table[[c for c in table.columns if c not in rids] + [r for r in rids
                                                                  if r in table.columns]]
    total = len(table)
    shown = total if show_all or (as_json and limit is None) else min(total, limit or 200)
    if as_json:
        emit_json({**cmp.to_json(), "rows_total": total, "rows_shown": shown,
                   "rows": json.loads(table.head(shown).to_json(orient="records"))})
        return
    for d in cmp.differs:
        out.print(f"differs: {d.key}: " + " | ".join(str(v) for v in d.values))
    out.print(_rich(headline_table(cmp.to_json())))
    t = Table(title="variables")
    for col in table.columns:
        t.add_column(str(col))
    for rec in table.head(shown).itertuples(index=False):
        t.add_row(*("" if v != v else (f"{v:.6g}" if isinstance(v, float) else str(v))
                    for v in rec))
    out.print(t)
    out.print(f"showing {shown:,} of {total:,} rows"
              + ("" if shown == total else "; --all / --limit N / --json for all"))


def _rich(table: Any) -> Table:
    """A report table (headers, rows) as a rich table for the terminal."""
    t = Table(title=table.title)
    for col in table.columns:
        t.add_column(str(col))
    for row in table.rows:
        t.add_row(*(c.text for c in row))
    return t


@app.command("delete")
@handle_errors
def runs_delete(run_ids: Annotated[list[str], typer.Argument(help="run ids to delete")],
                as_json: JsonOpt = False) -> None:
    """Delete runs from the store."""
    st = store()
    rids = [resolve_run(st, r) for r in run_ids]
    for rid in rids:
        st.delete(rid)
    if as_json:
        emit_json({"deleted": rids})
    else:
        out.print(f"deleted {', '.join(rids)}")
