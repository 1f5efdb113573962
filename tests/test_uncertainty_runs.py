"""Uncertainty over data ranges (issue 19 item 3) on toy stages checkable by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.policy.config import UncertaintyConfig
from shigen.policy.data_uncertainty import rank_influence, run_uncertainty, saltelli_base
from shigen.policy.evaluate import Case, Evaluator
from shigen.policy.executor import LocalExecutor

# the test-only stages live in tests/uncertainty_toy.py; spawned workers inherit sys.path
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue.bundled()


def _run(cat: Catalogue, samples: int = 64, workers: int = 1, method: str = "lhs"):  # type: ignore[no-untyped-def]
    from uncertainty_toy import STAGES, unc_study

    cfg = UncertaintyConfig(samples=samples, method=method)  # type: ignore[arg-type]
    return run_uncertainty(unc_study(), cat, cfg, STAGES, LocalExecutor(workers))


def test_samples_only_the_datasets_read_and_spread_matches_the_factor(cat: Catalogue) -> None:
    res = _run(cat)
    # `fixed` reads energy-vehicle-cost: sampled too
    assert [p.dataset for p in res.parameters] == ["energy-ccs-cost", "energy-network-cost",
                                                  "energy-vehicle-cost"]
    out = res.to_json()
    ccs = out["stages"]["cost"]["ccs_usd_per_t"]
    base = float(cat.frame("energy-ccs-cost")["value"].sum())
    assert ccs["value"] == pytest.approx(base)
    # uniform factor ×0.7–1.3 on every (estimate) row: P5 ≈ 0.73·base, P95 ≈ 1.27·base
    assert ccs["p5"] == pytest.approx(0.73 * base, rel=0.02)
    assert ccs["p50"] == pytest.approx(1.00 * base, rel=0.02)
    assert ccs["p95"] == pytest.approx(1.27 * base, rel=0.02)
    assert [i["dataset"] for i in ccs["influence"]] == ["energy-ccs-cost"]
    assert ccs["influence"][0]["index"] == pytest.approx(1.0, abs=1e-6)
    assert "timings_s" not in out["stages"]["cost"]


def test_influence_is_ranked_and_the_downstream_stage_inherits_it(cat: Catalogue) -> None:
    out = _run(cat).to_json()
    ccs = float(cat.frame("energy-ccs-cost")["value"].sum())
    net = float(cat.frame("energy-network-cost")["value"].sum())
    for fig in (out["stages"]["cost"]["total"], out["stages"]["report"]["double"]):
        names = [i["dataset"] for i in fig["influence"]]
        # 10·ccs moves the total more than the network cost whenever 10·ccs > net
        assert names[:2] == (["energy-ccs-cost", "energy-network-cost"] if 10 * ccs > net
                             else ["energy-network-cost", "energy-ccs-cost"])
        idx = [i["index"] for i in fig["influence"]]
        assert idx == sorted(idx, reverse=True)
        assert all(i["direction"] == "up" for i in fig["influence"][:2])
        # the mileage the total does not read: at most sampling noise of the regression
        assert all(i["index"] < 0.01 for i in fig["influence"][2:])
        assert fig["r2_ranks"] > 0.95  # a monotone, additive figure: ranks explain it


def test_a_stage_reruns_only_when_what_it_reads_changes(cat: Catalogue) -> None:
    from uncertainty_toy import STAGES, unc_study

    ev = Evaluator(unc_study(), STAGES, cat, ())
    ev.summaries(Case({}, 3))
    assert ev.runs == 3 and ev.reads["fixed"] == {"energy-vehicle-cost"}
    assert ev.uses["report"] == {"cost"} and ev.uses["cost"] == set()
    ev.summaries(Case({}, 99))  # another seed: no stage draws random numbers
    assert ev.runs == 3
    ev.summaries(Case({}, 3, factors=(("energy-ccs-cost", 1.1),)))
    assert ev.runs == 5  # cost and report re-run, fixed (reads energy-vehicle-cost only) reused
    ev.summaries(Case({}, 3, factors=(("energy-vehicle-cost", 0.9),)))
    assert ev.runs == 6  # only fixed


def test_identical_on_one_and_two_workers(cat: Catalogue) -> None:
    one, two = _run(cat, 24, 1), _run(cat, 24, 2)
    assert one.digest() == two.digest()
    assert one.to_json() == two.to_json()


def test_sobol_total_when_the_samples_allow_a_saltelli_design(cat: Catalogue) -> None:
    assert saltelli_base(63, 2) == 0 and saltelli_base(64, 2) == 16 and saltelli_base(200, 2) == 32
    res = _run(cat, 80, method="sobol")  # D = 3 datasets: 16·(3 + 2) points
    assert res.influence_method == "sobol-total" and res.values.shape[0] == 80
    total = res.to_json()["stages"]["cost"]["ccs_usd_per_t"]["influence"]
    # the figure reads one dataset: the others' total index is exactly 0 (Jansen: f(A) equals
    # f(A with their column from B)); ccs's is 1 up to the estimator's noise at 16 base points
    assert [i["dataset"] for i in total] == ["energy-ccs-cost"] and total[0]["index"] > 0.5


def test_rank_influence_by_hand() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((200, 3))
    y = 3 * x[:, 0] + x[:, 1]  # x2 does nothing
    idx, sign, r2 = rank_influence(x, y)
    assert idx[0] > idx[1] > idx[2] and idx[2] < 0.01 and (sign[:2] == 1).all()
    assert r2 > 0.95
    few, _, r2_few = rank_influence(x[:4], y[:4])  # fewer samples than D + 3: Spearman ρ²
    assert np.isnan(r2_few) and few.shape == (3,)


def test_stages_that_declare_no_draws_do_not_depend_on_the_seed(cat: Catalogue) -> None:
    # the claim behind StageSpec.draws=False, which lets samples with other seeds reuse them
    from shigen.stages import get_stage
    from shigen.study import load_study

    study = load_study(Path(__file__).parent / "bad_inputs" / "good-study.toml")
    supply = get_stage("supply")
    assert not supply.draws and not get_stage("energy").draws and get_stage("materials").draws
    one = supply.summarize(supply.run(study.supply, study, cat, {}))
    other = study.model_copy(update={"study": study.study.model_copy(update={"seed": 12345})})
    assert supply.summarize(supply.run(other.supply, other, cat, {})) == one
