"""Typed errors.

Every user-facing failure is one of these, so the CLI and the web API can map it
to an exit code / HTTP status and one clear message.

``InputError`` (exit 2, HTTP 422) is bad input: it says *what* is wrong, *where*
(file, line, column, field) and *how to fix* it. ``RunFailed`` (exit 1) is a
run that could not complete (infeasible LP, solver error).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Location:
    """Where a problem is: a file and optionally a line, column and field path."""

    file: str | None = None
    line: int | None = None
    column: str | int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
            parts.append(where)
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.field:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class ShigenError(Exception):
    """Base class; ``exit_code`` is what the CLI exits with."""

    exit_code = 1
    kind = "error"

    def __init__(self, what: str, where: Location | None = None, fix: str | None = None):
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        text = self.what
        if self.where is not None and str(self.where):
            text = f"{self.where}: {text}"
        if self.fix:
            text += f" — fix: {self.fix}"
        return text

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"kind": self.kind, "message": self.what}
        if self.where is not None:
            out["where"] = self.where.to_dict()
        if self.fix:
            out["fix"] = self.fix
        return out


class InputError(ShigenError):
    """Bad input: a malformed study, dataset, argument or request (exit code 2)."""

    exit_code = 2
    kind = "input"


class InputErrors(InputError):
    """Several input problems found at once (e.g. by ``shigen data check``)."""

    def __init__(self, problems: list[InputError]):
        self.problems = problems
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(first.what + more, first.where, first.fix)

    @property
    def message(self) -> str:
        return "\n".join(p.message for p in self.problems)

    def to_dict(self) -> dict[str, object]:
        """The first problem's fields (as for a single error) plus every problem."""
        return {**self.problems[0].to_dict(), "message": self.what,
                "problems": [p.to_dict() for p in self.problems]}


class RunFailed(ShigenError):
    """A run that could not complete: infeasible model, solver failure (exit code 1)."""

    exit_code = 1
    kind = "run"
