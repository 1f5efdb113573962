"""The energy LP built once, re-solved for samples that change its numbers, not its shape.

An uncertainty sample multiplies datasets by factors (``Catalogue.with_factors``). Most
datasets enter the LP linearly: a cost scales objective coefficients, a limit scales a
right-hand side or a bound, an intensity scales matrix coefficients. For those, the LP of
a sample is the base LP plus, per sampled dataset ``k``, the change one unit of its
factor makes::

    M(x) = M(1) + Σ_k (x_k − 1) · ΔM_k,    ΔM_k = (M(1 + h·e_k) − M(1)) / h

for every array ``M`` of the LP (the constraint matrix ``A``, right-hand sides ``b``,
costs ``c``, variable bounds ``lb``/``ub``). :class:`LinearLP` finds ``ΔM_k`` by building
the model once at the base point and once per dataset at a perturbed point, with the
public builders of :mod:`shigen.energy.model` only (so it survives changes to the
formulation), and checks the claim: per dataset, a second perturbation (factor
``1 + 2h``) must move every array exactly twice as far, and one joint perturbation of all
datasets must equal the sum of their single moves (no product of two sampled datasets).
Datasets that fail either check, or change the LP's shape (which variables and
constraints exist, the matrix pattern), are ``nonlinear``: a sample that moves one of
them is rebuilt (:meth:`LinearLP.solve` says so).

A re-solve hands HiGHS the changed arrays (``passModel``) and the previous sample's basis,
so the dual simplex starts from a nearby vertex instead of from scratch.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from shigen.energy.config import EnergyConfig
from shigen.energy.inputs import load_inputs
from shigen.energy.model import create_model

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

STEP = 0.05
"""Perturbation ``h`` of a factor (1 + h, then 1 + 2h) when finding a dataset's ΔM."""
RTOL = 1e-9
"""Relative tolerance of the linearity checks (entries are compared to the largest one)."""


@dataclass(frozen=True)
class LPArrays:
    """One LP in solver form: min c·x s.t. row_lower ≤ A x ≤ row_upper, lb ≤ x ≤ ub."""

    vlabels: np.ndarray
    clabels: np.ndarray
    A: sp.csc_array
    c: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    lb: np.ndarray
    ub: np.ndarray

    def same_shape(self, other: LPArrays) -> bool:
        return (np.array_equal(self.vlabels, other.vlabels)
                and np.array_equal(self.clabels, other.clabels) and self.A.shape == other.A.shape)


def lp_arrays(cfg: EnergyConfig, cat: Catalogue) -> LPArrays:
    """Build the study's LP from ``cat`` and return its arrays (linopy's matrix accessor)."""
    f = create_model(cfg, load_inputs(cfg, cat))
    mat = f.m.matrices
    b, sense = np.asarray(mat.b, dtype=float), np.asarray(mat.sense)
    lower = np.where(np.isin(sense, ("<", "<=")), -np.inf, b)
    upper = np.where(np.isin(sense, (">", ">=")), np.inf, b)
    assert mat.A is not None
    return LPArrays(np.asarray(mat.vlabels), np.asarray(mat.clabels), sp.csc_array(mat.A),
                    np.asarray(mat.c, dtype=float), lower, upper,
                    np.asarray(mat.lb, dtype=float), np.asarray(mat.ub, dtype=float))


def _vectors(lp: LPArrays) -> dict[str, np.ndarray]:
    return {"c": lp.c, "row_lower": lp.row_lower, "row_upper": lp.row_upper, "lb": lp.lb,
            "ub": lp.ub}


def _finite_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    # infinite bounds do not move: their difference is 0, a finite bound becoming infinite
    # (or back) is a change of shape, caught by the caller as NaN
    both = np.isfinite(a) & np.isfinite(b)
    out = np.subtract(b, a, out=np.zeros(len(a)), where=both)
    out[np.isfinite(a) != np.isfinite(b)] = np.nan
    return out


@dataclass
class Delta:
    """ΔM of one dataset per unit of its factor."""

    A: sp.csc_array
    vectors: dict[str, np.ndarray]


def _delta(base: LPArrays, moved: LPArrays, h: float) -> Delta | None:
    if not base.same_shape(moved):
        return None
    vec = {k: _finite_diff(v, _vectors(moved)[k]) / h for k, v in _vectors(base).items()}
    if any(np.isnan(v).any() for v in vec.values()):
        return None
    return Delta(sp.csc_array((moved.A - base.A) / h), vec)


def _close(x: Delta, y: Delta, scale: float) -> bool:
    tol = RTOL * max(scale, 1.0)
    if abs(x.A - y.A).max() > tol if (x.A - y.A).nnz else False:
        return False
    return all(np.allclose(x.vectors[k], y.vectors[k], rtol=0, atol=tol) for k in x.vectors)


def _scale(lp: LPArrays) -> float:
    parts = [abs(lp.A).max() if lp.A.nnz else 0.0]
    parts += [float(np.abs(v[np.isfinite(v)]).max()) if np.isfinite(v).any() else 0.0
              for v in _vectors(lp).values()]
    return max(parts)


@dataclass
class ResolveStats:
    """Seconds spent and how samples were solved."""

    build_s: float = 0.0
    resolved: int = 0
    rebuilt: int = 0
    solver_s: list[float] = field(default_factory=list)


