"""Reading the supply datasets out of a catalogue.

Stage shares by country and company, importer supply by origin, import reliance,
governance scores, chokepoints.

Every function returns plain mappings (or None when the data has nothing for the
request) so the indicator code stays pure; the callers turn a None into a null
with a reason.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import pandas as pd

from shigen.supply import indicators
from shigen.supply.chains import Stage

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

WGI_DATASET = "wgi-estimates"
RELIANCE_DATASET = "import-reliance"
CHOKEPOINT_DATASET = "chokepoint-shares"
EU_INPUTS_DATASET = "eu-crm-inputs"


@lru_cache(maxsize=64)
def _by_year(cat: Catalogue, dataset: str) -> dict[int, pd.DataFrame]:
    """A dataset's rows split by year (once per catalogue and dataset)."""
    frame = cat.frame(dataset)
    if "year" not in frame.columns:
        return {}
    return {int(y): rows for y, rows in frame.groupby("year")}


def years_of(cat: Catalogue, dataset: str | None) -> list[int]:
    """Years a dataset covers (empty when it has no ``year`` column or is absent)."""
    if dataset is None or dataset not in cat:
        return []
    return sorted(_by_year(cat, dataset))


def _year_rows(cat: Catalogue, dataset: str, year: int) -> pd.DataFrame:
    return _by_year(cat, dataset)[year]


def country_shares(cat: Catalogue, stage: Stage, year: int) -> dict[str, float] | None:
    """Country shares of a stage's output (companies summed) in one year."""
    if stage.dataset is None or year not in years_of(cat, stage.dataset):
        return None
    rows = _year_rows(cat, stage.dataset, year)
    grouped = rows.groupby("country")["value"].sum()
    return indicators.shares({str(k): float(v) for k, v in grouped.items()})


def company_shares(cat: Catalogue, stage: Stage, year: int) -> dict[str, float] | None:
    """Company shares of a stage's output in one year, where the dataset has companies."""
    if stage.dataset is None or year not in years_of(cat, stage.dataset):
        return None
    rows = _year_rows(cat, stage.dataset, year)
    if "company" not in rows.columns:
        return None
    grouped = rows.groupby("company")["value"].sum()
    out = indicators.shares({str(k): float(v) for k, v in grouped.items()})
    if "other" in out:  # the residual of unnamed companies, like OTHER for countries
        out[indicators.AGGREGATE] = out.pop("other")
    return out


def origin_shares(cat: Catalogue, dataset: str, year: int) -> dict[str, float] | None:
    """An importer's supply by origin in one year, as shares (values or fractions)."""
    if year not in years_of(cat, dataset):
        return None
    rows = _year_rows(cat, dataset, year)
    return indicators.shares({str(k): float(v) for k, v in
                              zip(rows["origin"], rows["value"], strict=True)})


def import_reliance(cat: Catalogue, importer: str, commodity: str,
                    stage: str) -> tuple[float, str] | None:
    """Sourced net import reliance of an importer for a commodity's stage, with its note."""
    if RELIANCE_DATASET not in cat:
        return None
    frame = cat.frame(RELIANCE_DATASET)
    hit = frame[(frame["importer"] == importer) & (frame["commodity"] == commodity)
                & (frame["stage"] == stage)]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return float(row["value"]), str(row.get("note", "") or "")


def _nearest(years: list[int], year: int) -> int:
    return min(years, key=lambda y: (abs(y - year), y))


@lru_cache(maxsize=8)
def _wgi_table(cat: Catalogue) -> dict[str, dict[int, dict[str, float]]]:
    """Country → year → indicator → estimate (read once per catalogue)."""
    out: dict[str, dict[int, dict[str, float]]] = {}
    frame = cat.frame(WGI_DATASET)
    for c, y, i, v in zip(frame["country"], frame["year"], frame["indicator"], frame["value"],
                          strict=True):
        out.setdefault(str(c), {}).setdefault(int(y), {})[str(i)] = float(v)
    return out


def governance(cat: Catalogue, year: int) -> tuple[dict[str, float], dict[str, float],
                                                    dict[str, int]]:
    """Per country: EU-scaled WGI (0–10), GeoPolRisk instability g (0–1), and the WGI year used.

    The WGI year is the bundled year nearest to ``year`` (ties: the earlier one);
    countries lacking one of the six dimensions get no score.
    """
    if WGI_DATASET not in cat:
        return {}, {}, {}
    scaled: dict[str, float] = {}
    instability: dict[str, float] = {}
    used: dict[str, int] = {}
    for country, by_year in _wgi_table(cat).items():
        y = _nearest(sorted(by_year), year)
        at = by_year[y]
        if len(at) == 6:
            scaled[country] = indicators.wgi_scaled(at)
        if "pv" in at:
            instability[country] = indicators.political_instability(at["pv"])
        used[country] = y
    return scaled, instability, used


def chokepoints(cat: Catalogue, importer: str, commodity: str | None,
                year: int) -> tuple[dict[str, float], list[int]]:
    """Share of the importer's imports passing each strait in a year; and the years sourced."""
    if commodity is None or CHOKEPOINT_DATASET not in cat:
        return {}, []
    frame = cat.frame(CHOKEPOINT_DATASET)
    rows = frame[(frame["importer"] == importer) & (frame["commodity"] == commodity)]
    years = sorted(int(y) for y in rows["year"].unique())
    at = rows[rows["year"] == year]
    return {str(k): float(v) for k, v in zip(at["chokepoint"], at["value"], strict=True)}, years


def eu_inputs(cat: Catalogue, commodity: str) -> dict[str, float]:
    """EU CRM inputs (eol_rir, si_sr, ei) for a commodity from a user dataset, if one is given."""
    if EU_INPUTS_DATASET not in cat:
        return {}
    frame = cat.frame(EU_INPUTS_DATASET)
    rows = frame[frame["commodity"] == commodity]
    return {str(k): float(v) for k, v in zip(rows["parameter"], rows["value"], strict=True)}
