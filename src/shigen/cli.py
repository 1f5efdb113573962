"""The ``shigen`` command.

Exit codes: 0 success; 1 the run failed; 2 bad input. With ``--json`` a command
prints exactly one JSON document on stdout; messages and progress go to stderr.
"""

from __future__ import annotations

import importlib
import json
import math
import shutil
import sys
import traceback
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import typer.core
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

import shigen
from shigen.errors import InputError, ShigenError

# The click exceptions typer raises (recent typer vendors click as ``typer._click``).
_clickx = getattr(typer.core, "_click", None) or importlib.import_module("click")
_clickx = _clickx.exceptions
_NoArgsIsHelp = getattr(_clickx, "NoArgsIsHelpError", ())


class ShigenGroup(TyperGroup):
    """The top-level command: usage errors become one line on stderr and exit code 2."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False,
                              windows_expand_args=windows_expand_args, **extra)
        except _clickx.UsageError as exc:
            if isinstance(exc, _NoArgsIsHelp) and exc.ctx is not None:
                out.print(exc.ctx.get_help(), highlight=False)
                rv = 0
            else:
                command = exc.ctx.command_path if exc.ctx else "shigen"
                say_error(f"{command}: {exc.format_message()} — fix: see `{command} --help`")
                rv = 2
        except _clickx.ClickException as exc:
            say_error(exc.format_message())
            rv = exc.exit_code
        except _clickx.Abort:
            err.print("aborted")
            rv = 1
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(name="shigen", help="An open scenario lab for energy and resource security.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  cls=ShigenGroup)
data_app = typer.Typer(help="Bundled and user datasets.", no_args_is_help=True)
runs_app = typer.Typer(help="The run store.", no_args_is_help=True)
app.add_typer(data_app, name="data")
app.add_typer(runs_app, name="runs")

# markup off: messages and tables carry user text (file names, notes) that may hold "[...]"
out = Console(soft_wrap=True, markup=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)


def say_error(message: str, label: str = "error:") -> None:
    """One message line on stderr, the label in red."""
    err.print(Text.assemble((label, "bold red"), " ", message))
STATE: dict[str, Any] = {"debug": False, "data": []}
F = TypeVar("F", bound=Callable[..., Any])

RunArg = Annotated[str, typer.Argument(
    help="run id, a unique prefix, latest, or a study file")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON document on stdout")]
DataOpt = Annotated[list[Path] | None, typer.Option(
    "--data", help="folder of user datasets (catalogue.toml + CSVs); repeatable",
    envvar=None)]


def _finite(doc: Any) -> Any:
    """NaN and ±inf become null: the output must be strict JSON."""
    if isinstance(doc, float) and not math.isfinite(doc):
        return None
    if isinstance(doc, dict):
        return {k: _finite(v) for k, v in doc.items()}
    if isinstance(doc, list | tuple):
        return [_finite(v) for v in doc]
    return doc


def emit_json(doc: Any) -> None:
    """Print one strict JSON document on stdout."""
    sys.stdout.write(json.dumps(_finite(doc), indent=2, default=str, allow_nan=False) + "\n")
    sys.stdout.flush()


def handle_errors(fn: F) -> F:
    """Map shigen errors to exit codes and one clear message; no traceback unless --debug."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json"))
        try:
            return fn(*args, **kwargs)
        except ShigenError as exc:
            if STATE["debug"]:
                traceback.print_exc()
            if as_json:
                emit_json({"status": "error", "error": exc.to_dict()})
            for problem in getattr(exc, "problems", [exc]):  # one line per problem
                say_error(problem.message)
            raise typer.Exit(exc.exit_code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # an internal failure: exit 1, say so plainly
            if STATE["debug"]:
                traceback.print_exc()
            if as_json:
                emit_json({"status": "error",
                           "error": {"kind": "internal",
                                     "message": f"{type(exc).__name__}: {exc}"}})
            say_error(f"{type(exc).__name__}: {exc} (rerun with --debug for the traceback)",
                      "internal error:")
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def version_callback(value: bool) -> None:
    if value:
        print(f"shigen {shigen.__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=version_callback,
                                          is_eager=True, help="print the version")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
    data: DataOpt = None,
) -> None:
    """shigen: energy pathways, materials, supply risk, disruptions and policy, with sources."""
    STATE["debug"] = debug
    STATE["data"] = list(data or [])


