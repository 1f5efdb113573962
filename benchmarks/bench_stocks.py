"""Cohort-model benchmark: shigen vs flodym vs a bare-numpy reference.

The same inflow-driven and stock-driven models (normal lifetimes, one per product)
at 20 elements × 30 products × 10 regions × 150 years (6,000 series) are built in
shigen (``shigen.materials.cohort.labelled``, labelled xarray in and out, mass
balance computed), in flodym (``InflowDrivenDSM`` / ``StockDrivenDSM``) and in
bare numpy (one survival matrix per lifetime, two matmuls, no labels, no checks).
Each model runs in its own subprocess so its peak memory (ru_maxrss) is its own.

    PYTHONPATH=src python benchmarks/bench_stocks.py            # full case (~1 min)
    PYTHONPATH=src python benchmarks/bench_stocks.py --quick    # 1/10 of the series
"""

from __future__ import annotations

import os

# One BLAS thread for every implementation: on a shared machine, threaded BLAS
# timings are noise (set SHIGEN_BENCH_THREADS to change).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, os.environ.get("SHIGEN_BENCH_THREADS", "1"))

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

N_EL, N_PROD, N_REG, N_T = 20, 30, 10, 150
TOL = 1e-9


def case(n_el: int = N_EL, n_prod: int = N_PROD, n_reg: int = N_REG, n_t: int = N_T):
    rng = np.random.default_rng(42)
    inflow = rng.random((n_el, n_prod, n_reg, n_t)) * 100.0
    mean = 5.0 + 25.0 * rng.random(n_prod)
    std = 0.15 * mean + 1.0
    return inflow, mean, std


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# --- the three implementations ---------------------------------------------------------
def run_shigen(kind: str, inflow, mean, std):  # type: ignore[no-untyped-def]
    import xarray as xr

    from shigen.materials import cohort, lifetimes
    from shigen.materials.lifetimes import Lifetime, LifetimeKind

    lifetimes._matrices.cache_clear()
    lifetimes._inverse.cache_clear()
    n_el, n_prod, n_reg, n_t = inflow.shape
    lts = {f"p{i}": Lifetime(LifetimeKind.NORMAL, mean=float(m), std=float(s))
           for i, (m, s) in enumerate(zip(mean, std, strict=True))}
    da = xr.DataArray(inflow, dims=("element", "product", "region", "year"),
                      coords={"element": [f"e{i}" for i in range(n_el)],
                              "product": list(lts), "region": [f"r{i}" for i in range(n_reg)],
                              "year": np.arange(2000, 2000 + n_t)})
    if kind == "stock":
        da = da.cumsum("year")
    t0, c0 = time.perf_counter(), time.process_time()
    ds = cohort.labelled(da, lts, by="product", driven_by=kind)
    seconds, CPU["seconds"] = time.perf_counter() - t0, time.process_time() - c0
    assert ds.attrs["max_rel_error"] < TOL, ds.attrs["max_rel_error"]
    order = ("element", "product", "region", "year")
    return seconds, {v: ds[v].transpose(*order).values for v in ("inflow", "stock", "outflow")}


