"""Uncertainty over data: sample the datasets' ranges, re-run the stages, report the spread.

Every dataset the study's stages read that has a range (its catalogue ``range``, or the
stated default of an ``estimate`` without one) is one parameter. Each sample draws one
factor per dataset from a Latin hypercube or a scrambled Sobol sequence
(``scipy.stats.qmc``, seeded) through the range's inverse CDF, multiplies the rows the
range covers (:meth:`shigen.datasets.Catalogue.with_factors`) and re-runs, with the
study's own seed (common random numbers), only the stages that read a sampled dataset
or a changed earlier result (:class:`shigen.policy.evaluate.Evaluator`).

For every numeric figure of the stages' ``summarize()`` objects (the headline figures of
``shigen run --json``; timings left out) that every sample reports the result holds the
base value, P5/P50/P95 over the samples and the datasets in decreasing order of influence
(a re-solved energy sample reports the headline figures of
:data:`shigen.energy.headline.HEADLINES`, not the labels and line-by-line comparisons of
the base run):

- ``rank-regression`` (the default): squared standardised rank-regression coefficients
  (SRRC², Saltelli et al. 2004, §5.2): regress the ranks of the figure on the ranks of the
  factors; each coefficient squared is the share of the rank variance that factor explains
  alone (their sum is the regression's R², reported). Needs more samples than datasets;
  with fewer, ``rank-correlation`` (squared Spearman coefficients) is used instead.
- ``sobol-total``: when ``method = "sobol"`` and the samples allow a Saltelli design of at
  least 16 base points (``samples >= 16 * (D + 2)``), the points are that design and the
  influence is SALib's Sobol total index (Jansen estimator).

A sample whose stages fail (an infeasible LP at an extreme draw) is counted in ``failed``
and left out of the statistics.

A stage with a ``resampler`` (:attr:`shigen.stages.StageSpec.resampler`: the energy LP
built once and re-solved, :mod:`shigen.energy.resolve`) is set up once here, before the
samples leave for the workers, and runs the samples it can take; ``solve`` in the result
counts, per stage, the samples re-solved and rebuilt and says why a stage rebuilt them.
The datasets travel with the evaluator, read once in this process: a worker reads no file.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from shigen.datasets.meta import ValueRange, effective_range
from shigen.datasets.overrides import covered_rows
from shigen.distributions import quantile
from shigen.errors import InputError, Location, RunFailed
from shigen.policy.config import UncertaintyConfig
from shigen.policy.evaluate import Case, Evaluator
from shigen.policy.executor import Executor, LocalExecutor, chunked
from shigen.stages import Resampler, StageSpec

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study

QUANTILES = (0.05, 0.5, 0.95)
_EPS = 1e-12
MIN_SALTELLI_BASE = 16


@dataclass(frozen=True)
class RangeParameter:
    """One sampled dataset: its range and how many of its rows the range covers."""

    dataset: str
    range: ValueRange
    rows: int
    of_rows: int

    def to_json(self) -> dict[str, Any]:
        return {"dataset": self.dataset, "factor": self.range.factor.model_dump(mode="json"),
                "low": round(self.range.low, 6), "high": round(self.range.high, 6),
                "rows": f"{self.range.rows} rows ({self.rows} of {self.of_rows})",
                "reason": self.range.reason}


def range_parameters(catalogue: Catalogue, names: Sequence[str],
                     only: Sequence[str] | None = None) -> list[RangeParameter]:
    """The ranged datasets among ``names`` (sorted), or exactly ``only`` (checked)."""
    if only is not None:
        unknown = [n for n in only if n not in catalogue]
        if unknown:
            raise InputError(f"uncertainty.datasets names unknown dataset(s) {unknown}",
                             Location(field="uncertainty.datasets"),
                             "name datasets of `shigen data list`")
        names = list(only)
    out = []
    for name in sorted(set(names)):
        ds = catalogue.get(name)
        rng = effective_range(ds.meta)
        if rng is not None and not rng.sample and only is None:
            continue  # documented, not drawn by default (its reason says why)
        if rng is None:
            if only is not None:
                raise InputError(f"dataset '{name}' has no range and no estimate rows",
                                 Location(field="uncertainty.datasets"),
                                 "name datasets with a range (`shigen data show NAME`)")
            continue
        rows = int(covered_rows(ds.frame, ds.meta, rng).sum())
        if rows:
            out.append(RangeParameter(name, rng, rows, len(ds.frame)))
    return out


def saltelli_base(samples: int, dims: int) -> int:
    """The largest power-of-two Saltelli base with ``base * (dims + 2) <= samples`` (or 0)."""
    base = samples // (dims + 2)
    return 2 ** int(math.log2(base)) if base >= MIN_SALTELLI_BASE else 0


def design(cfg: UncertaintyConfig, dims: int, seed: int) -> tuple[np.ndarray, str]:
    """Points in [0, 1)^dims and the influence method they allow."""
    from scipy.stats import qmc

    if cfg.method == "sobol":
        base = saltelli_base(cfg.samples, dims)
        if base:
            from shigen.policy.sensitivity import design as saltelli

            return saltelli(base, dims, seed), "sobol-total"
        u = qmc.Sobol(dims, scramble=True, seed=seed).random(cfg.samples)
    else:
        u = qmc.LatinHypercube(dims, seed=seed).random(cfg.samples)
    return u, "rank-regression" if cfg.samples > dims + 2 else "rank-correlation"


def factors(params: Sequence[RangeParameter], u: np.ndarray) -> np.ndarray:
    """The factor of every parameter at points ``u`` (n, D)."""
    u = np.clip(np.atleast_2d(u), _EPS, 1 - _EPS)
    cols = [quantile(p.range.factor, u[:, j]) for j, p in enumerate(params)]
    return np.column_stack(cols) if cols else np.empty((u.shape[0], 0))


def figures(summaries: Mapping[str, Any]) -> dict[str, float]:
    """Every numeric leaf of the stages' summaries, by dotted path (timings left out)."""
    out: dict[str, float] = {}
    isfinite = math.isfinite

    def walk(prefix: str, node: Mapping[str, Any]) -> None:
        for k, v in node.items():
            key = str(k)
            if "timings" in key:
                continue
            path = f"{prefix}.{key}" if prefix else key
            kind = type(v)
            if kind is float:  # most leaves: checked first, the ABC checks cost more
                if isfinite(v):
                    out[path] = v
            elif kind is dict or isinstance(v, Mapping):
                walk(path, v)
            elif kind is not bool and isinstance(v, int | float) and isfinite(float(v)):
                out[path] = float(v)

    walk("", summaries)
    return out


