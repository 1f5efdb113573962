"""Disruption simulator.

Events against stockpiles, diversification, recycling, substitution, demand restraint
and agreements, with a price model (Monte Carlo).

The entry point for other stages is :func:`shigen.disruption.montecarlo.simulate` (or the
``disruption`` stage in :mod:`shigen.disruption.stage`). Nothing is imported here, so that
importing a light submodule (the config) does not load the simulator.
"""
