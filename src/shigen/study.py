"""The study file: pydantic models, loading with located error messages, JSON Schema.

A study is a TOML file with a ``[study]`` table and one table per stage it runs
(``[supply]``, ``[energy]``, ...). Unknown keys are rejected; every error names
the file, the line (best effort), the field and what would be valid.

Examples
--------
>>> from shigen.study import Study
>>> s = Study.model_validate({"study": {"name": "demo", "title": "Demo"},
...                           "supply": {"commodities": ["rare-earths"], "years": [2009]}})
>>> s.declared_stages()
['supply']
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from shigen.disruption.config import DisruptionConfig
from shigen.energy.config import EnergyConfig
from shigen.errors import InputError, InputErrors, Location
from shigen.materials.config import MaterialsConfig
from shigen.policy.config import PolicyConfig
from shigen.sandbox import Sandbox, read_limited
from shigen.supply.config import SupplyConfig
from shigen.tomlfile import find_line, read_toml

STAGE_ORDER = ("energy", "materials", "supply", "disruption", "policy")


class StudyMeta(BaseModel):
    """What the study is: its name (used in run ids and exports), title and seed."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80,
                      description="short lowercase-with-hyphens name, e.g. japan-2009")
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=20_000)
    seed: int = Field(default=0, ge=0, le=2**32 - 1,
                      description="seed of every random draw in the run")
    question: list[str] = Field(default_factory=list,
                                description="the questions the study answers (for reports)")


class Study(BaseModel):
    """A whole study: metadata plus one optional section per stage."""

    model_config = ConfigDict(extra="forbid", title="shigen study")

    study: StudyMeta
    energy: EnergyConfig | None = None
    materials: MaterialsConfig | None = None
    supply: SupplyConfig | None = None
    disruption: DisruptionConfig | None = None
    policy: PolicyConfig | None = None

    # (file, text) the study was read from, to locate errors found later in a run
    _source: tuple[str, str] | None = PrivateAttr(default=None)
    _context: dict[str, Any] = PrivateAttr(default_factory=dict)

    def declared_stages(self) -> list[str]:
        return [s for s in STAGE_ORDER if getattr(self, s, None) is not None]

    def canonical_json(self) -> str:
        """Deterministic JSON of the study (sorted keys), the input of its run id."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def available_stages() -> list[str]:
    """Stages this version of shigen can run (those with a section in ``Study``)."""
    return [s for s in STAGE_ORDER if s in Study.model_fields]


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the study file."""
    schema = Study.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _valid_keys(loc: tuple[Any, ...]) -> list[str] | None:
    """The keys allowed in the table that holds ``loc`` (walking the pydantic models)."""
    model: type[BaseModel] = Study
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        nested = [a for a in (field.annotation, *get_args(field.annotation))
                  if isinstance(a, type) and issubclass(a, BaseModel)]
        if not nested:
            return None
        model = nested[0]
    return sorted(model.model_fields)


def _hint(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        keys = _valid_keys(tuple(err["loc"]))
        if not keys:
            return "remove the key or check its spelling (`shigen schema` lists valid keys)"
        close = difflib.get_close_matches(str(err["loc"][-1]), keys, n=1)
        guess = f"did you mean '{close[0]}'? " if close else ""
        return f"{guess}remove the key or use one of: {', '.join(keys)}"
    if kind == "missing":
        return "add the field"
    if kind == "literal_error":
        return f"use one of {ctx.get('expected', '')}"
    if kind == "string_pattern_mismatch":
        return f"match the pattern {ctx.get('pattern', '')}"
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        return "give a value within the allowed range"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return "give a value of the expected type"
    return "see `shigen schema` for the valid form"


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if err["type"] == "extra_forbidden":
        msg = f"unknown key '{err['loc'][-1]}'"
    return msg


def errors_from_validation(exc: ValidationError, file: str, text: str) -> InputErrors:
    """One located ``InputError`` per pydantic error."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        problems.append(InputError(_message(err), Location(file, find_line(text, loc),
                                                           field=field), _hint(err)))
    return InputErrors(problems)


def parse_study(text: str, file: str = "<study>",
                context: dict[str, Any] | None = None) -> Study:
    """Validate study TOML text; raise ``InputError`` naming every problem."""
    doc, text = read_toml(text.encode("utf-8"), file, "study file")
    return validate_study(doc, text, file, context)


def _reject_non_finite(node: Any, loc: tuple[Any, ...], text: str, file: str) -> None:
    """No study number may be inf or nan (TOML allows both, and 1e400 overflows to inf)."""
    if isinstance(node, float) and not math.isfinite(node):
        field = ".".join(str(p) for p in loc)
        raise InputError(f"{node} is not a finite number",
                         Location(file, find_line(text, loc), field=field),
                         "give a finite value (no inf, nan or numbers beyond 1e308)")
    if isinstance(node, dict):
        for k, v in node.items():
            _reject_non_finite(v, (*loc, k), text, file)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _reject_non_finite(v, (*loc, i), text, file)


def validate_study(doc: dict[str, Any], text: str, file: str,
                   context: dict[str, Any] | None = None) -> Study:
    """Validate a parsed study document; errors point into ``text``.

    ``context`` reaches the models' validators (e.g. ``study_dir`` to resolve a
    baseline study named by a relative path).
    """
    _reject_non_finite(doc, (), text, file)
    unknown_stage = [k for k in doc if k in STAGE_ORDER and k not in Study.model_fields]
    if unknown_stage:
        raise InputError(
            f"stage(s) {unknown_stage} are not available in this version of shigen",
            Location(file, find_line(text, (unknown_stage[0],)), field=unknown_stage[0]),
            f"remove the section; available stages: {available_stages()}")
    try:
        study = Study.model_validate(doc, context=context)
    except ValidationError as exc:
        raise errors_from_validation(exc, file, text) from None
    study._source = (file, text)
    study._context = dict(context or {})  # copies (policy packages) validate the same way
    return study


def load_study(path: str | Path, baseline_depth: int = 0,
               sandbox: Sandbox | None = None) -> Study:
    """Read and validate a study file.

    A file another study names (a baseline) is read through that study's ``sandbox``;
    the file named on the command line is the user's own and is only size-checked.
    """
    p = Path(path)
    if sandbox is not None:
        raw = sandbox.read_bytes(p, "study file", Location(str(p)))
    else:
        if not p.is_file():
            raise InputError(f"study file '{p}' does not exist" if not p.exists()
                             else f"'{p}' is not a file", Location(str(p)),
                             "pass the path of a .toml study (see `shigen new DIR`)")
        raw = read_limited(p, "study file")
    doc, text = read_toml(raw, str(p), "study file")
    context = {"study_dir": str(p.parent), "baseline_depth": baseline_depth}
    return validate_study(doc, text, str(p), context)


def locate(study: Study, error: InputError) -> InputError:
    """Fill in the file and line of an error that names only a study field."""
    if isinstance(error, InputErrors):
        for problem in error.problems:
            locate(study, problem)
    where = error.where
    if study._source is None or where is None or where.file or not where.field:
        return error
    file, text = study._source
    where.file = file
    where.line = find_line(text, tuple(where.field.split(".")))
    return error
