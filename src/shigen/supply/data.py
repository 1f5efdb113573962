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
from shigen.supply.chains import Chain, DataRef, Stage

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


def _period_years(period: str) -> list[int]:
    """``"2020-2023"`` → 2020..2023; ``"2023"`` → [2023]; anything else → []."""
    parts = str(period).split("-")
    if len(parts) == 2 and all(p.isdigit() and len(p) == 4 for p in parts):
        return list(range(int(parts[0]), int(parts[1]) + 1))
    return [int(period)] if str(period).isdigit() and len(str(period)) == 4 else []


@lru_cache(maxsize=128)
def _selected_by_year(cat: Catalogue, ref: DataRef) -> dict[int, pd.DataFrame]:
    """A reference's rows split by year: a ``year`` column, or a ``period`` of years.

    A period (``2020-2023``, USGS import sources) stands for every year it spans: the
    shares are the period's average, the best sourced figure for each of its years.
    """
    frame = cat.frame(ref.dataset)
    for key, value in ref.select:
        if key not in frame.columns:
            return {}
        frame = frame[frame[key].astype(str) == str(value)]
    if "year" in frame.columns:
        return {int(y): rows for y, rows in frame.groupby("year")}
    if "period" in frame.columns:
        out: dict[int, pd.DataFrame] = {}
        for period, rows in frame.groupby("period"):
            for y in _period_years(str(period)):
                out.setdefault(y, rows)
        return out
    return {}


def _as_ref(ref: DataRef | str) -> DataRef:
    return DataRef(ref) if isinstance(ref, str) else ref


def ref_years(cat: Catalogue, ref: DataRef | str | None) -> list[int]:
    """Years an importer reference covers (empty when absent or without years)."""
    if ref is None:
        return []
    ref = _as_ref(ref)
    if ref.dataset not in cat:
        return []
    if not ref.select:
        return years_of(cat, ref.dataset) or sorted(_selected_by_year(cat, ref))
    return sorted(_selected_by_year(cat, ref))


def origin_shares(cat: Catalogue, ref: DataRef | str, year: int) -> dict[str, float] | None:
    """An importer's supply by origin in one year, as shares (values or fractions)."""
    ref = _as_ref(ref)
    if year not in ref_years(cat, ref):
        return None
    rows = (_year_rows(cat, ref.dataset, year) if not ref.select and years_of(cat, ref.dataset)
            else _selected_by_year(cat, ref)[year])
    grouped = rows.groupby("origin")["value"].sum()
    return indicators.shares({str(k): float(v) for k, v in grouped.items()})


def import_reliance(cat: Catalogue, ch: Chain, importer: str, stage: str,
                    year: int | None = None) -> tuple[float, str, str] | None:
    """Sourced net import reliance of an importer for a commodity's stage.

    From the chain's ``reliance`` declaration when it has one (the row of ``year``, or
    of the nearest year with data), else from the ``import-reliance`` dataset. Returns
    the value, its note and the dataset it came from.
    """
    ref = ch.reliance_ref(importer, stage)
    if ref is not None:
        by_year = _selected_by_year(cat, DataRef(ref.dataset, (*ref.select,
                                                               ("importer", importer))))
        if not by_year:
            return None
        y = _nearest(sorted(by_year), year) if year is not None else max(by_year)
        row = by_year[y].iloc[0]
        note = str(row.get("note", "") or "")
        if y != year:
            note = f"{y} figure (nearest to {year}); {note}"
        return float(row["value"]), note, ref.dataset
    if RELIANCE_DATASET not in cat:
        return None
    frame = cat.frame(RELIANCE_DATASET)
    hit = frame[(frame["importer"] == importer) & (frame["commodity"] == ch.commodity)
                & (frame["stage"] == stage)]
    if hit.empty:
        return None
    row = hit.iloc[0]
    return float(row["value"]), str(row.get("note", "") or ""), RELIANCE_DATASET


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
