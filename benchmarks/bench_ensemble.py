"""Ensemble throughput on Dask: 1 vs 2 workers, scaling efficiency, overhead per task.

    PYTHONPATH=src python benchmarks/bench_ensemble.py [--study studies/japan-2009.toml]
        [--samples 60] [--workers 1 2] [--per-task 5]

For each worker count k, a Dask LocalCluster of k worker processes runs the same ensemble
(every package of every sample: the study's upstream stages, seeded per sample). Printed:
- wall time and throughput (samples/s); cluster start-up and one warm-up task excluded;
- scaling efficiency T1 / (k · Tk) (issue target >= 0.8 at k = 2);
- Dask overhead per task = (k · Tk − Σ task compute time) / tasks, where each task times
  its own computation on the worker, against the mean task compute time (target < 5%);
- that every worker count gives the same values (SHA-256 of the results);
- the limit measured in the same run: the same clusters' efficiency on a fixed, purely
  CPU-bound task (what the machine allows), and the ensemble's ratio to it.

The load average is printed: on a shared machine other processes take the cores, and the
scaling figure then measures the machine, not the code.

Where the time goes (seconds per stage and inside the disruption stage, in one process):

    PYTHONPATH=src python benchmarks/bench_ensemble.py --split --samples 8
    SHIGEN_BENCH_SRC=/tmp/ensbase/src python benchmarks/bench_ensemble.py --split --samples 8

Side by side with other code (issue 19: the 40-sample flagship ensemble ≥ 3× faster,
identical results):

    git -C /work/main archive f27a672 src | tar -x -C /tmp/ensbase   # the code to compare
    PYTHONPATH=src python benchmarks/bench_ensemble.py --before /tmp/ensbase/src \
        [--samples 40] [--rounds 3]

runs ``shigen ensemble STUDY --samples N --json`` (one worker, a fresh run store each time)
with this tree's sources and with ``--before``, alternating, ``--rounds`` times each;
prints wall and CPU time (user + sys of the process, steadier than wall under load) of
each run with the load average, the medians and their ratios, and exits 1 unless every
run gives the same ensemble digest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
# SHIGEN_BENCH_SRC: the sources to measure (default this tree's), e.g. for --split of main
sys.path.insert(0, os.environ.get("SHIGEN_BENCH_SRC", str(ROOT / "src")))

from shigen.datasets import Catalogue  # noqa: E402
from shigen.policy.appraise import evaluator_for  # noqa: E402
from shigen.policy.ensemble import sample_cases  # noqa: E402
from shigen.policy.evaluate import evaluate_chunk  # noqa: E402
from shigen.policy.executor import DaskExecutor, chunked  # noqa: E402
from shigen.study import load_study  # noqa: E402


def timed_task(evaluator, cases):  # type: ignore[no-untyped-def]
    """One task: evaluate a chunk of cases and report the compute time on the worker."""
    t0 = time.perf_counter()
    out = evaluate_chunk(evaluator, cases)
    return out, time.perf_counter() - t0


def busy(_shared, n):  # type: ignore[no-untyped-def]
    """A fixed amount of single-threaded CPU work: the machine's own parallel limit."""
    t0 = time.perf_counter()
    sum(i * i for i in range(n))
    return time.perf_counter() - t0


ISSUE_SECONDS = 78.0  # issue 19: the 40-sample flagship ensemble on one worker when filed


def _cli_run(src: Path, study: str, samples: int) -> tuple[float, float, str]:
    """Wall and CPU seconds of one ``shigen ensemble`` process, and its digest."""
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PYTHONPATH": str(src), "SHIGEN_HOME": home,
               "SHIGEN_WORKERS": "1"}
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "shigen", "ensemble", study, "--samples",
                              str(samples), "--json"], env=env, capture_output=True,
                             text=True, check=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, json.loads(out.stdout)["ensemble"]["digest"]


