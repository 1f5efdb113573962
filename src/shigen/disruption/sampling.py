"""Random numbers with common random numbers and chunk-independence.

Each event has its own counter-based stream (Philox keyed by the seed and the
event's name); draw ``i`` takes five uniforms at a fixed position of it
(occurrence/onset year, onset within the year, duration, depth, agreement
thinning). So:

- a draw's numbers do not depend on how draws are split into chunks or workers;
- adding or removing an event or a lever never changes another event's numbers
  (common random numbers), so a lever's effect is measured draw by draw;
- every quantity is an inverse-CDF transform of a uniform (:func:`shigen.distributions.quantile`),
  hence monotone in it.
"""

from __future__ import annotations

import numpy as np

N_UNIFORMS = 5


def event_uniforms(seed: int, key: int, first: int, last: int) -> np.ndarray:
    """Uniforms of shape ``(last - first, 5)`` for draws ``[first, last)`` of one event.

    The stream of an event is a counter-based Philox generator keyed by
    ``SeedSequence(seed, spawn_key=(crc32(name),))``; draw ``i`` uses doubles
    ``5 i .. 5 i + 4`` of it, reached by setting the counter directly, so any range of
    draws is generated without the draws before it.
    """
    k = np.random.SeedSequence(seed, spawn_key=(key,)).generate_state(2, np.uint64)
    start = N_UNIFORMS * first
    block, skip = divmod(start, 4)            # Philox4x64 yields 4 doubles per counter
    gen = np.random.Generator(np.random.Philox(key=k, counter=block))
    u = gen.random(skip + N_UNIFORMS * (last - first))[skip:]
    return u.reshape(last - first, N_UNIFORMS)