def catalogue(data: list[Path] | None = None):  # type: ignore[no-untyped-def]
    from shigen.datasets import Catalogue
    from shigen.options import Options

    opts = Options.from_env(data=[*STATE["data"], *(data or [])])
    return Catalogue(opts.data_dirs)


def store():  # type: ignore[no-untyped-def]
    from shigen.options import Options
    from shigen.runs import RunStore

    return RunStore(Options.from_env().home)


def resolve_run(st: Any, ref: str) -> str:
    """A run id from an id, a unique prefix, ``latest``, or a study file (its current run)."""
    if ref.endswith(".toml") or Path(ref).is_file():
        from shigen.runs import run_id_for
        from shigen.study import load_study

        rid = run_id_for(load_study(ref), catalogue().fingerprint())
        if not st.has(rid):
            raise InputError(f"study '{ref}' has no stored run with the current data",
                             fix=f"run it first: shigen run {ref}")
        return rid
    return str(st.resolve(ref))


# --- run ------------------------------------------------------------------------------
@app.command()
@handle_errors
def run(
    study: Annotated[Path, typer.Argument(help="study file (TOML)")],
    as_json: JsonOpt = False,
    force: Annotated[bool, typer.Option("--force", help="recompute even if cached")] = False,
    data: DataOpt = None,
) -> None:
    """Run the stages a study declares and store the run."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from shigen.runs import run_study
    from shigen.study import load_study

    s = load_study(study)
    cat = catalogue(data)
    st = store()
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True, disable=as_json or not err.is_terminal) as prog:
        tasks: dict[str, Any] = {}

        def progress(stage: str, event: str) -> None:
            if event == "start":
                tasks[stage] = prog.add_task(f"{stage} …", total=1)
            else:
                prog.update(tasks[stage], completed=1, description=f"{stage} done")

        result = run_study(s, cat, st, force=force, progress=progress)
    if as_json:
        emit_json(result.to_json())
        return
    render_run(result)


def render_run(result: Any) -> None:
    from shigen.report import presentation

    state = "cached" if result.cached else "computed"
    out.print(Text.assemble((result.title, "bold"), "  run ", (result.run_id, "cyan"),
                            f" ({state})"))
    for stage, summary in result.stages.items():
        for t in presentation(stage).render(summary):
            out.print(t)
    if result.absent:
        out.print(f"stages not in this run: {', '.join(result.absent)}")
    out.print(f"run folder: {result.path}")


# --- schema / new ---------------------------------------------------------------------
@app.command()
@handle_errors
def schema() -> None:
    """Print the JSON Schema of the study file."""
    from shigen.study import json_schema

    emit_json(json_schema())


def examples_dir() -> Path:
    return Path(__file__).parent / "examples"


@app.command()
@handle_errors
def new(
    directory: Annotated[Path, typer.Argument(help="folder to create the study in")],
    example: Annotated[str, typer.Option(help="shipped study to start from")] = "japan-2009",
    as_json: JsonOpt = False,
) -> None:
    """Copy a shipped example study into DIRECTORY to start from."""
    names = sorted(p.stem for p in examples_dir().glob("*.toml"))
    if example not in names:
        raise InputError(f"no shipped study '{example}'", fix=f"use one of: {', '.join(names)}")
    if directory.exists() and not directory.is_dir():
        raise InputError(f"'{directory}' exists and is not a folder", fix="choose a new folder")
    target = directory / f"{example}.toml"
    if target.exists():
        raise InputError(f"'{target}' already exists", fix="choose another folder or remove it")
    directory.mkdir(parents=True, exist_ok=True)
    created = []
    for name in _with_referenced_studies(f"{example}.toml"):
        dest = directory / name
        if not dest.exists():  # a baseline already there is the user's: keep it
            shutil.copyfile(examples_dir() / name, dest)
            created.append(str(dest))
    if as_json:
        emit_json({"created": str(target), "files": created})
    else:
        out.print(f"created {', '.join(created)}; run it with: shigen run {target}")


def _with_referenced_studies(name: str) -> list[str]:
    """A shipped study and the shipped studies it names (energy baselines), recursively."""
    import tomllib

    names = [name]
    for current in names:
        doc = tomllib.loads((examples_dir() / current).read_text("utf-8"))
        baseline = (doc.get("energy") or {}).get("baseline")
        if isinstance(baseline, str) and baseline not in names \
                and (examples_dir() / baseline).is_file():
            names.append(baseline)
    return names


# --- data -----------------------------------------------------------------------------
@data_app.command("list")
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


@data_app.command("show")
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
    for k in ("name", "title", "source", "url", "edition", "license", "unit", "status",
              "dimensions", "rows", "years", "path"):
        if summary.get(k) is not None:
            out.print(Text.assemble((k, "bold"), f": {summary[k]}"), highlight=False)
    t = Table()
    for col in frame.columns:
        t.add_column(str(col))
    for rec in frame.head(rows).itertuples(index=False):
        t.add_row(*(str(v) for v in rec))
    out.print(t)


@data_app.command("check")
@handle_errors
def data_check(
    directory: Annotated[Path | None, typer.Argument(help="user data folder to check")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate a data folder (or the bundled data); report every problem with its location."""
    from shigen.datasets import Catalogue
    from shigen.errors import InputErrors

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


