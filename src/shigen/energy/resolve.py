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

A re-solve hands HiGHS the changed arrays (``passModel``) and the optimal basis of the
base LP, so the dual simplex starts from a nearby vertex instead of from scratch. Always
the base's basis, never the previous sample's: a sample's result must not depend on which
sample a worker solved before it (identical results for any number of workers).

:class:`EnergyResampler` is what an uncertainty run uses (``StageSpec.resampler``): the
study's LP and its baseline's, and the headline atoms of both
(:class:`shigen.energy.headline.HeadlineMap`), built once in the parent and shipped to
the workers. A sample re-solves both LPs and computes its headline figures and the arrays
the materials stage reads from the solution vectors (a few sparse products): no dataset
is read, no linopy model written, no result dataset extracted. A study the atoms do not
cover (electricity links, an outage study) takes the full path instead: each worker
builds the linopy model once, and per sample writes the re-solved primal and dual values
and the sample's right-hand sides into it, then extracts the stage's dataset as a rebuilt
run would (:func:`shigen.energy.stage.outcome_dataset`). Samples the LP cannot take (a
nonlinear dataset, too few samples to repay the set-up, a rolling horizon, an infeasible
re-solve) are rebuilt, and :meth:`EnergyResampler.describe` says why.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import scipy.sparse as sp
import xarray as xr

from shigen.energy import headline
from shigen.energy.config import EnergyConfig
from shigen.energy.formulation import Formulation
from shigen.energy.inputs import Inputs, load_inputs
from shigen.energy.model import Outcome, Status, Timings, create_model, objective_value

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study

STEP = 0.05
"""Perturbation ``h`` of a factor (1 + h, then 1 + 2h) when finding a dataset's ΔM."""
DIAGONAL_FROM = 4
"""Above this many datasets, two builds along the diagonal first look for a curved one
(they cost two builds and save up to one per dataset when one is curved)."""
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


#: sees every model a :class:`LinearLP` builds: its factors, formulation, data and arrays
Observer = Callable[[Mapping[str, float], Formulation, "Catalogue", "LPArrays"], None]


def lp_arrays(cfg: EnergyConfig, cat: Catalogue,
              observe: Callable[[Formulation, LPArrays], None] | None = None) -> LPArrays:
    """Build the study's LP from ``cat`` and return its arrays (linopy's matrix accessor)."""
    f = create_model(cfg, load_inputs(cfg, cat))
    out = arrays(f)
    if observe is not None:
        observe(f, out)
    return out


def arrays(f: Formulation) -> LPArrays:
    """The arrays of a built model (linopy's matrix accessor), in solver form."""
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


@dataclass(frozen=True)
class Solved:
    """A re-solved LP: objective, primal values (by ``vlabels``), row duals and activities."""

    objective: float
    x: np.ndarray
    row_dual: np.ndarray
    row_value: np.ndarray
    highs: Any = field(repr=False, compare=False)


