"""Growth rates of new power capacity from the historical record (issue 13).

Two steps, each rerunnable from a checkout (``PYTHONPATH=src``):

``python scripts/growth_from_record.py nuclear-additions PATH``
    PATH is ``data/csv/denormalized/nuclear_power_plants.csv`` of GeoNuclearData
    (github.com/cristianst85/GeoNuclearData, ODbL; reactors from WNA / IAEA PRIS). Writes
    the bundled dataset ``energy-nuclear-additions``: design net capacity (GW) of the
    reactors that entered commercial operation each year, world and Japan.

``python scripts/growth_from_record.py recent [--write]``
    The nuclear build rate before the first model period (``recent_additions`` of
    ``energy-build-increment``): mean additions 2001-2005 of ``energy-nuclear-additions``,
    world and Japan.

``python scripts/growth_from_record.py decline [--write]``
    The floor on a build rate's fall (``energy-decline-limit``): the steepest annualised
    fall between consecutive blocks of any record after its peak (nuclear, 1985-1989 to
    1990-1994), for every technology with a record-based growth rate.

``python scripts/growth_from_record.py rates [--known-by YEAR] [--write]``
    Derives the growth rate ``g`` of each technology with a record (nuclear, wind, solar
    PV) from bundled datasets only, and prints it with the points it rests on. With
    ``--write`` it updates those rows of ``energy_growth_limit.csv`` (or, with
    ``--known-by 2008``, of ``energy_growth_limit_2008.csv``: only what was known by then).

The rule (the same for every technology; docs/methods/energy-growth-and-foresight.md):

1. The record is a series of *blocks*: mean annual additions over a span of years
   (nuclear: five-year blocks of reactors entering operation; wind and PV: the increase
   of installed capacity between two observations divided by the years between, which
   ignores retirements, small for fleets this young; a single observed year is a block
   of one year). Rows whose status is ``estimate`` are not used.
2. The build-up is the blocks from the first whose mean is at least ``START_GW`` (past
   demonstration units) to the block with the highest mean (the peak).
3. ``g`` is the slope of a least-squares line through log(mean) against the block's
   middle year over the build-up: ``g = exp(slope) - 1``, the sustained growth of the
   build rate. Its range is the lowest and highest annualised growth between consecutive
   blocks of the build-up.
4. The steepest fall: the lowest annualised growth between consecutive blocks after a
   peak (nuclear after 1985-1989); the decline limit (``energy-decline-limit``) uses it.

Japan's rows take the world's rate: a growth rate is scale-free, and Japan's own record
(a few reactors a year) is too lumpy to fit.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from shigen.datasets import Catalogue
from shigen.datasets.catalogue import BUNDLED_DIR

START_GW = 1.0  # GW/yr: a block adding less is demonstration, not a build-up
BLOCK = 5  # years per nuclear block
NUCLEAR_FILE = "energy_nuclear_additions.csv"
DECLINE_FILE = "energy_decline_limit.csv"
#: the model's technologies whose growth rate comes from the record, and their series
TECHS = {"nuclear": "nuclear", "wind_onshore": "wind", "solar_pv": "solar"}


@dataclass(frozen=True)
class Block:
    first: int
    last: int
    mean_gw: float

    @property
    def mid(self) -> float:
        return (self.first + self.last) / 2


@dataclass(frozen=True)
class Rate:
    technology: str
    g: float
    low: float
    high: float
    as_of: int
    points: tuple[Block, ...]
    fall: float | None  # steepest annualised fall after the peak, if the record has one

    def note(self) -> str:
        pts = "; ".join(f"{b.first}-{b.last} {b.mean_gw:.1f}" if b.last > b.first
                        else f"{b.first} {b.mean_gw:.1f}" for b in self.points)
        return (f"{self.g:.1%}/yr from the record (scripts/growth_from_record.py): "
                f"exponential fit of mean annual additions (GW/yr) over the build-up {pts}; "
                f"range {self.low:.1%}-{self.high:.1%} (consecutive blocks)")


def nuclear_additions(src: Path) -> pd.DataFrame:
    """GW entering commercial operation per year, WORLD and JPN, from GeoNuclearData."""
    d = pd.read_csv(src)
    d["year"] = pd.to_datetime(d["OperationalFrom"], errors="coerce").dt.year
    d = d[d["year"].notna() & d["Capacity"].notna()]
    years = range(int(d["year"].min()), int(d["year"].max()) + 1)
    out = []
    for region, sel in (("WORLD", d), ("JPN", d[d["CountryCode"] == "JP"])):
        gw = (sel.groupby("year")["Capacity"].sum() / 1000).reindex(years, fill_value=0.0)
        n = sel.groupby("year").size().reindex(years, fill_value=0)
        for y in years:
            out.append({"region": region, "year": y, "value": round(float(gw[y]), 3),
                        "unit": "GW", "status": "secondary", "as_of": y,
                        "note": f"{int(n[y])} reactors"})
    return pd.DataFrame(out)


def _nuclear_blocks(cat: Catalogue, known_by: int | None) -> list[Block]:
    f = cat.frame("energy-nuclear-additions")
    s = f[f["region"] == "WORLD"].set_index("year")["value"].sort_index()
    last = int(s.index.max()) if known_by is None else min(int(s.index.max()), known_by)
    first = int(s.index.min())
    start = first - (first % BLOCK)  # calendar blocks: 1955-1959, 1960-1964, ...
    blocks = []
    for a in range(start, last - BLOCK + 2, BLOCK):
        span = s.reindex(range(a, a + BLOCK), fill_value=0.0)
        blocks.append(Block(a, a + BLOCK - 1, float(span.mean())))
    return blocks


def _stock_blocks(cat: Catalogue, group: str, tech: str, known_by: int | None) -> list[Block]:
    """Blocks of a young fleet from its installed capacity at a few dates."""
    stocks: dict[int, float] = {}
    known: dict[int, int] = {}
    ex = cat.frame("energy-existing-capacity")
    row = ex[(ex["region"] == "WORLD") & (ex["technology"] == tech)]
    if len(row) and row["status"].iloc[0] != "estimate":
        stocks[2005] = float(row["value"].iloc[0])
        known[2005] = 2005
    for name in ("energy-historical-capacity-2008", "energy-historical-capacity"):
        f = cat.frame(name)
        for _, r in f[(f["region"] == "WORLD") & (f["group"] == group)].iterrows():
            if r["status"] != "estimate":
                stocks[int(r["year"])] = float(r["value"])
                known[int(r["year"])] = int(r["as_of"])
    years = sorted(y for y in stocks if known_by is None or known[y] <= known_by)
    blocks = []
    inc = cat.frame("energy-build-increment")
    recent = inc[(inc["region"] == "WORLD") & (inc["technology"] == tech)
                 & (inc["parameter"] == "recent_additions")]
    if len(recent) and recent["status"].iloc[0] != "estimate":  # additions in the base year
        blocks.append(Block(2005, 2005, float(recent["value"].iloc[0])))
    for a, b in zip(years, years[1:], strict=False):
        blocks.append(Block(a + 1, b, (stocks[b] - stocks[a]) / (b - a)))
    return blocks


def _annual(a: Block, b: Block) -> float:
    return float((b.mean_gw / a.mean_gw) ** (1 / (b.mid - a.mid)) - 1)


def fit(technology: str, blocks: list[Block]) -> Rate | None:
    """The rule of the module docstring; None when the record has no build-up to fit."""
    start = next((i for i, b in enumerate(blocks) if b.mean_gw >= START_GW), None)
    if start is None:
        return None
    peak = max(range(start, len(blocks)), key=lambda i: blocks[i].mean_gw)
    up = blocks[start:peak + 1]
    if len(up) < 2:
        return None
    slope = np.polyfit([b.mid for b in up], [math.log(b.mean_gw) for b in up], 1)[0]
    steps = [_annual(a, b) for a, b in zip(up, up[1:], strict=False)]
    after = [_annual(a, b) for a, b in zip(blocks[peak:], blocks[peak + 1:], strict=False)
             if b.mean_gw > 0]
    return Rate(technology, float(math.exp(slope) - 1), min(steps), max(steps),
                up[-1].last, tuple(up), min(after) if after and min(after) < 0 else None)


def rates(cat: Catalogue, known_by: int | None = None) -> dict[str, Rate]:
    """The record-based growth rate of each technology that has a build-up by ``known_by``."""
    out: dict[str, Rate] = {}
    for tech, group in TECHS.items():
        blocks = (_nuclear_blocks(cat, known_by) if tech == "nuclear"
                  else _stock_blocks(cat, group, tech, known_by))
        r = fit(tech, blocks)
        if r is not None:
            out[tech] = r
    return out


def decline(cat: Catalogue) -> tuple[float, int, str]:
    """The steepest fall of a record after its peak: (rate, year known, what it rests on)."""
    worst: tuple[float, int, str] | None = None
    for tech, group in TECHS.items():
        blocks = (_nuclear_blocks(cat, None) if tech == "nuclear"
                  else _stock_blocks(cat, group, tech, None))
        peak = max(range(len(blocks)), key=lambda i: blocks[i].mean_gw)
        for a, b in zip(blocks[peak:], blocks[peak + 1:], strict=False):
            if b.mean_gw > 0 and (worst is None or _annual(a, b) < worst[0]):
                worst = (_annual(a, b), b.last,
                         f"{tech} {a.first}-{a.last} {a.mean_gw:.1f} to {b.first}-{b.last} "
                         f"{b.mean_gw:.1f} GW/yr")
    if worst is None:
        raise ValueError("no record falls after its peak")
    return worst


def write_decline(path: Path, found: tuple[float, int, str], regions: list[str]) -> None:
    """energy_decline_limit.csv: the fall for every technology with a record-based rate."""
    rate, as_of, what = found
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["region", "technology", "value", "unit", "status", "as_of", "note"])
        for region in regions:
            for tech in TECHS:
                note = (f"{rate:.1%}/yr, the steepest fall of annual additions in the record "
                        f"after a peak ({what}; scripts/growth_from_record.py decline)"
                        + ("" if tech == "nuclear" else
                           f"; {tech}'s own additions have not fallen in its record, so the "
                           "floor is nuclear's (an assumption)"))
                w.writerow([region, tech, f"{rate:.3f}", "1/year", "secondary", as_of, note])


RECENT = (2001, 2005)  # the five years before the first model period after 2005


def recent_nuclear(cat: Catalogue) -> dict[str, float]:
    """Mean GW/yr entering operation in ``RECENT``, by region."""
    f = cat.frame("energy-nuclear-additions")
    f = f[(f["year"] >= RECENT[0]) & (f["year"] <= RECENT[1])]
    n = RECENT[1] - RECENT[0] + 1
    return {str(r): round(float(g["value"].sum()) / n, 2) for r, g in f.groupby("region")}


def _rewrite_rows(path: Path, update: Callable[[dict[str, str]], None],
                  extra_field: str | None = None) -> None:
    """Apply ``update`` to every row of a bundled CSV in place, keeping its line ends.

    ``extra_field`` is added after ``status`` when the file has no such column yet.
    """
    nl = "\r\n" if b"\r\n" in path.read_bytes() else "\n"
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        rows = list(reader)
    if extra_field is not None and extra_field not in fields:
        fields.insert(fields.index("status") + 1, extra_field)
    for r in rows:
        update(r)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator=nl)
        w.writeheader()
        w.writerows(rows)


def write_recent(path: Path, recent: dict[str, float]) -> None:
    """Update nuclear's ``recent_additions`` rows of energy_build_increment.csv."""
    def update(r: dict[str, str]) -> None:
        if r["technology"] == "nuclear" and r["parameter"] == "recent_additions":
            v = recent[r["region"]]
            r.update({"value": f"{v:g}", "status": "secondary",
                      "note": f"{v:g} GW/yr: mean design net capacity entering commercial "
                              f"operation {RECENT[0]}-{RECENT[1]} (energy-nuclear-additions, "
                              "GeoNuclearData from WNA/IAEA PRIS; scripts/growth_from_record.py)"})
    _rewrite_rows(path, update)


