"""Sobol indices: SALib on the Ishigami function against its analytic values."""

import sys
from pathlib import Path

# the test-only stages live in tests/policy_toy.py; spawned workers inherit sys.path
sys.path.insert(0, str(Path(__file__).resolve().parent))


import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.distributions import Uniform
from shigen.policy.appraise import evaluator_for, sensitivity
from shigen.policy.config import Uncertain
from shigen.policy.sensitivity import sobol
from shigen.policy.uncertainty import values

# Ishigami a=7, b=0.1 (Ishigami & Homma 1990; Sobol' & Levitan 1999):
# V = a²/8 + b·π⁴/5 + b²·π⁸/18 + 1/2; V1 = (1 + b·π⁴/5)²/2; V2 = a²/8;
# V13 = b²·π⁸·(1/18 − 1/50); S1 = V1/V, S2 = V2/V, S3 = 0; ST1 = (V1+V13)/V, ST3 = V13/V
A, B = 7.0, 0.1
V = A**2 / 8 + B * np.pi**4 / 5 + B**2 * np.pi**8 / 18 + 0.5
V1 = (1 + B * np.pi**4 / 5) ** 2 / 2
V2 = A**2 / 8
V13 = B**2 * np.pi**8 * (1 / 18 - 1 / 50)
S1 = np.array([V1 / V, V2 / V, 0.0])
ST = np.array([(V1 + V13) / V, V2 / V, V13 / V])
PARAMS = [Uncertain(name=f"x{i}", path=f"toy.x{i}",
                    distribution=Uniform(dist="uniform", low=-np.pi, high=np.pi))
          for i in (1, 2, 3)]


def ishigami(x):
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def test_known_values():
    assert S1.round(4).tolist() == [0.3139, 0.4424, 0.0]
    assert ST.round(4).tolist() == [0.5576, 0.4424, 0.2437]


def test_sobol_on_ishigami_matches_analytic_values():
    res = sobol(lambda u: ishigami(values(PARAMS, u))[:, None], PARAMS, ["y"], n=4096, seed=11)
    # tolerance 0.03 absolute at N = 4096 (20,480 evaluations)
    np.testing.assert_allclose(res.S1[0], S1, atol=0.03)
    np.testing.assert_allclose(res.ST[0], ST, atol=0.03)
    assert res.evaluations == 4096 * 5


def test_sobol_through_a_stage_and_the_executor():
    from policy_toy import TOY, toy_study

    policy = {"packages": {"only": {}},
              "criteria": [{"name": "ishigami", "path": "toy.ishigami", "sense": "max",
                            "weight": 1}],
              "uncertain": [p.model_dump() for p in PARAMS], "sensitivity": {"samples": 512}}
    study = toy_study(policy)
    res = sensitivity(study, evaluator_for(study, Catalogue(), [TOY]))
    j = res.to_json()["ishigami"]
    # N = 512 through the full path (overrides, validation, stage, summary): 0.08 absolute
    for i, name in enumerate(("x1", "x2", "x3")):
        assert j[name]["S1"] == pytest.approx(S1[i], abs=0.08)
        assert j[name]["ST"] == pytest.approx(ST[i], abs=0.08)


def test_constant_criterion_has_zero_indices():
    res = sobol(lambda u: np.ones((len(u), 1)), PARAMS, ["flat"], n=64, seed=1)
    assert (res.S1 == 0).all() and (res.ST == 0).all()


def test_stage_dataset_summary_and_figure_data():
    from policy_toy import TOY, toy_study
    from shigen.policy.appraise import compare
    from shigen.policy.stage import appraisal_dataset, sobol_bars, summarize
    from shigen.report.policy import render

    policy = {"packages": {"base": {}, "cheap": {"overrides": {"toy.cost": 0.5}}},
              "criteria": [{"name": "ishigami", "path": "toy.ishigami", "sense": "max",
                            "weight": 1, "unit": "1"},
                           {"name": "cost", "path": "toy.cost", "sense": "min", "weight": 1,
                            "unit": "JPY"}],
              "uncertain": [p.model_dump() for p in PARAMS], "sensitivity": {"samples": 64}}
    study = toy_study(policy)
    ev = evaluator_for(study, Catalogue(), [TOY])
    ds = appraisal_dataset(study.policy, study, compare(study, ev), sensitivity(study, ev))
    out = summarize(ds)
    assert out["ranking"] == ["cheap", "base"]
    assert out["scores"]["cheap"]["cost"] == 0.5
    assert set(out["sobol"]) == {"ishigami", "cost"}
    assert set(out["sobol"]["ishigami"]) == {"x1", "x2", "x3"}
    # cost does not depend on x: all indices 0; bars sorted by ST within a criterion
    assert all(v == {"S1": 0.0, "ST": 0.0} for v in out["sobol"]["cost"].values())
    bars = sobol_bars(ds)
    assert list(bars.columns) == ["criterion", "parameter", "S1", "ST", "S1_conf", "ST_conf"]
    ish = bars[bars.criterion == "ishigami"]
    assert ish.ST.is_monotonic_decreasing and ish.parameter.iloc[-1] == "x3"
    assert [b["parameter"] for b in out["sobol_bars"]["ishigami"]] == ish.parameter.tolist()
    assert len(render(out)) == 3
