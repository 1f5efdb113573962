"""Input-output tables and their inverses (Leontief demand-driven, Ghosh supply-driven).

Notation (Miller & Blair 2009): ``Z[i, j]`` sales of sector *i* to sector *j*, ``x`` total
output, ``A = Z diag(x)^-1`` input coefficients, ``L = (I - A)^-1``; ``B = diag(x)^-1 Z``
allocation coefficients, ``G = (I - B)^-1``. A change of final demand ``df`` changes
output by ``L df``; a change of primary inputs ``dv`` changes output by ``G' dv``.

>>> import numpy as np
>>> t = IOTable(["a", "b"], np.array([[10.0, 20.0], [30.0, 40.0]]), np.array([100.0, 200.0]),
...             np.array([60.0, 140.0]), "USD")
>>> t.output_loss_from_demand(np.array([1.0, 0.0])).round(4).tolist()  # L[:, 0]
[1.1594, 0.4348]

By hand: A = [[0.1, 0.1], [0.3, 0.2]], det(I - A) = 0.9 * 0.8 - 0.1 * 0.3 = 0.69, so the first
column of L is [0.8, 0.3] / 0.69.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from shigen.errors import InputError, Location


def leontief_inverse(a: np.ndarray) -> np.ndarray:
    """``(I - A)^-1``; an ``InputError`` when the table is not productive (singular)."""
    n = a.shape[0]
    try:
        return np.linalg.inv(np.eye(n) - a)
    except np.linalg.LinAlgError:
        raise InputError("the input-output table has no Leontief inverse (I - A is singular)",
                         Location(field="io-table"),
                         "check that every sector's inputs are less than its output") from None


def ghosh_inverse(b: np.ndarray) -> np.ndarray:
    """``(I - B)^-1`` of the allocation coefficients (same algebra as Leontief)."""
    return leontief_inverse(b)


def industry_by_industry(make: np.ndarray, use: np.ndarray) -> np.ndarray:
    """Industry-by-industry flows from a make and a use table (industry technology).

    ``make`` (I, C): industry *i*'s output of commodity *c*; ``use`` (C, I): commodity *c*
    bought by industry *j*. Each commodity's sales are split among the industries that
    make it in proportion to their market shares ``D = V diag(q)^-1`` (``q`` the
    commodity's domestic output), so ``Z = D U`` — the assumption behind BEA's published
    industry-by-industry requirements tables (Horowitz & Planting 2009, ch. 12). A
    commodity no industry makes (``q = 0``, e.g. non-comparable imports) has no row in
    ``Z``: it stays a primary input of its buyers.

    >>> v = np.array([[90.0, 10.0], [0.0, 50.0]])   # industry 2 makes only commodity 2
    >>> u = np.array([[9.0, 18.0], [6.0, 3.0]])
    >>> industry_by_industry(v, u).tolist()          # D = [[1, 1/6], [0, 5/6]]
    [[10.0, 18.5], [5.0, 2.5]]
    """
    q = make.sum(axis=0)
    shares = np.divide(make, q[None, :], out=np.zeros_like(make, dtype=float),
                       where=q[None, :] > 0)
    return np.asarray(shares @ use)


@dataclass(frozen=True)
class IOTable:
    """An industry-by-industry table: flows ``z``, output ``x``, value added ``v`` by sector."""

    industries: list[str]
    z: np.ndarray       # (K, K) currency
    x: np.ndarray       # (K,) total output
    v: np.ndarray       # (K,) gross value added
    currency: str

    def __post_init__(self) -> None:
        if (self.x <= 0).any():
            bad = [s for s, xi in zip(self.industries, self.x, strict=True) if xi <= 0]
            raise InputError(f"sectors {bad} of the input-output table have no output",
                             Location(field="io-table"),
                             "drop or merge sectors with zero output before use")

    @property
    def a(self) -> np.ndarray:
        return self.z / self.x[None, :]

    @property
    def b(self) -> np.ndarray:
        return self.z / self.x[:, None]

    @property
    def value_added_coefficients(self) -> np.ndarray:
        return self.v / self.x

    def output_loss_from_demand(self, df: np.ndarray) -> np.ndarray:
        """Output lost when final demand falls by ``df`` (Leontief): ``L df``."""
        return leontief_inverse(self.a) @ df

    def output_loss_from_supply(self, dv: np.ndarray) -> np.ndarray:
        """Output lost when primary inputs (e.g. imports) fall by ``dv`` (Ghosh): ``G' dv``."""
        return ghosh_inverse(self.b).T @ dv

    def scaled(self, factor: float, currency: str) -> IOTable:
        """The same table in another currency (``factor`` new units per old unit)."""
        return IOTable(self.industries, self.z * factor, self.x * factor, self.v * factor,
                       currency)

    @classmethod
    def from_long(cls, frame: pd.DataFrame, currency: str, *,
                  value_added: list[str] | None = None) -> IOTable:
        """Build from long rows ``row, column, value``.

        Industries are the labels that are both a row and a column; output is the column
        total of an industry (inputs + value added + anything else paid, e.g. taxes), so
        a balanced table needs no output row. ``value_added`` names the rows that are
        value added (default: rows that are not industries, except imports rows).
        """
        rows, cols = set(frame["row"]), set(frame["column"])
        industries = sorted(rows & cols)
        if not industries:
            raise InputError("the input-output table has no sector that is both a row and a "
                             "column", Location(field="io-table"),
                             "give industry-by-industry flows with the same sector labels "
                             "in 'row' and 'column'")
        wide = frame.pivot_table(index="row", columns="column", values="value",
                                 aggfunc="sum", fill_value=0.0)
        z = wide.reindex(index=industries, columns=industries, fill_value=0.0).to_numpy(float)
        x = wide.reindex(columns=industries, fill_value=0.0).sum(axis=0).to_numpy(float)
        va_rows = value_added if value_added is not None else [
            r for r in wide.index if r not in industries]
        v = wide.reindex(index=va_rows, columns=industries, fill_value=0.0).sum(
            axis=0).to_numpy(float)
        return cls(industries, z, x, v, currency)
