"""Random numbers with common random numbers and chunk-independence.

Draws are grouped in fixed blocks of :data:`BLOCK` draws. Each (block, event) pair
has its own stream, ``SeedSequence(seed, spawn_key=(block, crc32(event name)))``,
from which five uniforms per draw are taken (occurrence/onset year, onset within
the year, duration, depth, agreement thinning). So:

- a draw's numbers do not depend on how draws are split into chunks or workers;
- adding or removing an event or a lever never changes another event's numbers
  (common random numbers), so a lever's effect is measured draw by draw;
- every quantity is an inverse-CDF transform of a uniform, hence monotone in it.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from shigen.disruption.config import Distribution, Fixed, LogNormal, Triangular, Uniform

BLOCK = 1024
N_UNIFORMS = 5


def event_uniforms(seed: int, key: int, first: int, last: int) -> np.ndarray:
    """Uniforms of shape ``(last - first, 5)`` for draws ``[first, last)`` of one event."""
    out = np.empty((last - first, N_UNIFORMS))
    b0, b1 = first // BLOCK, (last - 1) // BLOCK
    for b in range(b0, b1 + 1):
        ss = np.random.SeedSequence(seed, spawn_key=(b, key))
        u = np.random.Generator(np.random.PCG64(ss)).random((BLOCK, N_UNIFORMS))
        lo, hi = max(first, b * BLOCK), min(last, (b + 1) * BLOCK)
        out[lo - first:hi - first] = u[lo - b * BLOCK:hi - b * BLOCK]
    return out


def quantile(dist: Distribution, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of ``dist`` at ``u`` (uniforms in [0, 1))."""
    if isinstance(dist, Fixed):
        return np.full_like(u, dist.value)
    if isinstance(dist, Uniform):
        return dist.low + u * (dist.high - dist.low)
    if isinstance(dist, Triangular):
        a, c, b = dist.low, dist.mode, dist.high
        if b == a:
            return np.full_like(u, a)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)
    if isinstance(dist, LogNormal):
        z = ndtri(np.clip(u, 1e-12, 1 - 1e-12))
        x = dist.median * np.exp(dist.sigma * z)
        return np.minimum(x, dist.max) if dist.max is not None else x
    raise TypeError(f"unknown distribution {dist!r}")
