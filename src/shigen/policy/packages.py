"""Apply a package's overrides (or sampled parameters) to a copy of a study.

The copy is validated again with the study's own model, so a wrong path or a
value out of range is an ``InputError`` that names the package and the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shigen.errors import InputError, InputErrors, Location
from shigen.input_errors import input_errors
from shigen.policy.paths import PathError, get_path, set_path
from shigen.study import Study

S = TypeVar("S", bound=Study)


def _dump(study: Study) -> dict[str, Any]:
    """The study as plain data, without computed fields (they are not inputs)."""
    try:
        return study.model_dump(mode="json", exclude_computed_fields=True)
    except TypeError:  # pydantic < 2.12: drop the sections' computed fields by hand
        doc = study.model_dump(mode="json")
        for name in type(study).model_fields:
            section = getattr(study, name, None)
            if isinstance(section, BaseModel) and isinstance(doc.get(name), dict):
                for key in type(section).model_computed_fields:
                    doc[name].pop(key, None)
        return doc


def _context(study: Study) -> dict[str, Any]:
    """Validation context of the copy: the original's, and the baseline it already read.

    Copies are validated where the work runs (a Dask worker may sit in another folder or
    on another machine): the baseline read with the original is handed over, so a copy
    naming the same baseline never resolves its relative path again.
    """
    context = dict(getattr(study, "_context", None) or {})
    source = getattr(study, "_source", None)
    if "study_dir" not in context and source:
        context["study_dir"] = str(Path(source[0]).resolve().parent)
    energy = getattr(study, "energy", None)
    if energy is not None and energy.baseline is not None and energy.baseline_config is not None:
        context["baselines"] = {**context.get("baselines", {}),
                                energy.baseline: energy.baseline_config}
    return context


def apply_overrides(study: S, overrides: Mapping[str, Any], *, where: str,
                    seed: int | None = None,
                    append: Mapping[str, Sequence[Any]] | None = None) -> S:
    """A validated copy of ``study`` with ``overrides`` set and without its policy section.

    Parameters
    ----------
    study
        The base study.
    overrides
        Dotted path → value, e.g. ``{"disruption.levers.stockpile.days": 60}``.
    where
        Field of the study that declared the overrides (for error messages), e.g.
        ``policy.packages.proposal-1.overrides``.
    seed
        Seed of the copy (default: the study's; ensembles give each sample its own).
    append
        Dotted path of a list → items to add to it, applied before ``overrides`` (so an
        override can address an added item, e.g. ``levers.name=dialogue.depth_factor``).
    """
    doc = _dump(study)
    doc.pop("policy", None)
    if seed is not None:
        doc["study"]["seed"] = int(seed)
    for path, items in (append or {}).items():
        try:
            current = get_path(doc, path)
        except PathError:
            current = []
        if current is None:
            current = []
        if not isinstance(current, list):
            raise InputError(f"cannot append to '{path}': it is not a list",
                             Location(field=f"{where.rsplit('.', 1)[0]}.append.{path}"),
                             "append to a list field (e.g. disruption.levers)")
        set_path(doc, path, [*current, *items])
    for path, value in overrides.items():
        try:
            set_path(doc, path, value)
        except PathError as exc:
            raise InputError(f"cannot set '{path}': {exc}",
                             Location(field=f"{where}.{path}"),
                             "check the dotted path against `shigen schema`") from None
    try:
        return type(study).model_validate(doc, context=_context(study))
    except ValidationError as exc:
        raise _at_overrides(input_errors(exc, root=type(study)),
                            [*overrides, *(append or {})], where) from None


def _at_overrides(errors: InputErrors, paths: Sequence[str], where: str) -> InputErrors:
    """Point each problem of the copy at the override that caused it (named first)."""
    located = []
    for problem in errors.problems:
        loc = problem.where.field if problem.where and problem.where.field else ""
        culprit = next((p for p in paths if loc.startswith(p) or p.startswith(loc)), None)
        field = where if culprit is None else f"{where}.{culprit}"
        located.append((culprit is None, InputError(
            f"the study with these overrides is not valid ({loc}: {problem.what})",
            Location(field=field),
            "fix the dotted path or the value (`shigen schema` lists valid fields)")))
    return InputErrors([p for _, p in sorted(located, key=lambda x: x[0])])
