"""Bounded loopback load test of `shigen serve`: concurrent clients reading cached results.

Starts `shigen serve` on a free 127.0.0.1 port over a temporary run store holding the
flagship study's run, warms the caches, then runs CLIENTS concurrent clients for SECONDS
seconds, each cycling through the run page and the API results. Prints requests, errors,
throughput, p50/p95/p99 latency and the ratio of p95 to the 200 ms target.

    PYTHONPATH=src python benchmarks/bench_web.py [--clients 20] [--seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from shigen.web.local import local_server  # noqa: E402

TARGET_P95_MS = 200.0


def seed(home: Path) -> str:
    env = {**os.environ, "SHIGEN_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-m", "shigen", "run",
                          str(ROOT / "studies" / "japan-2009.toml"), "--json"],
                         env=env, capture_output=True, text=True, check=True).stdout
    return str(json.loads(out)["run_id"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="shigen-bench-web-") as tmp:
        home = Path(tmp)
        run_id = seed(home)
        with local_server(home, src=ROOT / "src") as base:
            urls = [f"/runs/{run_id}", f"/api/runs/{run_id}/result",
                    f"/api/runs/{run_id}/figures", f"/api/runs/{run_id}/tables",
                    f"/api/runs/{run_id}", "/api/runs"]
            with httpx.Client(base_url=base) as warm:
                for u in urls:
                    warm.get(u).raise_for_status()
            latencies: dict[str, list[float]] = {u: [] for u in urls}
            errors: list[str] = []
            lock = threading.Lock()
            stop = time.monotonic() + args.seconds

            def client(k: int) -> None:
                mine: dict[str, list[float]] = {u: [] for u in urls}
                bad: list[str] = []
                with httpx.Client(base_url=base, timeout=30) as c:
                    i = k
                    while time.monotonic() < stop:
                        u = urls[i % len(urls)]
                        i += 1
                        t0 = time.perf_counter()
                        try:
                            r = c.get(u)
                            r.read()
                            ok = r.status_code == 200
                        except httpx.HTTPError as exc:
                            ok, r = False, None
                            bad.append(f"{u}: {exc}")
                        dt = (time.perf_counter() - t0) * 1000
                        if ok:
                            mine[u].append(dt)
                        elif r is not None:
                            bad.append(f"{u}: HTTP {r.status_code}")
                with lock:
                    for u in urls:
                        latencies[u].extend(mine[u])
                    errors.extend(bad)

            threads = [threading.Thread(target=client, args=(k,)) for k in range(args.clients)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0

    every = np.concatenate([np.asarray(v) for v in latencies.values()])
    n = len(every) + len(errors)
    p50, p95, p99 = np.percentile(every, [50, 95, 99])
    print(f"shigen serve, loopback: {args.clients} clients for {args.seconds:g} s "
          f"(cached results of run {run_id})")
    print(f"requests {n}, errors {len(errors)}, throughput {len(every) / wall:.0f} req/s")
    print(f"latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms")
    print(f"p95 / target ({TARGET_P95_MS:.0f} ms) = {p95 / TARGET_P95_MS:.2f}")
    print("| endpoint | requests | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for u, v in latencies.items():
        a = np.asarray(v)
        print(f"| `{u.replace(run_id, '{run}')}` | {len(a)} | {np.percentile(a, 50):.1f} | "
              f"{np.percentile(a, 95):.1f} |")
    if errors:
        print("errors:", *errors[:10], sep="\n  ")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
