"""Uncertain parameters: from the unit hypercube to values, and per-sample seeds.

Sobol (Saltelli) designs and ensembles both draw points ``u`` in [0, 1)^D and map
each coordinate through the inverse CDF of its parameter's distribution
(:func:`shigen.distributions.quantile`, the sampler disruption events use too).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from shigen.distributions import quantile
from shigen.policy.config import Uncertain

_EPS = 1e-12


def ppf(param: Uncertain, u: np.ndarray) -> np.ndarray:
    """Values of ``param`` at probabilities ``u`` (inverse CDF, rounded if ``integer``)."""
    # Saltelli points can be exactly 0; clipping every coordinate (not only the normal
    # tails) keeps the values earlier versions drew for the same seed
    x = quantile(param.distribution, np.clip(u, _EPS, 1 - _EPS))
    return np.round(x) if param.integer else x


def values(params: Sequence[Uncertain], u: np.ndarray) -> np.ndarray:
    """Map points ``u`` of shape (n, D) to parameter values of the same shape."""
    u = np.atleast_2d(u)
    return np.column_stack([ppf(p, u[:, j]) for j, p in enumerate(params)]) if params \
        else np.empty((u.shape[0], 0))


def as_overrides(params: Sequence[Uncertain], row: np.ndarray) -> dict[str, Any]:
    """Dotted path → value of the study-field parameters for one sample.

    Integers as ``int`` so models accept them; dataset parameters are in
    :func:`as_data_overrides`.
    """
    return {p.path: _number(p, v) for p, v in zip(params, row, strict=True) if p.path is not None}


def as_data_overrides(params: Sequence[Uncertain], row: np.ndarray) -> list[dict[str, Any]]:
    """The ``[[data.override]]`` entries of the dataset parameters for one sample."""
    return [p.data_override(_number(p, v)) for p, v in zip(params, row, strict=True)
            if p.dataset is not None]


def sample_changes(params: Sequence[Uncertain], row: np.ndarray, *,
                   overrides: Mapping[str, Any],
                   append: Mapping[str, Sequence[Any]] | None = None,
                   ) -> tuple[dict[str, Any], dict[str, list[Any]]]:
    """A sample's study overrides and list appends, with a package's winning over the draws.

    The drawn study fields go under ``overrides`` (a lever a package fixes is not
    uncertain); the drawn dataset cells go before ``append``'s ``data.override`` entries,
    since on a cell two data overrides select the later wins.
    """
    items = {k: list(v) for k, v in (append or {}).items()}
    drawn = as_data_overrides(params, row)
    if drawn:
        items["data.override"] = [*drawn, *items.get("data.override", [])]
    return {**as_overrides(params, row), **overrides}, items


def _number(p: Uncertain, v: float) -> int | float:
    return int(v) if p.integer else float(v)


def sample_draw(study_seed: int, index: int, dims: int) -> tuple[int, np.ndarray]:
    """Seed of the stages' draws and the point in [0, 1)^dims for ensemble sample ``index``.

    Both come from ``SeedSequence(study_seed, spawn_key=(index,))`` only, so a sample
    is the same whichever worker runs it and however the samples are chunked.
    """
    rng = np.random.default_rng(np.random.SeedSequence(study_seed, spawn_key=(index,)))
    seed = int(rng.integers(0, 2**32 - 1, endpoint=True))
    return seed, rng.random(dims)