# --- runs -----------------------------------------------------------------------------
@runs_app.command("list")
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


@runs_app.command("show")
@handle_errors
def runs_show(run_id: RunArg,
              as_json: JsonOpt = False) -> None:
    """Show a run's manifest summary."""
    st = store()
    rid = resolve_run(st, run_id)
    manifest = st.manifest(rid)
    doc = {"run_id": rid, "study": manifest["study"]["study"]["name"],
           "created": manifest["created"], "versions": manifest["versions"],
           "timings": manifest["timings"], "absent_stages": manifest.get("absent_stages", []),
           "data": {k: {"edition": v.get("edition"), "sha256": v["sha256"][:12]}
                    for k, v in manifest["data"].items()},
           **{k: v["summary"] for k, v in manifest["stages"].items()},
           "path": str(st.path(rid))}
    if as_json:
        emit_json(doc)
    else:
        out.print_json(json.dumps(doc, default=str))


@runs_app.command("export")
@handle_errors
def runs_export(
    run_id: RunArg,
    fmt: Annotated[str, typer.Option("--format", help="iamc | csv | parquet | netcdf")] = "iamc",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="where to write")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export a run (IAMC table for pyam, CSV or Parquet folders, NetCDF)."""
    from shigen.runs.export import export_run

    formats = ("iamc", "csv", "parquet", "netcdf")
    if fmt not in formats:
        raise InputError(f"unknown format '{fmt}'", fix=f"use one of: {', '.join(formats)}")
    st = store()
    rid = resolve_run(st, run_id)
    default = {"iamc": f"{rid}.iamc.csv", "netcdf": f"{rid}.nc"}.get(fmt, f"{rid}-{fmt}")
    path = export_run(st, rid, fmt, output or Path(default))  # type: ignore[arg-type]
    if as_json:
        emit_json({"run_id": rid, "format": fmt, "path": str(path)})
    else:
        out.print(f"wrote {path}")


@runs_app.command("compare")
@handle_errors
def runs_compare(
    run_ids: Annotated[list[str], typer.Argument(help="two or more run ids")],
    as_json: JsonOpt = False,
) -> None:
    """Compare runs variable by variable (DuckDB over the runs' Parquet tables)."""
    from shigen.runs.export import compare_runs

    if len(run_ids) < 2:
        raise InputError("compare needs at least two runs", fix="pass two or more run ids")
    st = store()
    rids = [resolve_run(st, r) for r in run_ids]
    table = compare_runs(st, rids)
    if as_json:
        emit_json({"runs": rids, "rows": json.loads(table.to_json(orient="records"))})
        return
    t = Table(title="comparison")
    for col in table.columns:
        t.add_column(str(col))
    for rec in table.head(200).itertuples(index=False):
        t.add_row(*("" if v != v else (f"{v:.6g}" if isinstance(v, float) else str(v))
                    for v in rec))
    out.print(t)


@runs_app.command("delete")
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


# --- supply analytics (shigen.supply.cli) ----------------------------------------------
from shigen.supply.cli import register as _register_supply  # noqa: E402

_register_supply(app)

# --- disruption fan charts (shigen.disruption.cli) ------------------------------------
from shigen.disruption.cli import register as _register_disruption  # noqa: E402

_register_disruption(app)

# --- policy: ensembles -----------------------------------------------------------------
from shigen.policy.cli import register as _register_policy  # noqa: E402

_register_policy(app)

# --- report and serve (their own modules) ----------------------------------------------
from shigen.report.cli import register as _register_report  # noqa: E402
from shigen.web.cli import register as _register_web  # noqa: E402

_register_report(app)
_register_web(app)


def main() -> None:
    """Entry point of the ``shigen`` console script."""
    app(prog_name="shigen")


if __name__ == "__main__":
    main()