class LinearLP:
    """The base LP, the ΔM of every linear dataset, and a warm-started HiGHS re-solve.

    ``stop_at_first`` ends the checks at the first nonlinear dataset (an uncertainty
    sample moves every dataset, so one is enough to rebuild them all). ``observe`` sees
    every model built here (the headline atoms are read from the same builds).
    """

    def __init__(self, cfg: EnergyConfig, catalogue: Catalogue, datasets: Sequence[str],
                 step: float = STEP, stop_at_first: bool = False,
                 observe: Observer | None = None):
        t0 = time.perf_counter()
        self.cfg, self.catalogue, self.step = cfg, catalogue, step
        self._observe = observe
        self.base = self._build({})
        self.deltas: dict[str, Delta] = {}
        self.nonlinear: list[str] = []
        #: the datasets moved together were found curved before any was tried alone
        self.curved_together = False
        scale = _scale(self.base)
        if stop_at_first and len(datasets) > DIAGONAL_FROM and self._curved_diagonal(
                datasets, scale):
            self.nonlinear, self.curved_together = sorted(datasets), True
            datasets = []
        for name in datasets:
            one = _delta(self.base, self._build({name: 1 + step}), step)
            if one is None:  # another shape: which rows or columns exist changed
                self.nonlinear.append(name)
                if stop_at_first:
                    break
            else:
                self.deltas[name] = one
        if self.deltas and not (stop_at_first and self.nonlinear) and not self._joint_ok(scale):
            self._isolate(scale, stop_at_first)
        self._highs: Any = None
        # the base LP's optimal basis (col, row status), the start of a warm re-solve
        self._basis: tuple[np.ndarray, np.ndarray] | None = None
        self.stats = ResolveStats()
        self._basis = self._solve_arrays(self.base, warm=False).basis
        self.stats = ResolveStats(build_s=time.perf_counter() - t0)
        self._observe = None  # an observer stays in the process that set up the LP

    def _curved_diagonal(self, datasets: Sequence[str], scale: float) -> bool:
        """Whether moving every dataset at once (1 + h, then 1 + 2h) bends the LP.

        A linear LP moves twice as far at twice the step along any line; two builds
        find a curved dataset (a lifetime, the discount rate) or a product of two among
        many, where one build per dataset would take D builds to reach the first one.
        """
        one = _delta(self.base, self._build({n: 1 + self.step for n in datasets}), self.step)
        if one is None:
            return True
        two = _delta(self.base, self._build({n: 1 + 2 * self.step for n in datasets}),
                     2 * self.step)
        return two is None or not _close(one, two, scale)

    def _build(self, factors: Mapping[str, float]) -> LPArrays:
        """The LP at ``factors``, shown to the observer."""
        cat = self.catalogue.with_factors(dict(factors)) if factors else self.catalogue
        see = self._observe
        return lp_arrays(self.cfg, cat, None if see is None else
                         (lambda f, lp: see(factors, f, cat, lp)))

    def joint_weights(self) -> dict[str, float]:
        """The factors of the joint check: 1.5, 2 or 2.5 single steps per dataset."""
        return {n: 1.0 + self.step * (3 + i % 3) / 2 for i, n in enumerate(sorted(self.deltas))}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_highs"] = None  # a HiGHS instance stays in its process
        return state

    def _joint_ok(self, scale: float) -> bool:
        """All linear datasets moved at once move the LP by the sum of their single moves.

        Each factor moves 1.5, 2 or 2.5 times its single step, so a curved dataset (an
        annuity of a lifetime, a product of two datasets) misses the prediction.
        """
        weights = self.joint_weights()
        joint = _delta(self.base, self._build(weights), 1.0)
        predicted = self.predict(weights)
        pred = Delta(sp.csc_array(predicted.A - self.base.A),
                     {k: _finite_diff(v, _vectors(predicted)[k])
                      for k, v in _vectors(self.base).items()})
        return joint is not None and _close(joint, pred, scale)

    def _isolate(self, scale: float, stop_at_first: bool) -> None:
        """After a failed joint check: a second step per dataset names the curved ones."""
        for name in sorted(self.deltas):
            two = _delta(self.base, self._build({name: 1 + 2 * self.step}), 2 * self.step)
            if two is None or not _close(self.deltas[name], two, scale):
                self.nonlinear.append(name)
                del self.deltas[name]
                if stop_at_first:
                    return
        if len(self.deltas) >= 2 and not self._joint_ok(scale):
            # each alone is straight, together they are not: a product of two of them
            self.nonlinear += sorted(self.deltas)
            self.deltas.clear()

    def linear(self, factors: Mapping[str, float]) -> bool:
        """Whether the LP at ``factors`` is the base LP plus the linear moves."""
        return all(n in self.deltas for n, f in factors.items() if f != 1.0)

    def predict(self, factors: Mapping[str, float]) -> LPArrays:
        """The LP at ``factors`` (datasets → factor), from the base and the ΔM."""
        A = self.base.A.copy()
        vec = {k: v.copy() for k, v in _vectors(self.base).items()}
        for name, f in sorted(factors.items()):
            if f == 1.0:
                continue
            d = self.deltas[name]
            A = A + (f - 1.0) * d.A
            for k in vec:
                vec[k] = vec[k] + (f - 1.0) * d.vectors[k]
        return LPArrays(self.base.vlabels, self.base.clabels, sp.csc_array(A), vec["c"],
                        vec["row_lower"], vec["row_upper"], vec["lb"], vec["ub"])

    def solve(self, factors: Mapping[str, float]) -> tuple[float, np.ndarray, str]:
        """Objective, primal solution (by ``vlabels``) and how: ``resolved`` or ``rebuilt``."""
        if self.linear(factors):
            done = self.resolve(factors)
            return done.objective, done.x, "resolved"
        lp = lp_arrays(self.cfg, self.catalogue.with_factors(dict(factors)))
        obj, x = solve_arrays(lp)
        self.stats.rebuilt += 1
        return obj, x, "rebuilt"

    def resolve(self, factors: Mapping[str, float], warm: bool = True) -> Solved:
        """The LP at ``factors`` (all linear) solved, from the base's basis if ``warm``.

        Cold, HiGHS takes the same path as on the rebuilt LP and ends at the same vertex
        (a degenerate LP has other optimal vertices, which a warm start may reach).
        Raises ``ArithmeticError`` when HiGHS does not find an optimum (the caller
        rebuilds, which names the conflicts of an infeasible sample).
        """
        done = self._solve_arrays(self.predict(factors), warm)
        self.stats.resolved += 1
        return done

    def _solve_arrays(self, lp: LPArrays, warm: bool) -> _Run:
        import highspy

        if self._highs is None:
            self._highs = _new_highs()
        h = self._highs
        h.clearSolver()  # nothing of the previous sample's solve carries over
        h.passModel(_highs_lp(lp))
        if warm and self._basis is not None:
            basis = highspy.HighsBasis()
            basis.col_status = [highspy.HighsBasisStatus(int(v)) for v in self._basis[0]]
            basis.row_status = [highspy.HighsBasisStatus(int(v)) for v in self._basis[1]]
            basis.valid = True
            h.setBasis(basis)
        t0 = time.perf_counter()
        h.run()
        self.stats.solver_s.append(time.perf_counter() - t0)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise ArithmeticError(f"HiGHS: {h.modelStatusToString(h.getModelStatus())}")
        sol, b = h.getSolution(), h.getBasis()
        return _Run(float(h.getInfo().objective_function_value),
                    np.asarray(sol.col_value), np.asarray(sol.row_dual),
                    np.asarray(sol.row_value), h,
                    (np.array([int(v) for v in b.col_status], dtype=np.int8),
                     np.array([int(v) for v in b.row_status], dtype=np.int8)))


