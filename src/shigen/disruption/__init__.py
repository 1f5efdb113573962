"""Disruption simulator.

Events against stockpiles, diversification, recycling, substitution, demand restraint
and agreements, with a price model (Monte Carlo).

The entry point for other stages is :func:`shigen.disruption.montecarlo.simulate` (or the
``disruption`` stage in :mod:`shigen.disruption.stage`). The public names load on first use,
so importing a light submodule (the config) does not load the simulator.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shigen.disruption.config import DisruptionConfig
    from shigen.disruption.montecarlo import Simulation, simulate

# the public names, imported when first used (PEP 562)
_LAZY = {"DisruptionConfig": "shigen.disruption.config",
         "Simulation": "shigen.disruption.montecarlo",
         "simulate": "shigen.disruption.montecarlo"}
__all__ = ["DisruptionConfig", "Simulation", "simulate"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'shigen.disruption' has no attribute {name!r}")
