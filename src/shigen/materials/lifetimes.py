"""Lifetime distributions and the survival matrix of a cohort model.

A lifetime is one parameter set of one distribution (fixed, normal, lognormal,
Weibull). Its survival matrix ``sf[t, c]`` is the share of the inflow of year
``c`` (the cohort) still in use at the end of year ``t``. With lifetimes that do
not change over time the matrix is a lower-triangular Toeplitz matrix, so it is
built from **one** vectorised survival-function call over the ages
``0 .. T-1`` — no loop over cohorts.

Conventions follow flodym (``inflow_at``): the age of cohort ``c`` at the end of
year ``t`` is ``t - c + 1`` if inflow happens at the start of the year, ``t - c + 0.5``
in the middle (default) and ``t - c`` at the end (ODYM's convention). A normal
lifetime is not truncated: the probability mass below age 0 leaves in the
year of inflow, as in ODYM and flodym.

Examples
--------
>>> lt = Lifetime(LifetimeKind.FIXED, mean=3)
>>> survival_matrix(lt, 5)[:, 0].tolist()
[1.0, 1.0, 1.0, 0.0, 0.0]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Literal

import numpy as np
from scipy.linalg import solve_triangular
from scipy.special import ndtr

InflowAt = Literal["start", "middle", "end"]
AGE_OFFSET: dict[str, float] = {"start": 1.0, "middle": 0.5, "end": 0.0}


class LifetimeKind(StrEnum):
    """The distribution family of a product lifetime."""

    FIXED = "fixed"
    NORMAL = "normal"
    LOGNORMAL = "lognormal"
    WEIBULL = "weibull"


@dataclass(frozen=True)
class Lifetime:
    """One lifetime parameter set (years).

    ``mean``/``std`` are those of the distribution itself (for lognormal, of the
    lognormal, as in ODYM and flodym); Weibull takes ``shape`` and ``scale``.
    """

    kind: LifetimeKind
    mean: float | None = None
    std: float | None = None
    shape: float | None = None
    scale: float | None = None

    def __post_init__(self) -> None:
        need = {LifetimeKind.FIXED: ("mean",), LifetimeKind.NORMAL: ("mean", "std"),
                LifetimeKind.LOGNORMAL: ("mean", "std"),
                LifetimeKind.WEIBULL: ("shape", "scale")}[self.kind]
        for name in need:
            v = getattr(self, name)
            if v is None or not math.isfinite(v) or v < 0:
                raise ValueError(f"{self.kind.value} lifetime needs a finite {name} >= 0, got {v}")
        if self.kind in (LifetimeKind.LOGNORMAL, LifetimeKind.WEIBULL):
            key = "mean" if self.kind is LifetimeKind.LOGNORMAL else "scale"
            if not getattr(self, key) > 0:
                raise ValueError(f"{self.kind.value} lifetime needs {key} > 0")
        if self.kind in (LifetimeKind.NORMAL, LifetimeKind.LOGNORMAL) and not self.std > 0:  # type: ignore[operator]
            raise ValueError(f"{self.kind.value} lifetime needs std > 0")
        if self.kind is LifetimeKind.WEIBULL and not self.shape > 0:  # type: ignore[operator]
            raise ValueError("weibull lifetime needs shape > 0")

    def survival(self, ages: np.ndarray) -> np.ndarray:
        """Share of a cohort still in use at each age (one vectorised call).

        Closed forms of the survival functions of ``scipy.stats`` (norm, lognorm,
        weibull_min), evaluated with ``scipy.special.ndtr`` to skip the per-call
        overhead of the distribution objects.
        """
        a = np.asarray(ages, dtype=float)
        if self.kind is LifetimeKind.FIXED:
            return (a < self.mean).astype(float)
        if self.kind is LifetimeKind.NORMAL:
            return ndtr((self.mean - a) / self.std)  # type: ignore[operator]
        positive = np.where(a > 0, a, 1.0)
        if self.kind is LifetimeKind.LOGNORMAL:
            m2, s2 = self.mean * self.mean, self.std * self.std  # type: ignore[operator]
            mu = np.log(m2 / np.sqrt(m2 + s2))
            sigma = np.sqrt(np.log(1 + s2 / m2))
            return np.where(a > 0, ndtr((mu - np.log(positive)) / sigma), 1.0)
        return np.where(a > 0, np.exp(-((positive / self.scale) ** self.shape)), 1.0)  # type: ignore[operator]

    def expected(self) -> float:
        """Mean lifetime in years."""
        if self.kind is LifetimeKind.WEIBULL:
            return float(self.scale * math.gamma(1 + 1 / self.shape))  # type: ignore[operator]
        return float(self.mean)  # type: ignore[arg-type]


def survival_by_age(lifetime: Lifetime, n_years: int, inflow_at: InflowAt = "middle") -> np.ndarray:
    """Survival at the end of year ``k`` after the inflow year, ``k = 0 .. n_years-1``."""
    return lifetime.survival(np.arange(n_years, dtype=float) + AGE_OFFSET[inflow_at])


@lru_cache(maxsize=16)
def _lag_index(n: int) -> np.ndarray:
    """``lag[t, c] = t - c`` below the diagonal, ``n`` (a zero pad) above it."""
    lag = np.subtract.outer(np.arange(n), np.arange(n))
    lag[lag < 0] = n
    lag.setflags(write=False)
    return lag


def _toeplitz_lower(first_column: np.ndarray) -> np.ndarray:
    padded = np.append(first_column, 0.0)
    return padded[_lag_index(first_column.size)]


@lru_cache(maxsize=256)
def _matrices(lifetime: Lifetime, n_years: int, inflow_at: str) -> tuple[np.ndarray, np.ndarray]:
    s = survival_by_age(lifetime, n_years, inflow_at)  # type: ignore[arg-type]
    leave = np.empty_like(s)
    leave[0] = 1.0 - s[0]
    leave[1:] = s[:-1] - s[1:]
    sf, pdf = _toeplitz_lower(s), _toeplitz_lower(leave)
    sf.setflags(write=False)
    pdf.setflags(write=False)
    return sf, pdf


@lru_cache(maxsize=256)
def _inverse(lifetime: Lifetime, n_years: int, inflow_at: str) -> np.ndarray:
    sf = _matrices(lifetime, n_years, inflow_at)[0]
    if n_years and sf[0, 0] <= 0.0:
        raise ValueError(f"lifetime {lifetime} retires everything in the year of inflow; "
                         "a stock-driven model needs products that survive their first year")
    unit = np.zeros(n_years)
    if n_years:
        unit[0] = 1.0
    # the inverse of a lower-triangular Toeplitz matrix is lower-triangular Toeplitz:
    # one triangular solve gives its first column
    inv = _toeplitz_lower(solve_triangular(sf, unit, lower=True, check_finite=False))
    inv.setflags(write=False)
    return inv


def survival_matrix(lifetime: Lifetime, n_years: int, inflow_at: InflowAt = "middle") -> np.ndarray:
    """``sf[t, c]``: share of cohort ``c`` in use at the end of year ``t`` (read-only, cached)."""
    return _matrices(lifetime, n_years, inflow_at)[0]


def inverse_survival_matrix(lifetime: Lifetime, n_years: int,
                            inflow_at: InflowAt = "middle") -> np.ndarray:
    """Inverse of :func:`survival_matrix` (stock → inflow), read-only and cached."""
    return _inverse(lifetime, n_years, inflow_at)


def outflow_matrix(lifetime: Lifetime, n_years: int, inflow_at: InflowAt = "middle") -> np.ndarray:
    """``pdf[t, c]``: share of cohort ``c`` leaving use during year ``t`` (read-only, cached)."""
    return _matrices(lifetime, n_years, inflow_at)[1]
