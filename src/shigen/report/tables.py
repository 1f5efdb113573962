"""What every stage's HTML tables share: :class:`Table`, :class:`Cell`, generic tables.

The generic tables show a summary (the stage's object of ``shigen run --json``) with the
labels, units and significant figures of the variable registry (:mod:`shigen.variables`).

Every cell keeps the exact JSON value (``Cell.value``) beside its display text, so a
page or report shows the same numbers as ``--json`` and a test can compare them.
A stage's own tables live in its presentation module (``shigen.report.<stage>``);
a stage without one gets :func:`generic_tables`, a flattening of its summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shigen.variables import DEFAULT_SIG, describe_path, lookup
from shigen.variables import fmt as fmt_number

Summary = Mapping[str, Any]


@dataclass(frozen=True)
class Cell:
    """One table cell: the JSON value, how it is displayed, and an optional sparkline (SVG)."""

    value: Any
    text: str
    numeric: bool = False
    svg: str = ""


@dataclass
class Table:
    """A titled table with a caption; ``rows`` are lists of :class:`Cell`.

    ``collapsed`` tables (full data behind a compact one) are shown folded in a
    ``<details>`` element.
    """

    id: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""
    collapsed: bool = False

    def add(self, *values: Any, fmt: Mapping[int, str] | None = None) -> None:
        self.rows.append([cell(v, (fmt or {}).get(i)) for i, v in enumerate(values)])

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "columns": self.columns,
                "caption": self.caption, "rows": [[c.value for c in r] for r in self.rows]}


def cell(value: Any, fmt: str | None = None, sig: int = DEFAULT_SIG) -> Cell:
    """A cell; numbers are shown with ``fmt`` (default: ``sig`` significant figures)."""
    if value is None:
        return Cell(None, "–")
    if isinstance(value, bool):
        return Cell(value, "yes" if value else "no")
    if isinstance(value, int | float):
        return Cell(value, format(value, fmt) if fmt else fmt_number(value, sig), numeric=True)
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


def _scalar_lists(obj: Any) -> Any:
    """Lists of plain strings become one comma-separated value (``regions: JPN, CHN``)."""
    if isinstance(obj, Mapping):
        return {k: _scalar_lists(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple) and obj and all(isinstance(v, str) for v in obj):
        return ", ".join(obj)
    if isinstance(obj, list | tuple):
        return [_scalar_lists(v) for v in obj]
    return obj


#: Year columns of a compact series table; the full table behind it has every year.
MAX_YEAR_COLUMNS = 6


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


def sample_years(years: list[str], limit: int = MAX_YEAR_COLUMNS) -> list[str]:
    """At most ``limit`` years: all when they fit, else the first, the last and round decades.

    >>> sample_years([str(y) for y in range(2005, 2051, 5)])
    ['2005', '2010', '2020', '2030', '2040', '2050']
    """
    if len(years) <= limit:
        return years
    inner = [y for y in years[1:-1] if int(y) % 10 == 0]
    while len(inner) > limit - 2:  # a long span: keep every other decade
        inner = inner[1::2]
    return [years[0], *inner, years[-1]]


def sparkline(values: list[float | None], width: int = 84, height: int = 20) -> str:
    """An inline SVG line of a series (None breaks are skipped); empty for < 2 numbers."""
    pts = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(pts) < 2:
        return ""
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    span = (hi - lo) or 1.0
    n = max(len(values) - 1, 1)
    def xy(i: int, v: float) -> str:
        return f"{2 + i * (width - 4) / n:.1f},{height - 2 - (v - lo) * (height - 4) / span:.1f}"

    coords = " ".join(xy(i, v) for i, v in pts)
    label = f"trend from {fmt_number(pts[0][1])} to {fmt_number(pts[-1][1])}"
    return (f'<svg class="spark" width="{width}" height="{height}" role="img" '
            f'aria-label="{label}"><polyline fill="none" stroke="currentColor" '
            f'stroke-width="1.5" points="{coords}"/></svg>')


def generic_tables(stage: str, summary: Summary, limit: int = 400) -> list[Table]:
    """A summary as tables a person reads: labels and units from the variable registry.

    Year series: a compact table (at most :data:`MAX_YEAR_COLUMNS` years and a sparkline),
    then every year in a folded table. The other figures: one row each, with their unit.
    """
    series, rest = _split_series(summary)
    out = []
    if series:
        years = sorted({y for s in series.values() for y in s}, key=int)
        shown = sample_years(years)
        note = "" if shown == years else " Selected years; every year is in the full table."
        t = Table(f"{stage}-series", f"{stage.capitalize()}: by year",
                  ["figure", "unit", *shown, "trend"],
                  caption=f"Year series of the {stage} stage.{note}")
        full = Table(f"{stage}-series-all", f"{stage.capitalize()}: every year",
                     ["figure", "unit", *years], collapsed=True,
                     caption=f"The year series of the {stage} object of `shigen run --json`.")
        for name, s in list(series.items())[:limit]:
            label, unit = describe_path(stage, name)
            sig = _sig(stage, name)
            t.rows.append([cell(label), cell(unit), *[cell(s.get(y), sig=sig) for y in shown],
                           Cell(None, "", svg=sparkline([s.get(y) for y in years]))])
            full.rows.append([cell(label), cell(unit), *[cell(s.get(y), sig=sig) for y in years]])
        out.append(t)
        if shown != years:
            out.append(full)
    t = Table(f"{stage}-summary", f"{stage.capitalize()}: summary", ["figure", "value", "unit"],
              caption=f"The other figures of the {stage} stage"
                      + (" (year series above)." if series else "."))
    for key, value in flatten(_scalar_lists(rest))[:limit]:
        label, unit = describe_path(stage, key)
        t.rows.append([cell(label), cell(value, sig=_sig(stage, key)), cell(unit)])
    if t.rows:
        out.append(t)
    return out


def _sig(stage: str, path: str) -> int:
    for part in reversed(path.replace("[", ".").split(".")):
        v = lookup(stage, part)
        if v:
            return v.sig
    return DEFAULT_SIG


def relabel(stage: str, table: Table, summary: Summary) -> Table:
    """A stage table's headers that are result keys become registry labels with units.

    Presentation modules may name a column by its key (``expected shortfall t``,
    ``S1``); the reader sees ``Expected shortfall (t)``. Policy criteria get their unit
    from the summary's criteria table. Headers that are already prose stay as they are.
    """
    criteria = summary.get("criteria") if stage == "policy" else None
    units = {k: v.get("unit") for k, v in criteria.items()} if isinstance(criteria, Mapping) \
        else {}
    columns = []
    for h in table.columns:
        v = lookup(stage, h.replace(" ", "_"))
        if v is not None:
            columns.append(v.header)
        elif units.get(h) is not None:
            columns.append(f"{h} ({units[h]})" if units[h] else h)
        else:
            columns.append(h)
    table.columns = columns
    return table
