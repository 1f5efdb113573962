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

import json
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from shigen.errors import InputError, InputErrors, Location
from shigen.energy.config import EnergyConfig
from shigen.materials.config import MaterialsConfig
from shigen.supply.config import SupplyConfig

STAGE_ORDER = ("energy", "materials", "supply", "disruption", "policy")
ISO3 = r"^[A-Z]{3}$"


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

    def declared_stages(self) -> list[str]:
        return [s for s in STAGE_ORDER if getattr(self, s, None) is not None]

    def canonical_json(self) -> str:
        """Deterministic JSON of the study (sorted keys), the input of its run id."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

    @field_validator("study")
    @classmethod
    def _meta(cls, v: StudyMeta) -> StudyMeta:
        return v


def available_stages() -> list[str]:
    """Stages this version of shigen can run (those with a section in ``Study``)."""
    return [s for s in STAGE_ORDER if s in Study.model_fields]


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the study file."""
    schema = Study.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _find_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of a field: the key inside its table, else the table header."""
    lines = text.splitlines()
    keys = [str(p) for p in loc if not isinstance(p, int)]
    if not keys:
        return None
    table_line: int | None = None
    table_keys = keys[:-1] if len(keys) > 1 else keys
    header_re = re.compile(r"^\s*\[\[?\s*" + r"\s*\.\s*".join(map(re.escape, table_keys))
                           + r"\s*\]\]?\s*(#.*)?$")
    for i, line in enumerate(lines, start=1):
        if header_re.match(line):
            table_line = i
            break
    key_re = re.compile(r"^\s*" + re.escape(keys[-1]) + r"\s*=")
    start = table_line or 1
    for i in range(start, len(lines) + 1):
        if i > start and lines[i - 1].lstrip().startswith("[") and table_line:
            break
        if key_re.match(lines[i - 1]):
            return i
    if table_line:
        return table_line
    header_re = re.compile(r"^\s*\[\[?\s*" + re.escape(keys[0]) + r"\b")
    for i, line in enumerate(lines, start=1):
        if header_re.match(line):
            return i
    return None


def _hint(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        return "remove the key or check its spelling (`shigen schema` lists valid keys)"
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


def errors_from_validation(exc: ValidationError, file: str, text: str) -> InputErrors:
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        problems.append(InputError(err["msg"], Location(file, _find_line(text, loc), field=field),
                                   _hint(err)))
    return InputErrors(problems)


def parse_study(text: str, file: str = "<study>",
                context: dict[str, Any] | None = None) -> Study:
    """Validate study TOML text; raise ``InputError`` naming every problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None)
        if line is None:
            m = re.search(r"line (\d+)", str(exc))
            line = int(m.group(1)) if m else None
        raise InputError(f"not valid TOML: {exc}", Location(file, line),
                         "fix the TOML syntax at that line (quotes, brackets, '=')") from exc
    unknown_stage = [k for k in doc if k in STAGE_ORDER and k not in Study.model_fields]
    if unknown_stage:
        raise InputError(
            f"stage(s) {unknown_stage} are not available in this version of shigen",
            Location(file, _find_line(text, (unknown_stage[0],)), field=unknown_stage[0]),
            f"remove the section; available stages: {available_stages()}")
    try:
        return Study.model_validate(doc, context=context)
    except ValidationError as exc:
        raise errors_from_validation(exc, file, text) from None


def load_study(path: str | Path, baseline_depth: int = 0) -> Study:
    """Read and validate a study file."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"study file '{p}' does not exist" if not p.exists()
                         else f"'{p}' is not a file", Location(str(p)),
                         "pass the path of a .toml study (see `shigen new DIR`)")
    raw = p.read_bytes()
    if len(raw) > 5_000_000:
        raise InputError("study file is larger than 5 MB", Location(str(p)),
                         "a study names datasets; put bulk data in a --data folder")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"study file is not UTF-8 text (byte {exc.start})",
                         Location(str(p), line), "save the file as UTF-8") from exc
    if not text.strip():
        raise InputError("study file is empty", Location(str(p)),
                         "start from `shigen new DIR`; a study needs at least a [study] table")
    return parse_study(text, str(p), {"study_dir": str(p.parent),
                                        "baseline_depth": baseline_depth})
