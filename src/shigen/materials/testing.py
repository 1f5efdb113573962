"""Assertions on cohort-model arrays, used by shigen's own tests.

The mass balance is :func:`shigen.testing.assert_mass_balance` (one assertion for
every stage); these two compare arrays without labels.

>>> import numpy as np
>>> assert_non_negative(np.array([0.0, 2.0]))
"""

from __future__ import annotations

import numpy as np


def assert_non_negative(values: np.ndarray, name: str = "stock", atol: float = 0.0) -> None:
    """No entry below ``-atol``."""
    low = float(np.min(values, initial=0.0))
    if low < -atol:
        raise AssertionError(f"{name} goes negative ({low:g})")


def assert_agree(actual: np.ndarray, expected: np.ndarray, rtol: float = 1e-9) -> None:
    """Largest absolute difference within ``rtol`` of the largest expected magnitude."""
    a, e = np.asarray(actual, dtype=float), np.asarray(expected, dtype=float)
    if a.shape != e.shape:
        raise AssertionError(f"shapes differ: {a.shape} vs {e.shape}")
    scale = max(float(np.max(np.abs(e), initial=0.0)), 1e-300)
    err = float(np.max(np.abs(a - e), initial=0.0)) / scale
    if not err <= rtol:
        raise AssertionError(f"results differ by {err:.3g} relative (> {rtol:g})")
