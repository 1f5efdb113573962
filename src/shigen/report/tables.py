"""What every stage's HTML tables share: :class:`Table`, :class:`Cell`, generic tables.

The generic tables show a summary (the stage's object of ``shigen run --json``).

Every cell keeps the exact JSON value (``Cell.value``) beside its display text, so a
page or report shows the same numbers as ``--json`` and a test can compare them.
A stage's own tables live in its presentation module (``shigen.report.<stage>``);
a stage without one gets :func:`generic_tables`, a flattening of its summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

Summary = Mapping[str, Any]


@dataclass(frozen=True)
class Cell:
    """One table cell: the JSON value and how it is displayed."""

    value: Any
    text: str
    numeric: bool = False


@dataclass
class Table:
    """A titled table with a caption; ``rows`` are lists of :class:`Cell`."""

    id: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""

    def add(self, *values: Any, fmt: Mapping[int, str] | None = None) -> None:
        self.rows.append([cell(v, (fmt or {}).get(i)) for i, v in enumerate(values)])

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "columns": self.columns,
                "caption": self.caption, "rows": [[c.value for c in r] for r in self.rows]}


def cell(value: Any, fmt: str | None = None) -> Cell:
    """A cell; numbers are shown with ``fmt`` (default: 6 significant digits)."""
    if value is None:
        return Cell(None, "–")
    if isinstance(value, bool):
        return Cell(value, "yes" if value else "no")
    if isinstance(value, int | float):
        return Cell(value, format(value, fmt or ".6g"), numeric=True)
    return Cell(value, str(value))


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """``{"a": {"b": 1}, "c": [2]}`` → ``[("a.b", 1), ("c[0]", 2)]`` (scalars only)."""
    if isinstance(obj, Mapping):
        out: list[tuple[str, Any]] = []
        for k, v in obj.items():
            out.extend(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(obj, list | tuple):
        out = []
        for i, v in enumerate(obj):
            out.extend(flatten(v, f"{prefix}[{i}]"))
        return out
    return [(prefix, obj)]


MAX_YEAR_COLUMNS = 15


def _year_series(obj: Any) -> bool:
    """True for ``{"2005": 1.0, "2010": 2.0, ...}``: scalars keyed by four-digit years."""
    return (isinstance(obj, Mapping) and len(obj) > 0
            and all(isinstance(k, str) and k.isdigit() and len(k) == 4 for k in obj)
            and all(v is None or isinstance(v, int | float) for v in obj.values()))


def _split_series(obj: Any, prefix: str = "") -> tuple[dict[str, Mapping[str, Any]], Any]:
    """Pull year series out of a summary: ({path: series}, the rest)."""
    if _year_series(obj):
        return {prefix: obj}, None
    if isinstance(obj, Mapping):
        series: dict[str, Mapping[str, Any]] = {}
        rest: dict[str, Any] = {}
        for k, v in obj.items():
            sub, left = _split_series(v, f"{prefix}.{k}" if prefix else str(k))
            series.update(sub)
            if left is not None and left != {}:
                rest[k] = left
        return series, rest
    return {}, obj


def generic_tables(stage: str, summary: Summary, limit: int = 400) -> list[Table]:
    """A summary as tables: year series, then the other scalars.

    Year series get one row each with years as columns; the other scalars a key/value
    table (first ``limit`` rows).
    """
    series, rest = _split_series(summary)
    out = []
    if series:
        years = sorted({y for s in series.values() for y in s}, key=int)
        note = ""
        if len(years) > MAX_YEAR_COLUMNS:  # every 5th year, and the first and last
            years = [y for i, y in enumerate(years)
                     if int(y) % 5 == 0 or i in (0, len(years) - 1)]
            note = " Every fifth year shown; all years are in the JSON."
        t = Table(f"{stage}-series", f"{stage}: by year", ["series", *years],
                  caption=f"Year series of the {stage} object of `shigen run --json`.{note}")
        for name, s in list(series.items())[:limit]:
            t.add(name, *[s.get(y) for y in years])
        out.append(t)
    t = Table(f"{stage}-summary", f"{stage}: summary", ["key", "value"],
              caption=f"The {stage} object of `shigen run --json`"
                      + (" (year series above)." if series else "."))
    for key, value in flatten(rest)[:limit]:
        t.add(key, value)
    if t.rows:
        out.append(t)
    return out
