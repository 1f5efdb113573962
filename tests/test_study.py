"""Study files: validation with located messages; the JSON Schema."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from shigen.errors import InputError, InputErrors
from shigen.study import Study, json_schema, load_study, parse_study
from shigen.supply.config import SupplyConfig

STUDIES = Path(__file__).resolve().parents[1] / "studies"
FLAGSHIP = STUDIES / "japan-2009.toml"

GOOD = """\
[study]
name = "demo"
title = "Demo"

[supply]
commodities = ["rare-earths"]
years = [2010, 2009]
"""


def problems(text: str) -> list[InputError]:
    with pytest.raises(InputError) as info:
        parse_study(text, "s.toml")
    exc = info.value
    return exc.problems if isinstance(exc, InputErrors) else [exc]


def test_good_study_parses_and_sorts_years() -> None:
    s = parse_study(GOOD, "s.toml")
    assert s.supply is not None and s.supply.years == [2009, 2010]
    assert s.declared_stages() == ["supply"]
    assert s.study.seed == 0


def test_flagship_loads() -> None:
    s = load_study(FLAGSHIP)
    assert s.study.name == "japan-2009"
    assert "supply" in s.declared_stages()


def test_unknown_key_names_line_and_field() -> None:
    [p] = problems(GOOD.replace('years = [', 'yeers = [2009]\nyears = ['))
    assert p.where is not None
    assert (p.where.file, p.where.line, p.where.field) == ("s.toml", 7, "supply.yeers")
    assert "unknown key 'yeers'" in p.what
    keys = ", ".join(sorted(SupplyConfig.model_fields))
    assert p.fix == f"did you mean 'years'? remove the key or use one of: {keys}"


def test_unknown_top_level_table() -> None:
    [p] = problems(GOOD + "\n[suply]\nx = 1\n")
    assert p.where is not None and p.where.line == 9 and p.where.field == "suply"


def test_wrong_type_names_line() -> None:
    [p] = problems(GOOD.replace('title = "Demo"', 'title = "Demo"\nseed = "abc"'))
    assert p.where is not None and (p.where.line, p.where.field) == (4, "study.seed")
    assert "integer" in p.what


def test_every_problem_is_reported() -> None:
    text = GOOD.replace('name = "demo"', 'name = "Demo Study"').replace(
        '["rare-earths"]', '["rare-earths", "Unobtainium"]')
    ps = problems(text)
    assert [(p.where.line, p.where.field) for p in ps if p.where] == [
        (2, "study.name"), (6, "supply.commodities")]
    assert "Unobtainium" in ps[1].what and "lowercase" in ps[1].what


def test_missing_required_field() -> None:
    [p] = problems(GOOD.replace('title = "Demo"\n', ""))
    assert p.where is not None and p.where.field == "study.title"
    assert p.where.line == 1  # the [study] header
    assert p.fix == "add the field"


def test_toml_syntax_error_has_line_and_column() -> None:
    [p] = problems(GOOD.replace('title = "Demo"', 'title = "Demo'))
    assert p.where is not None and p.where.line == 3 and p.where.column is not None
    assert "not valid TOML" in p.what


def test_unknown_importer_country() -> None:
    [p] = problems(GOOD + 'importer = "XYZ"\n')
    assert "ISO 3166-1" in p.what and p.where is not None and p.where.line == 8


def test_stage_not_available_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    # every stage of STAGE_ORDER is available now: pretend one is not
    from shigen.study import Study

    fields = {k: v for k, v in Study.model_fields.items() if k != "policy"}
    monkeypatch.setattr(Study, "model_fields", fields)
    [p] = problems(GOOD + "\n[policy]\npackages = []\n")
    assert "not available" in p.what and p.where is not None and p.where.line == 9


def test_policy_section_errors_are_located() -> None:
    found = problems(GOOD + "\n[policy]\npackages = []\n")
    assert [(p.where.field, p.where.line) for p in found if p.where] == [
        ("policy.packages", 10), ("policy.criteria", 9)]


def test_load_study_file_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_study(tmp_path / "none.toml")
    with pytest.raises(InputError, match="is not a file"):
        load_study(tmp_path)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(GOOD.replace("Demo", "D\xe9mo").encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8") as info:
        load_study(bad)
    assert info.value.where is not None and info.value.where.line == 3


def test_canonical_json_ignores_formatting() -> None:
    a = parse_study(GOOD, "a.toml")
    b = parse_study(GOOD.replace("\n\n", "\n# a comment\n\n"), "b.toml")
    assert a.canonical_json() == b.canonical_json()


# --- JSON Schema ----------------------------------------------------------------------
def test_schema_command_prints_valid_json_schema(cli) -> None:
    res = cli("schema")
    assert res.exit_code == 0 and res.stderr == ""
    schema = json.loads(res.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema == json_schema()
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("path", sorted(STUDIES.glob("*.toml")), ids=lambda p: p.name)
def test_every_shipped_study_validates_against_the_schema(path: Path) -> None:
    doc = tomllib.loads(path.read_text("utf-8"))
    jsonschema.Draft202012Validator(json_schema()).validate(doc)
    assert isinstance(load_study(path), Study)  # the models (with the study's folder) agree


def test_schema_rejects_what_the_models_reject() -> None:
    doc = tomllib.loads(GOOD)
    doc["supply"]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(json_schema()).validate(doc)


# --- energy baselines: resolved by the study loader, not by the energy config ------------
ENERGY = '[study]\nname = "a"\ntitle = "A"\n\n[energy]\nbaseline = "base.toml"\n'
BASE = '[study]\nname = "b"\ntitle = "B"\n\n[energy]\nco2_price = { 2050 = 50.0 }\n'


def test_the_loader_attaches_the_baseline_energy_section(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(BASE, "utf-8")
    (tmp_path / "a.toml").write_text(ENERGY, "utf-8")
    energy = load_study(tmp_path / "a.toml").energy
    assert energy is not None and energy.baseline_config is not None
    assert energy.baseline_config.co2_price == {2050: 50.0}
    # a changed baseline changes the study's canonical JSON (and so its run id)
    before = load_study(tmp_path / "a.toml").canonical_json()
    (tmp_path / "base.toml").write_text(BASE.replace("50.0", "60.0"), "utf-8")
    assert load_study(tmp_path / "a.toml").canonical_json() != before


def test_a_missing_baseline_is_located_in_the_study(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="baseline study 'base.toml' not found") as info:
        parse_study(ENERGY, "a.toml", {"study_dir": str(tmp_path)})
    assert info.value.where is not None
    assert (info.value.where.file, info.value.where.line, info.value.where.field) == (
        "a.toml", 6, "energy.baseline")


def test_a_baseline_without_energy_is_refused(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(GOOD, "utf-8")
    with pytest.raises(InputError, match=r"has no \[energy\] section") as info:
        parse_study(ENERGY, "a.toml", {"study_dir": str(tmp_path)})
    assert info.value.where is not None and info.value.where.line == 6


def test_a_baselines_own_baseline_must_exist_but_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text(BASE + 'baseline = "older.toml"\n', "utf-8")
    (tmp_path / "a.toml").write_text(ENERGY, "utf-8")
    with pytest.raises(InputError, match="'older.toml' not found") as info:
        load_study(tmp_path / "a.toml")
    assert info.value.where is not None and info.value.where.file == str(tmp_path / "base.toml")
    (tmp_path / "older.toml").write_text("not toml at all [", "utf-8")  # never parsed
    energy = load_study(tmp_path / "a.toml").energy
    assert energy is not None and energy.baseline_config is not None
    assert energy.baseline_config.baseline_config is None


def test_the_energy_config_reads_no_files(tmp_path: Path) -> None:
    from shigen.energy.config import EnergyConfig

    cfg = EnergyConfig.model_validate({"baseline": "nowhere.toml"},
                                      context={"study_dir": str(tmp_path)})
    assert cfg.baseline == "nowhere.toml" and cfg.baseline_config is None
