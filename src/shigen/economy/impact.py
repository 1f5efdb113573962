"""A commodity shortfall to an importer → lost output, value added and a price bill.

Method (docs/methods/economy.md): the value of the commodity that fails to arrive,
``s`` (tonnes x import unit value), is a cut of a primary input of the sectors that
use it (entry shares ``e``, summing to 1). Each entering sector loses ``c x e x s`` of
output directly (``c`` the criticality: 1 = value-proportional), and the loss runs
forward to the sectors it sells to through the supply-driven Ghosh inverse:
``dx = G' (c e s)``. Value added lost is ``v/x`` times ``dx``, capped at each sector's
value added. Users who still get supply pay ``(price ratio - 1) x unit value x
tonnes received``: a terms-of-trade loss of national income, counted beside GDP.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shigen.economy.iotable import IOTable

QUANTILES = (0.05, 0.5, 0.95)


@dataclass(frozen=True)
class MarketImpact:
    """Economic loss of one market over the Monte Carlo draws (currency a year)."""

    industries: list[str]
    annual_loss_by_draw: np.ndarray        # (N,) mean over the horizon's years
    value_added_by_draw: np.ndarray        # (N,) GDP part of the loss
    price_cost_by_draw: np.ndarray         # (N,) extra import bill part
    expected_value_added_by_industry: np.ndarray   # (K,)
    expected_output_by_industry: np.ndarray        # (K,)
    multiplier: float                      # GDP lost per unit value of missing input

    @property
    def expected(self) -> float:
        return float(self.annual_loss_by_draw.mean())

    def quantiles(self) -> dict[float, float]:
        q = np.quantile(self.annual_loss_by_draw, QUANTILES)
        return dict(zip(QUANTILES, (float(v) for v in q), strict=True))

    def top_industries(self, n: int = 5) -> list[tuple[str, float]]:
        order = np.argsort(-self.expected_value_added_by_industry, kind="stable")[:n]
        return [(self.industries[k], float(self.expected_value_added_by_industry[k]))
                for k in order]


def market_impact(table: IOTable, entry: np.ndarray, criticality: float,
                  shortfall_value: np.ndarray, price_cost: np.ndarray) -> MarketImpact:
    """Loss of a market from per-year, per-draw values.

    ``entry`` (K,) shares of the commodity's use by sector; ``shortfall_value`` and
    ``price_cost`` (Y, N) in the table's currency a year.
    """
    per_unit_output = criticality * table.output_loss_from_supply(entry)   # (K,)
    per_unit_va = table.value_added_coefficients * per_unit_output         # (K,)
    # (Y, N, K) would be large; the loss is linear below the cap, so cap per year on the
    # total: a year cannot lose more value added than the whole economy makes
    gdp = float(table.v.sum())
    va_year = np.minimum(shortfall_value * per_unit_va.sum(), gdp)        # (Y, N)
    va = va_year.mean(axis=0)
    pc = price_cost.mean(axis=0)
    mean_short = float(shortfall_value.mean())
    scale = float(va.mean()) / (mean_short * per_unit_va.sum()) if mean_short > 0 else 0.0
    return MarketImpact(
        industries=list(table.industries), annual_loss_by_draw=va + pc,
        value_added_by_draw=va, price_cost_by_draw=pc,
        expected_value_added_by_industry=per_unit_va * mean_short * scale,
        expected_output_by_industry=per_unit_output * mean_short * scale,
        multiplier=float(per_unit_va.sum()))
