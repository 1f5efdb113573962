"""Benchmark of the disruption stage's Monte Carlo.

Prints, measured in the same run (bare and full runs alternate, medians of ``--repeat``):

1. a bare numpy kernel — random events (annual onset, duration, depth) plus a stockpile
   recursion over 100,000 draws x 40 years, time-major like shigen's — and the same
   statistics shigen reports for a market's shortfall, in plain numpy (mean and
   P5/P50/P95 of the cumulative shortfall, the share of draws with a year short by more
   than 10%, P5 of the lowest stock, the per-year P5..P95 fan: ``np.quantile`` calls);
2. the full path for one commodity with every lever on (stockpile with refill,
   diversification, recycling, substitution, demand restraint, agreement) and two
   events (a random embargo, as in the bare kernel, and the data-driven quota cut),
   same size: compile (validate the section, read its datasets) + simulate + the
   stage's statistics dataset (``to_dataset``); the issue's ratio is simulation and
   statistics over the bare kernel and its statistics (target: < 1.5x, >= 1e7/s),
   printed also with compile, for the simulation alone and against issue 6's
   draw-major kernel (the one earlier figures used);
3. time and peak memory of 100,000 draws x 40 years x 10 commodities (target: < 10 s,
   < 4 GB), in a fresh process so the peak RSS is its own.

The full path also prices every draw and reports price statistics, which the bare
kernel has no model for: that work counts against shigen in the ratio.

Usage: ``PYTHONPATH=src python benchmarks/bench_disruption.py [--draws N] [--workers W]``
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import time
from typing import Any

import numpy as np

YEARS = 40
START = 2010


QUANTILES = (0.05, 0.5, 0.95)
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


def bare_kernel(draws: int, years: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random events + stockpile recursion in plain numpy, time-major.

    Returns the shortfall in each year and draw ``(years, draws)`` and each draw's
    lowest stock (years of demand).
    """
    rng = np.random.default_rng(seed)
    p, demand, share = 0.1, 1.0, 0.9
    k = np.floor(np.log1p(-rng.random(draws)) / np.log1p(-p))
    onset = k + rng.random(draws)
    end = onset + rng.lognormal(np.log(90 / 365), 0.8, draws)
    depth = rng.uniform(0.3, 1.0, draws)
    t0 = np.arange(years, dtype=float)[:, None]
    active = np.clip(np.minimum(end, t0 + 1) - np.maximum(onset, t0), 0, None)
    gap = share * demand * depth * active
    stock = np.full(draws, 60 / 365 * demand)
    low = stock.copy()
    short = np.empty((years, draws))
    for t in range(years):
        release = np.minimum(gap[t], stock)
        stock -= release
        np.minimum(low, stock, out=low)
        np.subtract(gap[t], release, out=short[t])
    return short, low


def bare_kernel_draw_major(draws: int, years: int, seed: int = 0
                           ) -> tuple[np.ndarray, np.ndarray]:
    """The bare kernel as issue 6 wrote it (draws along axis 0, the recursion reading a
    strided column per year), returning the same outputs as :func:`bare_kernel`."""
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
    low = stock.copy()
    short = np.empty((draws, years))
    for t in range(years):
        release = np.minimum(gap[:, t], stock)
        stock -= release
        np.minimum(low, stock, out=low)
        short[:, t] = gap[:, t] - release
    return short.T, low


def bare_statistics(short: np.ndarray, low: np.ndarray) -> dict[str, Any]:
    """The shortfall statistics shigen reports for a market, in plain numpy."""
    demand = 1.0
    total = short.sum(axis=0)
    return {"expected_shortfall": total.mean(),
            "shortfall_quantile": np.quantile(total, QUANTILES),
            "prob_shortfall_gt_10pct": (short > 0.1 * demand).any(axis=0).mean(),
            "min_days_of_cover_p5": np.quantile(low / demand * 365, 0.05),
            "shortfall_fan": np.quantile(short, FAN_QUANTILES, axis=1),
            "shortfall_by_draw": total}


