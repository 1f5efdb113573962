"""What levers cost: cash flows by year of stockpiles, diversification, recycling, agreements.

Unit costs come from the ``lever-unit-costs`` (USD per tonne) and ``lever-programme-costs``
(USD a year) datasets, prices from ``import-unit-values`` (or the market's reference
price). A cash flow is positive when money is spent. Rules (docs/methods/economy.md):

- stockpile: the stock is bought at the unit value in the first year, held at the
  warehouse cost a year, and its value comes back in the last year (it is still there);
- diversification: the up-front financing per t/yr of offtake in the year the deal is
  signed (counted as a cost: repayments are not credited, so this is an upper bound),
  then the offtake premium on every tonne delivered;
- recycling: processing cost less the import value of what is recovered, per tonne,
  plus the research budget every year the lever runs;
- agreement: its programme cost a year from its start (the ``default`` row when the
  agreement is not listed) — never free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue


@dataclass(frozen=True)
class LeverSpec:
    """One lever as the economy needs it: what it is and the tonnes it moves."""

    kind: str                       # stockpile | diversification | recycling | agreement | ...
    commodity: str | None
    importer: str | None
    name: str                       # agreement name, or the kind
    field: str                      # where it is declared (for located errors)
    start_year: float               # decimal year it starts
    tonnes_held: float = 0.0        # stockpile: tonnes at the start
    tonnes_by_year: np.ndarray | None = None   # diversification delivered / recycling recovered


@dataclass(frozen=True)
class LeverCost:
    """A lever's cash flows (USD, positive = spent) by year of the horizon."""

    spec: LeverSpec
    years: list[int]
    cash_flow: np.ndarray           # (Y,)
    items: dict[str, float] = field(default_factory=dict)  # undiscounted totals by item

    @property
    def total(self) -> float:
        return float(self.cash_flow.sum())


# frame → {key columns' values: the first row's value}; an ensemble costs the same levers
# for every case, and a boolean filter of the frame per lookup cost more than the rest
_FIRST: dict[int, tuple[pd.DataFrame, dict[tuple[str, ...], float]]] = {}


def _first_values(frame: pd.DataFrame, keys: tuple[str, ...]) -> dict[tuple[str, ...], float]:
    """The value of the first row of each combination of ``keys`` (as ``.iloc[0]`` finds)."""
    hit = _FIRST.get(id(frame))
    if hit is not None and hit[0] is frame:
        return hit[1]
    out: dict[tuple[str, ...], float] = {}
    for *k, v in zip(*(frame[c] for c in keys), frame["value"], strict=True):
        out.setdefault(tuple(k), float(v))
    if len(_FIRST) > 32:
        _FIRST.clear()
    _FIRST[id(frame)] = (frame, out)  # the frame is held: its id stays its own
    return out


def _unit_cost(cat: Catalogue, lever: str, commodity: str, item: str, where: str) -> float:
    found = _first_values(cat.frame("lever-unit-costs"), ("lever", "commodity", "item")).get(
        (lever, commodity, item))
    if found is None:
        raise InputError(f"no '{item}' cost of a {lever} lever for {commodity} in dataset "
                         "'lever-unit-costs'", Location(field=where),
                         f"add a row lever={lever}, commodity={commodity}, item={item} "
                         "(USD/t) to lever-unit-costs in a --data folder")
    return found


def _programme_cost(cat: Catalogue, lever: str, name: str) -> float:
    first = _first_values(cat.frame("lever-programme-costs"), ("lever", "name"))
    found = first.get((lever, name))
    if found is None and lever == "agreement":
        found = first.get((lever, "default"))
    return found if found is not None else 0.0


def _active(years: Sequence[int], start: float) -> np.ndarray:
    """Fraction of each year at or after ``start``."""
    y = np.asarray(years, dtype=float)
    return np.clip(y + 1.0 - start, 0.0, 1.0)


def lever_costs(specs: Sequence[LeverSpec], years: Sequence[int], cat: Catalogue,
                unit_value: dict[tuple[str, str], float]) -> list[LeverCost]:
    """Cash flows of every lever over ``years``; ``unit_value[(commodity, importer)]`` USD/t.

    Levers of kinds without a cost model (substitution, demand restraint) are returned
    with no cash flow and the item ``not-costed`` so that a report can say so.
    """
    out = []
    n = len(years)
    for s in specs:
        flow = np.zeros(n)
        items: dict[str, float] = {}
        price = unit_value.get((s.commodity or "", s.importer or ""), float("nan"))
        if s.kind == "stockpile":
            assert s.commodity is not None
            value = s.tonnes_held * price
            hold = s.tonnes_held * _unit_cost(cat, "stockpile", s.commodity,
                                              "warehouse-per-year", s.field)
            flow[0] += value
            flow += hold
            flow[-1] -= value
            items.update(acquisition=value, holding=hold * n, residual_value=-value)
        elif s.kind == "diversification":
            assert s.commodity is not None and s.tonnes_by_year is not None
            cap = float(s.tonnes_by_year.max()) if s.tonnes_by_year.size else 0.0
            fin = cap * _unit_cost(cat, "diversification", s.commodity,
                                   "financing-per-annual-t", s.field)
            k = int(np.clip(np.floor(s.start_year) - years[0], 0, n - 1))
            flow[k] += fin
            prem = s.tonnes_by_year * _unit_cost(cat, "diversification", s.commodity,
                                                 "offtake-premium", s.field)
            flow += prem
            items.update(financing=fin, offtake_premium=float(prem.sum()))
        elif s.kind == "recycling":
            assert s.commodity is not None and s.tonnes_by_year is not None
            proc = _unit_cost(cat, "recycling", s.commodity, "processing", s.field)
            net = s.tonnes_by_year * (proc - (price if np.isfinite(price) else 0.0))
            research = _programme_cost(cat, "recycling", "research") * _active(
                years, s.start_year)
            flow += net + research
            items.update(processing_net_of_value=float(net.sum()),
                         research=float(research.sum()))
        elif s.kind == "agreement":
            prog = _programme_cost(cat, "agreement", s.name) * _active(years, s.start_year)
            flow += prog
            items.update(programme=float(prog.sum()))
        else:
            items["not-costed"] = 0.0
        if not np.isfinite(flow).all():
            raise InputError(f"the {s.kind} lever '{s.name}' for {s.commodity} cannot be "
                             f"costed: no unit value for {s.commodity} imports to "
                             f"{s.importer}", Location(field=s.field),
                             "give the market a reference_price or add a row to "
                             "import-unit-values")
        out.append(LeverCost(s, list(years), flow, items))
    return out