def write_rates(path: Path, found: dict[str, Rate]) -> None:
    """Update the rows of ``found``'s technologies (every region) in a growth-limit CSV."""
    def update(r: dict[str, str]) -> None:
        rate = found.get(r["technology"])
        if rate is None:
            r.setdefault("as_of", "")
            return
        r.update({"value": f"{rate.g:.3f}", "status": "secondary", "as_of": str(rate.as_of),
                  "note": rate.note() if r["region"] == "WORLD"
                  else "same rate as WORLD: a growth rate is scale-free"})
    _rewrite_rows(path, update, extra_field="as_of")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    n = sub.add_parser("nuclear-additions", help="write energy-nuclear-additions")
    n.add_argument("source", type=Path, help="GeoNuclearData nuclear_power_plants.csv")
    dl = sub.add_parser("decline", help="print (and --write) the floor on a build rate's fall")
    dl.add_argument("--write", action="store_true")
    c = sub.add_parser("recent", help="print (and --write) nuclear's recent additions")
    c.add_argument("--write", action="store_true")
    r = sub.add_parser("rates", help="print (and --write) the record-based growth rates")
    r.add_argument("--known-by", type=int, default=None)
    r.add_argument("--write", action="store_true")
    a = p.parse_args(argv)
    if a.cmd == "nuclear-additions":
        df = nuclear_additions(a.source)
        df.to_csv(BUNDLED_DIR / NUCLEAR_FILE, index=False, lineterminator="\n")
        print(f"wrote {BUNDLED_DIR / NUCLEAR_FILE}: {len(df)} rows")
        return 0
    if a.cmd == "decline":
        found_decline = decline(Catalogue.bundled())
        print(f"steepest fall: {found_decline[0]:.3f}/yr (known in {found_decline[1]}): "
              f"{found_decline[2]}")
        if a.write:
            write_decline(BUNDLED_DIR / DECLINE_FILE, found_decline, ["WORLD", "JPN"])
            print(f"updated {BUNDLED_DIR / DECLINE_FILE}")
        return 0
    if a.cmd == "recent":
        recent = recent_nuclear(Catalogue.bundled())
        print(f"nuclear recent_additions {RECENT[0]}-{RECENT[1]} (GW/yr): {recent}")
        if a.write:
            write_recent(BUNDLED_DIR / "energy_build_increment.csv", recent)
            print(f"updated {BUNDLED_DIR / 'energy_build_increment.csv'}")
        return 0
    found = rates(Catalogue.bundled(), a.known_by)
    for rate in found.values():
        fall = "" if rate.fall is None else f"; steepest fall after the peak {rate.fall:.1%}/yr"
        print(f"{rate.technology}: g = {rate.g:.3f} (known in {rate.as_of}){fall}\n  "
              + rate.note())
    if a.write:
        name = ("energy_growth_limit.csv" if a.known_by is None
                else f"energy_growth_limit_{a.known_by}.csv")
        write_rates(BUNDLED_DIR / name, found)
        print(f"updated {BUNDLED_DIR / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
