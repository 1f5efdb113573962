"""Additional investment on a reference study's definition, line by line.

ETP 2008 counts, over 2005-2050, every piece of capital that supplies or uses energy:
power plants and networks, vehicles of all kinds, buildings' and industry's equipment,
fuel supply. :data:`LINES` lists those lines and which of shigen's investment categories
each one holds (none for the lines shigen does not model). :func:`comparison` sets a
run's additional investment beside a reference (``energy-investment-reference``, named by
the study's ``investment_reference``) and walks from shigen's figure to the reference's
in steps that add up exactly: the window, then the lines. Where the reference gives no
figure for a line, the step says so instead of guessing; nothing is adjusted to close
the gap.

Examples
--------
>>> [line.name for line in LINES if not line.categories]
['transport_other_modes', 'buildings_industry_stock', 'upstream_fuel_supply']
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

#: the reference's window (ETP 2008); shigen's closest is its first period after the base year
REFERENCE_WINDOW = "2005-2050"
#: the dataset of published reference figures (validation only), in USD
REFERENCE_DATASET = "energy-investment-reference"
USD_PER_TRILLION = 1e12


@dataclass(frozen=True)
class Line:
    """One line of ETP's investment account and what shigen counts on it."""

    name: str
    group: str                       # "transport" or "non_transport" (the reference's split)
    etp_counts: str
    categories: tuple[str, ...]      # shigen's investment categories on this line
    shigen_counts: str
    cost_data: tuple[str, ...] = ()  # datasets that price it


LINES: tuple[Line, ...] = (
    Line("power_generation", "non_transport", "power plants", ("power",),
         "overnight capital of new plants (life extensions of existing ones are not counted)",
         ("energy-capital-cost",)),
    Line("networks", "non_transport", "transmission and distribution networks",
         ("grid", "transmission"),
         "plant connection and reinforcement paid with new plants; network expansion and "
         "links where costed", ("energy-grid-cost",)),
    Line("transport_light_duty_vehicles", "transport", "cars and light trucks (full price)",
         ("vehicles",), "light-duty vehicles by drivetrain: full purchase price of sales",
         ("energy-vehicle-cost",)),
    Line("transport_trucks_buses", "transport", "trucks and buses (full price)",
         ("heavy_vehicles",), "trucks and buses by drivetrain: full purchase price of sales",
         ("energy-heavy-vehicle-cost",)),
    Line("transport_other_modes", "transport",
         "two- and three-wheelers, aircraft, ships, rolling stock", (),
         "not modelled as stocks: their energy is the freight sector's rest, with efficiency "
         "steps (counted on end_use_efficiency)"),
    Line("end_use_efficiency", "non_transport",
         "the efficiency part of buildings', appliances' and industry's equipment", ("efficiency",),
         "efficiency steps (industry, buildings, appliances, the freight sector's rest): "
         "assumed cost per GJ a year saved", ("energy-efficiency-cost",)),
    Line("end_use_fuel_switching", "non_transport",
         "end-use equipment for other fuels (heat pumps, electric process heat)",
         ("fuel_switching",), "extra cost of equipment using more of a fuel than in the base "
         "year, per GJ a year", ("energy-fuel-switch-cost",)),
    Line("industry_ccs", "non_transport", "CO2 capture in industry", ("industry_ccs",),
         "capture plant per t CO2 a year", ("energy-ccs-cost",)),
    Line("buildings_industry_stock", "non_transport",
         "the whole stock of buildings' and industry's energy-using equipment", (),
         "not modelled: only the efficiency and fuel-switch steps above are"),
    Line("upstream_fuel_supply", "non_transport",
         "oil, gas and coal supply, refineries, LNG chains, biofuel plants", (),
         "not modelled: fuels are bought at a price"),
)


@dataclass(frozen=True)
class Step:
    """One step of the walk from shigen's figure to the reference's (USD trillion)."""

    step: str
    usd_trillion: float | None
    note: str


def _r(x: float | None, d: int = 3) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), d)


def reference(cat: Catalogue, scenario: str) -> dict[str, dict[str, Any]]:
    """The reference's figures, ``{"<line>/<measure>": {value, status, note}}`` (USD tn)."""
    frame = cat.frame(REFERENCE_DATASET)
    rows = frame[frame["scenario"].astype(str) == scenario]
    return {f"{r.line}/{r.measure}": {"value": float(r.value) / USD_PER_TRILLION,
                                      "status": str(r.status),
                                      "note": str(r.note)} for r in rows.itertuples()}


def cost_status(cat: Catalogue) -> dict[str, str]:
    """The status (verified ... estimate) of the cost data each line is priced with."""
    out: dict[str, str] = {}
    for line in LINES:
        have = [d for d in line.cost_data if d in cat]
        statuses = sorted({str(cat.get(d).meta.status) for d in have})
        if statuses:
            out[line.name] = ", ".join(statuses)
    return out


