"""Bounded loopback load test of `shigen serve`: concurrent clients reading cached results.

Starts `shigen serve` on a free 127.0.0.1 port over a temporary run store holding the
flagship study's run, warms the caches, then runs two phases of CLIENTS concurrent clients
for SECONDS seconds each: *read* (each client cycles through the run page and the API
results) and *submit* (each client alternates a job submission, a small supply study, with
the run page, while the accepted jobs run in worker processes). Prints requests, statuses,
errors, throughput, p50/p95/p99 latency and the ratio of p95 to the 200 ms target.

    PYTHONPATH=src python benchmarks/bench_web.py [--clients 20] [--seconds 30] [--mode both]
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


SUBMITTED = """\
[study]
name = "load-{k}"
title = "Load test {k}"

[supply]
commodities = ["rare-earths"]
importer = "JPN"
years = [2009]
"""


def hammer(base: str, clients: int, seconds: float, request, labels: list[str]
           ) -> tuple[dict[str, list[float]], dict[int, int], list[str], float]:
    """CLIENTS threads calling ``request(client, k, i)`` for SECONDS; latencies by label."""
    latencies: dict[str, list[float]] = {u: [] for u in labels}
    statuses: dict[int, int] = {}
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(k: int) -> None:
        mine: dict[str, list[float]] = {u: [] for u in labels}
        seen: dict[int, int] = {}
        bad: list[str] = []
        with httpx.Client(base_url=base, timeout=60) as c:
            i = k
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    label, r, ok = request(c, k, i)
                    r.read()
                except httpx.HTTPError as exc:
                    bad.append(f"{exc}")
                    continue
                finally:
                    i += 1
                dt = (time.perf_counter() - t0) * 1000
                seen[r.status_code] = seen.get(r.status_code, 0) + 1
                if ok:
                    mine[label].append(dt)
                else:
                    bad.append(f"{label}: HTTP {r.status_code} {r.text[:200]}")
        with lock:
            for u in labels:
                latencies[u].extend(mine[u])
            for code, n in seen.items():
                statuses[code] = statuses.get(code, 0) + n
            errors.extend(bad)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, statuses, errors, time.perf_counter() - t0


def report(title: str, latencies: dict[str, list[float]], statuses: dict[int, int],
           errors: list[str], wall: float, run_id: str) -> None:
    every = np.concatenate([np.asarray(v) for v in latencies.values()])
    p50, p95, p99 = np.percentile(every, [50, 95, 99])
    print(f"\n{title}")
    print(f"requests {sum(statuses.values()) + 0}, statuses {dict(sorted(statuses.items()))}, "
          f"errors {len(errors)}, throughput {len(every) / wall:.0f} req/s")
    print(f"latency p50 {p50:.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms")
    print(f"p95 / target ({TARGET_P95_MS:.0f} ms) = {p95 / TARGET_P95_MS:.2f}")
    print("| endpoint | requests | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|")
    for u, v in latencies.items():
        a = np.asarray(v)
        if len(a):
            print(f"| `{u.replace(run_id, '{run}')}` | {len(a)} | {np.percentile(a, 50):.1f} | "
                  f"{np.percentile(a, 95):.1f} |")
    if errors:
        print("errors:", *errors[:10], sep="\n  ")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--mode", choices=["read", "submit", "both"], default="both")
    args = ap.parse_args()

    failed = False
    with tempfile.TemporaryDirectory(prefix="shigen-bench-web-") as tmp:
        home = Path(tmp)
        run_id = seed(home)
        with local_server(home, src=ROOT / "src") as base:
            urls = [f"/runs/{run_id}", f"/api/runs/{run_id}/result",
                    f"/api/runs/{run_id}/figures", f"/api/runs/{run_id}/tables",
                    f"/api/runs/{run_id}", "/api/runs"]
            with httpx.Client(base_url=base, timeout=300) as warm:  # first renders are slow
                for u in urls:
                    warm.get(u).raise_for_status()
            print(f"shigen serve, loopback: {args.clients} clients for {args.seconds:g} s "
                  f"per phase; load before: {os.getloadavg()[0]:.1f}")

            if args.mode in ("read", "both"):
                def read(c, k, i):  # type: ignore[no-untyped-def]
                    u = urls[i % len(urls)]
                    r = c.get(u)
                    return u, r, r.status_code == 200

                res = hammer(base, args.clients, args.seconds, read, urls)
                report(f"read: run page and API results (cached) of run {run_id}", *res, run_id)
                failed |= bool(res[2])

            if args.mode in ("submit", "both"):
                # Every accepted job runs a study in a worker process while the clients keep
                # submitting and reading the run page: 202 (queued) and 429 (queue full, with
                # Retry-After) are both correct answers; anything else is an error.
                def submit(c, k, i):  # type: ignore[no-untyped-def]
                    if i % 2:
                        r = c.get(f"/runs/{run_id}")
                        return f"/runs/{run_id}", r, r.status_code == 200
                    r = c.post("/api/studies", json={"toml": SUBMITTED.format(k=k)})
                    label = "POST /api/studies (202)" if r.status_code == 202 else \
                        "POST /api/studies (429)"
                    return label, r, r.status_code in (202, 429)

                labels = [f"/runs/{run_id}", "POST /api/studies (202)", "POST /api/studies (429)"]
                res = hammer(base, args.clients, args.seconds, submit, labels)
                report("submit: job submission (a small supply study) and the run page", *res,
                       run_id)
                failed |= bool(res[2])
                with httpx.Client(base_url=base, timeout=60) as c:
                    jobs = c.get("/api/jobs").json()
                states: dict[str, int] = {}
                for j in jobs:
                    states[j["state"]] = states.get(j["state"], 0) + 1
                print(f"jobs at the end of the phase: {states}")
                failed |= states.get("failed", 0) > 0
    print(f"load after: {os.getloadavg()[0]:.1f}")
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