def side_by_side(before: Path, study: str, samples: int, rounds: int) -> None:
    """This tree against ``before`` on the same study, alternating; medians and ratios."""
    trees = {"this tree": ROOT / "src", "before": before}
    runs: dict[str, list[tuple[float, float, str]]] = {k: [] for k in trees}
    print(f"shigen ensemble {study} --samples {samples}, {rounds} rounds; cpus "
          f"{os.cpu_count()}, load average (1 min) {os.getloadavg()[0]:.2f}")
    for r in range(rounds):
        for label in (("this tree", "before") if r % 2 == 0 else ("before", "this tree")):
            load = os.getloadavg()[0]
            wall, cpu, dig = _cli_run(trees[label], study, samples)
            runs[label].append((wall, cpu, dig))
            print(f"  round {r + 1} {label:9s}: wall {wall:6.1f} s, cpu {cpu:6.1f} s, "
                  f"digest {dig[:16]}, load before {load:.2f} after {os.getloadavg()[0]:.2f}")
    med = {k: (statistics.median(w for w, _, _ in v), statistics.median(c for _, c, _ in v))
           for k, v in runs.items()}
    for k, (w, c) in med.items():
        print(f"median {k:9s}: wall {w:6.1f} s, cpu {c:6.1f} s")
    (w_new, c_new), (w_old, c_old) = med["this tree"], med["before"]
    digests = {d for v in runs.values() for _, _, d in v}
    print(f"before / this tree: wall {w_old / w_new:.2f}x, cpu {c_old / c_new:.2f}x "
          f"(target >= 3x); the issue's {ISSUE_SECONDS:.0f} s / this tree's median wall: "
          f"{ISSUE_SECONDS / w_new:.2f}x; identical digests: {len(digests) == 1}")
    if len(digests) != 1:
        sys.exit(1)


