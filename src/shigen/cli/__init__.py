"""The ``shigen`` command: the app, its top-level options, and its command groups.

Each group lives in its own module (``run``, ``study``, ``data``, ``runs``, ``supply``,
``disruption``, ``policy``, ``report``, ``serve``) and is added here; the shared options,
consoles and error handling are in :mod:`shigen.cli.common`. Modules here import only
light code at the top; a command imports the stages, solvers and plotting it needs when
it runs, so ``shigen --version`` and ``--help`` start fast.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
import typer.core
from typer.core import TyperGroup

import shigen
from shigen.cli import assess, data, disruption, policy, report, run, runs, serve, study, supply
from shigen.cli.common import STATE, DataOpt, err, out, say_error
from shigen.errors import InputError
from shigen.options import env_workers

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
        except typer.Abort:
            err.print("aborted")
            rv = 1
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


app = typer.Typer(name="shigen", help="An open scenario lab for energy and resource security.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  cls=ShigenGroup)


def _print_version(value: bool) -> None:
    if value:
        print(f"shigen {shigen.__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_print_version,
                                          is_eager=True, help="print the version")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="show tracebacks")] = False,
    data: DataOpt = None,
) -> None:
    """shigen: energy pathways, materials, supply risk, disruptions and policy, with sources."""
    STATE["debug"] = debug
    STATE["data"] = list(data or [])
    try:
        env_workers()  # a bad SHIGEN_WORKERS stops every command before any work
    except InputError as exc:
        say_error(exc.message)
        raise typer.Exit(2) from None


# the order of `shigen --help`: the pipeline first, then its analytics, then the outputs
app.command()(run.run)
app.command()(study.schema)
app.command()(study.new)
app.add_typer(data.app, name="data")
app.add_typer(runs.app, name="runs")
app.command()(supply.risk)
app.command()(supply.interdependence)
app.command()(disruption.fan)
app.command()(policy.ensemble)
app.command()(assess.assess)
app.command()(report.report)
app.command()(serve.serve)


def main() -> None:
    """Entry point of the ``shigen`` console script."""
    app(prog_name="shigen")
