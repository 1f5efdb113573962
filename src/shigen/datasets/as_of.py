"""When a dataset's figures were known, and refusing hindsight (``data_as_of``).

A dataset's catalogue entry may say when its figures were known (``as_of``: the
publication year of a projection, the observation year of history); a row may say so
itself in an ``as_of`` column. A study that declares ``data_as_of = 2008`` replicates
what could be known in 2008: a dataset with a figure known later is replaced by the
latest of its ``vintages`` known by then, or refused with a message naming the dataset
and the row. A dataset that says nothing about when it was known is not checked.

Vintages may also be *newer* than the dataset they belong to: the ETP-era cost sets are
the default entries (every study without ``data_as_of`` keeps reading them), and a
today's edition (e.g. ``energy-capital-cost-2022``, IRENA's 2021 costs) is a vintage a
study asks for by declaring a ``data_as_of`` at or after its ``as_of``. A study reads
the latest edition known by its ``data_as_of``, older or newer than the default.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from shigen.datasets.meta import DatasetMeta
from shigen.errors import InputError, Location


class Rows(Protocol):
    """What a refusal needs of a loaded dataset (``catalogue.Dataset`` has it)."""

    @property
    def meta(self) -> DatasetMeta: ...
    @property
    def frame(self) -> pd.DataFrame: ...
    @property
    def path(self) -> object: ...
    @property
    def lines(self) -> Sequence[int]: ...


def known_in(frame: pd.DataFrame, meta: DatasetMeta) -> np.ndarray:
    """The year each row was known (a row's own ``as_of``, else the dataset's; NaN if none)."""
    dataset = np.nan if meta.as_of is None else float(meta.as_of)
    if "as_of" in frame.columns:
        rows = pd.to_numeric(frame["as_of"], errors="coerce").to_numpy(dtype=float)
        return np.where(np.isnan(rows), dataset, rows)
    return np.full(len(frame), dataset)


def late_rows(frame: pd.DataFrame, meta: DatasetMeta, year: int) -> np.ndarray:
    """Mask of the rows known after ``year``."""
    known = known_in(frame, meta)
    return ~np.isnan(known) & (known > year)


def row_label(frame: pd.DataFrame, meta: DatasetMeta, i: int) -> str:
    """``region=WORLD, group=wind, year=2015`` for row ``i``."""
    return ", ".join(f"{d}={frame[d].iloc[i]}" for d in meta.dimensions)


def hindsight(ds: Rows, name: str, year: int, late: np.ndarray) -> InputError:
    """The refusal of a dataset's first row known after ``year``, located at its line."""
    i = int(np.flatnonzero(late)[0])
    known = int(known_in(ds.frame, ds.meta)[i])
    line = ds.lines[i] if i < len(ds.lines) else None
    more = int(late.sum()) - 1
    return InputError(
        f"dataset '{name}' row {row_label(ds.frame, ds.meta, i)} was known in {known}, after "
        f"the study's data_as_of = {year}" + (f" (and {more} more such rows)" if more else ""),
        Location(str(ds.path), line),
        f"remove data_as_of to use today's data, or give '{name}' a vintage known by {year} "
        "(a dataset with as_of <= that year, named in the entry's 'vintages')")


def latest_known(frame: pd.DataFrame, meta: DatasetMeta) -> float:
    """The year the dataset's latest figure was known (NaN if it says nothing)."""
    known = known_in(frame, meta)
    return float(np.nanmax(known)) if np.isfinite(known).any() else float("nan")


def newer_vintages(metas: dict[str, DatasetMeta], name: str, year: int,
                   known: float) -> list[str]:
    """The vintages of ``name`` published after its own figures (``known``) and by ``year``.

    Latest first. A dataset that does not say when it was known has no newer vintage:
    without a date there is nothing to be newer than.
    """
    if not np.isfinite(known):
        return []
    return [v for v in pick_vintage(metas, name, year) if int(metas[v].as_of or 0) > known]


def pick_vintage(metas: dict[str, DatasetMeta], name: str, year: int) -> list[str]:
    """The vintages of ``name`` known by ``year``, latest first."""
    known = [(metas[v].as_of, v) for v in metas[name].vintages
             if v in metas and metas[v].as_of is not None and int(metas[v].as_of or 0) <= year]
    return [v for _, v in sorted(known, reverse=True)]
