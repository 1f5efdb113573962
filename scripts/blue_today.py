"""BLUE's targets with 2008 data against today's history and costs (issue 13 item 3).

Run from a checkout: ``PYTHONPATH=src python scripts/blue_today.py``. Solves
studies/etp2008-blue.toml (data_as_of = 2008) and studies/etp2008-blue-today.toml
(data_as_of = 2026: today's history and the today's capital costs), each in the catalogue
view its ``data_as_of`` gives and with its Baseline (as ``shigen run`` does), plus two
variants of the today study that put new nuclear at the top of the NEA/IEA 2020 range
(6,920 USD/kW, Slovak Republic) and at Flamanville-3's as-built cost (8,620 USD/kW,
PCGE 2020 Table 8.2) through a data override: what the today's answer rests on.
Prints a Markdown table of the figures of ``shigen run --json``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from shigen.datasets import Catalogue
from shigen.datasets.overrides import DataOverride
from shigen.energy.stage import run, summarize
from shigen.study import load_study

STUDIES = Path(__file__).resolve().parents[1] / "studies"
BUILDS = [("nuclear", "nuclear_gw"), ("wind", "wind_gw"), ("solar PV", "solar_pv_gw"),
          ("gas + CCS", "gas_ccs_gw"), ("coal + CCS", "coal_ccs_gw")]


def solve(name: str, overrides: list[DataOverride]) -> dict[str, Any]:
    study = load_study(STUDIES / f"{name}.toml")
    assert study.energy is not None
    cat = Catalogue.bundled().with_overrides([*study.data_overrides(), *overrides],
                                             as_of=study.data_as_of())
    # the stage as `shigen run` runs it: the study and its Baseline, in the same catalogue
    return summarize(run(study.energy, study, cat, {}))


def nuclear_at(cost: float) -> DataOverride:
    return DataOverride(dataset="energy-capital-cost", value=cost,
                        select={"technology": "nuclear"},
                        reason=f"what the today's answer rests on: nuclear at {cost:,.0f} USD/kW")


def _build(s: dict[str, Any], key: str) -> str:
    b = s["figure_basis"][f"builds_per_year.{key}"]
    on = sorted({r["family"] for r in b.get("limited_by", [])})
    share = b.get("share_at_bound")
    tail = f" ({share:.0%} on {', '.join(on)})" if on else " (emergent)"
    return f"{s['builds_per_year'][key]:.1f}{tail}"


def rows(runs: dict[str, dict[str, Any]]) -> list[str]:
    cols = list(runs.values())
    out = ["| 2011-2050 | " + " | ".join(runs) + " |", "|---" * (len(runs) + 1) + "|"]
    for label, key in BUILDS:
        out.append(f"| {label}, GW/yr | " + " | ".join(_build(s, key) for s in cols) + " |")
    for y in ("2030", "2040", "2050"):
        out.append(f"| CO2 price {y}, USD/t | "
                   + " | ".join(f"{s['co2_price_usd_per_t'][y]:.0f}" for s in cols) + " |")
    out.append("| investment 2011-2050, USD tn | "
               + " | ".join(f"{s['investment_usd_trillion']:.1f}" for s in cols) + " |")
    out.append("| additional against the Baseline, USD tn | "
               + " | ".join(f"{s['additional_investment_usd_trillion']:.1f}" for s in cols)
               + " |")
    for share, label in (("nuclear_power", "nuclear"), ("renewables_power", "renewables")):
        out.append(f"| {label} share of power 2050 | "
                   + " | ".join(f"{s['shares'][share]['2050']:.0%}" for s in cols) + " |")
    out.append("| CO2 2050, Gt (imposed by the cap) | "
               + " | ".join(f"{s['co2_gt']['2050']:.1f}" for s in cols) + " |")
    return out


def main() -> int:
    runs = {
        "2008 data (`etp2008-blue`)": solve("etp2008-blue", []),
        "today's history and costs (`etp2008-blue-today`)": solve("etp2008-blue-today", []),
        "today, nuclear 6,920 USD/kW": solve("etp2008-blue-today", [nuclear_at(6920.0)]),
        "today, nuclear 8,620 USD/kW": solve("etp2008-blue-today", [nuclear_at(8620.0)]),
    }
    print("\n".join(rows(runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