def _by_line(by_cat: xr.DataArray) -> dict[str, float]:
    cats = {str(c) for c in by_cat.category.values}
    return {line.name: float(sum(float(by_cat.sel(category=c)) for c in line.categories
                                 if c in cats)) for line in LINES}


def _unlined(by_cat: xr.DataArray) -> list[str]:
    """Categories of the run that no line holds (a new category must be given a line)."""
    lined = {c for line in LINES for c in line.categories}
    return [str(c) for c in by_cat.category.values if str(c) not in lined]


def comparison(ds: xr.Dataset, base: xr.Dataset, ref: dict[str, dict[str, Any]] | None,
               statuses: dict[str, str], reference_name: str | None) -> dict[str, Any]:
    """The run's additional investment line by line beside the reference (USD trillion).

    Two windows: shigen's headline (after the base decade, e.g. 2011-2050) and the one
    closest to the reference's 2005-2050 (every period after the calibrated base year,
    2006-2050). The walk goes from the headline figure to the reference's total: the
    window, then the reference's figure minus shigen's closest, which falls on the lines
    shigen does not model or prices differently; the reference's split by line is not
    published in our sources, so that last step is not divided further.
    """
    step = int(ds.attrs["step"])
    base_year = int(ds.attrs["base_year"])
    years = [int(y) for y in ds.year.values]
    headline = [y for y in years if y > base_year + step]
    closest = [y for y in years if y > base_year]
    add = ds["additional_investment_by_category"]
    by_cat = add.sel(year=closest).sum("year") / 1000.0
    by_cat_headline = add.sel(year=headline).sum("year") / 1000.0
    base_by_cat = base["investment"].sel(year=closest).sum(["year", "region"]) / 1000.0
    unlined = _unlined(by_cat)
    if unlined:
        raise ValueError(f"investment categories {unlined} are on no line of LINES")
    lines_add = _by_line(by_cat)
    lines_headline = _by_line(by_cat_headline)
    lines_base = _by_line(base_by_cat)
    total_closest = sum(lines_add.values())
    total_headline = sum(lines_headline.values())
    span = f"{closest[0] - step + 1}-{closest[-1]}"
    out: dict[str, Any] = {
        "window": f"{headline[0] - step + 1}-{headline[-1]}",
        "comparable_window": span,
        "reference": reference_name,
        "reference_window": REFERENCE_WINDOW,
        "additional_usd_trillion": _r(total_headline),
        "comparable_additional_usd_trillion": _r(total_closest),
        "baseline_total_usd_trillion": _r(sum(lines_base.values())),
        "lines": [{
            "line": line.name, "group": line.group, "in_shigen": bool(line.categories),
            "etp_counts": line.etp_counts, "shigen_counts": line.shigen_counts,
            "categories": list(line.categories),
            "additional_usd_trillion": _r(lines_add[line.name]),
            "headline_window_usd_trillion": _r(lines_headline[line.name]),
            "baseline_usd_trillion": _r(lines_base[line.name]),
            "share_of_additional": _r(lines_add[line.name] / total_closest, 4)
            if total_closest else None,
            "cost_data_status": statuses.get(line.name),
        } for line in LINES],
        "groups": None, "walk": None,
    }
    if ref is None:
        return out
    groups = []
    for group in ("total", "transport", "non_transport"):
        members = [ln.name for ln in LINES if group == "total" or ln.group == group]
        for measure, figures in (("additional", lines_add), ("baseline", lines_base)):
            r = ref.get(f"{group}/{measure}")
            ours = sum(figures[m] for m in members)
            groups.append({"group": group, "measure": measure, "shigen": _r(ours),
                           "reference": None if r is None else r["value"],
                           "gap": None if r is None else _r(ours - r["value"]),
                           "reference_status": None if r is None else r["status"],
                           "reference_note": None if r is None else r["note"]})
    out["groups"] = groups
    total = ref.get("total/additional")
    steps = [Step(f"shigen, {out['window']}", _r(total_headline),
                  "the run's headline additional investment")]
    steps.append(Step(f"window: add {closest[0] - step + 1}-{headline[0] - step}",
                      _r(total_closest - total_headline),
                      f"shigen's closest window to the reference's {REFERENCE_WINDOW} "
                      f"(the base year {base_year} is calibrated, not invested in)"))
    for line in LINES:
        if line.categories:
            steps.append(Step(f"  of which {line.name}", _r(lines_add[line.name]),
                              f"cost data: {statuses.get(line.name, 'n/a')}"))
    if total is not None:
        rest = total["value"] - total_closest
        steps.append(Step("reference minus shigen's comparable figure", _r(rest),
                          "falls on lines shigen does not model (" + ", ".join(
                              ln.name for ln in LINES if not ln.categories)
                          + ") or prices differently; the reference's split by line is not "
                          "in our sources, so it is not divided further"))
        steps.append(Step(f"reference ({reference_name}), {REFERENCE_WINDOW}", total["value"],
                          total["note"]))
    out["walk"] = [asdict(s) for s in steps]
    return out
