"""Compare packages: one case per package (same seed), criteria, scores, ranking.

``evaluator_for`` builds what workers need; ``compare`` evaluates every package
through an executor and appraises them; ``sensitivity`` runs the Sobol design for
one package. Both return plain typed results; :mod:`shigen.policy.stage` turns
them into the stage's dataset.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from shigen.economy.appraisal import (
    CostBenefit,
    annuity_factor,
    cost_benefit,
    package_figure,
    present_value,
)
from shigen.errors import InputError, Location
from shigen.policy import appraisal, uncertainty
from shigen.policy.config import PolicyConfig
from shigen.policy.evaluate import ECONOMY, Case, CriterionRef, Evaluator, evaluate_chunk
from shigen.policy.executor import Executor, LocalExecutor, chunked
from shigen.policy.sensitivity import SobolResult, analyze, design
from shigen.stages import StageSpec, get_stage
from shigen.study import STAGE_ORDER

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study


def policy_config(study: Study) -> PolicyConfig:
    cfg = getattr(study, "policy", None)
    if cfg is None:
        raise InputError("the study has no policy section", Location(field="policy"),
                         "declare policy.packages.NAME tables and policy.criteria entries")
    assert isinstance(cfg, PolicyConfig)
    return cfg


def upstream_specs(study: Study) -> tuple[StageSpec, ...]:
    """The stages a package re-runs: every declared stage before ``policy``."""
    names = [s for s in study.declared_stages() if STAGE_ORDER.index(s) < STAGE_ORDER.index(
        "policy")]
    if not names:
        raise InputError("the policy stage has no upstream stage to re-run for each package",
                         Location(field="policy"),
                         "declare the stages the criteria read (e.g. a disruption or supply "
                         "section)")
    return tuple(get_stage(n) for n in names)


def evaluator_for(study: Study, catalogue: Catalogue,
                  stages: Sequence[StageSpec] | None = None) -> Evaluator:
    """The evaluator of a study's criteria (``stages`` default: its upstream stages)."""
    cfg = policy_config(study)
    specs = tuple(stages) if stages is not None else upstream_specs(study)
    known = {s.name for s in specs}
    refs = []
    for i, c in enumerate(cfg.criteria):
        field = f"policy.criteria.{i}.path"
        head = c.path.split(".")[0]
        if head == ECONOMY and "disruption" not in known:
            raise InputError(f"criterion '{c.name}' reads '{c.path}', computed from the "
                             "disruption markets' economic loss and lever costs, but this "
                             "study has no disruption section", Location(field=field),
                             "add a [disruption] section with markets, or read a stage: "
                             f"{', '.join(sorted(known))}")
        if head not in known and head != ECONOMY:
            raise InputError(f"criterion '{c.name}' reads stage '{head}', which this study "
                             "does not run", Location(field=field),
                             f"start the path with one of: {', '.join(sorted(known))}")
        refs.append(CriterionRef(c.name, c.path, field))
    return Evaluator(study, specs, catalogue, tuple(refs),
                     discount_rate=cfg.cost_benefit.discount_rate)


def package_cases(study: Study, cfg: PolicyConfig) -> list[Case]:
    seed = study.study.seed
    return [Case(dict(p.overrides), seed, f"policy.packages.{name}.overrides", p.append)
            for name, p in cfg.packages.items()]


@dataclass(frozen=True)
class Economics:
    """Cost–benefit of the packages against a reference, and rankings under alternatives.

    ``loss``/``tail`` are expected and P95 annual losses summed over markets; ``flows``
    the levers' yearly cash flows; ``rank_by_rate`` / ``rank_by_scale`` the package order
    (best first) at each alternative discount rate / event-probability scale.
    """

    reference: str
    discount_rate: float
    years: list[int]
    loss: np.ndarray            # (package,)
    tail: np.ndarray            # (package,)
    flows: np.ndarray           # (package, year)
    result: CostBenefit
    rank_by_rate: dict[float, list[str]]
    rank_by_scale: dict[float, list[str]]


@dataclass(frozen=True)
class Comparison:
    """Packages × criteria values, scores, ranking and rank stability."""

    packages: list[str]
    criteria: list[str]
    values: np.ndarray  # (package, criterion)
    normalised: np.ndarray  # (package, criterion), 1 = best
    score: np.ndarray  # (package,)
    ranking: list[str]
    rank_stability: np.ndarray  # (package,)
    method: str
    economics: Economics | None = None


def benefit_and_weights(cfg: PolicyConfig) -> tuple[np.ndarray, np.ndarray]:
    benefit = np.array([c.sense == "max" for c in cfg.criteria])
    w = np.array([c.weight for c in cfg.criteria], dtype=float)
    return benefit, w / w.sum()


def appraise(cfg: PolicyConfig, values: np.ndarray, seed: int) -> Comparison:
    """Scores, ranking and rank stability of packages with criterion ``values``."""
    benefit, w = benefit_and_weights(cfg)
    score = appraisal.scores(values, w, benefit, cfg.method)
    order = appraisal.ranking(score)
    names = list(cfg.packages)
    normalised = (appraisal.vector_norm(values) if cfg.method == "topsis"
                  else appraisal.minmax(values, benefit))
    stab_seed = int(np.random.SeedSequence(seed, spawn_key=(0x57AB,)).generate_state(1)[0])
    stability = appraisal.rank_stability(values, benefit, cfg.method, cfg.stability.samples,
                                         stab_seed)
    return Comparison(names, [c.name for c in cfg.criteria], values, normalised, score,
                      [names[i] for i in order], stability, cfg.method)


