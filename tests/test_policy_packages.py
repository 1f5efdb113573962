"""Packages: overrides by dotted path, located errors, common random numbers."""

import sys
from pathlib import Path

# the test-only stages live in tests/policy_toy.py; spawned workers inherit sys.path
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.errors import InputError
from shigen.policy.appraise import compare, evaluator_for
from shigen.policy.ensemble import run_ensemble, summarize
from shigen.policy.executor import LocalExecutor
from shigen.policy.packages import apply_overrides
from shigen.policy.paths import PathError, get_path


@pytest.fixture(scope="module")
def cat():
    return Catalogue()


def study(**kw):
    from policy_toy import POLICY, toy_study

    return toy_study({**POLICY, **kw}, toy={"noise": 1.0})


def test_overrides_make_a_validated_copy():
    s = study()
    p = apply_overrides(s, {"toy.cost": 4.0}, where="policy.packages.x.overrides")
    assert p.toy.cost == 4.0 and s.toy.cost == 1.0
    assert p.policy is None and p.study.seed == s.study.seed
    assert apply_overrides(s, {}, where="w", seed=99).study.seed == 99


@pytest.mark.parametrize("path,value,field", [
    ("toy.nope", 1.0, "policy.packages.x.overrides.toy.nope"),
    ("toy.cost", "cheap", "policy.packages.x.overrides.toy.cost"),
    ("toy.cost.deeper", 1, "policy.packages.x.overrides.toy.cost.deeper"),
])
def test_bad_override_is_a_located_input_error(path, value, field):
    with pytest.raises(InputError) as exc:
        apply_overrides(study(), {path: value}, where="policy.packages.x.overrides")
    assert exc.value.where.field == field
    assert exc.value.exit_code == 2


def test_get_path_selectors_and_errors():
    doc = {"supply": {"stages": [{"stage": "mining", "hhi": 0.9}, {"stage": "enrichment"}]}}
    assert get_path(doc, "supply.stages.stage=mining.hhi") == 0.9
    assert get_path(doc, "supply.stages.1.stage") == "enrichment"
    with pytest.raises(PathError, match="available: stages"):
        get_path(doc, "supply.stagez.0")


def test_identical_packages_differ_by_exactly_zero(cat):
    s = study()
    ev = evaluator_for(s, cat, _toy())
    ev.reuse = False  # run the stage for each package: equality comes from the seed alone
    comp = compare(s, ev)
    i, j = comp.packages.index("status-quo"), comp.packages.index("twin")
    # the shortfall is a Monte Carlo mean over seeded draws: with common random numbers
    # two identical packages give bit-identical values
    assert (comp.values[i] - comp.values[j] == 0).all()
    assert comp.values[i, 1] > 0


def test_identical_packages_differ_by_zero_in_every_ensemble_sample(cat):
    s = study()
    ds = run_ensemble(s, cat, 20, LocalExecutor(1), stages=_toy(), reuse=False)
    v = ds["criterion_value"]
    diff = v.sel(package="twin") - v.sel(package="status-quo")
    assert (diff == 0).all()
    # but samples differ from each other (each has its own seed and noise draw)
    assert v.sel(package="noisy", criterion="shortfall").std() > 0
    out = summarize(ds)
    assert out["difference"]["twin"]["shortfall"] == {"mean": 0.0, "sd": 0.0, "p5": 0.0,
                                                      "p50": 0.0, "p95": 0.0}
    assert sum(out["prob_best"].values()) == pytest.approx(1.0)


def test_cheap_package_dominates(cat):
    # cost 0.5 instead of 1 raises the shortfall (10 + noise − cost); with "more shortfall
    # is better" (a contrived sense) the package is better on both criteria
    s = study(packages={"base": {}, "better": {"overrides": {"toy.cost": 0.5}}},
              criteria=[{"name": "cost", "path": "toy.cost", "sense": "min", "weight": 1},
                        {"name": "shortfall", "path": "toy.risk.JPN.expected_shortfall_t",
                         "sense": "max", "weight": 1}])
    comp = compare(s, evaluator_for(s, cat, _toy()))
    assert comp.ranking == ["better", "base"]
    assert comp.rank_stability.tolist() == [0.0, 1.0]


