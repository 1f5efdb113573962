"""Chunked, seeded Monte Carlo over draws: the entry point other stages call.

>>> from shigen.disruption.montecarlo import chunks
>>> chunks(2500, 1000)
[(0, 1000), (1000, 2000), (2000, 2500)]
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from shigen.disruption.config import DisruptionConfig
from shigen.disruption.kernel import ChunkResult, run_chunk
from shigen.disruption.model import Model, compile_model
from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue


@dataclass
class Simulation:
    """Per-draw outcomes of a whole run and the model behind them (see ``ChunkResult``)."""

    model: Model
    seed: int
    draws: ChunkResult

    @property
    def n_draws(self) -> int:
        return int(self.draws.total_shortfall.shape[0])


def chunks(draws: int, size: int) -> list[tuple[int, int]]:
    """Split ``[0, draws)`` into consecutive ranges of at most ``size`` draws."""
    return [(a, min(a + size, draws)) for a in range(0, draws, max(1, size))]


YEAR_MAJOR = ("annual_shortfall", "annual_price")


def _concat(parts: list[ChunkResult]) -> ChunkResult:
    """The chunks' results as one; the year-major arrays keep their draws-last layout."""
    fields = ChunkResult.__dataclass_fields__
    out = {f: np.concatenate([getattr(p, f) for p in parts], axis=0)
           for f in fields if f not in YEAR_MAJOR}
    for f in YEAR_MAJOR:    # (Y, n, M) views of (Y, M, n) arrays
        out[f] = np.concatenate([getattr(p, f).transpose(0, 2, 1) for p in parts],
                                axis=2).transpose(0, 2, 1)
    return ChunkResult(**out)


def _work(args: tuple[Model, int, int, int]) -> ChunkResult:
    model, seed, a, b = args
    return run_chunk(model, seed, a, b)


MAX_RETAINED_BYTES = 3e9


def retained_bytes(model: Model, draws: int) -> int:
    """Bytes of per-draw results kept across chunks.

    Annual shortfall and price (float32), six per-draw market arrays and the history
    checks (float64).
    """
    years, markets = model.grid.n // model.grid.per_year, model.n_markets
    per_draw = years * markets * 4 * 2 + markets * 8 * 6 + len(model.history) * 8
    return int(per_draw * draws)


def run_model(model: Model, seed: int, draws: int, chunk_draws: int,
              workers: int = 1) -> Simulation:
    """Simulate ``draws`` draws of a compiled model in chunks (optionally in processes).

    Chunks hold ``chunk_draws / markets`` draws (at least 256), which bounds memory.
    Results are identical for any ``chunk_draws`` and ``workers``: each draw's random
    numbers sit at a fixed place of its event's stream (:mod:`shigen.disruption.sampling`).
    """
    kept = retained_bytes(model, draws)
    if kept > MAX_RETAINED_BYTES:
        raise InputError(f"{draws:,} draws would keep {kept / 1e9:.1f} GB of per-draw results "
                         f"(limit {MAX_RETAINED_BYTES / 1e9:.0f} GB)",
                         Location(field="disruption.draws"),
                         f"use at most {int(draws * MAX_RETAINED_BYTES / kept):,} draws, "
                         "fewer years or fewer markets")
    # a chunk holds about chunk_draws x one market's worth of arrays, whatever the markets
    ranges = chunks(draws, max(256, chunk_draws // max(1, model.n_markets)))
    if workers > 1 and len(ranges) > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_work, [(model, seed, a, b) for a, b in ranges]))
    else:
        parts = [run_chunk(model, seed, a, b) for a, b in ranges]
    return Simulation(model, seed, _concat(parts))


def simulate(cfg: DisruptionConfig, catalogue: Catalogue, seed: int,
             upstream: Mapping[str, xr.Dataset] | None = None, *,
             workers: int = 1) -> Simulation:
    """Compile ``cfg`` and simulate it with ``seed``.

    Identical ``cfg`` and ``seed`` give identical results; a lever's effect measured
    between two configs run with the same seed uses common random numbers (every
    event keeps its draws), so it is exactly zero when the lever is absent.
    """
    model = compile_model(cfg, catalogue, upstream)
    return run_model(model, seed, cfg.draws, cfg.chunk_draws, workers)
