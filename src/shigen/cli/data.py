"""``shigen data list|show|check``: the bundled and user datasets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from shigen.cli.common import DataOpt, JsonOpt, catalogue, emit_json, handle_errors, out, say_error

app = typer.Typer(help="Bundled and user datasets.", no_args_is_help=True)


@app.command("list")
@handle_errors
def data_list(as_json: JsonOpt = False, data: DataOpt = None) -> None:
    """List datasets with their source, edition, license and status."""
    rows = catalogue(data).listing()
    if as_json:
        emit_json(rows)
        return
    t = Table(title=f"{len(rows)} datasets")
    t.add_column("name", no_wrap=True)
    for col in ("title", "unit", "status", "edition", "origin"):
        t.add_column(col)
    for r in rows:
        t.add_row(r["name"], r["title"], r["unit"], r["status"], r["edition"], r["origin"])
    out.print(t)


@app.command("show")
@handle_errors
def data_show(
    name: Annotated[str, typer.Argument(help="dataset name")],
    as_json: JsonOpt = False,
    rows: Annotated[int, typer.Option(min=0, help="rows to show")] = 20,
    data: DataOpt = None,
) -> None:
    """Show one dataset: its provenance and first rows."""
    cat = catalogue(data)
    ds = cat.get(name)
    frame = ds.frame
    info = cat.describe(name)
    summary: dict[str, Any] = {**info, "rows": len(frame), "sha256": ds.sha256}
    if "year" in frame.columns:
        summary["years"] = sorted(int(y) for y in frame["year"].unique())
    if as_json:
        summary["data"] = json.loads(frame.head(rows).to_json(orient="records"))
        emit_json(summary)
        return
    meta = cat.meta(name)
    if meta.range is not None:  # one line: the factor and why
        drawn = "" if meta.range.sample else " (not drawn by uncertainty runs)"
        summary_range = (f"{meta.range.describe()} on {meta.range.rows} rows{drawn}; "
                         f"{meta.range.reason}")
    for k in ("name", "title", "source", "url", "edition", "license", "unit", "status",
              "range", "dimensions", "rows", "years", "path"):
        if summary.get(k) is not None:
            shown = summary_range if k == "range" else summary[k]
            out.print(Text.assemble((k, "bold"), f": {shown}"), highlight=False)
    t = Table()
    for col in frame.columns:
        t.add_column(str(col))
    for rec in frame.head(rows).itertuples(index=False):
        t.add_row(*(str(v) for v in rec))
    out.print(t)


@app.command("check")
@handle_errors
def data_check(
    directory: Annotated[Path | None, typer.Argument(help="user data folder to check")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate a data folder (or the bundled data); report every problem with its location."""
    from shigen.datasets import Catalogue
    from shigen.errors import InputError, InputErrors

    names: list[str] = []
    try:
        # with the bundled catalogue, so overrides are checked against what they replace
        cat = Catalogue([directory] if directory else [])
        origin = str(directory) if directory else "bundled"
        names = [n for n in cat.names() if cat.meta(n).origin == origin]
        problems = cat.check(names)
    except InputErrors as exc:
        problems = exc.problems
    except InputError as exc:
        problems = [exc]
    if as_json:
        emit_json({"ok": not problems, "datasets": names,
                   "problems": [p.to_dict() for p in problems]})
    else:
        for p in problems:
            say_error(p.message, "✗")
        if not problems:
            out.print(f"✓ {len(names)} datasets valid")
    if problems:
        raise typer.Exit(2)
