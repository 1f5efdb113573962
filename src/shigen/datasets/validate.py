"""Reading and validating one long-format CSV dataset.

Every problem is reported with file, line and column, and all problems of a file
are collected before raising, so ``shigen data check`` can list them at once.
Values are converted to the catalogue unit with pint; country columns must hold
ISO 3166-1 alpha-3 codes (or one of the aggregates in ``AGGREGATES``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from shigen.datasets.meta import CoversYears, DatasetMeta
from shigen.datasets.units import AmbiguousUnit
from shigen.datasets.units import factor as unit_factor
from shigen.errors import InputError, InputErrors, Location
from shigen.tomlfile import decode_utf8

COUNTRY_COLUMNS = {"country", "importer", "exporter", "origin", "partner", "supplier"}
AGGREGATES = {"WORLD", "OTHER"}
OPTIONAL_COLUMNS = {"status", "note", "source", "as_of"}
ROW_STATUSES = {"verified", "secondary", "estimate"}
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
MAX_ABS_VALUE = 1e15
MAX_PROBLEMS = 200
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@lru_cache(maxsize=1)
def iso3_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-3 codes (from pycountry)."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


def is_country(code: str) -> bool:
    return code in AGGREGATES or code in iso3_codes()


def read_dataset(path: Path, meta: DatasetMeta) -> tuple[pd.DataFrame, str, tuple[int, ...]]:
    """Read ``path`` as described by ``meta``; return the frame, its sha256 and row lines.

    The row lines are the file line each frame row ends on, for messages about a row.
    """
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read dataset file ({exc.strerror})", Location(where),
                         "check the 'file' entry of the catalogue") from exc
    digest = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        raise InputError("dataset file is empty", Location(where),
                         "add a header line and at least one row")
    text = decode_utf8(raw, where, "file", encoding="utf-8-sig")
    if not text.strip():
        raise InputError("dataset file is empty", Location(where),
                         "add a header line and at least one row")

    control = CONTROL_CHARS.search(text)
    if control:
        at = control.start()
        raise InputError(f"control character {control.group()!r} in the file",
                         Location(where, text.count("\n", 0, at) + 1,
                                  at - (text.rfind("\n", 0, at) + 1) + 1),
                         "save the file as plain UTF-8 text (no NUL or other control bytes)")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    lines: list[int] = []  # the line each row ends on (quoted fields may span lines)
    try:
        for row in reader:
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file ({exc})", Location(where, reader.line_num),
                         "check the quotes on that line") from None
    header = [h.strip() for h in rows[0]]
    blank = [i + 1 for i, h in enumerate(header) if not h]
    if blank:
        raise InputError(f"header column {blank[0]} has no name", Location(where, 1, blank[0]),
                         "name every column (or remove trailing commas)")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise InputError(f"column '{dupes[0]}' appears more than once in the header",
                         Location(where, 1, dupes[0]), "keep one column per name")
    required = [*meta.dimensions, "value", "unit"]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(f"missing column(s) {missing}; header has {header}",
                         Location(where, 1),
                         f"the header must name {required} (optional: {sorted(OPTIONAL_COLUMNS)})")
    extra = [c for c in header if c not in required and c not in OPTIONAL_COLUMNS]
    if extra:
        raise InputError(f"unknown column(s) {extra}", Location(where, 1),
                         f"declare them in 'dimensions' of the catalogue or remove them "
                         f"(allowed: {required + sorted(OPTIONAL_COLUMNS)})")
    if not any(any(c.strip() for c in row) for row in rows[1:]):
        raise InputError("dataset has a header but no rows", Location(where, 2),
                         "add at least one data row")

    problems: list[InputError] = []

    def problem(line: int, column: str | int, what: str, fix: str) -> None:
        if len(problems) < MAX_PROBLEMS:
            problems.append(InputError(what, Location(where, line, column), fix))

    records: list[dict[str, object]] = []
    record_lines: list[int] = []
    seen: dict[tuple[str, ...], int] = {}
    conv_cache: dict[str, float] = {}
    for lineno, row in zip(lines[1:], rows[1:], strict=True):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != len(header):
            column: str | int = header[len(row)] if len(row) < len(header) else len(header) + 1
            problem(lineno, column, f"row has {len(row)} fields, header has {len(header)}",
                    "quote fields that contain commas; one value per column")
            continue
        rec: dict[str, object] = dict(zip(header, (c.strip() for c in row), strict=True))
        ok = True
        for dim in meta.dimensions:
            val = str(rec[dim])
            if val == "":
                problem(lineno, dim, f"empty {dim}", f"give every row a {dim}")
                ok = False
            elif dim == "year":
                try:
                    y = int(val)
                    if not 1800 <= y <= 2200:
                        raise ValueError
                    rec[dim] = y
                except ValueError:
                    problem(lineno, dim, f"year '{val}' is not a year between 1800 and 2200",
                            "write years as integers like 2009")
                    ok = False
            elif dim in COUNTRY_COLUMNS and not is_country(val):
                problem(lineno, dim, f"'{val}' is not an ISO 3166-1 alpha-3 country code",
                        f"use codes like JPN, CHN (or one of {sorted(AGGREGATES)})")
                ok = False
            elif dim == "commodity" and not SLUG.match(val):
                problem(lineno, dim, f"commodity '{val}' is not lowercase-with-hyphens",
                        "write commodity names like rare-earths, crude-oil")
                ok = False
        try:
            value = float(str(rec["value"]))
        except ValueError:
            problem(lineno, "value", f"value '{rec['value']}' is not a number",
                    "write plain numbers (no thousands separators or units)")
            continue
        if not math.isfinite(value) or abs(value) > MAX_ABS_VALUE:
            problem(lineno, "value", f"value {rec['value']} is not a finite number below 1e15",
                    "check the magnitude and the unit")
            continue
        unit = str(rec["unit"])
        if not unit:
            problem(lineno, "unit", "empty unit", f"give every row a unit, e.g. '{meta.unit}'")
            continue
        if unit not in conv_cache:
            try:
                conv_cache[unit] = unit_factor(unit, meta.unit)
            except AmbiguousUnit as exc:
                problem(lineno, "unit", str(exc), exc.fix)
                continue
            except ValueError as exc:
                problem(lineno, "unit", str(exc),
                        f"use '{meta.unit}' or a unit convertible to it")
                continue
        value *= conv_cache[unit]
        if abs(value) > MAX_ABS_VALUE:
            problem(lineno, "value", f"value {rec['value']} {unit} is {value:g} {meta.unit}, "
                    "not below 1e15", "check the magnitude and the unit")
            continue
        if meta.min_value is not None and value < meta.min_value:
            problem(lineno, "value", f"value {value:g} {meta.unit} is below the minimum "
                    f"{meta.min_value:g}",
                    f"give a value of at least {meta.min_value:g} for '{meta.name}' (its catalogue "
                    "entry's min_value, 0 unless set)")
            ok = False
        if meta.max_value is not None and value > meta.max_value:
            problem(lineno, "value", f"value {value:g} {meta.unit} is above the maximum "
                    f"{meta.max_value:g}",
                    f"give a value of at most {meta.max_value:g} for '{meta.name}' (the "
                    "catalogue entry's max_value; shares are fractions in [0, 1])")
            ok = False
        if "status" in rec and rec["status"] and rec["status"] not in ROW_STATUSES:
            problem(lineno, "status", f"status '{rec['status']}' is not one of "
                    f"{sorted(ROW_STATUSES)}", "mark each figure verified, secondary or estimate")
            ok = False
        if rec.get("as_of"):  # the year the row's figure was known (see meta.DatasetMeta.as_of)
            if not (str(rec["as_of"]).isdigit() and 1800 <= int(str(rec["as_of"])) <= 2200):
                problem(lineno, "as_of", f"as_of '{rec['as_of']}' is not a year",
                        "give the year the figure was published or observed, e.g. 2016")
                ok = False
            else:
                rec["as_of"] = int(str(rec["as_of"]))
        if not ok:
            continue
        key = tuple(str(rec[d]) for d in meta.dimensions)
        if key in seen:
            problem(lineno, ",".join(meta.dimensions),
                    f"duplicate row for {dict(zip(meta.dimensions, key, strict=True))} "
                    f"(first at line {seen[key]})", "keep one row per combination of dimensions")
            continue
        seen[key] = lineno
        rec["value"] = value
        rec["unit"] = meta.unit
        rec.setdefault("status", meta.status)
        if not rec["status"]:
            rec["status"] = meta.status
        records.append(rec)
        record_lines.append(lineno)
    if problems:
        raise InputErrors(problems)
    frame = pd.DataFrame.from_records(records)
    cols = [*meta.dimensions, "value", "unit", "status"] + [
        c for c in ("note", "source", "as_of") if c in frame.columns]
    problems = invariant_problems(frame, meta, record_lines, where)
    if problems:
        raise InputErrors(problems)
    return frame[cols], digest, tuple(record_lines)


def invariant_problems(frame: pd.DataFrame, meta: DatasetMeta, lines: list[int],
                       where: str) -> list[InputError]:
    """The catalogue's invariants that ``frame`` breaks, one located problem per group.

    A group is one combination of the dimensions other than the invariant's ``over``; the
    problem points at the group's first row.
    """
    problems: list[InputError] = []
    for inv in meta.invariants:
        others = [d for d in meta.dimensions if d != inv.over]
        keyed = frame.assign(_line=lines)
        groups = keyed.groupby(others, sort=False) if others else [((), keyed)]
        if isinstance(inv, CoversYears):
            problems.extend(_missing_years(inv, groups, others, meta.name, where))
            if len(problems) >= MAX_PROBLEMS:
                return problems[:MAX_PROBLEMS]
            continue
        for key, rows in groups:
            total = float(rows["value"].sum())
            if abs(total - 1.0) <= inv.tolerance:
                continue
            labels = key if isinstance(key, tuple) else (key,)
            group = ", ".join(f"{d}={v}" for d, v in zip(others, labels, strict=True))
            problems.append(InputError(
                f"dataset '{meta.name}': shares over {inv.over} "
                f"{'for ' + group + ' ' if group else ''}sum to {total:.6g}, not 1 "
                f"(tolerance {inv.tolerance:g})",
                Location(where, int(rows["_line"].min()), inv.over),
                f"correct the shares of that group so they sum to 1 (the catalogue entry "
                f"declares sum_to_one over '{inv.over}')"))
            if len(problems) >= MAX_PROBLEMS:
                return problems
    return problems


def _missing_years(inv: CoversYears, groups: Any, others: list[str], name: str,
                   where: str) -> list[InputError]:
    """One located problem per group that lacks a year the catalogue says it covers."""
    problems: list[InputError] = []
    for key, rows in groups:
        have = {int(y) for y in pd.to_numeric(rows[inv.over], errors="coerce").dropna()}
        missing = [y for y in inv.years() if y not in have]
        if not missing:
            continue
        labels = key if isinstance(key, tuple) else (key,)
        group = ", ".join(f"{d}={v}" for d, v in zip(others, labels, strict=True))
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        problems.append(InputError(
            f"dataset '{name}': no row for {inv.over}={missing[0]}{more}"
            f"{' for ' + group if group else ''} (the catalogue entry declares covers_years "
            f"{inv.first}-{inv.last}{f' every {inv.step}' if inv.step > 1 else ''})",
            Location(where, int(rows["_line"].min()), inv.over),
            f"add the missing rows ({', '.join(map(str, missing[:5]))}"
            f"{', ...' if len(missing) > 5 else ''}) or narrow the declared years"))
    return problems
