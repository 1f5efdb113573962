"""Ensembles recompute only what can change, and the result is what a full run gives.

A policy case computes a stage only when a criterion or a later stage reads it, reuses
the materials result across seeds when the section draws nothing, and summarizes the
last stage (disruption) without building its dataset. Each of these must leave every
criterion value equal, to the last bit, to running every stage of the case in full.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.policy.appraise import evaluator_for
from shigen.policy.ensemble import digest, run_ensemble, sample_cases
from shigen.policy.evaluate import read_criteria
from shigen.policy.executor import LocalExecutor
from shigen.policy.packages import apply_overrides
from shigen.stages import get_stage
from shigen.study import Study, load_study

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue()


@pytest.fixture(scope="module")
def small_flagship() -> Study:
    """The flagship with two packages (one changes the materials section, one adds a
    lever), 300 disruption draws, and no energy section (the reference below runs every
    stage; the energy LP alone would take longer than the rest of this file)."""
    study = load_study(ROOT / "studies" / "japan-2009.toml")
    pol = study.policy
    assert pol is not None
    pol = pol.model_copy(update={
        "packages": {k: pol.packages[k] for k in ("status-quo", "proposal-2")},
        "ensemble": pol.ensemble.model_copy(update={"overrides": {"disruption.draws": 300}})})
    return study.model_copy(update={"policy": pol, "energy": None})


def full_values(study: Study, cat: Catalogue, samples: int) -> np.ndarray:
    """The criteria of every case with every stage run in full: no reuse, no shortcut."""
    ev = evaluator_for(study, cat)
    cases, _, _ = sample_cases(study, samples)
    out = []
    for case in cases:
        s = apply_overrides(study, case.overrides, where=case.where, seed=case.seed,
                            append=case.append)
        view = ev.case_catalogue(s, case)
        results, summaries = {}, {}
        for spec in ev.stages:
            results[spec.name] = spec.run(getattr(s, spec.name), s, view, dict(results))
            summaries[spec.name] = spec.summarize(results[spec.name])
        out.append(read_criteria(summaries, ev.criteria, ev.discount_rate))
    return np.stack(out)


def test_ensemble_equals_every_stage_run_in_full(small_flagship: Study, cat: Catalogue) -> None:
    samples = 2
    ens = run_ensemble(small_flagship, cat, samples, LocalExecutor(1))
    ref = full_values(small_flagship, cat, samples).reshape(ens["criterion_value"].shape)
    # bit for bit, not within a tolerance
    assert np.array_equal(ens["criterion_value"].values, ref)
    # and the packages differ (the comparison is not vacuous)
    assert not np.array_equal(ref[:, 0], ref[:, 1])


def test_cases_run_only_what_their_changes_reach(small_flagship: Study, cat: Catalogue) -> None:
    ev = evaluator_for(small_flagship, cat)
    cases, _, _ = sample_cases(small_flagship, 3)  # 3 samples x 2 packages, 3 seeds
    for case in cases:
        ev.evaluate(case)
    # supply: no criterion or later stage reads it; materials: one run per package (its
    # section draws nothing, so the seed does not reach it); disruption: every case
    assert ev.uses["disruption"] == {"materials"}
    assert ev.runs == 2 + 6 and "supply" not in ev.how


def test_the_flagship_ensemble_never_solves_the_energy_lp(cat: Catalogue) -> None:
    # materials reads the energy result only when its section maps energy technologies
    study = load_study(ROOT / "studies" / "japan-2009.toml")
    assert study.materials is not None and not study.materials.from_energy
    ev = evaluator_for(study, cat)
    assert [s.name for s in ev.stages][0] == "energy"
    small = {"disruption.draws": 200}
    case = sample_cases(study, 1)[0][0]
    ev.evaluate(type(case)({**case.overrides, **small}, case.seed, case.where, case.append))
    assert "energy" not in ev.how and ev.uses["materials"] == set()


def test_materials_depends_on_the_seed_only_when_it_draws(small_flagship: Study,
                                                         cat: Catalogue) -> None:
    spec = get_stage("materials")
    cfg = small_flagship.materials
    assert cfg is not None and cfg.draws == 0
    assert not spec.seeded(cfg) and spec.seeded(cfg.model_copy(update={"draws": 5}))
    assert get_stage("disruption").seeded(small_flagship.disruption)

    def run(seed: int, draws: int) -> dict:  # type: ignore[type-arg]
        s = small_flagship.model_copy(update={
            "study": small_flagship.study.model_copy(update={"seed": seed}),
            "materials": cfg.model_copy(update={"draws": draws})})
        assert s.materials is not None
        return spec.summarize(spec.run(s.materials, s, cat, {}))

    assert run(1, 0) == run(2, 0)
    # with draws, the seed reaches the result (so its reuse key must hold the seed)
    assert run(1, 3) != run(2, 3)


@pytest.mark.parametrize("name", ["backtest-ree-2010.toml", "assess-japan.toml"])
def test_summary_without_the_dataset_is_the_summary_of_the_dataset(name: str,
                                                                   cat: Catalogue) -> None:
    # monthly steps, backtest checks, import paths (backtest); economy blocks (assess)
    study = load_study(ROOT / "studies" / name)
    assert study.disruption is not None
    cfg = study.disruption.model_copy(update={"draws": 300})
    spec = get_stage("disruption")
    assert spec.summarize_run is not None
    full = spec.summarize(spec.run(cfg, study, cat, {}))
    assert json.dumps(spec.summarize_run(cfg, study, cat, {})) == json.dumps(full)
    assert "backtest_score" in full or any(
        "economy" in e for by in full.values() if isinstance(by, dict)
        for e in by.values() if isinstance(e, dict))


def test_one_and_two_workers_give_the_same_ensemble(small_flagship: Study,
                                                    cat: Catalogue) -> None:
    one = run_ensemble(small_flagship, cat, 2, LocalExecutor(1))
    two = run_ensemble(small_flagship, cat, 2, LocalExecutor(2), chunk=1)
    assert digest(one) == digest(two)
