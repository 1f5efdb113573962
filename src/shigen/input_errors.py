r"""The one translator from pydantic validation errors to located input errors.

Study files, dataset catalogues and policy packages all validate with pydantic; each
error becomes one :class:`~shigen.errors.InputError` that says what is wrong (pydantic's
message without its ``Value error,`` prefix, or ``unknown key 'x'`` / ``missing key 'x'``),
where (file, line from :func:`~shigen.tomlfile.find_line`, dotted field) and how to fix
it (a hint by error kind, with the valid keys of the table and a did-you-mean).

Examples
--------
>>> from pydantic import BaseModel, ConfigDict, ValidationError
>>> class Section(BaseModel):
...     model_config = ConfigDict(extra="forbid")
...     years: list[int]
>>> text = "[section]\nyeras = [2009]\n"
>>> try:
...     Section.model_validate({"yeras": [2009]})
... except ValidationError as exc:
...     errors = input_errors(exc, file="s.toml", text=text, root=Section, prefix=("section",))
>>> [(p.where.field, p.where.line, p.what) for p in errors.problems]
[('section.years', 1, "missing key 'years'"), ('section.yeras', 2, "unknown key 'yeras'")]
>>> errors.problems[1].fix
"did you mean 'years'? remove the key or use one of: years"
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from shigen.distributions import TAGS as DISTRIBUTION_TAGS
from shigen.errors import InputError, InputErrors, Location
from shigen.tomlfile import find_line

__all__ = ["input_errors"]


def _valid_keys(root: type[BaseModel] | None, loc: tuple[Any, ...]) -> list[str] | None:
    """The keys allowed in the table that holds ``loc`` (walking the pydantic models)."""
    if root is None:
        return None
    model: type[BaseModel] = root
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


def _hint(err: Mapping[str, Any], root: type[BaseModel] | None) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "extra_forbidden":
        keys = _valid_keys(root, tuple(err["loc"]))
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


def _is_tag(parent: Any, part: Any) -> bool:
    return isinstance(part, str) and part in DISTRIBUTION_TAGS and not isinstance(parent, int)


def _message(err: Mapping[str, Any]) -> str:
    msg = str(err["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    if err["type"] == "extra_forbidden":
        msg = f"unknown key '{err['loc'][-1]}'"
    elif err["type"] == "missing" and err["loc"]:
        msg = f"missing key '{err['loc'][-1]}'"
    return msg


def input_errors(exc: ValidationError, *, file: str | None = None, text: str | None = None,
                 root: type[BaseModel] | None = None, prefix: tuple[Any, ...] = (),
                 subject: str = "", fix: str | None = None) -> InputErrors:
    """One located ``InputError`` per error of ``exc``, gathered in an ``InputErrors``.

    Parameters
    ----------
    exc
        The pydantic error.
    file, text
        The file the document was read from and its text (for the line); either may be
        omitted for documents built in memory (a caller can locate them later).
    root
        The model validated at the document's top (to list valid keys); with ``prefix``,
        the model of the table at ``prefix``.
    prefix
        Where the validated table sits in the file, e.g. ``("datasets", name)``.
    subject
        Put before each message, e.g. ``"dataset 'x': "``.
    fix
        One fix for every problem, instead of the hint by error kind.
    """
    problems = []
    for err in exc.errors(include_url=False):
        loc = (*prefix, *err["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        # a tagged union puts the tag in the path ('depth.normal.sd'); it is no key in the file
        keys = tuple(p for i, p in enumerate(loc) if not (i > 0 and _is_tag(loc[i - 1], p)))
        if err["type"] == "missing" and len(keys) > 1:
            keys = keys[:-1]  # a missing key has no line: its table's (or inline table's) line
        line = find_line(text, keys) if text is not None else None
        problems.append(InputError(subject + _message(err), Location(file, line, field=field),
                                   fix if fix is not None else _hint(err, root)))
    return InputErrors(problems)
