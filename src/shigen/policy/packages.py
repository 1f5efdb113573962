"""Apply a package's overrides (or sampled parameters) to a copy of a study.

The copy is validated again with the study's own model, so a wrong path or a
value out of range is an ``InputError`` that names the package and the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from shigen.errors import InputError, Location
from shigen.policy.paths import PathError, set_path
from shigen.study import Study

S = TypeVar("S", bound=Study)


def apply_overrides(study: S, overrides: Mapping[str, Any], *, where: str,
                    seed: int | None = None) -> S:
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
    """
    doc = study.model_dump(mode="json")
    doc.pop("policy", None)
    if seed is not None:
        doc["study"]["seed"] = int(seed)
    for path, value in overrides.items():
        try:
            set_path(doc, path, value)
        except PathError as exc:
            raise InputError(f"cannot set '{path}': {exc}",
                             Location(field=f"{where}.{path}"),
                             "check the dotted path against `shigen schema`") from None
    try:
        return type(study).model_validate(doc)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = ".".join(str(p) for p in err["loc"])
            culprit = next((p for p in overrides if loc.startswith(p) or p.startswith(loc)),
                           None)
            problems.append(f"{loc}: {err['msg']}")
            if culprit is not None:
                field = f"{where}.{culprit}"
                break
        else:
            field = where
        raise InputError(f"the study with these overrides is not valid ({'; '.join(problems)})",
                         Location(field=field),
                         "fix the dotted path or the value (`shigen schema` lists valid "
                         "fields)") from None