def run_flodym(kind: str, inflow, mean, std):  # type: ignore[no-untyped-def]
    import flodym as fd

    n_el, n_prod, n_reg, n_t = inflow.shape
    t0, c0 = time.perf_counter(), time.process_time()
    dims = fd.DimensionSet(dim_list=[
        fd.Dimension(letter="t", name="time", items=list(range(2000, 2000 + n_t))),
        fd.Dimension(letter="e", name="element", items=[f"e{i}" for i in range(n_el)]),
        fd.Dimension(letter="p", name="product", items=[f"p{i}" for i in range(n_prod)]),
        fd.Dimension(letter="r", name="region", items=[f"r{i}" for i in range(n_reg)]),
    ])
    pdims = dims.get_subset(("p",))
    lifetime = fd.NormalLifetime(dims=dims, mean=fd.FlodymArray(dims=pdims, values=mean),
                                 std=fd.FlodymArray(dims=pdims, values=std))
    values = np.moveaxis(inflow, -1, 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "inflow":
            dsm = fd.InflowDrivenDSM(dims=dims, lifetime_model=lifetime)
            dsm.inflow.values[...] = values
        else:
            dsm = fd.StockDrivenDSM(dims=dims, lifetime_model=lifetime)
            dsm.stock.values[...] = np.cumsum(values, axis=0)
        dsm.compute()
    seconds, CPU["seconds"] = time.perf_counter() - t0, time.process_time() - c0
    return seconds, {v: np.moveaxis(getattr(dsm, v).values, 0, -1)
                     for v in ("inflow", "stock", "outflow")}


def run_numpy(kind: str, inflow, mean, std):  # type: ignore[no-untyped-def]
    from scipy.linalg import solve_triangular
    from scipy.stats import norm

    n_el, n_prod, n_reg, n_t = inflow.shape
    x = np.ascontiguousarray(np.moveaxis(inflow, 1, 0)).reshape(n_prod, -1, n_t)
    if kind == "stock":
        x = np.cumsum(x, axis=-1)
    t0, c0 = time.perf_counter(), time.process_time()
    lag = np.subtract.outer(np.arange(n_t), np.arange(n_t))
    a = np.empty_like(x)
    b = np.empty_like(x)
    for p in range(n_prod):
        s = norm.sf(np.arange(n_t) + 0.5, loc=mean[p], scale=std[p])
        d = np.concatenate([[1 - s[0]], s[:-1] - s[1:]])
        sf = np.where(lag >= 0, s[np.clip(lag, 0, None)], 0.0)
        pdf = np.where(lag >= 0, d[np.clip(lag, 0, None)], 0.0)
        if kind == "inflow":
            a[p] = x[p] @ sf.T  # stock
            b[p] = x[p] @ pdf.T  # outflow
        else:
            a[p] = solve_triangular(sf, x[p].T, lower=True, check_finite=False).T  # inflow
            b[p] = a[p] @ pdf.T
    seconds, CPU["seconds"] = time.perf_counter() - t0, time.process_time() - c0
    return seconds, None


CPU: dict[str, float] = {}     # CPU seconds of the last timed model (the machine is shared)

IMPLS = {"shigen": run_shigen, "flodym": run_flodym, "numpy": run_numpy}


IMPORTS = {"shigen": ("xarray", "scipy.special", "scipy.linalg", "shigen.materials.cohort"),
           "flodym": ("flodym", "scipy.stats"),
           "numpy": ("scipy.stats", "scipy.linalg")}


def child(impl: str, kind: str, scale: float, dump: str | None) -> None:
    import importlib

    for mod in IMPORTS[impl]:
        importlib.import_module(mod)
    n_el = max(1, round(N_EL * scale))
    inflow, mean, std = case(n_el=n_el)
    base = peak_mb()  # after imports and the input data
    seconds, result = IMPLS[impl](kind, inflow, mean, std)
    if dump and result is not None:
        np.savez(dump, **result)
    print(json.dumps({"seconds": seconds, "cpu_seconds": CPU["seconds"],
                      "peak_mb": peak_mb(), "base_mb": base,
                      "series": n_el * N_PROD * N_REG}))


def spawn(impl: str, kind: str, scale: float = 1.0, dump: str | None = None) -> dict:
    cmd = [sys.executable, __file__, "--child", impl, kind, str(scale)] + (
        ["--dump", dump] if dump else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=os.environ)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rel_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="1/10 of the series")
    ap.add_argument("--child", nargs=3)
    ap.add_argument("--dump")
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], float(args.child[2]), args.dump)
        return
    scale = 0.1 if args.quick else 1.0
    import importlib.util

    if importlib.util.find_spec("flodym") is None:
        sys.exit("flodym is not installed: pip install 'shigen[bench]' to compare against it")
    tmp = Path(os.environ.get("TMPDIR", "/tmp"))
    n_series = max(1, round(N_EL * scale)) * N_PROD * N_REG
    print(f"cohort models: {n_series} series x {N_T} years, normal lifetimes "
          f"({N_PROD} distinct), each model in its own process; load average (1, 5, 15 min) "
          f"before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("times: best of 3 (flodym: 1 run) by CPU seconds, wall seconds beside them; "
          "ratios from CPU seconds (the machine is shared)")
    rows = {}
    for kind in ("inflow", "stock"):
        r = {}
        for impl in ("shigen", "flodym", "numpy"):
            dump = str(tmp / f"bench_{impl}_{kind}.npz") if impl != "numpy" else None
            best = None
            for _ in range(1 if impl == "flodym" else 3):
                res = spawn(impl, kind, scale, dump)
                if best is None or res["cpu_seconds"] < best["cpu_seconds"]:
                    best = res
            r[impl] = best
        ours = np.load(tmp / f"bench_shigen_{kind}.npz")
        theirs = np.load(tmp / f"bench_flodym_{kind}.npz")
        agree = max(rel_diff(ours[v], theirs[v]) for v in ("inflow", "stock", "outflow"))
        r["agreement"] = agree
        rows[kind] = r
        s, f, n = r["shigen"], r["flodym"], r["numpy"]
        print(f"\n{kind}-driven")
        print(f"  shigen {s['cpu_seconds']:.4f} CPU-s ({s['seconds']:.4f} s wall)  peak "
              f"{s['peak_mb']:.0f} MB (+{s['peak_mb'] - s['base_mb']:.0f} MB over imports "
              "and input)")
        print(f"  flodym {f['cpu_seconds']:.3f} CPU-s ({f['seconds']:.3f} s wall)  peak "
              f"{f['peak_mb']:.0f} MB (+{f['peak_mb'] - f['base_mb']:.0f} MB over imports)")
        print(f"  numpy  {n['cpu_seconds']:.4f} CPU-s ({n['seconds']:.4f} s wall)  peak "
              f"{n['peak_mb']:.0f} MB (+{n['peak_mb'] - n['base_mb']:.0f} MB over imports)")
        print(f"  agreement shigen vs flodym: max rel diff {agree:.2e} "
              f"({'OK' if agree <= TOL else 'FAIL'} at {TOL:g})")
        print(f"  ratio: shigen is {f['cpu_seconds'] / s['cpu_seconds']:.0f}x faster than "
              f"flodym, uses {s['peak_mb'] / f['peak_mb']:.3f} of its peak memory "
              f"({(s['peak_mb'] - s['base_mb']) / max(f['peak_mb'] - f['base_mb'], 1e-9):.4f} "
              f"over imports), {s['cpu_seconds'] / n['cpu_seconds']:.2f}x the bare-numpy "
              "CPU time")
    print("\nscaling (shigen, inflow-driven, in-process best of 3):")
    from shigen.materials.cohort import labelled  # noqa: F401  (warm imports)

    base_t = None
    for mult in (1, 10, 100):
        n_el = 2 * mult  # 600, 6,000 and 60,000 series
        inflow, mean, std = case(n_el=n_el)
        t = min(run_shigen("inflow", inflow, mean, std)[0] for _ in range(3))
        base_t = base_t or t
        print(f"  {mult:>3}x  {n_el * N_PROD * N_REG:>7} series  {t:.4f} s  "
              f"({t / base_t:.1f}x the 1x time)")
    print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for p in tmp.glob("bench_*_*.npz"):
        p.unlink()
    ok = all(r["agreement"] <= TOL for r in rows.values())
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
