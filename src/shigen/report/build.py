"""``write_report``: a stored run → an HTML or PDF file, written atomically."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from shigen.errors import InputError, Location
from shigen.files import atomic_write
from shigen.report.html import render_html
from shigen.report.view import run_view
from shigen.runs.store import RunStore


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"


def check_output(out: Path) -> Path:
    out = Path(out)
    if out.exists() and out.is_dir():
        raise InputError(f"'{out}' is a folder", Location(str(out)),
                         "give a file path, e.g. reports/run.html")
    if out.parent.exists() and not out.parent.is_dir():
        raise InputError(f"'{out.parent}' is not a folder", Location(str(out)),
                         "choose a path inside a folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    return out


def write_report(store: RunStore, run_id: str, fmt: ReportFormat | str, out: Path) -> Path:
    """Write the report of ``run_id`` as ``fmt`` (html or pdf) to ``out``; return the path."""
    try:
        fmt = ReportFormat(fmt)
    except ValueError:
        raise InputError(f"unknown report format '{fmt}'", field_location("--format"),
                         "use html or pdf") from None
    out = check_output(out)
    if fmt is ReportFormat.PDF:
        from shigen.report.pdf import find_chromium, html_to_pdf

        find_chromium()  # before the work of rendering: say at once when it is missing
        return html_to_pdf(render_html(run_view(store, run_id)), out)
    return atomic_write(out, render_html(run_view(store, run_id)).encode("utf-8"))


def field_location(option: str) -> Location:
    return Location(field=option)