@dataclass(frozen=True)
class _Shared:
    evaluator: Evaluator
    names: tuple[str, ...]
    seed: int


Layout = tuple[str, ...]
"""The figure names of a sample, in the order of its values."""
Sampled = tuple[tuple[Layout, np.ndarray] | None, dict[str, str]]
"""One sample's figures as (names, values) (None if its stages failed) and how each stage
made its result. Samples of one task that report the same figures share one names tuple,
which the task's pickle then carries once, not a dictionary of thousands of keys each."""


def _task(shared: _Shared, rows: list[tuple[float, ...]]) -> list[Sampled]:
    out: list[Sampled] = []
    ev = shared.evaluator
    layout: Layout = ()
    for row in rows:
        case = Case({}, shared.seed, "uncertainty",
                    factors=tuple(zip(shared.names, row, strict=True)))
        ev.how.clear()
        try:
            figs = figures(ev.summaries(case))
        except RunFailed:
            out.append((None, dict(ev.how)))
            continue
        names = tuple(figs)
        layout = layout if names == layout else names
        out.append(((layout, np.fromiter(figs.values(), float, len(figs))), dict(ev.how)))
    return out


def _table(base: Mapping[str, float], results: Sequence[tuple[Layout, np.ndarray] | None]
           ) -> tuple[list[str], np.ndarray]:
    """The figures every sample that ran reports (in the base's order) and their values.

    A figure gets statistics when every sample that ran has it: a re-solved energy sample
    computes its headline figures only (:data:`shigen.energy.headline.HEADLINES`). Failed
    samples are rows of NaN.
    """
    layouts = {r[0]: None for r in results if r is not None}
    common = set(base)
    for layout in layouts:
        common &= set(layout)
    names = [n for n in base if n in common]
    columns = {}
    for layout in layouts:
        at = {n: i for i, n in enumerate(layout)}
        columns[layout] = np.array([at[n] for n in names], dtype=int)
    values = np.full((len(results), len(names)), np.nan)
    for i, r in enumerate(results):
        if r is not None:
            values[i] = r[1][columns[r[0]]]
    return names, values


