"""Disruption simulator.

Events against stockpiles, diversification, recycling, substitution, demand restraint
and agreements, with a price model (Monte Carlo).

The entry point for other stages is :func:`shigen.disruption.montecarlo.simulate` (or the
``disruption`` stage in :mod:`shigen.disruption.stage`). The public names load on first use,
so importing a light submodule (the config) does not load the simulator.
"""

from typing import TYPE_CHECKING

from shigen.lazy import exports

if TYPE_CHECKING:
    from shigen.disruption.config import DisruptionConfig
    from shigen.disruption.montecarlo import Simulation, simulate

# the public names, imported when first used (PEP 562)
_LAZY = {"DisruptionConfig": "shigen.disruption.config",
         "Simulation": "shigen.disruption.montecarlo",
         "simulate": "shigen.disruption.montecarlo"}
__all__ = ["DisruptionConfig", "Simulation", "simulate"]

__getattr__ = exports(__name__, _LAZY)
