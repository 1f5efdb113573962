"""``shigen report RUN --format html|pdf -o PATH``: a stored run's report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shigen.cli.common import (
    JsonOpt,
    RunArg,
    check_output,
    emit_json,
    err,
    handle_errors,
    out,
    resolve_run,
    store,
    write_failed,
)


@handle_errors
def report(
    run_id: RunArg,
    fmt: Annotated[str, typer.Option("--format", help="html | pdf")] = "html",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="file to write")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a run's report: study, tables, figures, validation notes, data provenance."""
    from shigen.report.build import write_report

    if output is not None:
        check_output(output)
    st = store()
    rid = resolve_run(st, run_id)
    target = check_output(output or Path(f"{rid}.{fmt}"))
    try:
        path = write_report(st, rid, fmt, target)
    except OSError as exc:
        raise write_failed(target, exc) from None
    if as_json:
        emit_json({"run_id": rid, "format": fmt, "path": str(path),
                   "bytes": path.stat().st_size})
    else:
        out.print(f"wrote {path}")
        err.print(f"open it with a browser: file://{path.resolve()}", highlight=False)