@dataclass(frozen=True)
class _Run(Solved):
    basis: tuple[np.ndarray, np.ndarray] = field(default=(np.empty(0), np.empty(0)),
                                                 repr=False, compare=False)


@contextlib.contextmanager
def _silent_fd1() -> Iterator[None]:
    """File descriptor 1 to /dev/null: HiGHS prints a banner there when created.

    On the descriptor itself, whatever ``sys.stdout`` is: ``--json`` prints one document.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _new_highs() -> Any:
    import highspy

    with _silent_fd1():
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


def _solve_cold(h: Any, lp: LPArrays) -> Solved:
    """``lp`` solved from scratch in the HiGHS instance ``h`` (nothing of its last solve kept).

    Raises ``ArithmeticError`` when HiGHS does not find an optimum.
    """
    import highspy

    h.clearSolver()
    h.passModel(_highs_lp(lp))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise ArithmeticError(f"HiGHS: {h.modelStatusToString(h.getModelStatus())}")
    sol = h.getSolution()
    return Solved(float(h.getInfo().objective_function_value), np.asarray(sol.col_value),
                  np.asarray(sol.row_dual), np.asarray(sol.row_value), h)


def solve_arrays(lp: LPArrays) -> tuple[float, np.ndarray]:
    """Solve ``lp`` cold in a fresh HiGHS (the floor of a sample, and the rebuild path)."""
    solved = _solve_cold(_new_highs(), lp)
    return solved.objective, solved.x


#: the re-solve set-up builds the LP about ``len(datasets) + 2`` times per LP (more for a
#: nonlinear one); below this many samples per set-up build, rebuilding every sample is
#: cheaper even when every dataset is linear
SAMPLES_PER_SETUP_BUILD = 2


class _Handle:
    """What linopy keeps of a solver after a solve: its HiGHS instance (row activities)."""

    solver_name = None

    def __init__(self, highs: Any):
        self.solver_model = highs

    def close(self) -> None:
        """The HiGHS instance belongs to the LinearLP, which reuses it."""


class EnergyResampler:
    """The energy stage for an uncertainty run's samples: re-solved where linear.

    ``pathway``, ``solve_outcome`` and ``rebuild`` are the energy stage's own functions
    (:func:`shigen.energy.stage.pathway`, ``outcome_dataset``, ``run``), passed in so this
    module does not import the stage that registers it.
    """

    def __init__(self, cfg: EnergyConfig, catalogue: Catalogue, datasets: Sequence[str],
                 samples: int, *, pathway: Callable[..., xr.Dataset],
                 solve_outcome: Callable[..., xr.Dataset], rebuild: Callable[..., xr.Dataset]):
        t0 = time.perf_counter()
        self.pathway, self.solve_outcome, self.rebuild = pathway, solve_outcome, rebuild
        self.datasets = sorted(datasets)
        self.lps: dict[str, LinearLP] = {}
        self.reason: str | None = None
        self.counts = {"resolved": 0, "rebuilt": 0}
        # cold by default: the same vertex as a rebuilt sample's (see LinearLP.resolve)
        self.warm = False
        self._models: dict[str, Formulation] = {}  # per process: the linopy models
        #: the headline atoms of each LP (None: the full path, ``figures_reason`` says why)
        self.headlines: dict[str, headline.HeadlineMap] | None = None
        self.figures_reason: str | None = None
        configs = {"study": cfg}
        if cfg.baseline_config is not None:
            configs["baseline"] = cfg.baseline_config
        self.configs = configs
        #: rebuilt samples build the LPs only and read the headline atoms from the builds
        #: (:meth:`_rebuilt_headline`) instead of the full stage with its extraction
        self.lean_rebuild = False
        self._highs: Any = None  # per process: the HiGHS instance of lean rebuilds
        builds = len(configs) * (len(self.datasets) + 2)
        if not self.datasets:
            self.reason = "no sampled dataset is read by the energy stage"
        elif not isinstance(cfg.foresight, str):
            self.reason = "a rolling horizon solves one LP per window: rebuilt"
        elif samples < SAMPLES_PER_SETUP_BUILD * builds:
            self.reason = (f"{samples} samples do not repay the re-solve set-up (about "
                           f"{builds} LP builds): every sample rebuilt")
        else:
            recorders = {}
            for key, c in configs.items():
                recorders[key] = headline.Recorder()
                lp = LinearLP(c, catalogue, self.datasets, stop_at_first=True,
                              observe=recorders[key] if not cfg.outage else None)
                if lp.nonlinear:
                    what = ("the sampled datasets together change" if lp.curved_together
                            else f"dataset '{lp.nonlinear[0]}' changes")
                    self.reason = (f"{what} the {key} LP other than linearly (a lifetime, "
                                   "the discount rate, a product of factors): every sample "
                                   "rebuilt")
                    self.lps.clear()
                    self._lean(catalogue, recorders)
                    break
                self.lps[key] = lp
            if self.reason is None:
                self._headlines(recorders)
        self.setup_s = time.perf_counter() - t0

    def _lean(self, catalogue: Catalogue, recorders: dict[str, headline.Recorder]) -> None:
        """Whether rebuilt samples can take the headline atoms (:meth:`_rebuilt_headline`).

        The atoms must cover every LP's base build (the study's was recorded by its
        :class:`LinearLP`; an LP not yet built is built once here).
        """
        if self.configs["study"].outage:
            self.figures_reason = "an outage study solves a third LP per sample: full stage"
            return
        for key, c in self.configs.items():
            rec = recorders.get(key)
            if rec is None or (() not in rec.stacks and rec.error is None):
                rec = recorders[key] = headline.Recorder()
                f = create_model(c, load_inputs(c, catalogue))
                rec({}, f, catalogue, arrays(f))
            if rec.error is not None:
                self.figures_reason = f"{rec.error}: full stage"
                return
        self.lean_rebuild = True

    def _headlines(self, recorders: Mapping[str, headline.Recorder]) -> None:
        """The headline atoms of every LP, or why a sample takes the full extraction."""
        if self.lps["study"].cfg.outage:
            self.figures_reason = "an outage study solves a third LP per sample: full extraction"
            return
        try:
            self.headlines = {key: rec.finish(self.lps[key].step, self.lps[key].joint_weights())
                              for key, rec in recorders.items()}
        except headline.Unsupported as exc:
            self.figures_reason = f"{exc}: full extraction"

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_models"] = {}  # each worker builds its own linopy model once
        state["_highs"] = None  # a HiGHS instance stays in its process
        state["counts"] = {"resolved": 0, "rebuilt": 0}
        return state

    def describe(self) -> dict[str, Any]:
        """How samples are solved, and why not re-solved (for the run's manifest)."""
        # how a sample's figures are made: from the vectors, or the full path
        if self.reason is None:
            figures = {"figures": "full" if self.headlines is None else "headline"}
        elif self.lean_rebuild or self.figures_reason:
            figures = {"figures": "headline" if self.lean_rebuild else "full"}
        else:
            figures = {}
        if self.figures_reason:
            figures["figures_reason"] = self.figures_reason
        return {"method": "re-solve" if self.reason is None else "rebuild",
                "reason": self.reason, "setup_s": round(self.setup_s, 3), **figures,
                "linear_datasets": sorted(self.lps["study"].deltas) if self.lps else []}

    def run(self, cfg: EnergyConfig, study: Study, catalogue: Catalogue,
            upstream: Mapping[str, xr.Dataset],
            factors: Mapping[str, float]) -> tuple[xr.Dataset, str]:
        """The energy dataset of one sample and how it was made (``resolved``/``rebuilt``)."""
        if self.reason is None and all(lp.linear(factors) for lp in self.lps.values()):
            try:
                if self.headlines is not None:
                    for name in self.datasets:  # what this result depends on, as a run
                        catalogue.get(name)  # records it (sampled: in memory, no file read)
                    ds = self._headline(factors)
                    self.counts["resolved"] += 1
                    return ds, "resolved"
                ds = self.pathway(cfg, catalogue, self._solver("study", factors),
                                  self._solver("baseline", factors))
            except ArithmeticError:
                pass  # not optimal: the rebuild names the conflicts of an infeasible sample
            else:
                self.counts["resolved"] += 1
                return ds, "resolved"
        elif self.lean_rebuild:
            try:
                ds = self._rebuilt_headline(cfg, catalogue)
            except ArithmeticError:
                pass  # as above: the full stage names the conflicts
            else:
                self.counts["rebuilt"] += 1
                return ds, "rebuilt"
        self.counts["rebuilt"] += 1
        return self.rebuild(cfg, study, catalogue, upstream), "rebuilt"

    def _rebuilt_headline(self, cfg: EnergyConfig, catalogue: Catalogue) -> xr.Dataset:
        """A rebuilt sample's headline figures and materials arrays, without the extraction.

        As the stage (:func:`shigen.energy.stage.pathway`): the sample's inputs are loaded
        once and both LPs are built from them; each is solved cold in HiGHS as linopy
        would, and its headline atoms are read from the same build (no ``ΔM``: the
        atoms at this sample's data), so nothing is predicted and nothing is kept from
        another sample.
        """
        inp = load_inputs(cfg, catalogue)
        maps, done = {}, {}
        for key, c in self.configs.items():
            f = create_model(c, inp)
            lp = arrays(f)
            if self._highs is None:
                self._highs = _new_highs()
            run = _solve_cold(self._highs, lp)
            rec = headline.Recorder()
            rec({}, f, catalogue, lp)
            maps[key] = rec.finish(STEP, {})
            done[key] = headline.sample(maps[key], run.x, run.row_dual, run.objective, {})
        ds = headline.materials_view(maps["study"], done["study"])
        ds.attrs["headline"] = headline.summary(maps["study"], done["study"], done.get("baseline"))
        return ds

    def _headline(self, factors: Mapping[str, float]) -> xr.Dataset:
        """A sample's headline figures (``attrs["headline"]``) and the materials arrays."""
        assert self.headlines is not None
        done = {}
        for key, lp in self.lps.items():
            run = lp.resolve(factors, warm=self.warm)
            done[key] = headline.sample(self.headlines[key], run.x, run.row_dual,
                                        run.objective, factors)
        hm = self.headlines["study"]
        ds = headline.materials_view(hm, done["study"])
        ds.attrs["headline"] = headline.summary(hm, done["study"], done.get("baseline"))
        return ds

    def _solver(self, key: str, factors: Mapping[str, float]) -> Callable[..., xr.Dataset]:
        def solve(cfg: EnergyConfig, cat: Catalogue, inp: Inputs) -> xr.Dataset:
            lp = self.lps[key]
            t0 = time.perf_counter()
            f = self._model(key, cfg)
            build = time.perf_counter() - t0
            t0 = time.perf_counter()
            done = lp.resolve(factors, warm=self.warm)
            wall = time.perf_counter() - t0
            # the sample's inputs (costs, prices) for the post-processing, the shared model
            sample = replace(f, inp=inp)
            _assign(sample, lp.predict(factors), done)
            out = Outcome(Status.OPTIMAL, sample, objective_value(sample),
                          Timings(build=build, solve_total=wall, solver=lp.stats.solver_s[-1]))
            return self.solve_outcome(out, cfg, cat, inp)
        return solve

    def _model(self, key: str, cfg: EnergyConfig) -> Formulation:
        """The linopy model of ``key`` at the base point, built once per process.

        Its solution, duals and right-hand sides are overwritten per sample (:func:`_assign`).
        """
        if key not in self._models:
            f = create_model(cfg, load_inputs(cfg, self.lps[key].catalogue))
            if not np.array_equal(lp_labels(f)[0], self.lps[key].base.vlabels):
                raise ArithmeticError("the linopy model's labels differ from the base LP's")
            self._models[key] = f
        return self._models[key]


def lp_labels(f: Formulation) -> tuple[np.ndarray, np.ndarray]:
    """Variable and constraint labels of a model, in its matrices' order."""
    mat = f.m.matrices
    return np.asarray(mat.vlabels), np.asarray(mat.clabels)


def _assign(f: Formulation, lp: LPArrays, done: Solved) -> None:
    """Write a re-solved sample into ``f``'s linopy model as linopy's own solve would.

    Primal and dual values go through ``Model.assign_result``; the sample's right-hand
    sides replace the model's, since the binding-constraint records compare them with the
    row activities (taken from the HiGHS instance, as after a linopy solve).
    """
    from linopy.constants import Result, Solution
    from linopy.constants import Status as LinopyStatus

    m = f.m
    n_vars = max((v.range[1] for v in m.variables.data.values()), default=0)
    n_cons = max((c.range[1] for c in m.constraints.data.values()), default=0)
    primal = np.full(n_vars, np.nan)
    primal[lp.vlabels] = done.x
    dual = np.full(n_cons, np.nan)
    dual[lp.clabels] = done.row_dual
    _set_rhs(f, lp)
    m.assign_result(Result(LinopyStatus.from_termination_condition("optimal"),
                           Solution(primal, dual, done.objective)),
                    solver=cast(Any, _Handle(done.highs)))


def _set_rhs(f: Formulation, lp: LPArrays) -> None:
    """The right-hand side of every constraint row from ``lp`` (the sample's bounds)."""
    from linopy.constraints import Constraint, CSRConstraint

    pos = np.full(int(lp.clabels.max()) + 1 if lp.clabels.size else 0, -1)
    pos[lp.clabels] = np.arange(lp.clabels.size)
    for con in f.m.constraints.data.values():
        start, _ = con.range
        if isinstance(con, CSRConstraint):
            labels = start + np.asarray(con.active_positions)
            at = pos[labels]
            sign = np.broadcast_to(np.asarray(con._sign), labels.shape)
            new = np.where(sign == ">=", lp.row_lower[at], lp.row_upper[at])
            # frozen constraints have no rhs setter; the array is theirs alone
            con._rhs = np.where(at >= 0, new, con._rhs)
        elif isinstance(con, Constraint):
            labels = con.labels.values
            ok = (labels >= 0) & (labels < pos.size)
            at = np.where(ok, pos[np.where(ok, labels, 0)], -1)
            sign = con.sign.broadcast_like(con.labels).values
            new = np.where(sign == ">=", lp.row_lower[at], lp.row_upper[at])
            con.rhs = con.labels.copy(data=np.where(at >= 0, new, con.rhs.broadcast_like(
                con.labels).values))
