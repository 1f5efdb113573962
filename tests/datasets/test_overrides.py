"""Study-level data overrides: the catalogue view, its checks, provenance and run ids."""

import json

import pytest

from shigen.datasets import Catalogue
from shigen.datasets.overrides import DataOverride
from shigen.errors import InputError
from shigen.study import parse_study

LIMIT = "energy-build-limit"
WORLD_NUCLEAR_2030 = {"region": "WORLD", "technology": "nuclear", "year": 2030}


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue()


def cell(c: Catalogue, dataset: str, **labels) -> float:
    f = c.frame(dataset)
    for k, v in labels.items():
        f = f[f[k] == v]
    assert len(f) == 1
    return float(f["value"].iloc[0])


def test_value_changes_one_cell_and_nothing_else(cat):
    view = cat.with_overrides([DataOverride(dataset=LIMIT, select=WORLD_NUCLEAR_2030,
                                            value=28.0, reason="test -30 %")])
    assert cell(cat, LIMIT, **WORLD_NUCLEAR_2030) == 40.0  # the base is untouched
    assert cell(view, LIMIT, **WORLD_NUCLEAR_2030) == 28.0
    before, after = cat.frame(LIMIT), view.frame(LIMIT)
    assert (before["value"] != after["value"]).sum() == 1
    (applied,) = view.applied()
    doc = applied.to_json()
    assert doc["rows_changed"] == 1 and doc["reason"] == "test -30 %"
    assert doc["changes"] == [{**WORLD_NUCLEAR_2030, "old": 40.0, "new": 28.0}]
    assert doc["field"] == "data.override.0" and doc["value"] == 28.0


def test_scale_multiplies_every_selected_row(cat):
    view = cat.with_overrides([DataOverride(dataset=LIMIT,
                                            select={"region": "WORLD", "technology": "nuclear"},
                                            scale=0.5)])
    base = cat.frame(LIMIT).query("region == 'WORLD' and technology == 'nuclear'")
    new = view.frame(LIMIT).query("region == 'WORLD' and technology == 'nuclear'")
    assert list(new["value"]) == [v * 0.5 for v in base["value"]]  # 10, 20, 30, 40… halved
    (applied,) = view.applied()
    assert applied.rows == len(base) == 9


def test_lists_of_labels_select_several_rows(cat):
    view = cat.with_overrides([DataOverride(
        dataset=LIMIT, select={"region": "WORLD", "technology": "nuclear", "year": [2030, 2035]},
        value=1.0)])
    assert view.applied()[0].rows == 2


def test_the_later_override_wins_on_a_shared_cell_and_scale_reads_the_file_value(cat):
    first = DataOverride(dataset=LIMIT, select=WORLD_NUCLEAR_2030, value=10.0)
    second = DataOverride(dataset=LIMIT, select={"region": "WORLD", "technology": "nuclear"},
                          scale=0.5)
    # the scale applies to the file's 40, not the earlier override's 10
    assert cell(cat.with_overrides([first, second]), LIMIT, **WORLD_NUCLEAR_2030) == 20.0
    assert cell(cat.with_overrides([second, first]), LIMIT, **WORLD_NUCLEAR_2030) == 10.0


def test_a_views_overrides_replace_never_stack(cat):
    half = DataOverride(dataset=LIMIT, select=WORLD_NUCLEAR_2030, scale=0.5)
    once = cat.with_overrides([half])
    assert cell(once.with_overrides([half]), LIMIT, **WORLD_NUCLEAR_2030) == 20.0
    assert cell(once.with_overrides([]), LIMIT, **WORLD_NUCLEAR_2030) == 40.0


def test_fingerprint_of_a_view_changes_only_for_changed_datasets(cat):
    view = cat.with_overrides([DataOverride(dataset=LIMIT, select=WORLD_NUCLEAR_2030,
                                            value=28.0)])
    base, changed = cat.fingerprint(), view.fingerprint()
    assert changed[LIMIT] != base[LIMIT]
    assert {k for k in base if base[k] != changed[k]} == {LIMIT}
    assert view.files_fingerprint() == base


