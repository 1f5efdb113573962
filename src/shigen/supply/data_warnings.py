"""Data gaps and stale data behind the supply figures, as run warnings.

Two things an analyst should know before quoting a supply-risk figure:

- ``missing-data``: a figure is null because a dataset has no rows for the year (or there is
  no dataset at all); the warning names the dataset and the years it does cover.
- ``stale-data``: a figure for a recent year rests on data from an older year (governance
  scores are taken from the nearest bundled year), older by more than ``max_age`` years.

One warning per commodity × stage × dataset lists all the years concerned, so a ten-year
study does not print ten copies of one gap.
"""

from __future__ import annotations

from collections.abc import Sequence

from shigen.datasets import Catalogue
from shigen.run_warnings import RunWarning
from shigen.supply import data
from shigen.supply.chains import chain

# Older than this many years relative to the year asked, data counts as stale. Two years
# is the usual lag of the sources themselves (USGS MCS and WGI publish year-1 / year-2).
STALE_AFTER_YEARS = 2


def _span(years: Sequence[int]) -> str:
    return f"{min(years)}–{max(years)}" if years else "none"


def missing_data(cat: Catalogue, commodities: Sequence[str], years: Sequence[int],
                 importer: str | None) -> list[RunWarning]:
    """Null production or import shares and the dataset that lacks the year."""
    out: list[RunWarning] = []
    for commodity in commodities:
        ch = chain(cat, commodity)
        for st in ch.stages:
            have = data.years_of(cat, st.dataset)
            gap = [y for y in years if y not in have]
            if gap and have:  # a stage with no data at all is a chain not yet sourced
                out.append(RunWarning(
                    "missing-data", "supply",
                    f"{commodity} {st.name}: production shares are null for {gap}: dataset "
                    f"'{st.dataset}' covers {_span(have)}",
                    {"commodity": commodity, "stage": st.name, "dataset": st.dataset,
                     "years": gap, "variables": ["share", "production_hhi"]}, "info"))
        if importer is None:
            continue
        primary = ch.stages[0]
        asked = [y for y in years if y in data.years_of(cat, primary.dataset)]
        ds_name = ch.import_dataset(importer, primary.name)
        have = data.years_of(cat, ds_name)
        gap = [y for y in asked if y not in have]
        if not gap:
            continue
        where = {"commodity": commodity, "stage": primary.name, "importer": importer,
                 "dataset": ds_name, "years": gap,
                 "variables": ["import_hhi", "top_supplier_share", "supply_risk_upper",
                               "geopolrisk"]}
        if ds_name is None:
            msg = (f"{commodity}: {importer}'s import HHI, top-supplier share and supply risk "
                   f"are null for {gap}: no import-by-origin dataset for {importer} at stage "
                   f"'{primary.name}'")
        else:
            msg = (f"{commodity}: {importer}'s import HHI, top-supplier share and supply risk "
                   f"are null for {gap}: dataset '{ds_name}' covers {have}")
        out.append(RunWarning("missing-data", "supply", msg, where, "warning"))
    return out


def stale_data(cat: Catalogue, years: Sequence[int],
               max_age: int = STALE_AFTER_YEARS) -> list[RunWarning]:
    """Governance scores (WGI) from a year more than ``max_age`` years before the one asked."""
    if data.WGI_DATASET not in cat:
        return []
    stale: dict[int, list[int]] = {}
    for year in years:
        _, _, used = data.governance(cat, year)
        oldest = min(used.values(), default=year)
        if year - oldest > max_age:
            stale.setdefault(oldest, []).append(year)
    return [RunWarning(
        "stale-data", "supply",
        f"governance-weighted risk (supply_risk_upper, geopolrisk) for {asked} uses WGI "
        f"scores from {used_year}, more than {max_age} years older: dataset "
        f"'{data.WGI_DATASET}' has no later year",
        {"dataset": data.WGI_DATASET, "years": asked, "data_year": used_year,
         "max_age_years": max_age}, "warning")
        for used_year, asked in sorted(stale.items())]


def data_warnings(cat: Catalogue, commodities: Sequence[str], years: Sequence[int],
                  importer: str | None) -> list[RunWarning]:
    """Every data warning of a supply assessment: gaps first, then stale data."""
    return missing_data(cat, commodities, years, importer) + stale_data(cat, years)
