"""Uncertainty runs and ensembles: rebuilt vs re-solved samples, workers, reuse (issue 19).

Prints, with the machine load (``uptime``) before and after each part:

1. ``lp``: for BLUE's energy LP, seconds per sample rebuilt (load the datasets, build with
   linopy, solve) vs re-solved (:class:`shigen.energy.resolve.LinearLP`: base + Σ ΔM,
   HiGHS warm-started) vs the HiGHS floor (the solver alone on the re-solved LP), medians
   over ``--lp-samples`` samples of the linear cost datasets, and the one-off set-up cost;
   then the whole energy stage of an uncertainty sample (study and baseline LPs, the
   result dataset every headline figure is read from) rebuilt vs re-solved
   (:class:`shigen.energy.resolve.EnergyResampler`).
2. ``cpu``: CPU seconds per uncertainty sample of BLUE (energy and materials stages, the
   :data:`LINEAR` datasets, or with ``--all`` every ranged dataset as the default run
   samples them) in one process, and of its energy stage alone.
3. ``uncertainty``: ``shigen run studies/etp2008-blue.toml --uncertainty N`` on 1 and 2
   local workers and a local Dask cluster (2 workers): wall time, samples per second,
   CPU seconds (all processes: steady under load, so a rerun on a quieter machine can be
   compared), efficiency 1 → 2 workers, and whether the digests agree. ``--linear`` samples only
   the linear datasets (:data:`LINEAR`), which the re-solve takes; by default every
   ranged dataset is sampled, and BLUE's nonlinear ones (lifetimes, the discount rate)
   make every sample a rebuild (the run's ``uncertainty.solve`` says so); ``--both``
   runs the first, then the second.
4. ``ensemble``: ``shigen ensemble studies/japan-2009.toml --samples 40`` with this tree's
   sources and with ``--before`` (another checkout's ``src``, e.g. /work/main/src):
   wall time, ratio and whether the ensemble digests agree.

    PYTHONPATH=src python benchmarks/bench_uncertainty.py lp --lp-samples 5
    PYTHONPATH=src python benchmarks/bench_uncertainty.py cpu --lp-samples 20
    PYTHONPATH=src python benchmarks/bench_uncertainty.py cpu --all --lp-samples 8
    PYTHONPATH=src python benchmarks/bench_uncertainty.py uncertainty --linear --samples 1000
    PYTHONPATH=src python benchmarks/bench_uncertainty.py uncertainty --both --samples 1000
    python benchmarks/bench_uncertainty.py uncertainty --samples 200 --src /work/main/src
    PYTHONPATH=src python benchmarks/bench_uncertainty.py ensemble --before /work/main/src
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BLUE = ROOT / "studies" / "etp2008-blue.toml"
FLAGSHIP = ROOT / "studies" / "japan-2009.toml"
COSTS = ["energy-ccs-cost", "energy-fuel-price", "energy-capital-cost", "energy-fixed-om",
         "energy-network-cost", "energy-efficiency-cost"]
#: datasets an uncertainty run of BLUE re-solves: costs (objective) and build limits (bounds)
LINEAR = ["energy-build-limit", "energy-capital-cost", "energy-ccs-cost", "energy-fuel-price"]


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def bench_lp(samples: int) -> None:
    import numpy as np

    from shigen.datasets import Catalogue
    from shigen.energy.resolve import LinearLP
    from shigen.energy.stage import solve_study
    from shigen.study import load_study

    study = load_study(BLUE)
    assert study.energy is not None
    cat = Catalogue.bundled()
    print(f"[lp] load before: {load()}")
    t0 = time.perf_counter()
    lp = LinearLP(study.energy, cat, COSTS)
    setup = time.perf_counter() - t0
    print(f"[lp] set-up ({len(COSTS)} + 2 builds, base solve): {setup:.1f} s; linear: "
          f"{sorted(lp.deltas)}; nonlinear: {lp.nonlinear}")
    rng = np.random.default_rng(19)
    rebuilt, resolved = [], []
    for _ in range(samples):
        f = {n: float(rng.uniform(0.7, 1.3)) for n in lp.deltas}
        t0 = time.perf_counter()
        solve_study(study.energy, cat.with_factors(f))  # load + build + solve + extract
        rebuilt.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        lp.solve(f)
        resolved.append(time.perf_counter() - t0)
    floor = statistics.median(lp.stats.solver_s)
    rb, rs = statistics.median(rebuilt), statistics.median(resolved)
    print(f"[lp] median per sample over {samples}: rebuilt {rb:.3f} s, re-solved {rs:.3f} s "
          f"({rb / rs:.1f}x faster), HiGHS floor {floor:.3f} s (re-solved / floor "
          f"{rs / floor:.2f})")
    bench_sample(study, cat, samples)
    print(f"[lp] load after: {load()}")


def bench_sample(study, cat, samples: int) -> None:  # type: ignore[no-untyped-def]
    """The energy stage of an uncertainty sample: rebuilt vs re-solved (full result dataset)."""
    import numpy as np

    from shigen.energy import stage

    t0 = time.perf_counter()
    r = stage.resampler(study.energy, study, cat, LINEAR, 10_000)
    print(f"[sample] re-solve set-up for {LINEAR} (study and baseline LPs): "
          f"{time.perf_counter() - t0:.1f} s; {r.describe()['method']}")
    rng = np.random.default_rng(7)
    rebuilt, resolved = [], []
    for i in range(samples + 1):
        f = {n: float(rng.uniform(0.7, 1.3)) for n in LINEAR}
        view = cat.with_factors(f)
        t0 = time.perf_counter()
        stage.run(study.energy, study, view, {})
        t1 = time.perf_counter()
        _, how = r.run(study.energy, study, view, {}, f)
        t2 = time.perf_counter()
        assert how == "resolved", how
        if i:  # the first re-solve builds the worker's linopy models
            rebuilt.append(t1 - t0)
            resolved.append(t2 - t1)
    rb, rs = statistics.median(rebuilt), statistics.median(resolved)
    print(f"[sample] energy stage per uncertainty sample, median over {samples}: rebuilt "
          f"{rb:.3f} s, re-solved {rs:.3f} s ({rb / rs:.2f}x faster)")


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (and the workers they waited for)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def bench_cpu(samples: int, every: bool = False) -> None:
    """CPU seconds per uncertainty sample of BLUE (energy + materials) in one process.

    What a worker does per sample (``data_uncertainty._task`` on an unpickled evaluator),
    timed with ``time.process_time`` (steady under load), then the energy stage alone
    (both LPs re-solved, headline figures and the materials arrays). ``every``: the
    default run's datasets (every ranged dataset BLUE reads, lifetimes and the discount
    rate among them: every sample rebuilt) instead of :data:`LINEAR`.
    """
    import pickle

    from shigen.datasets import Catalogue
    from shigen.errors import RunFailed
    from shigen.policy import data_uncertainty as du
    from shigen.policy.config import UncertaintyConfig
    from shigen.policy.evaluate import Case, Evaluator
    from shigen.stages import get_stage
    from shigen.study import load_study

    print(f"[cpu] load before: {load()}")
    study = load_study(BLUE)
    cat = Catalogue.bundled().with_overrides(study.data_overrides(), as_of=study.data_as_of())
    ev = Evaluator(study, (get_stage("energy"), get_stage("materials")), cat, ())
    ev.summaries(Case({}, study.study.seed, "uncertainty"))
    if every:  # as run_uncertainty picks them: every ranged dataset the stages read
        read = sorted({n for names in ev.reads.values() for n in names})
        params = du.range_parameters(cat, read)
    else:
        params = du.range_parameters(cat, LINEAR, LINEAR)
    names = [p.dataset for p in params]
    cfg = UncertaintyConfig(samples=samples + 2, datasets=names)
    c0 = time.process_time()
    ev.resamplers = du.resamplers(ev, names, 1000)
    print(f"[cpu] set-up ({len(names)} datasets): {time.process_time() - c0:.1f} CPU-s; "
          f"{json.dumps(ev.resamplers['energy'].describe())}")
    u, _ = du.design(cfg, len(params), study.study.seed)
    rows = [tuple(float(v) for v in r) for r in du.factors(params, u)]
    worker = pickle.loads(pickle.dumps(ev))  # as a worker gets it
    shared = du._Shared(worker, tuple(p.dataset for p in params), study.study.seed)
    du._task(shared, rows[:2])  # a worker's first samples start HiGHS and warm caches
    c0 = time.process_time()
    du._task(shared, rows[2:])
    whole = (time.process_time() - c0) / samples
    r = worker.resamplers["energy"]
    c0 = time.process_time()
    for row in rows[2:]:
        f = dict(zip(shared.names, row, strict=True))
        mine = {n: v for n, v in f.items() if n in (ev.reads.get("energy") or ())}
        with contextlib.suppress(RunFailed):  # an infeasible draw: the run counts it
            r.run(study.energy, study, cat.with_factors(mine), {}, mine)
    energy = (time.process_time() - c0) / samples
    how = r.describe()
    print(f"[cpu] per sample over {samples}: {whole:.3f} CPU-s (energy stage {energy:.3f}: "
          f"{how['method']}, figures {how.get('figures', 'full')}; the rest is the materials "
          f"stage and the sample's figures); load after: {load()}")


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, dict]:  # type: ignore[type-arg]
    t0, c0 = time.perf_counter(), _children_cpu()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    wall = time.perf_counter() - t0
    if out.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed: {out.stderr[-2000:]}")
    doc = json.loads(out.stdout)
    doc["_cpu_s"] = _children_cpu() - c0
    return wall, doc


def _env(src: Path, home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SHIGEN_DATA"}
    env.update(PYTHONPATH=str(src), SHIGEN_HOME=home)
    return env


def _linear_study(folder: Path) -> Path:
    """BLUE with an [uncertainty] section naming :data:`LINEAR`, beside its baseline."""
    for name in ("etp2008-blue.toml", "etp2008-baseline.toml"):
        (folder / name).write_text((ROOT / "studies" / name).read_text())
    path = folder / "etp2008-blue.toml"
    path.write_text(path.read_text() + f"\n[uncertainty]\ndatasets = {json.dumps(LINEAR)}\n")
    return path


def bench_uncertainty(samples: int, linear: bool, configs: list[str] | None = None,
                      src: Path = ROOT / "src") -> None:
    digests = {}
    walls = {}
    runs = {"1 worker": ["--workers", "1"], "2 workers": ["--workers", "2"],
            "dask, 2 workers": ["--scheduler", "dask", "--workers", "2"]}
    for label, args in runs.items():
        if configs and label not in configs:
            continue
        print(f"[uncertainty] {label}: load before: {load()}")
        with tempfile.TemporaryDirectory() as home:
            study = _linear_study(Path(home)) if linear else BLUE
            wall, doc = _run([sys.executable, "-m", "shigen", "run", str(study),
                              "--uncertainty", str(samples), "--json", *args],
                             _env(src, home))
        unc = doc["uncertainty"]
        digests[label], walls[label] = unc["digest"], wall
        # CPU time is what a busy machine does not inflate (much): the figure to compare
        # with a rerun elsewhere; it covers the base run and the set-up too
        cpu = doc["_cpu_s"]
        print(f"[uncertainty] {label}: {samples} samples in {wall:.1f} s "
              f"({samples / wall:.2f} samples/s), CPU {cpu:.1f} s "
              f"({cpu / samples:.3f} CPU-s per sample, all processes, set-up and base run "
              f"included), failed {unc['failed']}, digest {unc['digest'][:12]}, "
              f"solve {json.dumps(unc.get('solve'))}; load after: {load()}")
    if "1 worker" not in walls or "2 workers" not in walls:
        return
    eff = walls["1 worker"] / (2 * walls["2 workers"])
    print(f"[uncertainty] efficiency 1 -> 2 workers: {eff:.2f}; identical digests: "
          f"{len(set(digests.values())) == 1}; load after: {load()}")


def bench_ensemble(before: Path | None, samples: int) -> None:
    trees = [("this tree", ROOT / "src")] + ([("before", before)] if before else [])
    results = {}
    for label, src in trees:
        print(f"[ensemble] {label}: load before: {load()}")
        with tempfile.TemporaryDirectory() as home:
            wall, doc = _run([sys.executable, "-m", "shigen", "ensemble", str(FLAGSHIP),
                              "--samples", str(samples), "--json"], _env(src, home))
        results[label] = (wall, doc["ensemble"]["digest"])
        print(f"[ensemble] {label}: {samples} samples in {wall:.1f} s, "
              f"digest {doc['ensemble']['digest'][:12]}")
    if before:
        (w_new, d_new), (w_old, d_old) = results["this tree"], results["before"]
        print(f"[ensemble] before / this tree: {w_old / w_new:.2f}x; identical results: "
              f"{d_new == d_old}; load after: {load()}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("part", choices=["lp", "cpu", "uncertainty", "ensemble", "all"])
    p.add_argument("--lp-samples", type=int, default=5)
    p.add_argument("--samples", type=int, default=1000, help="uncertainty samples")
    p.add_argument("--linear", action="store_true",
                   help="sample only the datasets the re-solve takes (LINEAR)")
    p.add_argument("--all", dest="every", action="store_true",
                   help="cpu: sample every ranged dataset (the default run) instead of LINEAR")
    p.add_argument("--both", action="store_true",
                   help="uncertainty: the LINEAR run, then the default run (every ranged "
                        "dataset)")
    p.add_argument("--configs", nargs="+", default=None,
                   help="uncertainty runs to make: '1 worker', '2 workers', 'dask, 2 workers'")
    p.add_argument("--ensemble-samples", type=int, default=40)
    p.add_argument("--before", type=Path, default=None,
                   help="src folder of the code to compare the ensemble with")
    p.add_argument("--src", type=Path, default=ROOT / "src",
                   help="uncertainty: src folder of the code to run (e.g. /work/main/src)")
    a = p.parse_args()
    if a.part in ("lp", "all"):
        bench_lp(a.lp_samples)
    if a.part in ("cpu", "all"):
        bench_cpu(a.lp_samples, a.every)
    if a.part in ("uncertainty", "all"):
        for linear in ((True, False) if a.both else (a.linear,)):
            kind = "LINEAR datasets" if linear else "default: every ranged dataset"
            print(f"[uncertainty] {kind}")
            bench_uncertainty(a.samples, linear, a.configs, a.src)
    if a.part in ("ensemble", "all"):
        bench_ensemble(a.before, a.ensemble_samples)


if __name__ == "__main__":
    main()
