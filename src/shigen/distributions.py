"""Probability distributions of study inputs: one TOML spelling, one inverse CDF.

Disruption events (onset, duration, depth) and policy uncertainties share these
models and :func:`quantile`. In a study file a distribution is an inline table whose
``dist`` key names it::

    depth = { dist = "uniform", low = 0.5, high = 1.0 }
    duration_days = { dist = "lognormal", median = 90, sigma = 0.8, max = 730 }
    distribution = { dist = "normal", mean = 2009, sd = 2 }      # a policy uncertainty

Every sample in shigen is an inverse-CDF transform of a uniform, so it is monotone in
the uniform (common random numbers, Sobol designs) and a draw's value depends on its
uniform only.

Examples
--------
>>> import numpy as np
>>> quantile(Uniform(dist="uniform", low=2.0, high=4.0), np.array([0.0, 0.5]))
array([2., 3.])
>>> float(quantile(Normal(dist="normal", mean=1.0, sd=2.0), np.array([0.5]))[0])
1.0
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["TAGS", "Distribution", "Fixed", "LogNormal", "Normal", "Triangular", "Uniform",
           "quantile"]


class _Dist(BaseModel):
    # inf and nan are not parameters of any distribution a person means to write
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Fixed(_Dist):
    """A known value (a plain number in a study means the same)."""

    dist: Literal["fixed"] = "fixed"
    value: float


class Uniform(_Dist):
    """Every value in [low, high] equally likely."""

    dist: Literal["uniform"]
    low: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Uniform:
        if self.high < self.low:
            raise ValueError("uniform needs low <= high")
        return self


class Triangular(_Dist):
    """Density rising linearly from ``low`` to ``mode`` and falling to ``high``."""

    dist: Literal["triangular"]
    low: float
    mode: float
    high: float

    @model_validator(mode="after")
    def _order(self) -> Triangular:
        if not self.low <= self.mode <= self.high:
            raise ValueError("triangular needs low <= mode <= high")
        return self


class Normal(_Dist):
    """Normal (Gaussian) with mean ``mean`` and standard deviation ``sd``."""

    dist: Literal["normal"]
    mean: float
    sd: float = Field(gt=0)


class LogNormal(_Dist):
    """Log-normal given by its median and the standard deviation of its logarithm."""

    dist: Literal["lognormal"]
    median: float = Field(gt=0)
    sigma: float = Field(ge=0, le=5)
    max: float | None = Field(default=None, gt=0, description="truncate draws above this")


Distribution = Annotated[Fixed | Uniform | Triangular | Normal | LogNormal,
                         Field(discriminator="dist")]

TAGS = frozenset(("fixed", "uniform", "triangular", "normal", "lognormal"))
"""The values of ``dist`` (pydantic puts the tag in an error's path, e.g. ``depth.normal.sd``)."""

_TAIL = 1e-12  # normal quantiles at u = 0 or 1 are infinite; clip just inside


def quantile(dist: Fixed | Uniform | Triangular | Normal | LogNormal,
             u: np.ndarray) -> np.ndarray:
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
    # scipy is imported here only: study validation needs the models, not the sampler
    from scipy.special import ndtri

    z = ndtri(np.clip(u, _TAIL, 1 - _TAIL))
    if isinstance(dist, Normal):
        out: np.ndarray = z * dist.sd + dist.mean
        return out
    if isinstance(dist, LogNormal):
        x = dist.median * np.exp(dist.sigma * z)
        return np.minimum(x, dist.max) if dist.max is not None else x
    raise TypeError(f"unknown distribution {dist!r}")
