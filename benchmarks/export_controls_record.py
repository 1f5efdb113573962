"""The export drops today's studies assume, beside the public record of China's exports.

For each pair of periods in the record (``china-controlled-exports``: a period under a
control and the period it is compared with), prints the drop the record shows and the
drop the study's events imply for supply from China in that period:
``E[depth] x E[share of the period the event covers]``, by Monte Carlo over the events'
own depth and duration distributions (the study's assumptions, not fitted to the record).
The U.S. ban is left out: the record is China's exports to all destinations.

Run: PYTHONPATH=src python benchmarks/export_controls_record.py
"""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import numpy as np

from shigen.datasets import Catalogue
from shigen.disruption.config import Event
from shigen.distributions import quantile

STUDY = Path(__file__).parents[1] / "studies" / "us-today.toml"
DRAWS = 100_000
# (commodity, product, period under control, comparison period) — rows of the record
PAIRS = [
    ("gallium", "wrought-gallium", "2023-08", "2023-07"),
    ("gallium", "gallium", "2023-11", "2022-11"),
    ("germanium", "wrought-germanium", "2023-08", "2023-07"),
    ("germanium", "germanium", "2023-11", "2022-11"),
    ("gallium", "gallium", "2024-03", "2023-03"),
    ("gallium", "gallium", "2024", "2023"),
    ("gallium", "gallium", "2025-06", "2024-06"),
    ("germanium", "germanium", "2024-03", "2023-03"),
    ("germanium", "germanium-metal", "2024-01/2024-08", "2023-01/2023-08"),
    ("germanium", "germanium", "2024", "2023"),
    ("germanium", "germanium", "2025-06", "2024-06"),
    ("graphite", "flake-graphite-concentrate", "2024-01/2024-08", "2023-01/2023-08"),
    ("graphite", "spherical-graphite", "2024-01/2024-08", "2023-01/2023-08"),
    ("antimony", "antimony-items", "2024-10", "2023-10"),
    ("antimony", "antimony-items", "2024-12", "2023-12"),
    ("antimony", "antimony-items", "2024", "2023"),
    ("antimony", "antimony-items", "2025-06", "2024-06"),
]


def _span(period: str) -> tuple[dt.date, dt.date]:
    """First day and the day after the last of '2024', '2024-08' or '2024-01/2024-08'."""
    first, _, last = period.partition("/")
    last = last or first

    def start(p: str) -> dt.date:
        y, _, m = p.partition("-")
        return dt.date(int(y), int(m or 1), 1)

    def after(p: str) -> dt.date:
        y, _, m = p.partition("-")
        if not m:
            return dt.date(int(y) + 1, 1, 1)
        return dt.date(int(y) + (m == "12"), int(m) % 12 + 1, 1)

    return start(first), after(last)


def implied_cut(event: Event, period: str, rng: np.random.Generator) -> float:
    """Expected fraction of supply from China the event removes over the period."""
    onset = dt.date.fromisoformat(str(event.onset))
    a, b = _span(period)
    lo, hi = (a - onset).days, (b - onset).days
    depth = quantile(event.depth, rng.random(DRAWS))  # type: ignore[arg-type]
    dur = quantile(event.duration_days, rng.random(DRAWS))
    covered = np.clip(np.minimum(dur, hi) - max(lo, 0), 0, None) / (hi - lo)
    return float(np.mean(depth * covered))


def main() -> None:
    events = [Event(**e) for e in tomllib.loads(STUDY.read_text())["disruption"]["events"]]
    world = {e.commodity: e for e in events if e.kind == "quota-cut"}
    rec = Catalogue.bundled().frame("china-controlled-exports")
    rec = rec[rec["destination"] == "WORLD"]
    rng = np.random.default_rng(2025)
    print("| commodity | product | period | compared with | record drop | study's implied cut |")
    print("|---|---|---|---|---|---|")
    for commodity, product, period, base in PAIRS:
        rows = rec[(rec["commodity"] == commodity) & (rec["product"] == product)]
        v = dict(zip(rows["period"].astype(str), rows["value"], strict=True))
        drop = 1 - v[period] / v[base]
        cut = implied_cut(world[commodity], period, rng)
        print(f"| {commodity} | {product} | {period} | {base} | {drop:.0%} | {cut:.0%} |")


if __name__ == "__main__":
    main()