def _solve_counts(resamplers: Mapping[str, Resampler],
                  hows: Sequence[Mapping[str, str]]) -> dict[str, Any]:
    """Per stage with a resampler: its set-up (method, reason) and how samples were made."""
    out: dict[str, Any] = {}
    for name, r in resamplers.items():
        counts: dict[str, int] = {}
        for h in hows:
            if name in h:
                counts[h[name]] = counts.get(h[name], 0) + 1
        out[name] = {**r.describe(), "samples": dict(sorted(counts.items()))}
    return out


def rank_influence(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """SRRC² (or squared Spearman ρ with too few samples), signs and the R² of the ranks."""
    from scipy.stats import rankdata

    n, d = x.shape
    if n < 3 or np.ptp(y) == 0:
        return np.zeros(d), np.zeros(d), 0.0
    rx = (rankdata(x, axis=0) - (n + 1) / 2) / n
    ry = (rankdata(y) - (n + 1) / 2) / n
    sx, sy = rx.std(axis=0), ry.std()
    ok = sx > 0
    if n > d + 2:
        beta = np.zeros(d)
        coef, *_ = np.linalg.lstsq(rx[:, ok], ry, rcond=None)
        beta[ok] = coef * sx[ok] / sy
        fitted = rx[:, ok] @ coef
        r2 = float(1 - ((ry - fitted) ** 2).sum() / ((ry - ry.mean()) ** 2).sum())
        return beta**2, np.sign(beta), r2
    rho = np.zeros(d)
    rho[ok] = (rx[:, ok] * ry[:, None]).mean(axis=0) / (sx[ok] * sy)
    return rho**2, np.sign(rho), float("nan")


@dataclass(frozen=True)
class UncertaintyResult:
    """Samples × figures and the statistics of every figure."""

    parameters: list[RangeParameter]
    figure_names: list[str]
    base: np.ndarray  # (figures,)
    values: np.ndarray  # (samples, figures), NaN where a sample failed or lacks a figure
    factors: np.ndarray  # (samples, parameters)
    method: str
    influence_method: str
    seed: int
    solve: dict[str, Any] = field(default_factory=dict)  # stage → how samples were solved

    @property
    def failed(self) -> int:
        return int(np.isnan(self.values).all(axis=1).sum()) if self.values.size else 0

    def influence(self, j: int) -> tuple[np.ndarray, np.ndarray, float]:
        """Influence indices, signs and R² (rank regression) of figure ``j``."""
        ok = ~np.isnan(self.values[:, j])
        y, x = self.values[ok, j], self.factors[ok]
        if self.influence_method == "sobol-total":
            from shigen.policy.sensitivity import analyze

            if not ok.all():  # a Saltelli design with holes cannot be analysed
                return rank_influence(x, y)
            res = analyze([p.dataset for p in self.parameters], ["y"], y[:, None], self.seed)
            _, sign, r2 = rank_influence(x, y)
            return np.clip(res.ST[0], 0, None), sign, r2
        return rank_influence(x, y)

    def to_json(self, top: int = 10) -> dict[str, Any]:
        """The ``uncertainty`` object: settings, parameters and stage → figure statistics."""
        stages: dict[str, Any] = {}
        q = np.nanquantile(self.values, QUANTILES, axis=0) if self.values.size else None
        for j, name in enumerate(self.figure_names):
            if q is None or np.isnan(q[0, j]):
                continue
            index, sign, r2 = self.influence(j)
            # below 1e-9 an index is rounding in the regression, not influence
            order = [i for i in np.argsort(-index, kind="stable") if index[i] > 1e-9][:top]
            entry: dict[str, Any] = {
                "value": _r(self.base[j]), "p5": _r(q[0, j]), "p50": _r(q[1, j]),
                "p95": _r(q[2, j]),
                "influence": [{"dataset": self.parameters[i].dataset,
                               "rows": self.parameters[i].to_json()["rows"],
                               "index": round(float(index[i]), 4),
                               "direction": "up" if sign[i] > 0 else "down"} for i in order]}
            if math.isfinite(r2):
                entry["r2_ranks"] = round(r2, 4)
            _put(stages, name.split("."), entry)
        return {"samples": int(self.values.shape[0]), "method": self.method,
                "seed": self.seed, "influence_method": self.influence_method,
                "failed": self.failed, "solve": self.solve,
                "parameters": [p.to_json() for p in self.parameters],
                "digest": self.digest(), "stages": stages}

    def digest(self) -> str:
        """SHA-256 of the sampled factors and figure values (equal for any worker count)."""
        h = hashlib.sha256()
        h.update(json.dumps(self.figure_names).encode())
        h.update(np.ascontiguousarray(self.factors).tobytes())
        h.update(np.ascontiguousarray(self.values).tobytes())
        return h.hexdigest()


def _r(x: float) -> float:
    return round(float(x), 6)


def _put(tree: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        tree = tree.setdefault(part, {})
    tree[path[-1]] = value


def run_uncertainty(study: Study, catalogue: Catalogue, cfg: UncertaintyConfig,
                    stages: Sequence[StageSpec], executor: Executor | None = None, *,
                    base: Mapping[str, Any] | None = None,
                    primed: Mapping[str, Any] | None = None,
                    reads: Mapping[str, Sequence[str]] | None = None,
                    uses: Mapping[str, Sequence[str]] | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    prepared: Mapping[str, Resampler] | None = None) -> UncertaintyResult:
    """Sample the ranges of the datasets ``stages`` read; see the module docstring.

    ``base`` (stage → summary) and ``primed`` (stage → dataset) are the unchanged
    study's results, ``reads``/``uses`` what each stage read (recorded by the caller's
    run); without them the base is computed here. ``prepared`` (stage → resampler) skips
    the resamplers' set-up (:func:`resamplers`) when the caller has made them.
    """
    evaluator = Evaluator(study, tuple(stages), catalogue, ())
    if primed is not None:
        evaluator.prime(primed, reads, uses)
    seed = study.study.seed
    if base is None:
        base = evaluator.summaries(Case({}, seed, "uncertainty"))
    read = sorted({n for names in evaluator.reads.values() for n in names})
    params = range_parameters(catalogue, read, cfg.datasets)
    if not params:
        raise InputError("no dataset this study reads has a range to sample",
                         Location(field="uncertainty"),
                         "give the datasets a range in their catalogue entry "
                         "(`shigen data show NAME`)")
    u, influence = design(cfg, len(params), cfg.seed if cfg.seed is not None else seed)
    x = factors(params, u)
    executor = executor or LocalExecutor(1)
    evaluator.resamplers = dict(prepared) if prepared is not None else resamplers(
        evaluator, [p.dataset for p in params], len(x))
    per_task = max(1, min(25, math.ceil(len(x) / (8 * executor.workers))))
    rows = [tuple(float(v) for v in r) for r in x]
    shared = _Shared(evaluator, tuple(p.dataset for p in params), seed)
    parts = executor.map(_task, shared, chunked(rows, per_task), progress)
    done = [r for part in parts for r in part]
    results = [r for r, _ in done]
    base_figures = figures(base)
    names, values = _table(base_figures, results)
    return UncertaintyResult(params, names, np.array([base_figures[n] for n in names]),
                             values, x, cfg.method, influence,
                             cfg.seed if cfg.seed is not None else seed,
                             _solve_counts(evaluator.resamplers, [h for _, h in done]))


def resamplers(evaluator: Evaluator, sampled: Sequence[str], samples: int
               ) -> dict[str, Resampler]:
    """The resampler of every stage that has one, for the sampled datasets it reads."""
    study = evaluator.study
    view = evaluator.case_catalogue(study, Case({}, study.study.seed))
    out: dict[str, Resampler] = {}
    for spec in evaluator.stages:
        cfg = getattr(study, spec.name, None)
        if spec.resampler is None or cfg is None:
            continue
        reads = evaluator.reads.get(spec.name)
        names = [n for n in sampled if reads is None or n in reads]
        out[spec.name] = spec.resampler(cfg, study, view, names, samples)
    return out
