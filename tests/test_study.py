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
years = [2010, 2009, 2009]
"""


def problems(text: str) -> list[InputError]:
    with pytest.raises(InputError) as info:
        parse_study(text, "s.toml")
    exc = info.value
    return exc.problems if isinstance(exc, InputErrors) else [exc]


def test_good_study_parses_and_normalises_years() -> None:
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
        '["rare-earths"]', '["rare-earths", "unobtainium"]')
    ps = problems(text)
    assert [(p.where.line, p.where.field) for p in ps if p.where] == [
        (2, "study.name"), (6, "supply.commodities")]
    assert "unobtainium" in ps[1].what and "available" in ps[1].what


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


def test_stage_not_available_yet() -> None:
    [p] = problems(GOOD + "\n[policy]\npackages = []\n")
    assert "not available" in p.what and p.where is not None and p.where.line == 9


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