def test_criterion_path_errors_are_located(cat):
    s = study(criteria=[{"name": "c", "path": "toy.risk.CHN.expected_shortfall_t",
                         "sense": "min", "weight": 1}])
    with pytest.raises(InputError) as exc:
        compare(s, evaluator_for(s, cat, _toy()))
    assert exc.value.where.field == "policy.criteria.0.path"
    assert "JPN" in exc.value.what
    s = study(criteria=[{"name": "c", "path": "energy.cost", "sense": "min", "weight": 1}])
    with pytest.raises(InputError, match="does not run"):
        evaluator_for(s, cat, _toy())


def _toy():
    from policy_toy import TOY

    return [TOY]


def test_ensemble_and_sensitivity_overrides_apply_only_there(cat):
    from shigen.policy.ensemble import sample_cases

    s = study(ensemble={"overrides": {"toy.draws": 10}},
              sensitivity={"samples": 8, "overrides": {"toy.draws": 20}})
    cases, _, _ = sample_cases(s, 2)
    assert all(c.overrides["toy.draws"] == 10 for c in cases)
    assert compare(s, evaluator_for(s, cat, _toy())).values.shape == (4, 2)


def test_append_adds_list_items_that_overrides_can_address():
    s = study()
    p = apply_overrides(s, {"toy.items.name=new.size": 5.0}, where="policy.packages.x.overrides",
                        append={"toy.items": [{"name": 1.0, "size": 2.0},
                                              {"name": "new", "size": 1.0}]})
    assert [i["size"] for i in p.toy.items] == [2.0, 5.0]
    with pytest.raises(InputError) as exc:
        apply_overrides(s, {}, where="policy.packages.x.overrides",
                        append={"toy.cost": [1.0]})
    assert exc.value.where.field == "policy.packages.x.append.toy.cost"


@pytest.mark.parametrize("path", ["a.b.c", "a.x", "q"])
def test_set_then_get_round_trips(path):
    from shigen.policy.paths import set_path

    doc = {"a": {"b": {"c": 1}, "l": [1, 2]}}
    assert get_path(set_path(doc, path, [3.5]), path) == [3.5]
    assert doc["a"]["l"] == [1, 2]


def test_reusing_unchanged_stages_gives_the_same_values(cat):
    from policy_toy import TOY
    from shigen.stages import StageSpec

    calls = []

    def counted(cfg, study, c, upstream):
        calls.append(study.study.seed)
        return TOY.run(cfg, study, c, upstream)

    first = StageSpec(name="toy", title="t", run=counted, summarize=TOY.summarize)
    s = study(packages={"a": {}, "b": {}, "c": {"overrides": {"toy.cost": 2.0}}})
    with_reuse = evaluator_for(s, cat, [first])
    values = compare(s, with_reuse).values
    assert len(calls) == 2  # "a" runs the stage, "b" reuses it, "c" changes it
    without = evaluator_for(s, cat, [first])
    without.reuse = False
    np.testing.assert_array_equal(compare(s, without).values, values)
    assert len(calls) == 5


def test_prime_with_the_runs_own_results(cat):
    from policy_toy import TOY

    s = study(packages={"a": {}})
    ev = evaluator_for(s, cat, _toy())
    fresh = compare(s, ev).values
    ds = TOY.run(s.toy, s, cat, {})
    primed = evaluator_for(s, cat, _toy())
    primed.prime({"toy": ds})
    assert len(primed._memo["toy"]) == 1
    np.testing.assert_array_equal(compare(s, primed).values, fresh)


@pytest.mark.parametrize("path", sorted((Path(__file__).resolve().parents[1] / "studies")
                                        .glob("*.toml")), ids=lambda p: p.stem)
def test_no_override_copy_of_every_shipped_study_is_the_study(path):
    # computed fields are dropped and relative paths (energy baselines) still resolve
    from shigen.study import load_study

    s = load_study(path)
    copy = apply_overrides(s, {}, where="policy.packages.x.overrides")
    a, b = s.model_dump(mode="json"), copy.model_dump(mode="json")
    a.pop("policy", None)
    b.pop("policy", None)
    assert a == b
