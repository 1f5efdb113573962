"""What every command shares: consoles, errors and exit codes, ``--json``, shared options.

Also the catalogue and run store of the current invocation.

Exit codes: 0 success; 1 the run failed; 2 bad input. With ``--json`` a command prints
exactly one JSON document on stdout; messages and progress go to stderr. Only light
modules are imported here: ``shigen --version`` and ``--help`` load this file.
"""

from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.text import Text

from shigen.errors import InputError, Location, ShigenError

if TYPE_CHECKING:
    from rich.table import Table

    from shigen.datasets import Catalogue
    from shigen.runs.store import RunStore
    from shigen.study import Study

# markup off: messages and tables carry user text (file names, notes) that may hold "[...]";
# styled text is built with rich.text.Text instead
out = Console(soft_wrap=True, markup=False, width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True, markup=False, highlight=False)

# what the top-level callback read: --debug and the --data folders given before the command
STATE: dict[str, Any] = {"debug": False, "data": []}
F = TypeVar("F", bound=Callable[..., Any])

RunArg = Annotated[str, typer.Argument(
    help="run id, a unique prefix, latest, or a study file")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print one JSON document on stdout")]
DataOpt = Annotated[list[Path] | None, typer.Option(
    "--data", help="folder of user datasets (catalogue.toml + CSVs); repeatable")]


def say_error(message: str, label: str = "error:") -> None:
    """One message line on stderr, the label in red."""
    err.print(Text.assemble((label, "bold red"), " ", message))


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


def catalogue(data: list[Path] | None = None) -> Catalogue:
    """The catalogue of this invocation: bundled data, ``SHIGEN_DATA``, then every ``--data``."""
    from shigen.runs.context import open_catalogue

    return open_catalogue([*STATE["data"], *(data or [])])


def data_dirs(data: list[Path] | None = None) -> list[Path]:
    """The data folders of this invocation: ``SHIGEN_DATA``, then every ``--data``."""
    from shigen.options import Options

    return [*Options().data_dirs, *STATE["data"], *(data or [])]


def load(path: str | Path, data: list[Path] | None = None) -> Study:
    """The study file ``path``, which may name files in this invocation's data folders."""
    from shigen.study import load_study

    return load_study(path, data_dirs=data_dirs(data))


def store() -> RunStore:
    """The run store at ``SHIGEN_HOME``."""
    from shigen.runs.context import open_store

    return open_store()


def resolve_run(st: RunStore, ref: str) -> str:
    """A run id from an id, a unique prefix, ``latest``, or a study file (its current run)."""
    if ref.endswith(".toml") or Path(ref).is_file():
        from shigen.runs.runner import study_run_id
        rid = study_run_id(load(ref), catalogue())
        if not st.has(rid):
            raise InputError(f"study '{ref}' has no stored run with the current data",
                             fix=f"run it first: shigen run {ref}")
        return rid
    return str(st.resolve(ref))


def _cause(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def check_output(path: Path, option: str = "-o/--output") -> Path:
    """Refuse an output path that cannot be written, before any work (exit 2 with the cause).

    The folder is probed by creating and removing a file in it: permission bits say
    nothing for root or for special file systems such as /proc.
    """
    where = Location(field=option)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():  # e.g. `-o reports/x.html` in a fresh clone: make the folder
        try:
            parent.mkdir(parents=True)
        except OSError as exc:
            raise InputError(f"cannot write '{path}': cannot create folder '{parent}': "
                             f"{_cause(exc)}", where,
                             f"create it first (mkdir -p {parent}) or pick another {option}"
                             ) from None
    if not parent.is_dir():
        raise InputError(f"cannot write '{path}': '{parent}' is a file, not a folder", where,
                         f"pick an {option} inside a folder")
    try:
        fd, probe = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".probe")
    except OSError as exc:
        raise InputError(f"cannot write in folder '{parent}': {_cause(exc)}", where,
                         f"pick an {option} in a folder you can write to") from None
    os.close(fd)
    os.unlink(probe)
    return path


def write_failed(path: Path, exc: OSError, option: str = "-o/--output") -> InputError:
    """A write that failed after the checks (disk full, permissions changed): exit 2, the cause."""
    return InputError(f"could not write '{path}': {_cause(exc)}", Location(field=option),
                      "free space or pick another output path")


def warnings_table(warnings: list[dict[str, Any]]) -> Table | None:
    """The run's warnings for the terminal: warnings first, then notes (None: no warnings).

    The records are ``shigen.run_warnings.RunWarning.to_json()`` dicts, as in the run JSON.
    """
    if not warnings:
        return None
    from rich.table import Table

    from shigen.run_warnings import RunWarning, summary_line

    records = [RunWarning.from_obj(w) for w in warnings]
    t = Table(title=f"before you quote a number: {summary_line(records)}")
    for col in ("", "stage", "what"):
        t.add_column(col)
    for w in records:
        t.add_row("!" if w.severity == "warning" else "i", w.stage, w.message)
    return t
