"""shigen.distributions: one set of distributions and one inverse CDF for every stage.

Disruption events and policy uncertainties sample through the same ``quantile``; the
policy section's old spelling (``distribution = "normal"`` with ``mean``/``sd`` beside
it) still validates, with a FutureWarning, and draws the same numbers it always did.
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError
from scipy import stats

from shigen.distributions import (
    Distribution,
    Fixed,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
    quantile,
)
from shigen.policy.config import Uncertain
from shigen.policy.uncertainty import ppf

U = np.array([0.0, 1e-13, 0.1, 0.25, 0.5, 0.9, 1 - 1e-13])
DIST = TypeAdapter(Distribution)


def test_quantiles_by_hand() -> None:
    u = np.array([0.0, 0.5, 0.75])
    assert quantile(Fixed(value=7.0), u).tolist() == [7.0, 7.0, 7.0]
    assert quantile(Uniform(dist="uniform", low=2, high=6), u).tolist() == [2.0, 4.0, 5.0]
    # symmetric triangle 0..2: F(1) = 1/2; F(x) = 1 - (2 - x)^2 / 2 above the mode
    tri = quantile(Triangular(dist="triangular", low=0, mode=1, high=2), u)
    assert tri == pytest.approx([0.0, 1.0, 2 - np.sqrt(0.5)], abs=1e-12)
    assert quantile(Normal(dist="normal", mean=3, sd=2), np.array([0.5]))[0] == 3.0
    assert quantile(Normal(dist="normal", mean=0, sd=1),
                    np.array([0.975]))[0] == pytest.approx(1.959964, abs=1e-6)
    ln = LogNormal(dist="lognormal", median=90, sigma=0.8, max=100)
    assert quantile(ln, np.array([0.5, 0.99])).tolist() == [90.0, 100.0]  # median; truncated


def test_every_quantile_is_monotone_and_finite_at_the_ends() -> None:
    for dist in (Uniform(dist="uniform", low=-1, high=1),
                 Triangular(dist="triangular", low=0, mode=0.2, high=1),
                 Normal(dist="normal", mean=0, sd=1),
                 LogNormal(dist="lognormal", median=1, sigma=0.5)):
        x = quantile(dist, U)
        assert np.all(np.isfinite(x)) and np.all(np.diff(x) >= 0), dist


def test_one_toml_spelling_with_the_dist_key() -> None:
    d = DIST.validate_python({"dist": "normal", "mean": 1.0, "sd": 0.5})
    assert isinstance(d, Normal)
    with pytest.raises(ValidationError, match="low <= mode <= high"):
        DIST.validate_python({"dist": "triangular", "low": 1, "mode": 0, "high": 2})
    with pytest.raises(ValidationError, match="finite"):
        DIST.validate_python({"dist": "uniform", "low": 0, "high": float("inf")})
    with pytest.raises(ValidationError):
        DIST.validate_python({"dist": "beta", "a": 1})


@pytest.mark.parametrize("old,new,reference", [
    ({"distribution": "uniform", "low": 30, "high": 180},
     {"dist": "uniform", "low": 30, "high": 180},
     lambda u: stats.uniform.ppf(u, loc=30, scale=150)),
    ({"distribution": "normal", "mean": 2.0, "sd": 0.3},
     {"dist": "normal", "mean": 2.0, "sd": 0.3},
     lambda u: stats.norm.ppf(u, loc=2.0, scale=0.3)),
    ({"distribution": "lognormal", "mean": 1.5, "sd": 0.4},
     {"dist": "lognormal", "median": float(np.exp(1.5)), "sigma": 0.4},
     lambda u: stats.lognorm.ppf(u, s=0.4, scale=np.exp(1.5))),
])
def test_old_policy_spelling_warns_and_draws_the_same_numbers(old, new, reference) -> None:
    with pytest.warns(FutureWarning, match=r"policy.uncertain 'p'.*write `distribution = \{ dist"):
        before = Uncertain.model_validate({"name": "p", "path": "x.y", **old})
    after = Uncertain.model_validate({"name": "p", "path": "x.y", "distribution": new})
    assert before == after
    u = np.clip(U, 1e-12, 1 - 1e-12)
    # the values the scipy-based sampler of earlier versions drew, bit for bit
    np.testing.assert_array_equal(ppf(after, U), reference(u))


def test_old_policy_spelling_keeps_its_messages() -> None:
    with pytest.raises(ValidationError, match="needs mean, sd; missing sd"):
        Uncertain.model_validate({"name": "p", "path": "x.y", "distribution": "normal",
                                  "mean": 1.0})
    with pytest.raises(ValidationError, match="does not take mode"):
        Uncertain.model_validate({"name": "p", "path": "x.y", "distribution": "uniform",
                                  "low": 0, "high": 1, "mode": 0.5})


def test_an_uncertain_parameter_must_vary() -> None:
    with pytest.raises(ValidationError, match="not a fixed value"):
        Uncertain.model_validate({"name": "p", "path": "x.y",
                                  "distribution": {"dist": "fixed", "value": 1.0}})
    with pytest.raises(ValidationError, match="low must be less than high"):
        Uncertain.model_validate({"name": "p", "path": "x.y",
                                  "distribution": {"dist": "uniform", "low": 1, "high": 1}})
    p = Uncertain.model_validate({"name": "p", "path": "x.y", "integer": True,
                                  "distribution": {"dist": "uniform", "low": 30, "high": 180}})
    assert ppf(p, np.array([0.0, 0.5, 0.999])).tolist() == [30.0, 105.0, 180.0]
