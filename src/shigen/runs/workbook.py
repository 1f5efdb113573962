"""The Excel export: one long sheet per stage, a provenance sheet and a README sheet.

An analyst opens the workbook without shigen: every row says which variable it is, its
coordinates, its value and its unit, and the provenance sheet says where the figures come
from (datasets with source, edition, licence, status and content hash).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook

from shigen.runs.store import RunStore
from shigen.variables import lookup

#: Excel's hard limit of rows per sheet (header included)
EXCEL_MAX_ROWS = 1_048_576
#: Excel refuses sheet names longer than this
SHEET_NAME_MAX = 31

README_ROWS = [
    ("README", "this sheet: what each sheet holds"),
    ("provenance", "the study, run id, shigen version and seed, and every dataset the run "
                   "used with its source, edition, licence, status, content hash and origin "
                   "(origin other than 'bundled' means a data override, e.g. --data)"),
    ("warnings", "what to know before quoting a figure: data gaps behind nulls, stale data, "
                 "figures on an assumed bound (code, stage, severity, message, where)"),
    ("variables", "every variable of the stage sheets: label, unit, description "
                  "(the registry of result variables, docs/reference/variables.md)"),
]


def stage_long_table(store: RunStore, run_id: str, stage: str) -> pd.DataFrame:
    """All variables of a stage as one long table: ``variable, label, <dims...>, value, unit``.

    ``label`` is the variable's name for people, from the registry of result variables.

    Dimension columns are the union over the stage's variables, in first-seen order; a
    variable leaves the columns of dimensions it does not have empty.
    """
    info = store.manifest(run_id)["stages"][stage]
    frames = []
    dims: list[str] = []
    for var, meta in info["variables"].items():
        frame = store.table(run_id, stage, var).rename(columns={var: "value"})
        frame.insert(0, "variable", var)
        frame.insert(1, "label", entry.label if (entry := lookup(stage, var)) else var)
        frame["unit"] = str(meta.get("attrs", {}).get("units", ""))
        dims += [d for d in meta["dims"] if d not in dims]
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["variable", "label", "value", "unit"])
    long = pd.concat(frames, ignore_index=True)
    return long[["variable", "label", *dims, "value", "unit"]]


def warnings_table(manifest: dict[str, Any]) -> pd.DataFrame:
    """The run's warnings, one row each (``where`` as ``key=value; ...``)."""
    rows = [{"code": w["code"], "stage": w["stage"], "severity": w["severity"],
             "message": w["message"],
             "where": "; ".join(f"{k}={v}" for k, v in (w.get("where") or {}).items())}
            for w in manifest.get("warnings", [])]
    return pd.DataFrame(rows, columns=["code", "stage", "severity", "message", "where"])


def variables_table(manifest: dict[str, Any]) -> pd.DataFrame:
    """The stage sheets' variables with label, unit and description from the registry."""
    rows = []
    for stage, info in manifest["stages"].items():
        for var, meta in info.get("variables", {}).items():
            entry = lookup(stage, var)
            rows.append({"stage": stage, "variable": var,
                         "label": entry.label if entry else var,
                         "unit": str(meta.get("attrs", {}).get("units", "")),
                         "description": entry.description if entry else ""})
    return pd.DataFrame(rows, columns=["stage", "variable", "label", "unit", "description"])


def provenance_table(manifest: dict[str, Any]) -> pd.DataFrame:
    """Key/value rows about the run, then one row per dataset used."""
    meta = manifest["study"]["study"]
    head = [("study", meta["name"]), ("title", meta.get("title", "")),
            ("run id", manifest["run_id"]), ("shigen version", manifest["versions"]["shigen"]),
            ("seed", meta.get("seed", 0)), ("created", manifest.get("created", ""))]
    rows: list[dict[str, Any]] = [{"field": k, "value": v} for k, v in head]
    overrides = [n for n, d in manifest["data"].items() if d.get("origin", "bundled") != "bundled"]
    rows.append({"field": "data overrides", "value": ", ".join(overrides) or "none"})
    rows.append({})  # a blank line between the run and its datasets
    cols = ("title", "source", "url", "edition", "license", "status", "origin", "sha256")
    for name, d in manifest["data"].items():
        rows.append({"field": "dataset", "value": name, **{c: d.get(c) for c in cols}})
    return pd.DataFrame(rows, columns=["field", "value", *cols])


def sheet_chunks(name: str, frame: pd.DataFrame) -> Iterator[tuple[str, pd.DataFrame]]:
    """``(sheet name, rows)`` pieces that fit Excel's row limit: ``energy``, ``energy-2``, ..."""
    per_sheet = EXCEL_MAX_ROWS - 1  # the header takes a row
    n = max(1, -(-len(frame) // per_sheet))
    for i in range(n):
        sheet = name if i == 0 else f"{name}-{i + 1}"
        yield sheet[:SHEET_NAME_MAX], frame.iloc[i * per_sheet:(i + 1) * per_sheet]


def write_workbook(store: RunStore, run_id: str, path: Path) -> None:
    """Write the run's workbook to ``path`` (the caller makes the write atomic)."""
    manifest = store.manifest(run_id)
    readme = list(README_ROWS)
    stages: list[tuple[str, pd.DataFrame]] = []
    for stage in manifest["stages"]:
        long = stage_long_table(store, run_id, stage)
        pieces = list(sheet_chunks(stage, long))
        stages += pieces
        for sheet, _ in pieces:
            readme.append((sheet, f"stage '{stage}': long table, one row per value "
                                  "(variable, label, its coordinates, value, unit)"
                           + (f"; continued over {len(pieces)} sheets (Excel's row limit)"
                              if len(pieces) > 1 else "")))
    # openpyxl's write-only mode streams rows to disk, so a large stage is not held twice
    book = Workbook(write_only=True)
    _append(book, "README", pd.DataFrame(readme, columns=["sheet", "what it holds"]))
    _append(book, "provenance", provenance_table(manifest))
    _append(book, "warnings", warnings_table(manifest))
    _append(book, "variables", variables_table(manifest))
    for sheet, rows in stages:
        _append(book, sheet, rows)
    book.save(path)


def _append(book: Workbook, name: str, frame: pd.DataFrame) -> None:
    sheet = book.create_sheet(name)
    sheet.append([str(c) for c in frame.columns])
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(v) for v in row])


def _cell(v: Any) -> Any:
    """A value openpyxl writes: missing values as empty cells, numpy scalars as Python."""
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return None
    return v.item() if hasattr(v, "item") else v
