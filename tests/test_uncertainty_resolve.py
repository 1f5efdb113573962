"""Uncertainty runs re-solve the energy LP (issue 19 items 3-4): same figures as a rebuild.

BLUE's energy and materials stages with three linear datasets sampled: a capital cost
(objective coefficients, and the investment figures), the build limits (right-hand sides)
and the fuel prices (objective, and the import bill). A re-solved sample computes its
headline figures from the solver's vectors (:mod:`shigen.energy.headline`); they must
equal what the full extraction of a rebuilt sample gives (the objective to 1e-9 relative,
every other figure to 1e-6), and so must the materials stage run on the arrays the lean
path hands it; on one and two workers alike, and the shipped evaluator must read no
dataset file. Samples that move a lifetime or the discount rate are rebuilt; they build
the LPs only and read the same headline atoms from the builds, and must equal the full
stage the same way.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest

import shigen.datasets.catalogue as catalogue_module
from shigen.datasets import Catalogue
from shigen.energy.headline import HEADLINES
from shigen.policy.config import UncertaintyConfig
from shigen.policy.data_uncertainty import figures, resamplers, run_uncertainty
from shigen.policy.evaluate import Case, Evaluator
from shigen.policy.executor import LocalExecutor
from shigen.stages import get_stage
from shigen.study import load_study

LINEAR = ["energy-build-limit", "energy-capital-cost", "energy-fuel-price"]
OBJECTIVE = "energy.objective_usd_bn_pv"


@pytest.fixture(scope="module")
def blue() -> dict[str, Any]:
    study = load_study("studies/etp2008-blue.toml")
    study = study.model_copy(update={"uncertainty": UncertaintyConfig(
        samples=4, datasets=LINEAR)})
    cat = Catalogue.bundled()
    stages = (get_stage("energy"), get_stage("materials"))
    rebuilt = Evaluator(study, stages, cat, ())
    fast = Evaluator(study, stages, cat, ())
    base = rebuilt.summaries(Case({}, study.study.seed))
    fast.summaries(Case({}, study.study.seed))
    fast.resamplers = resamplers(fast, LINEAR, samples=1000)
    return {"study": study, "cat": cat, "stages": stages, "rebuilt": rebuilt, "fast": fast,
            "base": base}


def _case(factors: dict[str, float]) -> Case:
    return Case({}, 1, "uncertainty", factors=tuple(sorted(factors.items())))


def test_set_up_finds_both_datasets_linear(blue: dict[str, Any]) -> None:
    info = blue["fast"].resamplers["energy"].describe()
    assert info["method"] == "re-solve" and info["reason"] is None
    assert info["linear_datasets"] == LINEAR


def test_resolved_samples_equal_rebuilt_ones(blue: dict[str, Any]) -> None:
    fast, rebuilt = blue["fast"], blue["rebuilt"]
    # the build limits bind in BLUE (nuclear, wind): tightening them moves the answer
    for factors in ({"energy-build-limit": 0.75, "energy-capital-cost": 1.2,
                     "energy-fuel-price": 1.1},
                    {"energy-build-limit": 1.25, "energy-capital-cost": 0.8,
                     "energy-fuel-price": 0.7}):
        got = figures(fast.summaries(_case(factors)))
        assert fast.how == {"energy": "resolved", "materials": "ran"}
        want = figures(rebuilt.summaries(_case(factors)))
        assert rebuilt.how == {"energy": "ran", "materials": "ran"}
        assert got[OBJECTIVE] != pytest.approx(figures(blue["base"])[OBJECTIVE], rel=1e-3)
        assert got[OBJECTIVE] == pytest.approx(want[OBJECTIVE], rel=1e-9)
        # every headline figure and every materials figure, nothing else of energy
        headline = {k for k in want if k.split(".")[0] != "energy"
                    or k.split(".")[1] in HEADLINES}
        assert set(got) == headline
        assert len([k for k in got if k.startswith("energy.")]) > 150
        far = {k: (got[k], want[k]) for k in got
               if not np.isclose(got[k], want[k], rtol=1e-6, atol=1e-6)}
        assert not far


def test_the_shipped_evaluator_reads_no_dataset_file(blue: dict[str, Any],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = pickle.loads(pickle.dumps(blue["fast"]))  # what a worker unpickles
    reads: list[str] = []
    monkeypatch.setattr(catalogue_module, "read_dataset",
                        lambda path, meta: reads.append(meta.name))  # type: ignore[misc]
    shipped.summaries(_case({"energy-build-limit": 1.1, "energy-capital-cost": 0.9}))
    assert shipped.how == {"energy": "resolved", "materials": "ran"} and reads == []


def test_identical_on_one_and_two_workers(blue: dict[str, Any]) -> None:
    study = blue["study"]
    docs = [run_uncertainty(study, blue["cat"], study.uncertainty, blue["stages"],
                            LocalExecutor(w), base=blue["base"],
                            prepared=blue["fast"].resamplers).to_json() for w in (1, 2)]
    assert docs[0]["digest"] == docs[1]["digest"]
    for doc in docs:
        assert doc["solve"]["energy"]["method"] == "re-solve"
        assert doc["solve"]["energy"]["figures"] == "headline"
        assert doc["solve"]["energy"]["samples"] == {"resolved": 4}
    energy = docs[0]["stages"]["energy"]
    for path in ("objective_usd_bn_pv", "additional_investment_usd_trillion",
                 "investment_usd_trillion"):
        p = energy[path]
        assert p["p5"] < p["p50"] < p["p95"], path
    assert {"p5", "p50", "p95"} <= set(energy["co2_price_usd_per_t"]["2050"])
    assert {"p5", "p50", "p95"} <= set(energy["fossil_import_bill_usd_bn"]["2030"])


#: a lifetime, the discount rate (energy-parameters) and the products' lifetimes: no LP of
#: these samples is the base LP plus linear moves, so each is rebuilt
NONLINEAR = ["energy-capital-cost", "energy-ccs-cost", "energy-fuel-price", "energy-parameters",
             "energy-tech-lifetime", "product-lifetimes"]


@pytest.fixture(scope="module")
def curved(blue: dict[str, Any]) -> Evaluator:
    study = blue["study"]
    fast = Evaluator(study, blue["stages"], blue["cat"], ())
    fast.summaries(Case({}, study.study.seed))
    fast.resamplers = resamplers(fast, NONLINEAR, samples=1000)
    return fast


def test_rebuilt_samples_take_the_headline_atoms_and_equal_the_full_stage(
        blue: dict[str, Any], curved: Evaluator) -> None:
    info = curved.resamplers["energy"].describe()
    # five energy datasets: two builds along the diagonal find the curve, not one each
    assert info["method"] == "rebuild" and "together" in info["reason"]
    assert info["figures"] == "headline"
    for factors in ({"energy-capital-cost": 1.2, "energy-ccs-cost": 1.1, "energy-fuel-price": 0.8,
                     "energy-parameters": 0.75, "energy-tech-lifetime": 1.3,
                     "product-lifetimes": 0.8},
                    {"energy-capital-cost": 0.75, "energy-ccs-cost": 0.9,
                     "energy-fuel-price": 1.25,
                     "energy-parameters": 1.3, "energy-tech-lifetime": 0.7,
                     "product-lifetimes": 1.25}):
        got = figures(curved.summaries(_case(factors)))
        assert curved.how == {"energy": "rebuilt", "materials": "ran"}
        want = figures(blue["rebuilt"].summaries(_case(factors)))
        assert got[OBJECTIVE] != pytest.approx(figures(blue["base"])[OBJECTIVE], rel=1e-3)
        assert got[OBJECTIVE] == pytest.approx(want[OBJECTIVE], rel=1e-9)
        headline = {k for k in want if k.split(".")[0] != "energy"
                    or k.split(".")[1] in HEADLINES}
        assert set(got) == headline
        far = {k: (got[k], want[k]) for k in got
               if not np.isclose(got[k], want[k], rtol=1e-6, atol=1e-6)}
        assert not far


def test_a_rebuilt_sample_does_not_depend_on_the_one_before(curved: Evaluator) -> None:
    # what makes an uncertainty run's digest the same on any number of workers: a worker's
    # HiGHS instance and kept materials plan carry nothing from one sample to the next
    first = {"energy-capital-cost": 0.9, "energy-ccs-cost": 1.2, "energy-fuel-price": 1.1,
             "energy-parameters": 1.2, "energy-tech-lifetime": 0.8, "product-lifetimes": 1.2}
    second = {n: 2.0 - f for n, f in first.items()}
    after = pickle.loads(pickle.dumps(curved))  # a fresh worker
    after.summaries(_case(first))
    fresh = pickle.loads(pickle.dumps(curved))
    assert after.summaries(_case(second)) == fresh.summaries(_case(second))
    assert fresh.how == {"energy": "rebuilt", "materials": "ran"}


def test_too_few_samples_are_rebuilt_and_the_run_says_why(blue: dict[str, Any]) -> None:
    r = resamplers(blue["fast"], LINEAR, samples=3)["energy"]
    info = r.describe()
    assert info["method"] == "rebuild" and "3 samples do not repay" in info["reason"]
    _, how = r.run(blue["study"].energy, blue["study"], blue["cat"], {},
                   {"energy-capital-cost": 1.1})
    assert how == "rebuilt"


def test_a_new_highs_prints_nothing_on_stdout(capfd: pytest.CaptureFixture[str]) -> None:
    # `shigen run --uncertainty N --json` prints one JSON document: no HiGHS banner
    from shigen.energy.resolve import _new_highs

    _new_highs()
    assert "HiGHS" not in capfd.readouterr().out
