"""Which draws of us-today reach the choke price, and what the record's own shock gives.

    PYTHONPATH=src python benchmarks/us_today_choke_draws.py

1. Runs the disruption stage of ``studies/us-today.toml`` (status quo, the study's seed and
   draws) and splits the draws at the choke by the depth and duration that draw gave the
   mineral's licensing regime on all destinations (the same uniforms the kernel reads).
2. Runs the study again with each licensing regime fixed at the depth and duration read
   from China's customs record (``RECORD`` below, reasoning beside each figure, written
   before this script was first run) and prints the peak price ratio P5/P50/P95 beside the
   price record. The shock is imposed from the record; the price is the check. Nothing
   here changes the shipped study.

Figures are quoted in docs/studies/today.md and docs/methods/disruption.md.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

from shigen.cli.common import catalogue, load
from shigen.disruption.config import DisruptionConfig
from shigen.disruption.montecarlo import Simulation, simulate
from shigen.disruption.sampling import event_uniforms
from shigen.distributions import quantile

STUDY = Path(__file__).parents[1] / "studies" / "us-today.toml"
REGIMES = {"gallium": "ga-licensing-2023", "germanium": "ge-licensing-2023",
           "antimony": "sb-licensing-2024"}

# Depth (share of China's exports stopped) and duration (days) of each regime as China's
# customs record shows them (china-controlled-exports; monthly figures against the same
# month a year before, from the same source):
# - gallium: Aug 2023 -100 % (wrought, Reuters), Oct about 0.25 t, Nov -73 %, Dec 2023
#   above Dec 2022 (germanium.com, Jan 2024), Feb-Mar 2024 about 1.2 t a month (-81 % in
#   March), recovery by mid-2024 (June 4.2 t, July-August records). Eight months, Aug 2023
#   to Mar 2024, averaging about 1.4 t a month against about 6 t before: depth 0.77, 240 days.
# - germanium: Aug 2023 -100 %, Nov -87 %, Mar 2024 -32 %, Jan-Aug 2024 -55 % (metal, USGS
#   MCS 2025), 2024 -30 %, Jun 2025 -93 %: about half stopped for the whole of the study's
#   window; depth 0.55 for 540 days (the study's longest regime).
# - antimony: Oct 2024 -95 %, Nov about -80 % (808 t), Dec -57 %, first half of 2025 -74 %,
#   Jun 2025 -97 %: depth 0.75 from 15 Sep 2024 to the end of the record (30 Jun 2025),
#   288 days, a lower bound on the duration.
RECORD = {"ga-licensing-2023": (0.77, 240.0), "ge-licensing-2023": (0.55, 540.0),
          "sb-licensing-2024": (0.75, 288.0)}
PRICE_RECORD = {
    "gallium": "~1.6x Jun 2023-Jun 2024 (MCS 2025); ~2.1x Rotterdam 30 Jun-15 Dec 2023 "
               "(Fastmarkets)",
    "germanium": "not found in the corpora for 2023-24",
    "antimony": "+57 % Europe 15 Sep 2024-Jan 2025 (Argus via Reuters); over +300 % on a "
                "year before by Mar 2025 (Argus via Reuters); metal about doubled "
                "Jul-Nov 2024 (MCS 2025)",
}


def regime_draws(cfg: DisruptionConfig, name: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Depth and duration (days) each draw gave one scheduled event, as the kernel reads them."""
    ev = next(e for e in cfg.events if e.name == name)
    key = zlib.crc32((ev.same_draws_as or ev.name).encode())
    u = event_uniforms(seed, key, 0, cfg.draws)
    depth = np.clip(quantile(ev.depth, u[:, 3]), 0.0, 1.0)  # type: ignore[arg-type]
    return depth, np.asarray(quantile(ev.duration_days, u[:, 2]))


def capped(sim: Simulation, commodity: str) -> np.ndarray:
    return np.asarray(sim.draws.capped[:, sim.model.markets.index((commodity, "USA"))])


def peaks(sim: Simulation, commodity: str) -> np.ndarray:
    return np.asarray(sim.draws.peak_price[:, sim.model.markets.index((commodity, "USA"))])


def main() -> None:
    study = load(STUDY)
    cfg, seed, cat = study.disruption, study.study.seed, catalogue()
    base = simulate(cfg, cat, seed)
    print(f"## Draws at the choke by the regime's draw (us-today, {cfg.draws} draws, "
          f"seed {seed})\n")
    print("| mineral | duration (days) | draws | at the choke, depth < 0.75 | "
          "at the choke, depth >= 0.75 |")
    print("|---|---|---:|---:|---:|")
    for commodity, name in REGIMES.items():
        depth, days = regime_draws(cfg, name, seed)
        hit = capped(base, commodity)
        for lo, hi in ((0, 90), (90, 150), (150, 240), (240, 1e9)):
            sel = (days >= lo) & (days < hi)
            cells = []
            for deep in (depth < 0.75, depth >= 0.75):
                n = int((sel & deep).sum())
                cells.append(f"{(hit & sel & deep).sum() / max(n, 1):.0%} of {n}")
            label = f"{lo:g}-{hi:g}" if hi < 1e9 else f">= {lo:g}"
            print(f"| {commodity} | {label} | {int(sel.sum())} | {cells[0]} | {cells[1]} |")
        print(f"| {commodity} | all | {cfg.draws} | | {hit.mean():.1%} in all |")

    doc = cfg.model_dump()
    for ev in doc["events"]:
        if ev["name"] in RECORD:
            ev["depth"], ev["duration_days"] = RECORD[ev["name"]]
    fixed = simulate(DisruptionConfig.model_validate(doc), cat, seed)
    print("\n## The regimes imposed from the customs record (depth, days fixed)\n")
    print("| mineral | regime (depth, days) | peak price P5 / P50 / P95 | at the choke | "
          "price record |")
    print("|---|---|---|---:|---|")
    for commodity, name in REGIMES.items():
        p5, p50, p95 = np.percentile(peaks(fixed, commodity), [5, 50, 95])
        d, n = RECORD[name]
        print(f"| {commodity} | {d:g}, {n:g} | {p5:.2f} / {p50:.2f} / {p95:.2f} | "
              f"{capped(fixed, commodity).mean():.1%} | {PRICE_RECORD[commodity]} |")


if __name__ == "__main__":
    main()