def split(study_path: str, samples: int) -> None:
    """Seconds per stage (and inside the disruption stage) of an in-process ensemble.

    Wraps each stage's run/summarize and the disruption stage's steps with timers (those
    a tree has); one worker, so the figures add up to the wall time.
    """
    import collections
    import dataclasses

    import shigen.disruption.montecarlo as mc
    import shigen.disruption.stage as dstage

    seconds: dict[str, float] = collections.defaultdict(float)
    calls: collections.Counter[str] = collections.Counter()

    def timed(label, fn):  # type: ignore[no-untyped-def]
        def run(*a, **k):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                seconds[label] += time.perf_counter() - t0
                calls[label] += 1
        return run

    for mod, name, label in (
            (dstage, "simulate", "disruption: simulation (compile + kernel)"),
            (mc, "compile_model", "disruption:   compile the model"),
            (mc, "run_model", "disruption:   kernel (draws, world markets, joint prices)"),
            (dstage, "to_dataset", "disruption: result dataset"),
            (dstage, "build", "disruption: result variables"),
            (dstage, "economy_dataset", "disruption: economy block"),
            (dstage, "economy_build", "disruption: economy block"),
            (dstage, "summarize_markets", "disruption: summary of markets"),
            (dstage, "summarize_economy", "disruption: summary of economy blocks"),
            (dstage, "economy_blocks", "disruption: summary of economy blocks")):
        if hasattr(mod, name):
            setattr(mod, name, timed(label, getattr(mod, name)))
    study = load_study(study_path)
    ev = evaluator_for(study, Catalogue())
    specs = []
    for spec in ev.stages:
        extra = {}
        if getattr(spec, "summarize_run", None) is not None:
            extra["summarize_run"] = timed(f"{spec.name} (summary only)", spec.summarize_run)
        specs.append(dataclasses.replace(
            spec, run=timed(f"{spec.name} run", spec.run),
            summarize=timed(f"{spec.name} summarize", spec.summarize), **extra))
    ev.stages = tuple(specs)
    cases, _, _ = sample_cases(study, samples)
    t0, c0 = time.perf_counter(), time.process_time()
    values = evaluate_chunk(ev, cases)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"{samples} samples x {len(study.policy.packages)} packages in one process: wall "
          f"{wall:.2f} s, cpu {cpu:.2f} s, load average {os.getloadavg()[0]:.2f}; values "
          f"sha256 {hashlib.sha256(values.tobytes()).hexdigest()[:16]}")
    for label in sorted(seconds, key=lambda k: (k.split()[0], -seconds[k])):
        print(f"  {label:58s} {calls[label]:4d} calls {seconds[label]:7.2f} s "
              f"{1e3 * seconds[label] / calls[label]:8.1f} ms/call")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--study", default=str(ROOT / "studies" / "japan-2009.toml"))
    ap.add_argument("--samples", type=int, default=60,
                    help="samples (the issue's full case is 2000: ~1.5 s per sample and "
                         "worker for the flagship here, so about 50 min per worker count)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--per-task", type=int, default=5, help="samples per task")
    ap.add_argument("--before", type=Path, default=None,
                    help="src folder of other code: run the side-by-side CLI comparison")
    ap.add_argument("--rounds", type=int, default=3, help="side-by-side rounds per tree")
    ap.add_argument("--split", action="store_true",
                    help="seconds per stage of an in-process ensemble of --samples samples "
                         "(sources: SHIGEN_BENCH_SRC, default this tree's)")
    args = ap.parse_args()
    if args.split:
        split(args.study, args.samples)
        return
    if args.before is not None:
        side_by_side(args.before, args.study, args.samples, args.rounds)
        return

    study = load_study(args.study)
    cat = Catalogue()
    ev = evaluator_for(study, cat)
    n = args.samples
    n_pkg = len(study.policy.packages)
    cases, _, _ = sample_cases(study, n)
    tasks = chunked(cases, args.per_task * n_pkg)
    print(f"study {study.study.name}: {n_pkg} packages × {len(study.policy.criteria)} "
          f"criteria, stages {[s.name for s in ev.stages]}; {n} samples = {len(cases)} "
          f"evaluations in {len(tasks)} tasks of {args.per_task} samples")
    print(f"cpus {os.cpu_count()}, load average (1 min) {os.getloadavg()[0]:.2f}")

    walls: dict[int, float] = {}
    digests: dict[int, str] = {}
    limit: dict[int, float] = {}
    for k in args.workers:
        with DaskExecutor(workers=k) as ex:
            ex.map(timed_task, ev, chunked(cases[: k * n_pkg], n_pkg))  # warm-up
            t0 = time.perf_counter()
            ex.map(busy, None, [3_000_000] * (4 * max(args.workers)))
            limit[k] = time.perf_counter() - t0
            t0 = time.perf_counter()
            parts = ex.map(timed_task, ev, tasks)
            walls[k] = time.perf_counter() - t0
        values = np.concatenate([p[0] for p in parts])
        compute = sum(p[1] for p in parts)
        digests[k] = hashlib.sha256(values.tobytes()).hexdigest()
        over = (k * walls[k] - compute) / len(tasks)
        mean_task = compute / len(tasks)
        print(f"dask {k} worker(s): {walls[k]:.2f} s, {n / walls[k]:.1f} samples/s; "
              f"mean task {mean_task * 1e3:.1f} ms, Dask overhead {over * 1e3:.2f} ms/task "
              f"= {100 * over / mean_task:.1f}% of task time (target < 5%); "
              f"digest {digests[k][:16]}; load {os.getloadavg()[0]:.2f}")
    base = min(args.workers)
    for k in sorted(args.workers):
        if k != base:
            eff = walls[base] * base / (k * walls[k])
            machine = limit[base] * base / (k * limit[k])
            print(f"scaling efficiency {base}→{k} workers: {eff:.2f} (target >= 0.8); "
                  f"speed-up {walls[base] / walls[k]:.2f}x; the machine's own efficiency on "
                  f"a fixed CPU-bound task in the same clusters: {machine:.2f}; "
                  f"ratio {eff / machine:.2f}")
    same = len(set(digests.values())) == 1
    print(f"identical results on {sorted(args.workers)} workers: {same}")
    if not same or math.isnan(sum(walls.values())):
        sys.exit(1)


if __name__ == "__main__":
    main()
