"""Policy packages and ensembles change dataset values through data overrides."""

import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.errors import InputError
from shigen.policy.ensemble import run_ensemble
from shigen.policy.executor import LocalExecutor
from shigen.runs.runner import run_study
from shigen.runs.store import RunStore
from shigen.study import parse_study

HHI = "supply.commodities.rare-earths.2009.import_hhi"
STUDY = f"""
[study]
name = "data-policy"
title = "Packages and samples that change a dataset"
seed = 3

[supply]
commodities = ["rare-earths"]
importer = "JPN"
years = [2009]

[policy]
method = "weighted-sum"

[policy.packages.status-quo]

[policy.packages.diversified]
[[policy.packages.diversified.append."data.override"]]
dataset = "japan-ree-imports"
select = {{ origin = ["CHN", "OTHER"], year = 2009 }}
value = 0.5
reason = "half from China"

[[policy.criteria]]
name = "ree-import-hhi"
path = "{HHI}"
sense = "min"
weight = 1

[[policy.uncertain]]
name = "china-share"
dataset = "japan-ree-imports"
select = {{ origin = "CHN", year = 2009 }}
distribution = {{ dist = "uniform", low = 0.6, high = 0.95 }}
"""

SINGLE = """
[study]
name = "one-share"
title = "One share"

[supply]
commodities = ["rare-earths"]
importer = "JPN"
years = [2009]

[[data.override]]
dataset = "japan-ree-imports"
select = {{ origin = {origin}, year = 2009 }}
value = {value!r}
"""


@pytest.fixture(scope="module")
def cat():
    return Catalogue()


def _hhi(cat, tmp_path, origin, value) -> float:
    study = parse_study(SINGLE.format(origin=origin, value=value))
    res = run_study(study, cat, RunStore(tmp_path / "home"))
    return float(res.stages["supply"]["commodities"]["rare-earths"]["2009"]["import_hhi"])


def test_ensemble_samples_a_dataset_value_and_packages_add_data_overrides(cat, tmp_path):
    study = parse_study(STUDY)
    ds = run_ensemble(study, cat, 3, LocalExecutor(1))
    assert list(ds.parameter_path.values) == ["data:japan-ree-imports[origin=CHN,year=2009]"]
    shares = ds["parameter_value"].values[:, 0]
    assert ((shares >= 0.6) & (shares <= 0.95)).all() and len(set(shares)) == 3
    hhi = ds["criterion_value"].sel(criterion="ree-import-hhi")
    # each sample equals a plain run with the drawn share written as a [[data.override]]
    for k, share in enumerate(shares):
        expected = _hhi(cat, tmp_path / str(k), '"CHN"', float(share))
        assert hhi.sel(package="status-quo").values[k] == pytest.approx(expected, rel=1e-12)
    # the package's own override comes after the draw, so it wins: the same in every sample
    diversified = hhi.sel(package="diversified").values
    assert np.all(diversified == diversified[0])
    assert diversified[0] == pytest.approx(_hhi(cat, tmp_path / "d", '["CHN", "OTHER"]', 0.5))
    assert diversified[0] < hhi.sel(package="status-quo").values.min()


def test_a_package_override_with_no_matching_row_names_the_dataset(cat):
    study = parse_study(STUDY.replace('origin = ["CHN", "OTHER"]', 'origin = ["CHN", "XXX"]'))
    with pytest.raises(InputError, match="dataset 'japan-ree-imports' has origin = 'XXX'"):
        run_ensemble(study, cat, 1, LocalExecutor(1))


@pytest.mark.parametrize(("entry", "what"), [
    ('path = "supply.years"\ndataset = "x"', "give either 'path'"),
    ('select = { origin = "CHN" }', "give either 'path'"),
    ('path = "supply.years"\nchange = "scale"', "'select' and 'change' go with 'dataset'"),
])
def test_an_uncertain_parameter_names_one_target(entry, what):
    text = STUDY.split("[[policy.uncertain]]")[0] + (
        "[[policy.uncertain]]\nname = \"p\"\n" + entry +
        '\ndistribution = { dist = "uniform", low = 0.6, high = 0.95 }\n')
    with pytest.raises(InputError, match=what):
        parse_study(text)


def test_study_field_parameters_dump_as_before_so_run_ids_stay():
    import json

    doc = json.loads(parse_study(STUDY.replace(
        'dataset = "japan-ree-imports"\nselect = { origin = "CHN", year = 2009 }\ndistribution',
        'path = "supply.years"\ndistribution')).canonical_json())
    assert set(doc["policy"]["uncertain"][0]) == {"name", "path", "distribution", "integer"}
    data = json.loads(parse_study(STUDY).canonical_json())["policy"]["uncertain"][0]
    assert data["dataset"] == "japan-ree-imports" and data["change"] == "value"
