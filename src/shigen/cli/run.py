"""``shigen run STUDY``: run the stages a study declares and store the run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from shigen.cli.common import (
    DataOpt,
    JsonOpt,
    catalogue,
    emit_json,
    err,
    handle_errors,
    load,
    out,
    store,
    warnings_table,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

    from shigen.runs.runner import RunResult


@handle_errors
def run(
    study: Annotated[Path, typer.Argument(help="study file (TOML)")],
    as_json: JsonOpt = False,
    force: Annotated[bool, typer.Option("--force", help="recompute even if cached")] = False,
    data: DataOpt = None,
) -> None:
    """Run the stages a study declares and store the run."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from shigen.runs.runner import run_study
    s = load(study, data)
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


def render_run(result: RunResult) -> None:
    """A run's headline, each stage's tables, and where the run folder is."""
    state = "cached" if result.cached else "computed"
    out.print(Text.assemble((result.title, "bold"), "  run ", (result.run_id, "cyan"),
                            f" ({state})"))
    for stage, summary in result.stages.items():
        for renderable in stage_renderables(stage, summary):
            out.print(renderable)
    if (warned := warnings_table([w.to_json() for w in result.warnings])) is not None:
        out.print(warned)
    if result.absent:
        out.print(f"stages not in this run: {', '.join(result.absent)}")
    out.print(f"run folder: {result.path}")


def stage_renderables(stage: str, summary: dict[str, Any]) -> list[RenderableType]:
    """What the terminal shows of one stage's summary: its presentation's tables.

    The one place the CLI asks how to show a stage (``shigen.report.<stage>``).
    """
    from shigen.report import presentation

    return list(presentation(stage).render(summary))
