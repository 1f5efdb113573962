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
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from shigen.datasets.overrides import DataOverride
from shigen.disruption.config import DisruptionConfig
from shigen.energy.config import EnergyConfig
from shigen.errors import InputError, InputErrors, Location
from shigen.input_errors import input_errors
from shigen.materials.config import MaterialsConfig
from shigen.policy.config import PolicyConfig, UncertaintyConfig
from shigen.sandbox import Sandbox, read_limited
from shigen.supply.config import SupplyConfig
from shigen.tomlfile import find_line, read_toml

if TYPE_CHECKING:
    from shigen.datasets.catalogue import Catalogue

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
    data_as_of: int | None = Field(
        default=None, ge=1900, le=2200,
        description="replicate what was known in this year: datasets (or rows) known later "
                    "are replaced by a vintage known by then, or refused (exit 2)")


class DataSection(BaseModel):
    """Changes to dataset values for this study, without copying a dataset.

    ``[[data.override]]`` entries (see :mod:`shigen.datasets.overrides`) apply to every
    stage of the run, the energy baseline's solve included; on a cell two entries select,
    the later wins. The run manifest records each one and the rows it changed.
    """

    model_config = ConfigDict(extra="forbid")

    override: list[DataOverride] = Field(
        default_factory=list, max_length=10_000,
        description="dataset cells this study changes: dataset, select, value or scale, reason")


class Study(BaseModel):
    """A whole study: metadata plus one optional section per stage."""

    model_config = ConfigDict(extra="forbid", title="shigen study")

    study: StudyMeta
    energy: EnergyConfig | None = None
    materials: MaterialsConfig | None = None
    supply: SupplyConfig | None = None
    disruption: DisruptionConfig | None = None
    policy: PolicyConfig | None = None
    data: DataSection | None = None
    uncertainty: UncertaintyConfig | None = None

    # (file, text) the study was read from, to locate errors found later in a run
    _source: tuple[str, str] | None = PrivateAttr(default=None)
    _context: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _resolve_baseline(self, info: ValidationInfo) -> Study:
        # here rather than in EnergyConfig, so stage configs never read files or import
        # the study loader; copies validated by policy packages resolve it the same way
        resolve_baseline(self, info.context or {})
        return self

    def declared_stages(self) -> list[str]:
        return [s for s in STAGE_ORDER if getattr(self, s, None) is not None]

    def data_as_of(self) -> int | None:
        """The year whose knowledge the study replicates (``[study] data_as_of``), if any."""
        return self.study.data_as_of

    def data_overrides(self) -> list[DataOverride]:
        """The study's ``[[data.override]]`` entries (empty without a ``[data]`` section)."""
        return list(self.data.override) if self.data is not None else []

    def data_view(self, catalogue: Catalogue) -> Catalogue:
        """``catalogue`` as this study sees it: its ``[[data.override]]`` rows and ``data_as_of``.

        Raises :class:`InputError` for an override that matches no row or leaves a bound.
        """
        return catalogue.with_overrides(self.data_overrides(), as_of=self.data_as_of())

    def canonical_json(self) -> str:
        """Deterministic JSON of the study (sorted keys), the input of its run id.

        A study without a ``[data]`` section hashes as it did before the section existed.
        """
        doc = self.model_dump(mode="json")
        for optional in ("data", "uncertainty"):  # absent: hashes as before they existed
            if doc.get(optional) is None:
                doc.pop(optional, None)
        if doc["study"].get("data_as_of") is None:  # likewise a study without data_as_of
            doc["study"].pop("data_as_of", None)
        return json.dumps(doc, sort_keys=True, separators=(",", ":"))