@pytest.mark.parametrize(("select", "field", "what", "fix"), [
    ({"region": "WORLD", "technology": "nuclear", "year": 2031}, "data.override.0.select",
     "no row of dataset 'energy-build-limit' has year = 2031", "did you mean 2030, 2035"),
    ({"region": "WORLD", "technology": "nuclaer"}, "data.override.0.select",
     "technology = 'nuclaer'", "did you mean 'nuclear'"),
    ({"regoin": "WORLD"}, "data.override.0.select", "has no dimension 'regoin'",
     "did you mean 'region'"),
    ({"region": "WORLD", "year": "twenty"}, "data.override.0.select",
     "year 'twenty' is not an integer", "write year as a number"),
])
def test_bad_selections_name_the_dataset_the_selection_and_a_fix(cat, select, field, what, fix):
    with pytest.raises(InputError) as err:
        cat.with_overrides([DataOverride(dataset=LIMIT, select=select, value=1.0)])
    assert what in err.value.what and LIMIT in err.value.what
    assert err.value.where.field == field
    assert fix in err.value.fix


def test_labels_that_exist_but_never_together_match_no_row(cat):
    # AUS has rows and 2005 has rows, but the file has Australia in four later years only
    with pytest.raises(InputError, match="matches select") as err:
        cat.with_overrides([DataOverride(dataset="ree-mine-production",
                                         select={"country": "AUS", "year": 2005}, value=1.0)])
    assert "rows with {'country': 'AUS'} have no year 2005" in err.value.what
    assert err.value.fix == "with {'country': 'AUS'}, year is one of: 2016, 2020, 2023, 2024"


def test_values_outside_the_bounds_are_refused(cat):
    with pytest.raises(InputError, match=r"outside the dataset's bounds \[0, 1\]") as err:
        cat.with_overrides([DataOverride(dataset="japan-ree-imports",
                                         select={"origin": "CHN", "year": 2009}, value=1.2)])
    assert err.value.where.field == "data.override.0.value"
    with pytest.raises(InputError, match=r"bounds \[0, inf\]"):
        cat.with_overrides([DataOverride(dataset=LIMIT, select=WORLD_NUCLEAR_2030, value=-1)])


def test_unknown_dataset_suggests_the_nearest_name(cat):
    with pytest.raises(InputError, match="unknown dataset 'energy-build-limits'") as err:
        cat.with_overrides([DataOverride(dataset="energy-build-limits", value=1.0)])
    assert "energy-build-limit" in err.value.fix
    assert err.value.where.field == "data.override.0.dataset"


@pytest.mark.parametrize("entry", [
    {"dataset": LIMIT, "value": 1.0, "scale": 0.5},
    {"dataset": LIMIT},
    {"dataset": LIMIT, "scale": -0.5},
    {"dataset": LIMIT, "value": 1.0, "selct": {}},
    {"dataset": LIMIT, "value": 1.0, "select": {"year": True}},
])
def test_the_study_model_rejects_malformed_entries(entry):
    with pytest.raises(InputError) as err:
        parse_study(_study_text(entry), "s.toml")
    assert err.value.where is not None or err.value.problems


def _study_text(entry: dict) -> str:
    import tomli_w

    return tomli_w.dumps({"study": {"name": "s", "title": "S"},
                          "supply": {"commodities": ["rare-earths"], "years": [2009]},
                          "data": {"override": [entry]}})


def test_run_id_changes_with_the_overrides_and_not_without_a_data_section():
    plain = parse_study('[study]\nname = "s"\ntitle = "S"\n[supply]\n'
                        'commodities = ["rare-earths"]\nyears = [2009]\n')
    assert '"data"' not in plain.canonical_json()  # studies without [data] hash as before
    a = parse_study(_study_text({"dataset": LIMIT, "value": 1.0}))
    b = parse_study(_study_text({"dataset": LIMIT, "value": 2.0}))
    c = parse_study(_study_text({"dataset": LIMIT, "value": 1.0, "reason": "why"}))
    assert len({plain.canonical_json(), a.canonical_json(), b.canonical_json(),
                c.canonical_json()}) == 4
    assert json.loads(a.canonical_json())["data"]["override"][0]["dataset"] == LIMIT
