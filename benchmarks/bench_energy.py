"""Energy LP performance: build, HiGHS solve, extraction, overhead; three HiGHS algorithms.

Cases: the BLUE study (world, 8 slices) and a synthetic 10-region x 24-slice system made
from the bundled world data (each region a scaled copy, each slice split in three).
Prints wall-clock and CPU seconds (the machine is shared; CPU time is the steadier
figure) and writes the table into docs/benchmarks.md under ``## energy``.

Usage: PYTHONPATH=src python benchmarks/bench_energy.py [--regions 10] [--slices 24]
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np
import xarray as xr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _docs import write_section  # noqa: E402

from shigen.datasets import Catalogue  # noqa: E402
from shigen.energy.config import EnergyConfig  # noqa: E402
from shigen.energy.inputs import Inputs, load_inputs  # noqa: E402
from shigen.energy.model import SOLVER_OPTIONS, create_model, results, solve  # noqa: E402
from shigen.study import load_study  # noqa: E402


def synthetic(inp: Inputs, n_regions: int, n_slices: int) -> tuple[EnergyConfig, Inputs]:
    """n scaled copies of the world region; each slice split into n_slices / 8 parts."""
    regions = [f"R{i:02d}" for i in range(n_regions)]
    scale = xr.DataArray(np.linspace(0.5, 1.5, n_regions) / n_regions, dims="region",
                         coords={"region": regions})
    parts = max(1, n_slices // len(inp.slices))
    slices = [f"{s.split('-')[0]}-{s.split('-')[1]}{k}" for s in inp.slices for k in range(parts)]
    src = [s for s in inp.slices for _ in range(parts)]
    wiggle = xr.DataArray(np.tile(np.linspace(0.9, 1.1, parts), len(inp.slices)), dims="slice",
                          coords={"slice": slices})

    def split(da: xr.DataArray, divide: bool) -> xr.DataArray:
        out = da.sel(slice=src).assign_coords(slice=slices)
        return out / parts * (wiggle if divide else 1.0) if divide else out

    def per_region(da: xr.DataArray, scaled: bool) -> xr.DataArray:
        base = da.sel(region="WORLD", drop=True)
        out = base.expand_dims(region=regions).copy()
        return out * scale if scaled else out

    extensive = {"existing", "base_generation", "final_demand", "ldv_demand",
                 "vehicle_stock", "gdp", "population", "biomass_potential", "build_limit",
                 "potential", "historical_capacity"}
    sub: dict[str, object] = {"regions": regions, "slices": slices}
    for fld in dataclasses.fields(inp):
        val = getattr(inp, fld.name)
        if not isinstance(val, xr.DataArray):
            continue
        if "region" in val.dims:
            val = per_region(val, fld.name in extensive)
        if "slice" in val.dims:
            val = split(val, fld.name in ("hours", "load_share"))
        sub[fld.name] = val
    ls = sub["load_share"]
    sub["load_share"] = ls / ls.sum("slice")  # type: ignore[operator]
    return EnergyConfig(regions=["WORLD"]), dataclasses.replace(inp, **sub)  # type: ignore[arg-type]


def measure(cfg: EnergyConfig, inp: Inputs, algorithm: str) -> dict[str, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    f = create_model(cfg, inp)
    build, build_cpu = time.perf_counter() - t0, time.process_time() - c0
    status, wall, highs = solve(f, algorithm)
    from shigen.energy.model import Outcome, Timings

    t0 = time.perf_counter()
    results(Outcome(status, f, None, Timings()))
    extract = time.perf_counter() - t0
    total = build + wall + extract
    return {"build": build, "build_cpu": build_cpu, "solve_wall": wall, "highs": highs,
            "extract": extract, "total": total, "overhead": (total - highs) / total,
            "vars": float(f.m.nvars), "cons": float(f.m.ncons)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--regions", type=int, default=10)
    ap.add_argument("--slices", type=int, default=24)
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args()
    cat = Catalogue.bundled()
    t0 = time.perf_counter()
    study = load_study(ROOT / "studies" / "etp2008-blue.toml")
    blue_cfg = study.energy
    assert blue_cfg is not None
    blue_inp = load_inputs(blue_cfg, cat)
    load = time.perf_counter() - t0
    from shigen.energy import stage

    stage._BASELINES.clear()
    t0, c0 = time.perf_counter(), time.process_time()
    stage.run(blue_cfg, study, cat, {})
    e2e = (time.perf_counter() - t0, time.process_time() - c0)
    print(f"BLUE stage end to end (load, build, solve, results; study + its baseline): "
          f"{e2e[0]:.2f}s wall, {e2e[1]:.2f}s CPU (target < 5 s)")
    syn_cfg, syn_inp = synthetic(load_inputs(EnergyConfig(), cat), args.regions, args.slices)
    syn_cfg = syn_cfg.model_copy(update={"regions": syn_inp.regions})
    rows = []
    for label, cfg, inp in (("BLUE (1 region x 8 slices)", blue_cfg, blue_inp),
                            (f"synthetic ({args.regions} regions x {len(syn_inp.slices)} "
                             "slices)", syn_cfg, syn_inp)):
        for alg in SOLVER_OPTIONS:
            r = measure(cfg, inp, alg)
            rows.append((label, alg, r))
            print(f"{label:34s} {alg:6s} vars {r['vars']:>8,.0f} build {r['build']:.2f}s "
                  f"(cpu {r['build_cpu']:.2f}s) HiGHS {r['highs']:.2f}s extract "
                  f"{r['extract']:.2f}s total {r['total']:.2f}s overhead {r['overhead']:.0%}",
                  flush=True)
    best = {}
    for label, alg, r in rows:
        if label not in best or r["highs"] < best[label][1]["highs"]:
            best[label] = (alg, r)
    for label, (alg, r) in best.items():
        others = [x[2]["highs"] for x in rows if x[0] == label and x[1] != alg]
        print(f"fastest on {label}: {alg} ({r['highs']:.2f}s; others "
              f"{', '.join(f'{o:.2f}s' for o in others)}; ratio to slowest "
              f"{max(others) / max(r['highs'], 1e-9):.1f}x)")
    print(f"BLUE data load {load:.2f}s; issue targets: BLUE total < 5 s, build < 1 s, "
          "overhead < 10% on the 10-region case")
    if not args.no_write:
        write_docs(rows, best, load, e2e)


def write_docs(rows, best, load, e2e) -> None:  # type: ignore[no-untyped-def]
    import os

    lines = ["## energy", "",
             "Produced by `benchmarks/bench_energy.py` (HiGHS via linopy `io_api=\"direct\"`). "
             f"Machine: {os.cpu_count()} cores shared with other jobs, so wall-clock times "
             "vary; build CPU time is given too. Overhead = (build + solve call + extraction "
             "- HiGHS run time) / total.", "",
             "| case | algorithm | variables | build s (CPU s) | HiGHS s | extract s | "
             "total s | overhead |", "|---|---|---|---|---|---|---|---|"]
    for label, alg, r in rows:
        lines.append(f"| {label} | {alg} | {r['vars']:,.0f} | {r['build']:.2f} "
                     f"({r['build_cpu']:.2f}) | {r['highs']:.2f} | {r['extract']:.2f} | "
                     f"{r['total']:.2f} | {r['overhead']:.0%} |")
    lines += ["", f"BLUE stage end to end (load, build, solve and results for the study and "
              f"its baseline, in-process): {e2e[0]:.2f} s wall, {e2e[1]:.2f} s CPU "
              "(target < 5 s).", "",
              f"BLUE data load: {load:.2f} s. Fastest HiGHS algorithm per case: "
              + "; ".join(f"{k}: **{a}**" for k, (a, _) in best.items())
              + ". The default (`EnergyConfig.solver = \"auto\"`) is the algorithm in "
              "`shigen.energy.model.DEFAULT_ALGORITHM`.", ""]
    write_section(ROOT / "docs" / "benchmarks.md", "energy", lines, "# Benchmarks")


if __name__ == "__main__":
    main()