class LinearLP:
    """The base LP, the ΔM of every linear dataset, and a warm-started HiGHS re-solve."""

    def __init__(self, cfg: EnergyConfig, catalogue: Catalogue, datasets: Sequence[str],
                 step: float = STEP):
        t0 = time.perf_counter()
        self.cfg, self.catalogue, self.step = cfg, catalogue, step
        self.base = lp_arrays(cfg, catalogue)
        self.deltas: dict[str, Delta] = {}
        self.nonlinear: list[str] = []
        scale = _scale(self.base)
        for name in datasets:
            one = _delta(self.base, lp_arrays(cfg, catalogue.with_factors({name: 1 + step})),
                         step)
            two = _delta(self.base, lp_arrays(cfg, catalogue.with_factors({name: 1 + 2 * step})),
                         2 * step)
            if one is None or two is None or not _close(one, two, scale):
                self.nonlinear.append(name)
            else:
                self.deltas[name] = one
        self._joint_check(scale)
        self.stats = ResolveStats(build_s=time.perf_counter() - t0)
        self._highs: Any = None
        self._basis: Any = None

    def _joint_check(self, scale: float) -> None:
        """All linear datasets moved at once must move the LP by the sum of their moves."""
        names = sorted(self.deltas)
        if len(names) < 2:
            return
        weights = {n: 1.0 + self.step * (1 + i % 3) / 3 for i, n in enumerate(names)}
        joint = _delta(self.base, lp_arrays(self.cfg, self.catalogue.with_factors(weights)), 1.0)
        predicted = self.predict(weights)
        pred = Delta(sp.csc_array(predicted.A - self.base.A),
                     {k: _finite_diff(v, _vectors(predicted)[k])
                      for k, v in _vectors(self.base).items()})
        if joint is None or not _close(joint, pred, scale):
            # a product of two sampled datasets: none of them can be trusted alone
            self.nonlinear += names
            self.deltas.clear()

    def linear(self, factors: Mapping[str, float]) -> bool:
        """Whether the LP at ``factors`` is the base LP plus the linear moves."""
        return all(n in self.deltas for n, f in factors.items() if f != 1.0)

    def predict(self, factors: Mapping[str, float]) -> LPArrays:
        """The LP at ``factors`` (datasets → factor), from the base and the ΔM."""
        A = self.base.A.copy()
        vec = {k: v.copy() for k, v in _vectors(self.base).items()}
        for name, f in factors.items():
            d = self.deltas[name]
            A = A + (f - 1.0) * d.A
            for k in vec:
                vec[k] = vec[k] + (f - 1.0) * d.vectors[k]
        return LPArrays(self.base.vlabels, self.base.clabels, sp.csc_array(A), vec["c"],
                        vec["row_lower"], vec["row_upper"], vec["lb"], vec["ub"])

    def solve(self, factors: Mapping[str, float]) -> tuple[float, np.ndarray, str]:
        """Objective, primal solution (by ``vlabels``) and how: ``resolved`` or ``rebuilt``."""
        if self.linear(factors):
            obj, x = self._solve_arrays(self.predict(factors), warm=True)
            self.stats.resolved += 1
            return obj, x, "resolved"
        lp = lp_arrays(self.cfg, self.catalogue.with_factors(dict(factors)))
        obj, x = solve_arrays(lp)
        self.stats.rebuilt += 1
        return obj, x, "rebuilt"

    def _solve_arrays(self, lp: LPArrays, warm: bool) -> tuple[float, np.ndarray]:
        import highspy

        if self._highs is None:
            self._highs = _new_highs()
        h = self._highs
        h.passModel(_highs_lp(lp))
        if warm and self._basis is not None:
            h.setBasis(self._basis)
        t0 = time.perf_counter()
        h.run()
        self.stats.solver_s.append(time.perf_counter() - t0)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise ArithmeticError(f"HiGHS: {h.modelStatusToString(h.getModelStatus())}")
        self._basis = h.getBasis()
        return float(h.getInfo().objective_function_value), np.asarray(h.getSolution().col_value)


def _new_highs() -> Any:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.setOptionValue("simplex_strategy", 1)  # dual simplex, as the energy stage
    return h


def _highs_lp(lp: LPArrays) -> Any:
    import highspy

    hl = highspy.HighsLp()
    hl.num_col_, hl.num_row_ = int(lp.A.shape[1]), int(lp.A.shape[0])
    hl.col_cost_, hl.col_lower_, hl.col_upper_ = lp.c, lp.lb, lp.ub
    hl.row_lower_, hl.row_upper_ = lp.row_lower, lp.row_upper
    A = sp.csc_array(lp.A)
    A.sort_indices()
    hl.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    hl.a_matrix_.start_ = A.indptr
    hl.a_matrix_.index_ = A.indices
    hl.a_matrix_.value_ = A.data
    return hl


def solve_arrays(lp: LPArrays) -> tuple[float, np.ndarray]:
    """Solve ``lp`` cold in a fresh HiGHS (the floor of a sample, and the rebuild path)."""
    import highspy

    h = _new_highs()
    h.passModel(_highs_lp(lp))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise ArithmeticError(f"HiGHS: {h.modelStatusToString(h.getModelStatus())}")
    return float(h.getInfo().objective_function_value), np.asarray(h.getSolution().col_value)
