"""Disruption simulator.

Events against stockpiles, diversification, recycling, substitution, demand restraint
and agreements, with a price model (Monte Carlo).

The entry point for other stages is :func:`simulate` (or ``STAGE.run``).
"""

from shigen.disruption.config import DisruptionConfig
from shigen.disruption.montecarlo import Simulation, simulate

__all__ = ["DisruptionConfig", "Simulation", "simulate"]
