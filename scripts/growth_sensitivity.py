"""How BLUE's builds respond when each growth parameter moves ±30 % (issue 13 item 2).

Run from a checkout: ``PYTHONPATH=src python scripts/growth_sensitivity.py [STUDY ...]``
(default: studies/etp2008-blue.toml and studies/etp2008-blue-today.toml). Each variant is
the study plus one ``[[data.override]]`` (scale 0.7 or 1.3) on one parameter of the WORLD
row of nuclear, onshore wind or PV: the growth rate (``energy-growth-limit``), the start-up
increment and the recent build rate (``energy-build-increment``) and the floor on the fall
(``energy-decline-limit``). The override goes through the study's catalogue view, so a
study with ``data_as_of`` changes the edition it reads. Prints a Markdown table: average
build rate 2011-2050 (GW/yr, ``builds_per_year`` of ``shigen run --json``) and, for the
study as shipped, the basis of each figure and the share built on a limit.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from shigen.datasets import Catalogue
from shigen.datasets.overrides import DataOverride
from shigen.energy.model import Status, run_model
from shigen.energy.results import results
from shigen.energy.stage import summarize
from shigen.study import load_study

ROOT = Path(__file__).resolve().parents[1]
FIGURES = {"nuclear": "nuclear_gw", "wind_onshore": "wind_gw", "solar_pv": "solar_pv_gw"}
LABEL = {"nuclear": "nuclear", "wind_onshore": "wind", "solar_pv": "PV"}
#: (label, dataset, extra selection) of each parameter moved
PARAMETERS = [
    ("growth rate", "energy-growth-limit", {}),
    ("start-up increment", "energy-build-increment", {"parameter": "increment"}),
    ("recent build rate", "energy-build-increment", {"parameter": "recent_additions"}),
    ("decline floor", "energy-decline-limit", {}),
]


def summary(path: Path, overrides: list[DataOverride]) -> dict[str, Any]:
    study = load_study(path)
    assert study.energy is not None, f"{path} has no [energy] section"
    cat = Catalogue.bundled().with_overrides([*study.data_overrides(), *overrides],
                                             as_of=study.data_as_of())
    out = run_model(study.energy, cat)
    if out.status is not Status.OPTIMAL:
        raise SystemExit(f"{path} with {overrides}: {out.status}")
    return summarize(results(out))


def builds(s: dict[str, Any]) -> str:
    return " | ".join(f"{s['builds_per_year'][f]:.1f}" for f in FIGURES.values())


def basis(s: dict[str, Any]) -> str:
    cells = []
    for f in FIGURES.values():
        b = s["figure_basis"][f"builds_per_year.{f}"]
        on = sorted({r["family"] for r in b.get("limited_by", [])})
        share = b.get("share_at_bound")
        cells.append(b["basis"] + (f" ({share:.0%}: {', '.join(on)})" if on else ""))
    return " | ".join(cells)


def table(path: Path) -> list[str]:
    base = summary(path, [])
    lines = [f"#### `{path.relative_to(ROOT)}`", "",
             "| run (average 2011-2050, GW/yr) | nuclear | wind | solar PV |",
             "|---|---|---|---|",
             f"| as shipped | {builds(base)} |",
             f"| basis as shipped | {basis(base)} |"]
    for tech in FIGURES:
        for label, dataset, extra in PARAMETERS:
            row = []
            for scale in (0.7, 1.3):
                o = DataOverride(dataset=dataset, scale=scale,
                                 select={"region": "WORLD", "technology": tech, **extra},
                                 reason=f"sensitivity: {label} x {scale}")
                row.append(summary(path, [o]))
            cells = " | ".join(
                f"{row[0]['builds_per_year'][f]:.1f} / {row[1]['builds_per_year'][f]:.1f}"
                for f in FIGURES.values())
            lines.append(f"| {LABEL[tech]} {label} ×0.7 / ×1.3 | {cells} |")
    return lines


def main(argv: list[str]) -> int:
    paths = [Path(a).resolve() for a in argv] or [ROOT / "studies" / "etp2008-blue.toml",
                                                  ROOT / "studies" / "etp2008-blue-today.toml"]
    for p in paths:
        print("\n".join(table(p)), end="\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
