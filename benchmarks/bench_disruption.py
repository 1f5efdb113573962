"""Benchmark of the disruption stage's Monte Carlo.

Prints, measured in the same run:

1. a bare numpy kernel — random events (annual onset, duration, depth) plus a stockpile
   recursion over 100,000 draws x 40 years — in draw-years per second on one core;
2. the full simulation for one commodity with every lever on (stockpile with refill,
   diversification, recycling, substitution, demand restraint, agreement) and two
   events (a random embargo, as in the bare kernel, and the data-driven quota cut),
   same size, and its ratio to the bare kernel (target: within 2x, >= 1e7/s);
3. time and peak memory of 100,000 draws x 40 years x 10 commodities (target: < 10 s,
   < 4 GB), in a fresh process so the peak RSS is its own.

Usage: ``PYTHONPATH=src python benchmarks/bench_disruption.py [--draws N] [--workers W]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time
from typing import Any

import numpy as np

YEARS = 40
START = 2010


def bare_kernel(draws: int, years: int, seed: int = 0) -> float:
    """Random events + stockpile recursion in plain numpy; returns the mean shortfall."""
    rng = np.random.default_rng(seed)
    p, demand, share = 0.1, 1.0, 0.9
    k = np.floor(np.log1p(-rng.random(draws)) / np.log1p(-p))
    onset = k + rng.random(draws)
    end = onset + rng.lognormal(np.log(90 / 365), 0.8, draws)
    depth = rng.uniform(0.3, 1.0, draws)
    t0 = np.arange(years, dtype=float)
    active = np.clip(np.minimum(end[:, None], t0 + 1) - np.maximum(onset[:, None], t0), 0, None)
    gap = share * demand * depth[:, None] * active
    stock = np.full(draws, 60 / 365 * demand)
    short = np.zeros(draws)
    for t in range(years):
        release = np.minimum(gap[:, t], stock)
        stock -= release
        short += gap[:, t] - release
    return float(short.mean())


def market(k: int | None = None) -> dict[str, Any]:
    return {"commodity": "rare-earths" if k is None else f"rare-earths-{k}", "importer": "JPN",
            "demand": {"dataset": "japan-ree-imports-volume",
                       "select": {"origin": "WORLD", "year": 2009}},
            "suppliers": {"dataset": "japan-ree-imports", "select": {"year": 2009}},
            "elasticity": -0.148, "surge_share": 0.02}


def events(commodity: str, suffix: str = "") -> list[dict[str, Any]]:
    return [
        {"name": f"embargo{suffix}", "kind": "embargo", "commodity": commodity,
         "supplier": "CHN", "importer": "JPN", "annual_probability": 0.1,
         "duration_days": {"dist": "lognormal", "median": 90, "sigma": 0.8, "max": 730},
         "depth": {"dist": "uniform", "low": 0.3, "high": 1.0}},
        {"name": f"quota{suffix}", "kind": "quota-cut", "commodity": commodity,
         "supplier": "CHN", "onset": 2010, "duration_days": 1826,
         "quota": {"dataset": "china-ree-export-quota", "base_year": 2009}},
    ]


def levers(commodity: str) -> list[dict[str, Any]]:
    base = {"commodity": commodity, "importer": "JPN"}
    return [
        {"kind": "stockpile", **base, "days": 60, "refill_days_per_year": 30},
        {"kind": "diversification", **base, "supplier": "AUS", "capacity_t_per_year": 8500,
         "start": "2010-11-24", "lead_time_years": 1.1, "ramp_years": 2},
        {"kind": "recycling", **base, "rate": 0.05, "start": 2012, "ramp_years": 10},
        {"kind": "substitution", **base, "share": 0.1, "start": 2012, "lag_years": 5},
        {"kind": "demand-restraint", **base, "share": 0.05},
    ]


def config(n_markets: int, draws: int, chunk: int) -> Any:
    from shigen.disruption.config import DisruptionConfig

    ms = [market(None if n_markets == 1 else k) for k in range(n_markets)]
    evs: list[dict[str, Any]] = []
    lvs: list[dict[str, Any]] = []
    for k, m in enumerate(ms):
        evs += events(m["commodity"], "" if n_markets == 1 else f"-{k}")
        lvs += levers(m["commodity"])
    lvs.append({"kind": "agreement", "name": "pact", "parties": ["JPN", "CHN"],
                "start": 2015, "probability_factor": 0.5, "depth_factor": 0.8})
    return DisruptionConfig.model_validate({
        "start": START, "end": START + YEARS - 1, "resolution": "year", "draws": draws,
        "chunk_draws": chunk, "markets": ms, "events": evs, "levers": lvs})


def full(n_markets: int, draws: int, chunk: int, workers: int) -> dict[str, float]:
    from shigen.datasets import Catalogue
    from shigen.disruption.model import compile_model
    from shigen.disruption.montecarlo import run_model
    from shigen.disruption.results import to_dataset

    cfg = config(n_markets, draws, chunk)
    t0, c0 = time.perf_counter(), time.process_time()
    model = compile_model(cfg, Catalogue.bundled())
    t1, c1 = time.perf_counter(), time.process_time()
    sim = run_model(model, 1, draws, chunk, workers)
    t2, c2 = time.perf_counter(), time.process_time()
    to_dataset(sim)
    t3, c3 = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"compile_s": t1 - t0, "simulate_s": t2 - t1, "statistics_s": t3 - t2,
            "total_s": t3 - t0, "simulate_cpu_s": c2 - c1, "total_cpu_s": c3 - c0,
            "children_cpu_s": children.ru_utime + children.ru_stime,
            "peak_rss_gb": max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                               children.ru_maxrss) / 1e6}


def _child(q: Any, args: tuple[int, int, int, int]) -> None:
    q.put(full(*args))


def in_fresh_process(*args: int) -> dict[str, float]:
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_child, args=(q, args))
    p.start()
    out = q.get()
    p.join()
    return out


def best_of(fn: Any, repeat: int) -> tuple[float, float]:
    """Best wall time and best CPU time (the machine may be shared: CPU time is the
    per-core figure, wall time what a user waits)."""
    wall, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(wall), min(cpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=16_384)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    dy = a.draws * YEARS

    bare_wall, bare_cpu = best_of(lambda: bare_kernel(a.draws, YEARS), a.repeat)
    runs = [full(1, a.draws, a.chunk, 1) for _ in range(a.repeat)]
    one_wall = min(r["simulate_s"] for r in runs)
    one_cpu = min(r["simulate_cpu_s"] for r in runs)
    one_total_cpu = min(r["total_cpu_s"] for r in runs)
    big = in_fresh_process(10, a.draws, a.chunk, a.workers)
    res = {
        "draws": a.draws, "years": YEARS,
        "bare_kernel_draw_years_per_cpu_s": dy / bare_cpu,
        "bare_kernel_draw_years_per_wall_s": dy / bare_wall,
        "full_draw_years_per_cpu_s": dy / one_cpu,
        "full_draw_years_per_wall_s": dy / one_wall,
        "full_incl_compile_and_statistics_draw_years_per_cpu_s": dy / one_total_cpu,
        "ratio_full_to_bare_cpu": one_cpu / bare_cpu,
        "ratio_full_to_bare_wall": one_wall / bare_wall,
        "big_case_wall_s": big["total_s"], "big_case_simulate_wall_s": big["simulate_s"],
        "big_case_cpu_s": big["total_cpu_s"] + big["children_cpu_s"],
        "big_case_peak_rss_gb": big["peak_rss_gb"], "big_case_workers": a.workers,
        "load_average_1min": __import__("os").getloadavg()[0],
    }
    if a.json:
        print(json.dumps(res, indent=2))
        return
    print(f"load average (1 min): {res['load_average_1min']:.1f} on "
          f"{__import__('os').cpu_count()} cores (wall times suffer when the machine is shared)")
    print(f"bare numpy kernel   : {res['bare_kernel_draw_years_per_cpu_s']:.3g} draw-years per "
          f"CPU-second ({res['bare_kernel_draw_years_per_wall_s']:.3g} per wall-second)")
    print(f"full, every lever   : {res['full_draw_years_per_cpu_s']:.3g} draw-years per "
          f"CPU-second ({res['full_draw_years_per_wall_s']:.3g} per wall-second; "
          f"{res['full_incl_compile_and_statistics_draw_years_per_cpu_s']:.3g} with compile "
          "and statistics)")
    print(f"ratio full / bare   : {res['ratio_full_to_bare_cpu']:.2f}x CPU, "
          f"{res['ratio_full_to_bare_wall']:.2f}x wall  (target <= 2x and >= 1e7 per core)")
    print(f"10 commodities      : {res['big_case_wall_s']:.2f} s wall "
          f"({res['big_case_simulate_wall_s']:.2f} s simulation), {res['big_case_cpu_s']:.2f} "
          f"CPU-s, peak RSS {res['big_case_peak_rss_gb']:.2f} GB, workers={a.workers} "
          "(target < 10 s on 2 cores, < 4 GB)")


if __name__ == "__main__":
    main()