def bare(draws: int, years: int, kernel: Any = bare_kernel) -> dict[str, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    short, low = kernel(draws, years)
    t1, c1 = time.perf_counter(), time.process_time()
    bare_statistics(short, low)
    t2, c2 = time.perf_counter(), time.process_time()
    return {"kernel_s": t1 - t0, "kernel_cpu_s": c1 - c0, "total_s": t2 - t0,
            "total_cpu_s": c2 - c0}


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

    return DisruptionConfig.model_validate(spec(n_markets, draws, chunk))


def spec(n_markets: int, draws: int, chunk: int) -> dict[str, Any]:
    """The study's ``[disruption]`` section as parsed TOML."""
    ms = [market(None if n_markets == 1 else k) for k in range(n_markets)]
    evs: list[dict[str, Any]] = []
    lvs: list[dict[str, Any]] = []
    for k, m in enumerate(ms):
        evs += events(m["commodity"], "" if n_markets == 1 else f"-{k}")
        lvs += levers(m["commodity"])
    lvs.append({"kind": "agreement", "name": "pact", "parties": ["JPN", "CHN"],
                "start": 2015, "probability_factor": 0.5, "depth_factor": 0.8})
    return {"start": START, "end": START + YEARS - 1, "resolution": "year", "draws": draws,
            "chunk_draws": chunk, "markets": ms, "events": evs, "levers": lvs}


def full(n_markets: int, draws: int, chunk: int, workers: int,
         catalogue: Any = None) -> dict[str, float]:
    """Compile (validate the section, read its datasets), simulate, build the statistics.

    Without ``catalogue`` the bundled catalogue is also read inside the timing (the
    fresh-process case); a run reads it once, before any stage.
    """
    from shigen.datasets import Catalogue
    from shigen.disruption.config import DisruptionConfig
    from shigen.disruption.model import compile_model
    from shigen.disruption.montecarlo import run_model
    from shigen.disruption.results import to_dataset

    section = spec(n_markets, draws, chunk)
    t0, c0 = time.perf_counter(), time.process_time()
    cfg = DisruptionConfig.model_validate(section)
    model = compile_model(cfg, catalogue if catalogue is not None else Catalogue.bundled())
    t1, c1 = time.perf_counter(), time.process_time()
    sim = run_model(model, 1, draws, chunk, workers)
    t2, c2 = time.perf_counter(), time.process_time()
    to_dataset(sim)
    t3, c3 = time.perf_counter(), time.process_time()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"compile_s": t1 - t0, "simulate_s": t2 - t1, "statistics_s": t3 - t2,
            "total_s": t3 - t0, "compile_cpu_s": c1 - c0, "simulate_cpu_s": c2 - c1,
            "statistics_cpu_s": c3 - c2, "total_cpu_s": c3 - c0,
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


def _median(runs: list[dict[str, float]], key: str) -> float:
    return float(statistics.median(r[key] for r in runs))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=100_000)
    ap.add_argument("--chunk", type=int, default=16_384)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    from shigen.datasets import Catalogue

    dy = a.draws * YEARS
    load_before = os.getloadavg()
    catalogue = Catalogue.bundled()     # a run reads it once, before any stage
    full(1, a.draws, a.chunk, 1, catalogue)     # warm-up: imports, first-call set-up
    bare(a.draws, YEARS)
    bares, issue6, fulls = [], [], []
    for _ in range(a.repeat):           # alternate, so that all see the same load
        bares.append(bare(a.draws, YEARS))
        fulls.append(full(1, a.draws, a.chunk, 1, catalogue))
        issue6.append(bare(a.draws, YEARS, bare_kernel_draw_major))
    big = in_fresh_process(10, a.draws, a.chunk, a.workers)
    load_after = os.getloadavg()

    def med(runs: list[dict[str, float]], key: str) -> float:
        return _median(runs, key)

    sim_stats = [r["simulate_cpu_s"] + r["statistics_cpu_s"] for r in fulls]
    res = {
        "draws": a.draws, "years": YEARS, "repeat": a.repeat,
        "bare_kernel_cpu_s": med(bares, "kernel_cpu_s"),
        "bare_with_statistics_cpu_s": med(bares, "total_cpu_s"),
        "bare_with_statistics_wall_s": med(bares, "total_s"),
        "issue6_kernel_cpu_s": med(issue6, "kernel_cpu_s"),
        "issue6_with_statistics_cpu_s": med(issue6, "total_cpu_s"),
        "full_compile_cpu_s": med(fulls, "compile_cpu_s"),
        "full_simulate_cpu_s": med(fulls, "simulate_cpu_s"),
        "full_statistics_cpu_s": med(fulls, "statistics_cpu_s"),
        "full_simulate_and_statistics_cpu_s": float(statistics.median(sim_stats)),
        "full_with_compile_cpu_s": med(fulls, "total_cpu_s"),
        "full_with_compile_wall_s": med(fulls, "total_s"),
        "load_average_before": list(load_before), "load_average_after": list(load_after),
        "cores": os.cpu_count(),
        "big_case_wall_s": big["total_s"], "big_case_simulate_wall_s": big["simulate_s"],
        "big_case_statistics_wall_s": big["statistics_s"],
        "big_case_statistics_cpu_s": big["statistics_cpu_s"],
        "big_case_cpu_s": big["total_cpu_s"] + big["children_cpu_s"],
        "big_case_peak_rss_gb": big["peak_rss_gb"], "big_case_workers": a.workers,
    }
    res |= {
        "draw_years_per_cpu_s": dy / res["full_simulate_and_statistics_cpu_s"],
        # the issue's figure: simulation and statistics over the bare kernel and the
        # same statistics in plain numpy
        "ratio": res["full_simulate_and_statistics_cpu_s"] / res["bare_with_statistics_cpu_s"],
        "ratio_with_compile": res["full_with_compile_cpu_s"] / res["bare_with_statistics_cpu_s"],
        "ratio_with_compile_wall": res["full_with_compile_wall_s"]
        / res["bare_with_statistics_wall_s"],
        "ratio_simulation_only": res["full_simulate_cpu_s"] / res["bare_kernel_cpu_s"],
        "ratio_vs_issue6_kernel": res["full_simulate_and_statistics_cpu_s"]
        / res["issue6_with_statistics_cpu_s"],
    }
    if a.json:
        print(json.dumps(res, indent=2))
        return
    ms = 1e3
    print(f"load average (1, 5, 15 min): before {_load(load_before)}, after "
          f"{_load(load_after)} on {res['cores']} cores (shared with other jobs: wall times "
          "follow the load; CPU times measured side by side, and their ratios, are the "
          "figures to read)")
    print(f"medians of {a.repeat} alternating runs, {a.draws:,} draws x {YEARS} years, CPU ms:")
    print(f"  bare numpy kernel (time-major) : {res['bare_kernel_cpu_s'] * ms:6.1f} + statistics "
          f"{(res['bare_with_statistics_cpu_s'] - res['bare_kernel_cpu_s']) * ms:5.1f} = "
          f"{res['bare_with_statistics_cpu_s'] * ms:6.1f}")
    print(f"  issue 6's kernel (draw-major)  : {res['issue6_kernel_cpu_s'] * ms:6.1f} + statistics "
          f"{(res['issue6_with_statistics_cpu_s'] - res['issue6_kernel_cpu_s']) * ms:5.1f} = "
          f"{res['issue6_with_statistics_cpu_s'] * ms:6.1f}")
    print(f"  shigen, one market, every lever: {res['full_simulate_cpu_s'] * ms:6.1f} + statistics "
          f"{res['full_statistics_cpu_s'] * ms:5.1f} = "
          f"{res['full_simulate_and_statistics_cpu_s'] * ms:6.1f}; compile (validate, read "
          f"3 datasets) {res['full_compile_cpu_s'] * ms:.1f}")
    print(f"  {res['draw_years_per_cpu_s']:.3g} draw-years per CPU-second with statistics "
          "(target >= 1e7)")
    print(f"ratio (simulation + statistics) / (bare kernel + statistics): {res['ratio']:.2f}x "
          f"(target < 1.5x); {res['ratio_vs_issue6_kernel']:.2f}x issue 6's kernel")
    print(f"  with compile: {res['ratio_with_compile']:.2f}x CPU, "
          f"{res['ratio_with_compile_wall']:.2f}x wall; simulation alone / kernel alone: "
          f"{res['ratio_simulation_only']:.2f}x")
    print(f"10 commodities (fresh process, bundled catalogue read inside): "
          f"{res['big_case_wall_s']:.2f} s wall ({res['big_case_simulate_wall_s']:.2f} s "
          f"simulation, {res['big_case_statistics_wall_s']:.2f} s statistics, "
          f"{res['big_case_statistics_cpu_s']:.2f} CPU-s of it), "
          f"{res['big_case_cpu_s']:.2f} CPU-s, peak RSS {res['big_case_peak_rss_gb']:.2f} GB, "
          f"workers={a.workers} (target < 10 s on 2 cores, < 4 GB)")


def _load(avg: tuple[float, ...]) -> str:
    return ", ".join(f"{x:.1f}" for x in avg)


if __name__ == "__main__":
    main()
