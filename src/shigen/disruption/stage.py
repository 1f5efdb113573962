"""The ``disruption`` stage: Monte Carlo of supply disruptions against levers.

``run`` is deterministic in (config, datasets, ``study.seed``); the policy stage
re-runs it on modified studies with the same seed to compare packages under
common random numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import xarray as xr

from shigen.disruption.config import DisruptionConfig
from shigen.disruption.montecarlo import simulate
from shigen.disruption.results import iamc, summarize, to_dataset
from shigen.stages import StageSpec

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study


def run(cfg: DisruptionConfig, study: Study, cat: Catalogue,
        upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    """Simulate the study's disruption section with the study's seed."""
    return to_dataset(simulate(cfg, cat, study.study.seed, upstream))


STAGE = StageSpec(name="disruption", title="Disruptions, levers and prices (Monte Carlo)",
                  run=run, summarize=summarize, iamc=iamc)
