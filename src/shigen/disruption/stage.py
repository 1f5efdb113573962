"""The ``disruption`` stage: Monte Carlo of supply disruptions against levers.

``run`` is deterministic in (config, datasets, ``study.seed``); the policy stage
re-runs it on modified studies with the same seed to compare packages under
common random numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import xarray as xr

from shigen.disruption.config import DisruptionConfig
from shigen.disruption.economics import economy_blocks, economy_dataset
from shigen.disruption.montecarlo import simulate
from shigen.disruption.results import iamc, to_dataset
from shigen.disruption.results import summarize as summarize_markets
from shigen.stages import StageSpec

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study


def run(cfg: DisruptionConfig, study: Study, cat: Catalogue,
        upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    """Simulate the study's disruption section with the study's seed.

    Markets with an input-output table for their importer also get their economic loss
    and their levers' costs (:mod:`shigen.disruption.economics`).
    """
    sim = simulate(cfg, cat, study.study.seed, upstream)
    return to_dataset(sim).merge(economy_dataset(cfg, sim, cat))


def summarize(ds: xr.Dataset) -> dict[str, Any]:
    """Each market's statistics, with an ``economy`` block where it was valued."""
    out = summarize_markets(ds)
    blocks = economy_blocks(ds)
    for c, by_importer in out.items():
        if c in ("warnings", "backtest_score"):  # the stage's records, not markets
            continue
        for i, entry in by_importer.items():
            block = blocks.get((c, i))
            if block is not None:
                entry["economy"] = block
    return out


STAGE = StageSpec(name="disruption", title="Disruptions, levers and prices (Monte Carlo)",
                  run=run, summarize=summarize, iamc=iamc)