def _task(evaluator: Evaluator, cases: list[Case]) -> np.ndarray:
    return evaluate_chunk(evaluator, cases)


def evaluate_cases(evaluator: Evaluator, cases: Sequence[Case], executor: Executor,
                   chunk: int | None = None, progress=None) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Criterion values for ``cases`` (shape (cases, criteria)) through ``executor``."""
    if not cases:
        return np.empty((0, len(evaluator.criteria)))
    size = chunk or max(1, math.ceil(len(cases) / (4 * executor.workers)))
    parts = executor.map(_task, evaluator, chunked(list(cases), size), progress)
    return np.concatenate(parts, axis=0)


def economy_years(study: Study) -> list[int]:
    """The disruption horizon's years (the cash flows' years); [] without a disruption."""
    d = getattr(study, "disruption", None)
    return list(range(int(d.start), int(d.end) + 1)) if d is not None else []


def _economy_refs(years: Sequence[int]) -> tuple[CriterionRef, ...]:
    """Hidden criteria read for the cost–benefit appraisal (NaN where nothing is valued)."""
    paths = ["economy.expected_annual_loss_usd", "economy.p95_annual_loss_usd",
             *(f"economy.cash_flow.{y}" for y in years)]
    return tuple(CriterionRef(f"_{p}", p, "policy.cost_benefit", optional=True)
                 for p in paths)


def _with_rate(cfg: PolicyConfig, values: np.ndarray, loss: np.ndarray, tail: np.ndarray,
               flows: np.ndarray, rate: float, scale: float = 1.0) -> np.ndarray:
    """Criterion values with every ``economy.*`` criterion recomputed at ``rate``.

    The expected and tail losses are scaled by ``scale`` (event probabilities times
    ``scale``: for rare events the expected loss is proportional to their probability).
    """
    out = values.copy()
    for j, c in enumerate(cfg.criteria):
        parts = c.path.split(".")
        if parts[0] == ECONOMY and len(parts) == 2:
            out[:, j] = [package_figure(parts[1], lo * scale, ta * scale, fl, rate)
                         for lo, ta, fl in zip(loss, tail, flows, strict=True)]
    return out


def economics(cfg: PolicyConfig, hidden: np.ndarray, values: np.ndarray,
              years: list[int]) -> Economics | None:
    """Cost–benefit from the hidden columns (loss, tail, cash flows); None if not valued."""
    if hidden.size == 0 or not np.isfinite(hidden).all():
        return None
    names = list(cfg.packages)
    cb_cfg = cfg.cost_benefit
    ref = names.index(cb_cfg.reference) if cb_cfg.reference else 0
    loss, tail, flows = hidden[:, 0], hidden[:, 1], hidden[:, 2:]
    rate = cb_cfg.discount_rate
    result = cost_benefit(present_value(flows, rate), loss, tail, ref,
                          annuity_factor(rate, len(years)))
    benefit, w = benefit_and_weights(cfg)

    def order(v: np.ndarray) -> list[str]:
        return [names[i] for i in appraisal.ranking(appraisal.scores(v, w, benefit,
                                                                     cfg.method))]

    by_rate = {r: order(_with_rate(cfg, values, loss, tail, flows, r))
               for r in cb_cfg.discount_rates}
    by_scale = {k: order(_with_rate(cfg, values, loss, tail, flows, rate, k))
                for k in cb_cfg.probability_scales}
    return Economics(names[ref], rate, years, loss, tail, flows, result, by_rate, by_scale)


def compare(study: Study, evaluator: Evaluator, executor: Executor | None = None) -> Comparison:
    """Evaluate every package of the study with its seed and appraise them.

    With a disruption section, the same runs also give each package's expected loss and
    lever cash flows (hidden criteria), and the comparison carries the cost–benefit
    appraisal (:class:`Economics`).
    """
    cfg = policy_config(study)
    years = economy_years(study)
    extra = _economy_refs(years) if years else ()
    ev = replace(evaluator, criteria=evaluator.criteria + extra, _memo=evaluator._memo)
    values = evaluate_cases(ev, package_cases(study, cfg), executor or LocalExecutor(1))
    n = len(cfg.criteria)
    comp = appraise(cfg, values[:, :n], study.study.seed)
    return replace(comp, economics=economics(cfg, values[:, n:], values[:, :n], years))


def sensitivity(study: Study, evaluator: Evaluator,
                executor: Executor | None = None) -> SobolResult:
    """Sobol indices of every criterion for the sensitivity package (study seed fixed)."""
    cfg = policy_config(study)
    assert cfg.sensitivity is not None
    pkg = cfg.sensitivity_package()
    base = {**cfg.sensitivity.overrides, **cfg.packages[pkg].overrides}
    u = design(cfg.sensitivity.samples, len(cfg.uncertain), study.study.seed)
    x = uncertainty.values(cfg.uncertain, u)
    cases = []
    for row in x:
        overrides, append = uncertainty.sample_changes(cfg.uncertain, row, overrides=base,
                                                       append=cfg.packages[pkg].append)
        cases.append(Case(overrides, study.study.seed, f"policy.packages.{pkg}.overrides",
                          append))
    y = evaluate_cases(evaluator, cases, executor or LocalExecutor(1))
    return analyze(cfg.uncertain, [c.name for c in cfg.criteria], y, study.study.seed)
