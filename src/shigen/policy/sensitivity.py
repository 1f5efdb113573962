"""Global sensitivity: Sobol first-order and total indices with SALib.

The design is Saltelli's extension of a scrambled Sobol sequence (SALib
``sample.sobol``; ``N·(D+2)`` points without second-order terms) in the unit
hypercube, mapped to each parameter's distribution by its inverse CDF. Every point
is evaluated with the study's own seed (common random numbers), so the model seen
by the estimator is a deterministic function of the parameters. Indices are
estimated by SALib ``analyze.sobol`` (Saltelli et al. 2010 for S1, Jansen 1999 for
ST) with bootstrap confidence intervals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from shigen.policy.config import Uncertain


@dataclass(frozen=True)
class SobolResult:
    """Indices by criterion and parameter: arrays of shape (criteria, parameters)."""

    criteria: list[str]
    parameters: list[str]
    S1: np.ndarray
    ST: np.ndarray
    S1_conf: np.ndarray
    ST_conf: np.ndarray
    evaluations: int

    def to_json(self) -> dict[str, dict[str, dict[str, float]]]:
        return {c: {p: {"S1": round(float(self.S1[i, j]), 6), "ST": round(float(self.ST[i, j]), 6)}
                    for j, p in enumerate(self.parameters)}
                for i, c in enumerate(self.criteria)}


def design(n: int, dims: int, seed: int) -> np.ndarray:
    """Saltelli/Sobol points in [0, 1)^dims, shape (n·(dims+2), dims)."""
    from SALib.sample import sobol as sobol_sample

    problem = {"num_vars": dims, "names": [f"u{i}" for i in range(dims)],
               "bounds": [[0.0, 1.0]] * dims}
    return np.asarray(sobol_sample.sample(problem, n, calc_second_order=False, seed=seed))


def analyze(params: Sequence[Uncertain] | Sequence[str], criteria: Sequence[str],
            y: np.ndarray, seed: int) -> SobolResult:
    """Sobol indices of each column of ``y`` (shape (points, criteria)).

    A criterion that does not vary at all has no variance to apportion: its indices
    are 0.
    """
    from SALib.analyze import sobol as sobol_analyze

    names = [p if isinstance(p, str) else p.name for p in params]
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    shape = (len(criteria), len(names))
    out = {k: np.zeros(shape) for k in ("S1", "ST", "S1_conf", "ST_conf")}
    for i in range(len(criteria)):
        col = y[:, i]
        if np.ptp(col) == 0:
            continue
        res = sobol_analyze.analyze(problem, col, calc_second_order=False, seed=seed)
        for k in out:
            out[k][i] = res[k]
    return SobolResult(list(criteria), names, out["S1"], out["ST"], out["S1_conf"],
                       out["ST_conf"], int(y.shape[0]))


def sobol(fn: Callable[[np.ndarray], np.ndarray], params: Sequence[Uncertain] | Sequence[str],
          criteria: Sequence[str], n: int, seed: int) -> SobolResult:
    """Design, evaluate ``fn`` (points in [0,1)^D → (points, criteria)), analyse."""
    u = design(n, len(params), seed)
    return analyze(params, criteria, fn(u), seed)