def available_stages() -> list[str]:
    """Stages this version of shigen can run (those with a section in ``Study``)."""
    return [s for s in STAGE_ORDER if s in Study.model_fields]


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the study file."""
    schema = Study.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


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


def resolve_baseline(study: Study, context: Mapping[str, Any]) -> None:
    """Load the energy baseline study the study names, beside it (``context["study_dir"]``).

    The baseline's energy section is attached to ``study.energy`` (the energy stage
    solves it for the comparison). A baseline's own baseline must exist but is not
    read (``context["baseline_depth"]`` > 0): it is never run. A baseline already read
    (``context["baselines"]``: file name → energy section, set for copies of a loaded
    study) is attached without touching the file system, so copies validated on a
    remote worker never resolve a relative path in the worker's folder.
    """
    energy = study.energy
    if energy is None or energy.baseline is None:
        return
    known = context.get("baselines") or {}
    if energy.baseline in known:  # a copy of a loaded study: its baseline is already read
        energy.attach_baseline(known[energy.baseline])
        return
    study_dir = Path(str(context.get("study_dir", ".")))
    path = study_dir / energy.baseline
    where = Location(field="energy.baseline")
    dirs = context.get("data_dirs")  # the invocation's data folders (None: SHIGEN_DATA)
    sandbox = Sandbox.for_study(study_dir, None if dirs is None else [Path(d) for d in dirs])
    if not sandbox.allows(path):  # before any look at the file: say nothing about it
        raise InputError(sandbox.refusal(energy.baseline, "baseline study"), where,
                         "name a file inside the study's own folder, the shipped studies "
                         "or a --data folder")
    if not path.is_file():
        raise InputError(f"baseline study '{energy.baseline}' not found next to the study "
                         f"(looked for {path})", where,
                         "name a study file relative to this study's folder")
    _check_baseline_chain(path, context, where)
    if int(context.get("baseline_depth", 0)) > 0:
        return
    base = load_study(path, baseline_depth=1, sandbox=sandbox,
                      chain=(*context.get("chain", ()), str(path)), data_dirs=dirs)
    if base.energy is None:
        raise InputError(f"baseline study '{energy.baseline}' has no [energy] section", where,
                         "name a study with an [energy] section as the baseline")
    energy.attach_baseline(base.energy)


def _check_baseline_chain(path: Path, context: Mapping[str, Any], where: Location) -> None:
    """A study may not be its own baseline, directly or through its baseline (A → B → A)."""
    chain = [str(p) for p in context.get("chain", ())]
    if not chain:
        return
    seen = {Path(p).resolve() for p in chain}
    if path.resolve() in seen:
        names = " → ".join(Path(p).name for p in [*chain, str(path)])
        raise InputError(f"circular baselines: {names}", where,
                         "name a baseline study that does not lead back to this study")


def _check_study(doc: dict[str, Any], text: str, file: str) -> None:
    """Whole-study rules checked before the models: at least one stage, no repeated years.

    The repeated-year check runs on the raw document, so a list of 200,000 copies of a
    year is refused in one pass before any model is built from it.
    """
    if "study" in doc and not any(k in doc for k in STAGE_ORDER):  # else: [study] missing
        sections = ", ".join(f"[{s}]" for s in STAGE_ORDER)
        raise InputError(f"the study declares no stage: declare at least one of {sections}",
                         Location(file, find_line(text, ("study",)), field="study"),
                         "add a stage section, e.g. [supply] (see `shigen new DIR` for examples)")
    _reject_repeated_years(doc, (), text, file)


def _reject_repeated_years(node: Any, loc: tuple[Any, ...], text: str, file: str) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "years" and isinstance(v, list):
                seen: set[Any] = set()
                for i, y in enumerate(v):
                    if isinstance(y, int | float | str) and y in seen:
                        field = ".".join(str(p) for p in (*loc, k))
                        raise InputError(
                            f"year {y} is repeated in '{field}' (position {i + 1} of {len(v)})",
                            Location(file, find_line(text, (*loc, k)), field=field),
                            "list each year once")
                    seen.add(y)
            else:
                _reject_repeated_years(v, (*loc, k), text, file)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _reject_repeated_years(v, (*loc, i), text, file)


def validate_study(doc: dict[str, Any], text: str, file: str,
                   context: dict[str, Any] | None = None) -> Study:
    """Validate a parsed study document; errors point into ``text``.

    ``context`` reaches the models' validators (e.g. ``study_dir`` to resolve a
    baseline study named by a relative path).
    """
    _reject_non_finite(doc, (), text, file)
    _check_study(doc, text, file)
    unknown_stage = [k for k in doc if k in STAGE_ORDER and k not in Study.model_fields]
    if unknown_stage:
        raise InputError(
            f"stage(s) {unknown_stage} are not available in this version of shigen",
            Location(file, find_line(text, (unknown_stage[0],)), field=unknown_stage[0]),
            f"remove the section; available stages: {available_stages()}")
    try:
        study = Study.model_validate(doc, context=context)
    except ValidationError as exc:
        raise input_errors(exc, file=file, text=text, root=Study) from None
    except InputError as exc:  # the baseline: located in this file, not the baseline's
        raise _locate_in(exc, file, text) from None
    study._source = (file, text)
    study._context = dict(context or {})  # copies (policy packages) validate the same way
    return study


def load_study(path: str | Path, baseline_depth: int = 0,
               sandbox: Sandbox | None = None, chain: tuple[str, ...] = (),
               data_dirs: Sequence[str | Path] | None = None) -> Study:
    """Read and validate a study file.

    A file another study names (a baseline) is read through that study's ``sandbox``;
    the file named on the command line is the user's own and is only size-checked.
    ``data_dirs`` are the data folders of this invocation (``SHIGEN_DATA`` and every
    ``--data``), which a study may read besides its own folder and the shipped studies;
    None: ``SHIGEN_DATA`` alone.
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
    # study_dir absolute, so a copy validated elsewhere (another process or folder) finds the
    # same files; chain: the files that led here, for circular baselines
    context: dict[str, Any] = {"study_dir": str(p.parent.resolve()),
                               "baseline_depth": baseline_depth, "chain": chain or (str(p),)}
    if data_dirs is not None:  # absolute, for the same reason as study_dir
        context["data_dirs"] = [str(Path(d).expanduser().resolve()) for d in data_dirs]
    return validate_study(doc, text, str(p), context)


def _locate_in(error: InputError, file: str, text: str) -> InputError:
    """Fill in ``file`` and the line in ``text`` of an error that names only a study field."""
    if isinstance(error, InputErrors):
        for problem in error.problems:
            _locate_in(problem, file, text)
    where = error.where
    if where is None or where.file or not where.field:
        return error
    where.file = file
    where.line = find_line(text, tuple(where.field.split(".")))
    return error


def locate(study: Study, error: InputError) -> InputError:
    """Fill in the file and line of an error that names only a study field."""
    if study._source is None:
        return error
    return _locate_in(error, *study._source)
