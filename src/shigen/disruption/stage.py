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
from shigen.disruption.economics import EconomyBuilder, economy_blocks, economy_build
from shigen.disruption.montecarlo import simulate
from shigen.disruption.results import Grids, build, iamc
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
    economy = economy_build(cfg, sim, cat)
    return build(sim).dataset().merge(xr.Dataset() if economy is None else economy.dataset())


def summarize(ds: xr.Dataset) -> dict[str, Any]:
    """Each market's statistics, with an ``economy`` block where it was valued."""
    return _summary(ds, ds)


def run_summary(cfg: DisruptionConfig, study: Study, cat: Catalogue,
                upstream: Mapping[str, xr.Dataset]) -> dict[str, Any]:
    """``summarize(run(...))`` without building the dataset (a policy case needs only this).

    The summary reads the very arrays :func:`run` would label, so it is the same.
    """
    sim = simulate(cfg, cat, study.study.seed, upstream)
    return _summary(build(sim, summary_only=True), economy_build(cfg, sim, cat))


def _summary(markets: xr.Dataset | Grids,
             economy: xr.Dataset | EconomyBuilder | None) -> dict[str, Any]:
    out = summarize_markets(markets)
    blocks = economy_blocks(economy)
    for c, by_importer in out.items():
        if c in ("warnings", "backtest_score"):  # the stage's records, not markets
            continue
        for i, entry in by_importer.items():
            block = blocks.get((c, i))
            if block is not None:
                entry["economy"] = block
    return out


STAGE = StageSpec(name="disruption", title="Disruptions, levers and prices (Monte Carlo)",
                  run=run, summarize=summarize, iamc=iamc, summarize_run=run_summary)
