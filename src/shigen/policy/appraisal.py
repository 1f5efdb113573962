"""Multi-criteria appraisal: normalisation, weighted sum, TOPSIS, ranking, stability.

Notation: ``x[i, j]`` is package *i*'s value on criterion *j*; ``w[j] > 0`` the
weights, normalised to sum 1; ``benefit[j]`` is True when more is better
(``sense = "max"``). Formulas and citations: ``docs/methods/policy.md``.

Examples
--------
>>> import numpy as np
>>> x = np.array([[1.0, 10.0], [2.0, 5.0]])   # criterion 0: min, criterion 1: max
>>> benefit = np.array([False, True])
>>> weighted_sum(x, np.array([0.5, 0.5]), benefit).round(3).tolist()
[1.0, 0.0]
>>> topsis(x, np.array([0.5, 0.5]), benefit).round(3).tolist()
[1.0, 0.0]
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np


class Method(StrEnum):
    TOPSIS = "topsis"
    WEIGHTED_SUM = "weighted-sum"


def minmax(x: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """Min–max normalisation to [0, 1], 1 = best; a criterion with no spread scores 1."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    span = hi - lo
    safe = np.where(span > 0, span, 1.0)
    r = np.where(benefit, (x - lo) / safe, (hi - x) / safe)
    return np.where(span > 0, r, 1.0)


def vector_norm(x: np.ndarray) -> np.ndarray:
    """Vector normalisation ``x[i, j] / sqrt(sum_i x[i, j]^2)`` (0 where a column is all 0)."""
    norm = np.sqrt((x**2).sum(axis=0))
    return np.divide(x, norm, out=np.zeros_like(x, dtype=float), where=norm > 0)


def _weights(w: np.ndarray) -> np.ndarray:
    w = np.asarray(w, dtype=float)
    return w / w.sum(axis=-1, keepdims=True)


def weighted_sum(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """Simple additive weighting on min–max normalised values; ``w`` may be (S, J)."""
    r = minmax(x, benefit)
    return _weights(w) @ r.T if np.ndim(w) == 2 else r @ _weights(w)


def topsis(x: np.ndarray, w: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """TOPSIS closeness ``D-/(D+ + D-)`` in [0, 1]; 1 = at the ideal. ``w`` may be (S, J).

    With every package identical the closeness is 0.5 for all.
    """
    r = vector_norm(x)
    ww = _weights(w)
    v = ww[..., None, :] * r  # (..., package, criterion)
    ideal = np.where(benefit, v.max(axis=-2), v.min(axis=-2))[..., None, :]
    anti = np.where(benefit, v.min(axis=-2), v.max(axis=-2))[..., None, :]
    d_plus = np.sqrt(((v - ideal) ** 2).sum(axis=-1))
    d_minus = np.sqrt(((v - anti) ** 2).sum(axis=-1))
    total = d_plus + d_minus
    return np.divide(d_minus, total, out=np.full_like(total, 0.5), where=total > 0)


def scores(x: np.ndarray, w: np.ndarray, benefit: np.ndarray, method: Method | str) -> np.ndarray:
    """Scores of each package (higher is better) by ``method``."""
    m = Method(method)
    return topsis(x, w, benefit) if m is Method.TOPSIS else weighted_sum(x, w, benefit)


def ranking(score: np.ndarray) -> np.ndarray:
    """Package indices best first; ties keep declaration order (stable sort)."""
    return np.argsort(-score, kind="stable")


def rank_stability(x: np.ndarray, benefit: np.ndarray, method: Method | str, samples: int,
                   seed: int) -> np.ndarray:
    """Share of weight space where each package ranks first.

    Weights are drawn uniformly on the simplex (Dirichlet with all concentrations 1),
    ``samples`` of them, from ``seed``; a tie goes to the first-declared package.
    """
    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.ones(x.shape[1]), size=samples)
    best = np.argmax(scores(x, w, benefit, method), axis=-1)
    return np.bincount(best, minlength=x.shape[0]) / samples
