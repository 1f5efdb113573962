"""Ensembles: many samples of a study's packages, through one executor.

Sample ``k`` draws its seed (for every stage's random draws) and the values of the
uncertain parameters from ``SeedSequence(study seed, spawn_key=(k,))`` alone; all
packages of a sample share them (common random numbers), so a difference between
packages is never sampling noise. Results are therefore identical whatever the
scheduler, the number of workers or the chunking.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from shigen.policy import appraisal, uncertainty
from shigen.policy.appraise import benefit_and_weights, evaluate_cases, evaluator_for, policy_config
from shigen.policy.evaluate import Case
from shigen.policy.executor import Executor
from shigen.stages import StageSpec

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study

QUANTILES = (0.05, 0.5, 0.95)


def sample_cases(study: Study, samples: int) -> tuple[list[Case], np.ndarray, np.ndarray]:
    """Cases (sample-major, then package), the samples' seeds and parameter values."""
    cfg = policy_config(study)
    seeds = np.empty(samples, dtype=np.int64)
    params = np.empty((samples, len(cfg.uncertain)))
    cases: list[Case] = []
    for k in range(samples):
        seed, u = uncertainty.sample_draw(study.study.seed, k, len(cfg.uncertain))
        seeds[k] = seed
        row = uncertainty.values(cfg.uncertain, u[None, :])[0]
        params[k] = row
        for name, pkg in cfg.packages.items():
            # the package's own overrides win: a lever it fixes is not uncertain
            # (and the ensemble's own overrides sit under the draws)
            overrides, append = uncertainty.sample_changes(
                cfg.uncertain, row, overrides=pkg.overrides, append=pkg.append)
            cases.append(Case({**cfg.ensemble.overrides, **overrides}, seed,
                              f"policy.packages.{name}.overrides", append))
    return cases, seeds, params


def run_ensemble(study: Study, catalogue: Catalogue, samples: int, executor: Executor, *,
                 stages: Sequence[StageSpec] | None = None, chunk: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 reuse: bool = True) -> xr.Dataset:
    """Evaluate ``samples`` samples of every package; dims (sample, package, criterion).

    ``progress(done, total)`` counts samples. ``reuse=False`` re-runs every stage for
    every package (see :class:`~shigen.policy.evaluate.Evaluator`).
    """
    cfg = policy_config(study)
    evaluator = evaluator_for(study, catalogue, stages)
    evaluator.reuse = reuse
    cases, seeds, params = sample_cases(study, samples)
    n_pkg = len(cfg.packages)
    per_task = chunk or max(1, min(50, math.ceil(samples / (8 * executor.workers))))

    def by_sample(done: int, total: int) -> None:
        if progress:
            progress(min(samples, done * per_task), samples)

    y = evaluate_cases(evaluator, cases, executor, chunk=per_task * n_pkg,
                       progress=by_sample if progress else None)
    values = y.reshape(samples, n_pkg, len(cfg.criteria))
    benefit, w = benefit_and_weights(cfg)
    score = np.stack([appraisal.scores(values[k], w, benefit, cfg.method)
                      for k in range(samples)]) if samples else np.empty((0, n_pkg))
    ds = xr.Dataset(
        {"criterion_value": (("sample", "package", "criterion"), values,
                             {"units": "criterion unit (see criterion_unit)"}),
         "score": (("sample", "package"), score, {"units": "1", "method": cfg.method}),
         "seed": (("sample",), seeds, {"units": "1"}),
         "parameter_value": (("sample", "parameter"), params,
                             {"units": "parameter unit (see parameter_path)"})},
        coords={"sample": np.arange(samples), "package": list(cfg.packages),
                "criterion": [c.name for c in cfg.criteria],
                "criterion_unit": ("criterion", [c.unit for c in cfg.criteria]),
                "criterion_sense": ("criterion", [c.sense for c in cfg.criteria]),
                "parameter": [p.name for p in cfg.uncertain],
                "parameter_path": ("parameter", [p.target for p in cfg.uncertain])})
    ds.attrs.update(study_seed=study.study.seed, samples=samples, method=cfg.method)
    return ds


def _stats(x: np.ndarray) -> dict[str, float]:
    q = np.quantile(x, QUANTILES)
    return {"mean": round(float(x.mean()), 6), "sd": round(float(x.std(ddof=0)), 6),
            "p5": round(float(q[0]), 6), "p50": round(float(q[1]), 6),
            "p95": round(float(q[2]), 6)}


def digest(ds: xr.Dataset) -> str:
    """SHA-256 of the raw sample values (criteria, scores, seeds, parameters)."""
    h = hashlib.sha256()
    for var in ("criterion_value", "score", "seed", "parameter_value"):
        h.update(np.ascontiguousarray(ds[var].values).tobytes())
    return h.hexdigest()


def summarize(ds: xr.Dataset) -> dict[str, Any]:
    """Statistics of an ensemble for its JSON.

    Per package and criterion: mean, sd, P5/P50/P95; the same for the difference from the
    first package (same draws); the probability each package ranks first; a digest.
    """
    packages = [str(p) for p in ds.package.values]
    criteria = [str(c) for c in ds.criterion.values]
    v = ds["criterion_value"].values
    n = v.shape[0]
    best = np.bincount(np.argmax(ds["score"].values, axis=1), minlength=len(packages)) / max(n, 1)
    mean_score = ds["score"].values.mean(axis=0) if n else np.zeros(len(packages))
    order = appraisal.ranking(mean_score)
    out: dict[str, Any] = {
        "samples": int(n), "seed": int(ds.attrs["study_seed"]), "method": ds.attrs["method"],
        "kind": "ensemble",
        "ranking": [packages[i] for i in order],
        "scores": {p: {c: round(float(v[:, i, j].mean()), 6) for j, c in enumerate(criteria)}
                   for i, p in enumerate(packages)} if n else {},
        "prob_best": {p: round(float(best[i]), 6) for i, p in enumerate(packages)},
        "criteria": {p: {c: _stats(v[:, i, j]) for j, c in enumerate(criteria)}
                     for i, p in enumerate(packages)} if n else {},
        "difference_from": packages[0],
        "difference": {p: {c: _stats(v[:, i, j] - v[:, 0, j]) for j, c in enumerate(criteria)}
                       for i, p in enumerate(packages[1:], start=1)} if n else {},
        "parameters": {str(p): _stats(ds["parameter_value"].values[:, j])
                       for j, p in enumerate(ds.parameter.values)} if n else {},
        "digest": digest(ds),
    }
    return out
