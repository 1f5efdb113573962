"""``shigen ensemble``: many samples of a study's packages through one executor."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from shigen.cli.common import (
    DataOpt,
    JsonOpt,
    catalogue,
    emit_json,
    handle_errors,
    load,
    out,
    store,
)


@handle_errors
def ensemble(
    study: Annotated[Path, typer.Argument(help="study file (TOML) with a policy section")],
    samples: Annotated[int | None, typer.Option(
        "--samples", min=1, max=1_000_000,
        help="number of samples (default: policy.ensemble.samples, else 200)")] = None,
    scheduler: Annotated[str, typer.Option(
        "--scheduler", help="local (processes), dask (a local Dask cluster) or "
                            "tcp://HOST:PORT (a Dask scheduler)")] = "local",
    workers: Annotated[int, typer.Option("--workers", min=1, max=1024,
                                         help="worker processes (local or dask)")] = 1,
    as_json: JsonOpt = False,
    data: DataOpt = None,
) -> None:
    """Run SAMPLES samples of every package (seeded, common random numbers) and store them.

    Results for a given seed are identical whatever the scheduler and the number
    of workers. Progress goes to stderr; an interrupted ensemble stores nothing.
    """
    from shigen.policy.ensemble import run_ensemble, summarize
    from shigen.policy.executor import make_executor
    from shigen.runs.ensemble import store_ensemble
    s = load(study, data)
    if samples is None:
        pol = getattr(s, "policy", None)
        samples = pol.ensemble.samples if pol is not None else 200
    cat = catalogue(data)
    st = store()
    last = [-1.0]

    def progress(done: int, total: int) -> None:
        pct = 100.0 * done / total
        if done == total or pct - last[0] >= 10:
            last[0] = pct
            sys.stderr.write(f"ensemble: {done}/{total} samples ({pct:.0f}%)\n")
            sys.stderr.flush()

    t0 = time.perf_counter()
    with make_executor(scheduler, workers) as ex:
        info = ex.describe()
        sys.stderr.write(f"ensemble: {samples} samples on {info['scheduler']} "
                         f"with {info['workers']} worker(s)\n")
        ds = run_ensemble(s, cat, samples, ex, progress=progress)
    elapsed = time.perf_counter() - t0
    summary = summarize(ds)
    run_id, path = store_ensemble(s, cat, st, ds, summary, {"ensemble": round(elapsed, 3)}, info)
    sys.stderr.write(f"ensemble: {samples} samples in {elapsed:.1f} s "
                     f"({samples / elapsed:.1f} samples/s)\n")
    doc: dict[str, Any] = {"run_id": run_id, "study": s.study.name, "status": "complete",
                           "ensemble": summary, "path": path}
    if as_json:
        emit_json(doc)
        return
    for renderable in ensemble_renderables(doc):
        out.print(renderable)


def ensemble_renderables(doc: dict[str, Any]) -> list[Text | Table | str]:
    """The terminal view of an ensemble: headline, criteria by package, ranking, folder.

    Styled text is built as :class:`~rich.text.Text`: the console has markup off (study
    and package names may hold brackets), so markup strings would print literally.
    """
    ens = doc["ensemble"]
    head = Text.assemble((doc["study"], "bold"), " ensemble run ", (doc["run_id"], "cyan"),
                         f": {ens['samples']} samples, seed {ens['seed']}")
    t = Table(title="criteria by package (mean [P5–P95])")
    t.add_column("package")
    crits = list(next(iter(ens["criteria"].values()), {}))
    for c in crits:
        t.add_column(c)
    t.add_column("P(best)")
    for p, row in ens["criteria"].items():
        t.add_row(p, *(f"{row[c]['mean']:.4g} [{row[c]['p5']:.4g}–{row[c]['p95']:.4g}]"
                       for c in crits), f"{ens['prob_best'][p]:.2f}")
    return [head, t, f"ranking (mean score): {' > '.join(ens['ranking'])}",
            f"run folder: {doc['path']}"]
