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
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--study", default=str(ROOT / "studies" / "japan-2009.toml"))
    ap.add_argument("--samples", type=int, default=60,
                    help="samples (the issue's full case is 2000: ~1.5 s per sample and "
                         "worker for the flagship here, so about 50 min per worker count)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--per-task", type=int, default=5, help="samples per task")
    args = ap.parse_args()

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
