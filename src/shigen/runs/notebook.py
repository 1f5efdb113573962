"""How runs and comparisons display in Jupyter (``_repr_html_``), with the variable registry.

A run shows one table per stage — each figure's label, value and unit from
:mod:`shigen.variables`, a year series as ``first → last`` over its years — the first
:data:`SHOWN` rows open and the rest folded, then the run's warnings. A comparison shows
its headline figures side by side with the difference. Plain HTML, no script: a notebook
viewer that strips JavaScript (GitHub, nbviewer) shows the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from shigen.variables import describe_path, fmt

SHOWN = 12
STYLE = ("<style>.shigen-run table{border-collapse:collapse;margin:.25rem 0 .75rem}"
         ".shigen-run td,.shigen-run th{padding:.15rem .5rem;border-bottom:1px solid #ddd;"
         "text-align:left}.shigen-run td.num{text-align:right}"
         ".shigen-run .warning{color:#9a6700}</style>")


def _year_series(obj: Any) -> bool:
    return (isinstance(obj, Mapping) and bool(obj)
            and all(isinstance(k, str) and k.isdigit() and len(k) == 4 for k in obj)
            and all(v is None or isinstance(v, int | float) for v in obj.values()))


def figures(obj: Any, prefix: str = "") -> list[tuple[str, str]]:
    """``(path, value text)`` of a summary: scalars, and each year series as one line.

    >>> figures({"co2_gt": {"2005": 26.0, "2050": 13.0}, "regions": ["WORLD"]})
    [('co2_gt', '26 → 13 (2005–2050)'), ('regions', 'WORLD')]
    """
    if _year_series(obj):
        years = sorted(obj, key=int)
        return [(prefix, f"{fmt(obj[years[0]])} → {fmt(obj[years[-1]])} "
                         f"({years[0]}–{years[-1]})")]
    if isinstance(obj, Mapping):
        return [row for k, v in obj.items()
                for row in figures(v, f"{prefix}.{k}" if prefix else str(k))]
    if isinstance(obj, list | tuple):
        if all(isinstance(v, str) for v in obj):
            return [(prefix, ", ".join(obj))]
        return [row for i, v in enumerate(obj) for row in figures(v, f"{prefix}[{i}]")]
    return [(prefix, fmt(obj))]


def _rows(stage: str, summary: Mapping[str, Any]) -> list[str]:
    out = []
    for path, text in figures(summary):
        label, unit = describe_path(stage, path)
        out.append(f"<tr><td>{escape(label)}</td><td class='num'>{escape(text)}</td>"
                   f"<td>{escape(unit)}</td></tr>")
    return out


def _table(rows: Sequence[str], head: str) -> str:
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def run_html(doc: Mapping[str, Any], title: str = "") -> str:
    """A run document (``shigen run --json``) as HTML for a notebook."""
    head = "<th>figure</th><th>value</th><th>unit</th>"
    parts = [STYLE, "<div class='shigen-run'>",
             f"<h3>{escape(title or str(doc.get('study', '')))}</h3>",
             f"<p>run <code>{escape(str(doc.get('run_id', '')))}</code> · "
             f"{'cached' if doc.get('cached') else 'computed'}</p>"]
    skip = {"run_id", "study", "status", "cached", "absent_stages", "path", "warnings"}
    for stage, summary in doc.items():
        if stage in skip or not isinstance(summary, Mapping):
            continue
        rows = _rows(stage, summary)
        parts.append(f"<h4>{escape(stage)}</h4>{_table(rows[:SHOWN], head)}")
        if len(rows) > SHOWN:
            parts.append(f"<details><summary>{len(rows) - SHOWN} more figures of {stage}"
                         f"</summary>{_table(rows[SHOWN:], head)}</details>")
    warnings = list(doc.get("warnings") or [])
    if warnings:
        items = "".join(f"<li class='{escape(w['severity'])}'><b>{escape(w['stage'])}</b>: "
                        f"{escape(w['message'])}</li>" for w in warnings)
        parts.append(f"<h4>Before you quote a number ({len(warnings)})</h4><ul>{items}</ul>")
    parts.append("</div>")
    return "".join(parts)


def comparison_html(doc: Mapping[str, Any]) -> str:
    """A comparison (``shigen runs compare --json``) as HTML: headline figures side by side."""
    names = [str(n) for n in doc.get("names", [])]
    head = ("<th>figure</th><th>unit</th>" + "".join(f"<th>{escape(n)}</th>" for n in names)
            + "<th>difference</th><th>relative</th>")
    rows = []
    for h in doc.get("headline", []):
        stage, _, path = str(h["key"]).partition(".")
        label, unit = describe_path(stage, path)
        rel = h.get("rel_diff")
        rows.append(f"<tr><td>{escape(label)}</td><td>{escape(unit)}</td>"
                    + "".join(f"<td class='num'>{escape(fmt(v))}</td>" for v in h["values"])
                    + f"<td class='num'>{escape(fmt(h.get('diff')))}</td>"
                    f"<td class='num'>{'–' if rel is None else escape(fmt(100 * rel)) + ' %'}"
                    "</td></tr>")
    differs = "".join(f"<li><code>{escape(str(d['key']))}</code>: "
                      f"{escape(' | '.join(map(str, d['values'])))}</li>"
                      for d in doc.get("differs", []))
    return (f"{STYLE}<div class='shigen-run'><h3>{' vs '.join(map(escape, names))}</h3>"
            + (f"<p>What differs:</p><ul>{differs}</ul>" if differs else "")
            + _table(rows, head) + "</div>")
