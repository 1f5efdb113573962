"""Start-up time of the ``shigen`` command: ``--version`` and a supply-risk query.

Runs each command as a fresh process RUNS times (after one warm-up run that fills the
bytecode cache) and prints the median wall time, the median CPU time (user + system of
the child: less sensitive to other jobs on the machine than wall time), the ratio of the
median wall time to the target, and the load average.

    PYTHONPATH=src python benchmarks/bench_startup.py [--runs 9] [--src DIR] [--without-dask]

``--src`` times another checkout's sources (e.g. the main branch) with this interpreter.
``--without-dask`` times the commands as a plain ``pip install shigen`` runs them: the
``[dask]`` extra absent. With Dask installed, pint (at import) and xarray (when it first
builds an array) import ``dask.array``, which brings scipy.sparse, scipy.fft and jinja2.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (label, arguments after `python -m shigen`, target wall seconds on an idle 2-core machine)
COMMANDS: list[tuple[str, list[str], float]] = [
    ("shigen --version", ["--version"], 0.3),
    ("shigen risk rare-earths --year 2009 --json",
     ["risk", "rare-earths", "--year", "2009", "--json"], 1.0),
]


# `shigen ARGS` with Dask made unimportable (a None entry in sys.modules fails its import)
WITHOUT_DASK = ("import sys; sys.modules['dask'] = None; from shigen.cli import main; "
                "sys.argv[0] = 'shigen'; main()")


def time_once(args: list[str], env: dict[str, str], without_dask: bool = False,
              ) -> tuple[float, float]:
    """Wall and CPU seconds of one ``python -m shigen ARGS`` process."""
    launcher = ["-c", WITHOUT_DASK] if without_dask else ["-m", "shigen"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *launcher, *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=9, help="timed runs per command")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="sources to time")
    ap.add_argument("--without-dask", action="store_true",
                    help="as installed without the [dask] extra")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve())}
    print(f"sources: {args.src.resolve()}; {args.runs} runs each"
          f"{'; Dask unimportable' if args.without_dask else ''}; "
          f"load average before: {os.getloadavg()[0]:.1f}")
    for label, argv, target in COMMANDS:
        time_once(argv, env, args.without_dask)  # warm-up: bytecode cache, file cache
        samples = [time_once(argv, env, args.without_dask) for _ in range(args.runs)]
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(f"{label}: median wall {wall:.3f} s (min {min(w for w, _ in samples):.3f}), "
              f"median CPU {cpu:.3f} s; target {target} s → ratio {wall / target:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
