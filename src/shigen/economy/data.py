"""The economy's data through the catalogue: tables, entry shares, criticality, prices.

Per importer ``XXX`` (ISO3): ``io-table-xxx`` (long rows ``row, column, value`` in the
table's currency, optional ``country``/``year`` columns) and ``io-entry-xxx`` (``commodity,
industry, value`` shares). A user adds a country with a ``--data`` folder holding these
two datasets (docs/methods/economy.md, "Your own table").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from shigen.economy.iotable import IOTable
from shigen.errors import InputError, Location

if TYPE_CHECKING:
    import pandas as pd

    from shigen.datasets import Catalogue

STUDY_CURRENCY = "USD"


def table_name(importer: str) -> str:
    return f"io-table-{importer.lower()}"


def entry_name(importer: str) -> str:
    return f"io-entry-{importer.lower()}"


def dependent_name(importer: str) -> str:
    return f"io-dependent-share-{importer.lower()}"


def has_table(cat: Catalogue, importer: str) -> bool:
    return table_name(importer) in cat and entry_name(importer) in cat


def usd_per_unit(cat: Catalogue, currency: str, year: int) -> float:
    """USD per unit of ``currency`` in ``year`` (the nearest year held)."""
    if currency == STUDY_CURRENCY:
        return 1.0
    f = cat.frame("exchange-rates")
    f = f[f["currency"] == currency]
    if f.empty:
        raise InputError(f"no exchange rate for {currency}", Location(field="exchange-rates"),
                         f"add a row currency={currency} (units per USD) to exchange-rates")
    row = f.iloc[int(np.argmin(np.abs(f["year"].astype(int) - year)))]
    return 1.0 / float(row["value"])


def value_added_rows(frame: pd.DataFrame) -> list[str] | None:
    """The table's value-added rows.

    ``row_kind = value-added`` where the table has that column (the BEA table), else rows
    numbered 9x (the Japanese numbering), else None (every row that is not an industry).
    """
    if "row_kind" in frame.columns:
        return sorted(set(frame.loc[frame["row_kind"] == "value-added", "row"]))
    return sorted(r for r in set(frame["row"]) if str(r).startswith("9")) or None


def load_table(cat: Catalogue, importer: str) -> IOTable:
    """The importer's table converted to USD (at the exchange rate of the table's year)."""
    name = table_name(importer)
    frame = cat.frame(name)
    currency = cat.meta(name).unit
    year = int(frame["year"].iloc[0]) if "year" in frame.columns else 0
    table = IOTable.from_long(frame, currency, value_added=value_added_rows(frame))
    return table.scaled(usd_per_unit(cat, currency, year), STUDY_CURRENCY)


def entry_shares(cat: Catalogue, importer: str, commodity: str, table: IOTable) -> np.ndarray:
    """(K,) shares of ``commodity``'s use by the table's sectors (they add up to 1)."""
    f = cat.frame(entry_name(importer))
    f = f[f["commodity"] == commodity]
    out = np.zeros(len(table.industries))
    for ind, v in zip(f["industry"], f["value"], strict=True):
        if ind not in table.industries:
            raise InputError(f"industry '{ind}' of {entry_name(importer)} is not a sector of "
                             f"{table_name(importer)}", Location(field=entry_name(importer)),
                             f"use one of: {', '.join(table.industries)}")
        out[table.industries.index(ind)] += float(v)
    total = out.sum()
    if total > 0 and abs(total - 1.0) > 1e-6:
        raise InputError(f"the entry shares of {commodity} in {entry_name(importer)} add up "
                         f"to {total:.4f}, not 1", Location(field=entry_name(importer)),
                         "make each commodity's shares add up to 1")
    return out


def dependent_shares(cat: Catalogue, importer: str, commodity: str,
                     table: IOTable) -> np.ndarray:
    """(K,) share of each sector's output that needs ``commodity`` (1 where not given).

    From ``io-dependent-share-xxx`` when the catalogue has it: the constrained
    allocation (:mod:`shigen.economy.allocation`) stops only that part of a sector.
    """
    out = np.ones(len(table.industries))
    name = dependent_name(importer)
    if name not in cat:
        return out
    f = cat.frame(name)
    f = f[f["commodity"] == commodity]
    for ind, v in zip(f["industry"], f["value"], strict=True):
        if ind not in table.industries:
            raise InputError(f"industry '{ind}' of {name} is not a sector of "
                             f"{table_name(importer)}", Location(field=name),
                             f"use one of: {', '.join(table.industries)}")
        if not 0.0 < float(v) <= 1.0:
            raise InputError(f"the dependent share of {commodity} in '{ind}' is {v}, not a "
                             "fraction in (0, 1]", Location(field=name),
                             "give the share of the sector's output that needs the commodity")
        out[table.industries.index(ind)] = float(v)
    return out


def criticality(cat: Catalogue, commodity: str) -> float:
    f = cat.frame("io-input-criticality")
    sel = f[f["commodity"] == commodity]
    return float(sel["value"].iloc[0]) if not sel.empty else 1.0


def unit_value(cat: Catalogue, importer: str, commodity: str) -> float:
    """USD per tonne from ``import-unit-values`` (latest year held); NaN if none."""
    f = cat.frame("import-unit-values")
    f = f[(f["country"] == importer) & (f["commodity"] == commodity)]
    if f.empty:
        return float("nan")
    return float(f.sort_values("year")["value"].iloc[-1])
