"""Domain assertions for material-flow results, used by shigen's own tests.

>>> import numpy as np
>>> from shigen.materials.cohort import inflow_driven
>>> from shigen.materials.lifetimes import Lifetime, LifetimeKind
>>> flows = inflow_driven(np.ones((1, 3, 20)), [Lifetime(LifetimeKind.NORMAL, mean=5, std=2)])
>>> assert_mass_balance(flows.inflow, flows.outflow, flows.stock)
"""

from __future__ import annotations

import numpy as np

from shigen.materials.cohort import max_rel_error


def assert_mass_balance(inflow: np.ndarray, outflow: np.ndarray, stock: np.ndarray,
                        rtol: float = 1e-9) -> None:
    """``inflow - outflow - Δstock = 0`` (time last) within ``rtol`` of the largest flow."""
    err = max_rel_error(np.asarray(inflow), np.asarray(outflow), np.asarray(stock))
    if not err <= rtol:
        raise AssertionError(f"mass balance off by {err:.3g} relative (> {rtol:g})")


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
