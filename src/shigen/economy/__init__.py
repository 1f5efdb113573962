"""Economic impact and costs: input-output tables, disruption losses, lever costs, appraisal.

A library below the stage packages (like :mod:`shigen.datasets`): the disruption stage
calls it to value a shortfall, the policy stage to discount costs and benefits. It
reads data only through the :class:`~shigen.datasets.Catalogue` and imports no stage.
Methods and their known biases: ``docs/methods/economy.md``.
"""

from shigen.economy.appraisal import CostBenefit, annuity_factor, cost_benefit, present_value
from shigen.economy.impact import MarketImpact, market_impact
from shigen.economy.iotable import IOTable, ghosh_inverse, leontief_inverse
from shigen.economy.levers import LeverCost, LeverSpec, lever_costs

__all__ = [
    "CostBenefit", "IOTable", "LeverCost", "LeverSpec", "MarketImpact", "annuity_factor",
    "cost_benefit", "ghosh_inverse", "leontief_inverse", "lever_costs", "market_impact",
    "present_value",
]
