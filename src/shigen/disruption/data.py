"""Resolve the dataset references of a ``[disruption]`` section against the catalogue.

Every failure is an :class:`~shigen.errors.InputError` that names the study field.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import pandas as pd

from shigen.disruption.config import DataRef, Elasticity, QuotaPath, RangeRef
from shigen.distributions import Distribution, Fixed, Uniform
from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue


# Selections already made, by frame: a policy run compiles the same study a hundred
# times, and boolean indexing of the same frames was a third of its time. Keyed by the
# frame's id with a weak reference to it, so a frame that is dropped (another catalogue
# view, an override) can never lend its entries to a new frame at the same address.
_SELECTED: dict[int, tuple[weakref.ref[pd.DataFrame], dict[tuple[tuple[str, str], ...],
                                                           Any]]] = {}


def _forget(key: int) -> Callable[[weakref.ref[pd.DataFrame]], None]:
    """The callback that drops a dead frame's entries.

    The dict is bound here: at interpreter exit module globals may already be gone.
    """
    memo = _SELECTED

    def drop(_ref: weakref.ref[pd.DataFrame]) -> None:
        memo.pop(key, None)
    return drop


def _memo(cat: Catalogue, ref: DataRef, field: str) -> dict[tuple[tuple[str, str], ...], Any]:
    """The selections and series already computed on the frame ``ref`` names."""
    if ref.dataset not in cat:
        raise InputError(f"unknown dataset '{ref.dataset}'", Location(field=f"{field}.dataset"),
                         "`shigen data list` shows the datasets available")
    frame = cat.frame(ref.dataset)      # always asked: the catalogue logs what a run used
    key = id(frame)
    held = _SELECTED.get(key)
    if held is None or held[0]() is not frame:
        held = (weakref.ref(frame, _forget(key)), {})
        _SELECTED[key] = held
    return held[1]


def _rows(cat: Catalogue, ref: DataRef, field: str) -> pd.DataFrame:
    done = _memo(cat, ref, field)
    key = tuple((k, str(v)) for k, v in ref.select.items())
    if key not in done:
        done[key] = _select(cat, ref, field, cat.frame(ref.dataset))
    return cast(pd.DataFrame, done[key])


def _select(cat: Catalogue, ref: DataRef, field: str, frame: pd.DataFrame) -> pd.DataFrame:
    dims = cat.meta(ref.dataset).dimensions
    for key, value in ref.select.items():
        if key not in dims:
            raise InputError(f"dataset '{ref.dataset}' has no dimension '{key}'",
                             Location(field=f"{field}.select.{key}"),
                             f"select on its dimensions {dims}")
        col = frame[key]
        frame = frame[col.astype(str) == str(value)]
        if frame.empty:
            have = sorted({str(v) for v in col.unique()})
            raise InputError(f"dataset '{ref.dataset}' has no rows with {key} = {value!r}",
                             Location(field=f"{field}.select.{key}"),
                             f"choose among {have[:30]}")
    return frame


def has_rows(cat: Catalogue, ref: DataRef, field: str) -> bool:
    """Whether the selection matches any row (the dataset and dimensions must exist)."""
    try:
        _rows(cat, ref, field)
    except InputError as exc:
        if "has no rows with" in exc.what:
            return False
        raise
    return True


def unit_of(cat: Catalogue, ref: DataRef) -> str:
    return cat.meta(ref.dataset).unit


def scalar(cat: Catalogue, ref: DataRef, field: str, *, sum_rows: bool = False) -> float:
    """The value of the one selected row (or, with ``sum_rows``, the sum of the rows)."""
    rows = _rows(cat, ref, field)
    if len(rows) != 1 and not sum_rows:
        dims = cat.meta(ref.dataset).dimensions
        free = [d for d in dims if d not in ref.select]
        raise InputError(f"the selection from '{ref.dataset}' matches {len(rows)} rows, "
                         "not one", Location(field=f"{field}.select"),
                         f"add a select on {free} so that one row remains")
    return float(rows["value"].sum())


def series(cat: Catalogue, ref: DataRef, over: str, field: str) -> dict[str, float]:
    """The selected rows summed by the ``over`` dimension."""
    frame = _rows(cat, ref, field)
    done = _memo(cat, ref, field)
    key = (("<series>", over), *((k, str(v)) for k, v in ref.select.items()))
    if key not in done:
        done[key] = _series(frame, ref, over, field)
    return {str(k): float(v) for k, v in done[key].items()}


def _series(frame: pd.DataFrame, ref: DataRef, over: str, field: str) -> pd.Series:
    if over not in frame.columns:
        raise InputError(f"dataset '{ref.dataset}' has no dimension '{over}'",
                         Location(field=f"{field}.dataset"),
                         f"use a dataset with a '{over}' dimension")
    return frame.groupby(over)["value"].sum()


def shares(cat: Catalogue, ref: DataRef, field: str) -> dict[str, float]:
    """Supplier shares by origin, normalised to sum to one."""
    raw = series(cat, ref, "origin", field)
    total = sum(raw.values())
    if total <= 0 or any(v < 0 for v in raw.values()):
        raise InputError(f"supplier shares from '{ref.dataset}' are not positive",
                         Location(field=field), "select rows with positive shares")
    return {k: v / total for k, v in sorted(raw.items())}


def arc_elasticity(q0: float, q1: float, p0: float, p1: float) -> float:
    """Arc (log) elasticity ``ln(q1/q0) / ln(p1/p0)``.

    >>> round(arc_elasticity(100, 50, 1, 4), 3)
    -0.5
    """
    return math.log(q1 / q0) / math.log(p1 / p0)


def elasticity(cat: Catalogue, value: float | Elasticity | DataRef, field: str) -> float:
    """A declared elasticity, one from a dataset, or one calibrated from four sourced points."""
    if isinstance(value, DataRef):
        eps = scalar(cat, value, field)
        if not -5 <= eps < 0:
            raise InputError(f"elasticity {eps} from '{value.dataset}' is not negative",
                             Location(field=field), "select a negative elasticity")
        return eps
    if not isinstance(value, Elasticity):
        return float(value)
    q0 = scalar(cat, value.quantity_before, f"{field}.quantity_before")
    q1 = scalar(cat, value.quantity_after, f"{field}.quantity_after")
    p0 = scalar(cat, value.price_before, f"{field}.price_before")
    p1 = scalar(cat, value.price_after, f"{field}.price_after")
    if min(q0, q1, p0, p1) <= 0 or q0 == q1 or p0 == p1:
        raise InputError("the calibration points must be positive, with quantity and price "
                         "both changing", Location(field=field),
                         "pick two years in which both quantity and price moved")
    eps = arc_elasticity(q0, q1, p0, p1)
    if not eps < 0:
        raise InputError(f"the calibrated elasticity {eps:.3f} is not negative (quantity and "
                         "price moved the same way)", Location(field=field),
                         "pick points where a supply cut raised prices, or give a number")
    return eps


def quota_depths(cat: Catalogue, quota: QuotaPath, field: str) -> dict[tuple[int, int], float]:
    """Depth of a quota cut by (year, half): ``max(0, 1 - rate / base rate)``.

    The base is the base year's annual quota. A dataset by year gives each half of a year
    its year's depth; one with a ``half`` dimension gives each half its own, from twice
    its half-year quota (an annual rate).
    """
    ref = DataRef(dataset=quota.dataset)
    by_year = {int(k): v for k, v in series(cat, ref, "year", field).items()}
    if quota.base_year not in by_year:
        raise InputError(f"dataset '{quota.dataset}' has no value for base year "
                         f"{quota.base_year}", Location(field=f"{field}.base_year"),
                         f"choose among {sorted(by_year)}")
    base = by_year[quota.base_year]
    frame = _rows(cat, ref, field)
    if "half" not in frame.columns:
        return {(y, h): max(0.0, 1.0 - q / base) for y, q in by_year.items()
                if y > quota.base_year for h in (1, 2)}
    rates: dict[tuple[int, int], float] = {}
    for (y, h), q in frame.groupby(["year", "half"])["value"].sum().items():
        if int(h) not in (1, 2):
            raise InputError(f"dataset '{quota.dataset}' has half = {h}",
                             Location(field=f"{field}.dataset"), "halves are 1 and 2")
        rates[(int(y), int(h))] = 2.0 * float(q)
    return {k: max(0.0, 1.0 - r / base) for k, r in rates.items() if k[0] > quota.base_year}


def resolve_range(cat: Catalogue, value: Distribution | RangeRef, field: str,
                  low: float, high: float) -> Distribution:
    """A distribution as declared, or the uniform range a dataset holds (rows by ``bound``).

    The dataset's ``low`` and ``high`` rows must lie in ``[low, high]`` (e.g. a demand
    elasticity in [-5, 0)); equal ends give a fixed value.
    """
    if not isinstance(value, RangeRef):
        return value
    ref = DataRef(dataset=value.range, select=value.select)
    ends = series(cat, ref, "bound", field)
    missing = [b for b in ("low", "high") if b not in ends]
    if missing:
        raise InputError(f"dataset '{value.range}' has no {' or '.join(missing)} row for "
                         f"{value.select}", Location(field=f"{field}.select"),
                         "select rows with bound = low and bound = high")
    lo, hi = sorted((ends["low"], ends["high"]))
    if not (low <= lo and hi <= high):
        raise InputError(f"range [{lo:g}, {hi:g}] from '{value.range}' is outside "
                         f"[{low:g}, {high:g}]", Location(field=field),
                         "select a range of the right sign")
    return Fixed(value=lo) if lo == hi else Uniform(dist="uniform", low=lo, high=hi)
