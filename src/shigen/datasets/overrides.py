"""Study-level data overrides: change cells of a dataset without copying it.

A study's ``[[data.override]]`` entry names a dataset, selects rows by its dimension
columns and sets them to a ``value`` or multiplies them by a ``scale``::

    [[data.override]]
    dataset = "energy-build-limit"
    select = { region = "WORLD", technology = "nuclear", year = 2030 }
    value = 28.0
    reason = "test -30 %"

The model (:class:`DataOverride`) is validated with the study; the catalogue applies the
overrides when a stage asks for a dataset (:meth:`shigen.datasets.Catalogue.with_overrides`),
checking them against the dataset: ``select`` keys must be its dimensions, each label must
exist (compared with the column's type, so years are integers), the selection must match at
least one row, and the new values must lie within the dataset's bounds (its catalogue
``min_value``/``max_value``; fractions in [0, 1]).

Overrides apply in order and **the later one wins** on a cell both select: a ``value``
sets the cell, a ``scale`` multiplies the dataset's own (file) value, never an earlier
override's, so the last override that selects a cell alone decides it.

Examples
--------
>>> o = DataOverride(dataset="energy-build-limit", select={"technology": "nuclear"}, scale=0.7)
>>> o.describe()
'energy-build-limit[technology=nuclear] ×0.7'
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

from shigen.datasets.meta import NAME_PATTERN, DatasetMeta, ValueRange
from shigen.errors import InputError, Location

Label = StrictStr | StrictInt
MAX_CHANGES_RECORDED = 10
"""Rows whose old → new values a run manifest lists per override (the count is always kept)."""


class DataOverride(BaseModel):
    """One change to a dataset's values: rows chosen by ``select``, a ``value`` or a ``scale``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dataset: str = Field(pattern=NAME_PATTERN, description="dataset name (`shigen data list`)")
    select: dict[str, Label | list[Label]] = Field(
        default_factory=dict,
        description="dimension column → label (or list of labels) the rows must have; "
                    "a dimension left out matches every label; years are integers")
    value: float | None = Field(default=None, description="new value, in the dataset's unit")
    scale: float | None = Field(default=None, ge=0,
                                description="factor applied to the dataset's own value")
    reason: str = Field(default="", max_length=2_000,
                        description="why (free text, recorded in the run manifest)")

    @model_validator(mode="after")
    def _one_change(self) -> DataOverride:
        if (self.value is None) == (self.scale is None):
            raise ValueError("give exactly one of 'value' (set the rows) or 'scale' "
                             "(multiply them)")
        return self

    def describe(self) -> str:
        """``dataset[dim=label,...] = value`` or ``... ×scale``, for messages and labels."""
        sel = ",".join(f"{k}={_labels_text(v)}" for k, v in self.select.items())
        change = f"= {self.value:g}" if self.value is not None else f"×{self.scale:g}"
        return f"{self.dataset}[{sel}] {change}"


def _labels_text(v: Any) -> str:
    return "|".join(str(x) for x in v) if isinstance(v, list) else str(v)


@dataclass(frozen=True)
class AppliedOverride:
    """What one override changed: the rows it matched and (up to N of) their old → new values."""

    override: DataOverride
    at: str  # the study field that declared it, e.g. data.override.0
    rows: int
    changes: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        o = self.override
        out: dict[str, Any] = {"dataset": o.dataset, "select": dict(o.select)}
        out.update({"value": o.value} if o.value is not None else {"scale": o.scale})
        out.update(reason=o.reason, field=self.at, rows_changed=self.rows,
                   changes=list(self.changes))
        return out


def _closest(wanted: Any, labels: Sequence[Any]) -> list[Any]:
    """The existing labels nearest ``wanted`` (by spelling, or by distance for numbers)."""
    if labels and all(isinstance(x, int | np.integer) for x in labels) and isinstance(wanted, int):
        return sorted(labels, key=lambda x: (abs(int(x) - wanted), int(x)))[:3]
    return difflib.get_close_matches(str(wanted), [str(x) for x in labels], n=3, cutoff=0.4)


def _shown(labels: Sequence[Any], limit: int = 12) -> str:
    text = ", ".join(str(x) for x in labels[:limit])
    return text + (f" … ({len(labels)} in all)" if len(labels) > limit else "")


def _typed(label: Any, column: pd.Series, dim: str, where: Location, ds: str) -> Any:
    """``label`` as the column's type: an integer column (years) takes integers only."""
    if pd.api.types.is_integer_dtype(column):
        if isinstance(label, int):
            return label
        if isinstance(label, str) and label.strip().lstrip("-").isdigit():
            return int(label)
        raise InputError(f"dataset '{ds}': {dim} '{label}' is not an integer", where,
                         f"write {dim} as a number, e.g. {dim} = {column.iloc[0]}")
    return str(label)


