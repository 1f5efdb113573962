"""Ensemble throughput on Dask: 1 vs 2 workers, scaling efficiency, overhead per task.

    PYTHONPATH=src python benchmarks/bench_ensemble.py [--study studies/japan-2009.toml]
        [--samples 2000] [--workers 1 2]

Measures, in one run:
- the in-process compute time per sample (every package's upstream stages), on a subset;
- wall time and throughput (samples/s) of the whole ensemble on a Dask LocalCluster of
  1 and of 2 worker processes (cluster start-up excluded, one warm-up task included);
- scaling efficiency T1 / (k · Tk) (target >= 0.8 at k = 2);
- Dask overhead per task = (T1 − samples · t_sample) / tasks, against the mean task time
  (target < 5%);
- that every run gives the same digest (results independent of the worker count).

The machine's load average is printed: on a shared machine other processes take cores.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shigen.datasets import Catalogue  # noqa: E402
from shigen.policy.appraise import evaluator_for  # noqa: E402
from shigen.policy.ensemble import digest, run_ensemble, sample_cases  # noqa: E402
from shigen.policy.executor import DaskExecutor  # noqa: E402
from shigen.study import load_study  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--study", default=str(ROOT / "studies" / "japan-2009.toml"))
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--calibration", type=int, default=40,
                    help="samples timed in-process to get the compute time per sample")
    args = ap.parse_args()

    study = load_study(args.study)
    cat = Catalogue()
    n = args.samples
    print(f"study {study.study.name}: {len(study.policy.packages)} packages × "
          f"{len(study.policy.criteria)} criteria; stages "
          f"{[s.name for s in evaluator_for(study, cat).stages]}; {n} samples")
    print(f"cpus {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")

    # in-process compute time per sample (all packages), on a subset
    ev = evaluator_for(study, cat)
    cases, _, _ = sample_cases(study, args.calibration)
    ev.evaluate(cases[0])  # warm caches (datasets)
    t0 = time.perf_counter()
    for c in cases:
        ev.evaluate(c)
    t_sample = (time.perf_counter() - t0) / args.calibration
    print(f"compute per sample (in-process): {t_sample * 1e3:.2f} ms")

    walls: dict[int, float] = {}
    digests: dict[int, str] = {}
    tasks: dict[int, int] = {}
    for k in args.workers:
        with DaskExecutor(workers=k) as ex:
            run_ensemble(study, cat, 2 * k, ex, chunk=1)  # warm-up: imports, scatter
            t0 = time.perf_counter()
            ds = run_ensemble(study, cat, n, ex)
            walls[k] = time.perf_counter() - t0
            per_task = max(1, min(50, math.ceil(n / (8 * k))))
            tasks[k] = math.ceil(n / per_task)
            digests[k] = digest(ds)
        print(f"dask {k} worker(s): {walls[k]:.2f} s, {n / walls[k]:.1f} samples/s, "
              f"{tasks[k]} tasks, digest {digests[k][:16]}")

    base = min(args.workers)
    compute = n * t_sample
    over = (walls[base] - compute) / tasks[base]
    task_time = compute / tasks[base]
    print(f"Dask overhead per task ({base} worker): {over * 1e3:.2f} ms = "
          f"{100 * over / task_time:.1f}% of the mean task time ({task_time * 1e3:.1f} ms); "
          "target < 5%")
    for k in args.workers:
        if k == base:
            continue
        eff = walls[base] * base / (k * walls[k])
        print(f"scaling efficiency {base}→{k} workers: {eff:.2f} (target >= 0.8); "
              f"speed-up {walls[base] / walls[k]:.2f}x")
    same = len(set(digests.values())) == 1
    print(f"identical results on {args.workers} workers: {same}")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
