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
    uncertainty: Annotated[int | None, typer.Option(
        "--uncertainty", min=4, max=100_000, metavar="N",
        help="also sample the datasets' ranges N times and report P5/P50/P95 and the most "
             "influential datasets of every headline figure")] = None,
    scheduler: Annotated[str, typer.Option(
        "--scheduler", help="where uncertainty samples run: local (processes), dask (a local "
                            "Dask cluster) or tcp://HOST:PORT")] = "local",
    workers: Annotated[int, typer.Option("--workers", min=1, max=1024,
                                         help="worker processes for uncertainty samples")] = 1,
) -> None:
    """Run the stages a study declares and store the run.

    With ``--uncertainty N`` (or an ``[uncertainty]`` section) the run samples the
    datasets' ranges; results are identical whatever the scheduler and worker count.
    """
    import contextlib

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from shigen.policy.config import UncertaintyConfig
    from shigen.policy.executor import make_executor
    from shigen.runs.runner import run_study
    s = load(study, data)
    if uncertainty is not None:
        base = s.uncertainty.model_dump() if s.uncertainty is not None else {}
        s = s.model_copy(update={"uncertainty": UncertaintyConfig(**{**base,
                                                                    "samples": uncertainty})})
    cat = catalogue(data)
    st = store()
    last = [-1.0]

    def samples_progress(done: int, total: int) -> None:
        pct = 100.0 * done / total
        if done == total or pct - last[0] >= 10:
            last[0] = pct
            err.print(f"uncertainty: {pct:.0f}% of the samples", highlight=False)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True, disable=as_json or not err.is_terminal) as prog:
        tasks: dict[str, Any] = {}

        def progress(stage: str, event: str) -> None:
            if event == "start":
                tasks[stage] = prog.add_task(f"{stage} …", total=1)
            else:
                prog.update(tasks[stage], completed=1, description=f"{stage} done")

        with (make_executor(scheduler, workers) if s.uncertainty is not None
              else contextlib.nullcontext()) as ex:
            result = run_study(s, cat, st, force=force, progress=progress, executor=ex,
                               samples_progress=samples_progress)
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
    if result.uncertainty is not None:
        from shigen.report.uncertainty import render

        for renderable in render(result.uncertainty):
            out.print(renderable)
    if result.absent:
        out.print(f"stages not in this run: {', '.join(result.absent)}")
    out.print(f"run folder: {result.path}")


def stage_renderables(stage: str, summary: dict[str, Any]) -> list[RenderableType]:
    """What the terminal shows of one stage's summary: its presentation's tables.

    The one place the CLI asks how to show a stage (``shigen.report.<stage>``).
    """
    from shigen.report import presentation

    return list(presentation(stage).render(summary))