def select_rows(frame: pd.DataFrame, meta: DatasetMeta, override: DataOverride,
                where: str) -> np.ndarray:
    """Boolean mask of the rows ``override.select`` picks; ``InputError`` when it picks none."""
    ds = override.dataset
    at = Location(field=f"{where}.select")
    mask = np.ones(len(frame), dtype=bool)
    chosen: dict[str, Any] = {}
    for dim, wanted in override.select.items():
        if dim not in meta.dimensions:
            close = difflib.get_close_matches(dim, meta.dimensions, n=1)
            guess = f"did you mean '{close[0]}'? " if close else ""
            raise InputError(f"dataset '{ds}' has no dimension '{dim}' "
                             f"(select {dict(override.select)})",
                             Location(field=f"{where}.select"),
                             f"{guess}select on its dimensions: {', '.join(meta.dimensions)}")
        column = frame[dim]
        labels = [_typed(v, column, dim, Location(field=f"{where}.select"), ds)
                  for v in (wanted if isinstance(wanted, list) else [wanted])]
        existing = sorted(column.unique().tolist(), key=str)
        for label in labels:
            if label not in set(existing):
                close = _closest(label, existing)
                guess = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
                raise InputError(
                    f"no row of dataset '{ds}' has {dim} = {label!r} "
                    f"(select {dict(override.select)})", Location(field=f"{where}.select"),
                    f"{guess}{dim} in '{ds}' is one of: {_shown(existing)}")
        narrowed = mask & column.isin(labels).to_numpy()
        if not narrowed.any():
            there = sorted(frame.loc[mask, dim].unique().tolist(), key=str)
            raise InputError(
                f"no row of dataset '{ds}' matches select {dict(override.select)}: "
                f"rows with {chosen} have no {dim} {_labels_text(wanted)}", at,
                f"with {chosen}, {dim} is one of: {_shown(there)}")
        mask = narrowed
        chosen[dim] = wanted
    return mask


def _check_bounds(values: np.ndarray, meta: DatasetMeta, override: DataOverride,
                  where: str) -> None:
    low = meta.min_value
    high = meta.max_value if meta.max_value is not None else (
        1.0 if meta.unit == "fraction" else None)
    key = "value" if override.value is not None else "scale"
    bad = [v for v in values if (low is not None and v < low) or (high is not None and v > high)]
    if bad:
        span = (f"[{'-inf' if low is None else f'{low:g}'}, "
                f"{'inf' if high is None else f'{high:g}'}]")
        raise InputError(
            f"override of dataset '{meta.name}' ({override.describe()}) gives {bad[0]:g} "
            f"{meta.unit}, outside the dataset's bounds {span}",
            Location(field=f"{where}.{key}"),
            f"give a {key} that keeps '{meta.name}' within {span} {meta.unit} "
            "(its catalogue min_value/max_value; fractions lie in [0, 1])")


def apply(frame: pd.DataFrame, meta: DatasetMeta,
          overrides: Sequence[tuple[str, DataOverride]],
          ) -> tuple[pd.DataFrame, list[AppliedOverride]]:
    """``frame`` with ``overrides`` (``(field, override)`` pairs, in order) applied.

    The later override wins on a cell two select (see the module docstring).
    """
    original = frame["value"].to_numpy(dtype=float)
    out = frame.copy()
    new_values = original.copy()
    applied = []
    for where, o in overrides:
        mask = select_rows(frame, meta, o, where)
        new = np.full(int(mask.sum()), float(o.value)) if o.value is not None \
            else original[mask] * float(o.scale or 0.0)
        _check_bounds(new, meta, o, where)
        new_values[mask] = new
        rows = frame.loc[mask, meta.dimensions]
        changes = tuple(
            {**{d: (int(r[d]) if isinstance(r[d], np.integer) else r[d]) for d in meta.dimensions},
             "old": float(old), "new": float(nv)}
            for (_, r), old, nv in zip(rows.head(MAX_CHANGES_RECORDED).iterrows(),
                                       original[mask][:MAX_CHANGES_RECORDED],
                                       new[:MAX_CHANGES_RECORDED], strict=True))
        applied.append(AppliedOverride(o, where, int(mask.sum()), changes))
    out["value"] = new_values
    return out, applied


def covered_rows(frame: pd.DataFrame, meta: DatasetMeta, rng: ValueRange) -> np.ndarray:
    """Boolean mask of the rows ``rng`` covers (all, or status ``estimate``; from a year).

    A row without its own status has the dataset's; ``rng.from_year`` leaves out earlier rows.
    """
    if rng.rows == "all":
        mask = np.ones(len(frame), dtype=bool)
    elif "status" in frame.columns:
        status = frame["status"].fillna("").astype(str).replace("", meta.status)
        mask = (status == "estimate").to_numpy()
    else:
        mask = np.full(len(frame), meta.status == "estimate")
    if rng.from_year is not None and "year" in frame.columns:
        mask = mask & (frame["year"] >= rng.from_year).to_numpy()
    return mask


def scale_by_range(frame: pd.DataFrame, meta: DatasetMeta, rng: ValueRange,
                   factor: float) -> pd.DataFrame:
    """``frame`` with the rows ``rng`` covers multiplied by ``factor``.

    Values are clipped to the dataset's bounds (a share stays in [0, 1]) and, for a
    ``sum_to_one`` invariant, each group is divided by its sum so shares still add up:
    a drawn factor moves the estimate relative to the rest, never out of its domain.
    """
    values = frame["value"].to_numpy(dtype=float).copy()
    values[covered_rows(frame, meta, rng)] *= factor
    high = meta.max_value if meta.max_value is not None else (
        1.0 if meta.unit == "fraction" else None)
    values = np.clip(values, meta.min_value, high)
    out = frame.copy()
    out["value"] = values
    for inv in meta.invariants:
        others = [d for d in meta.dimensions if d != inv.over]
        total = out.groupby(others, sort=False)["value"].transform("sum") if others \
            else pd.Series(out["value"].sum(), index=out.index)
        out["value"] = np.where(total > 0, out["value"] / total.where(total > 0, 1.0),
                                out["value"])
    return out
