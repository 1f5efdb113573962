"""Concentration indicators on share vectors.

HHI = Σ s_i² with shares as fractions (0–1 scale; ×10,000 for points).
The ``OTHER`` residual (many small producers) is excluded from the sum, so the
HHI is computed over named countries (the convention of USGS-based worked
examples; see docs/methods/supply.md).

>>> hhi({"CHN": 0.5, "USA": 0.5})
0.5
"""

from __future__ import annotations

from collections.abc import Mapping

AGGREGATE = "OTHER"


def shares(volumes: Mapping[str, float]) -> dict[str, float]:
    """Shares of a total (including the OTHER residual in the denominator)."""
    total = sum(v for v in volumes.values() if v > 0)
    if total <= 0:
        return {}
    return {k: v / total for k, v in volumes.items() if v > 0}


def hhi(share: Mapping[str, float]) -> float:
    """Herfindahl–Hirschman index (0–1) over named suppliers."""
    return float(sum(s * s for k, s in share.items() if k != AGGREGATE))


def top(share: Mapping[str, float]) -> tuple[str | None, float | None]:
    named = {k: v for k, v in share.items() if k != AGGREGATE}
    if not named:
        return None, None
    k = max(named, key=lambda c: (named[c], c))
    return k, float(named[k])
