r"""Reading TOML files (studies, catalogues) with located error messages.

``read_toml`` turns bytes into a document or one ``InputError`` that names the
file and line; ``find_line`` maps a field path such as ``("supply", "years", 0)``
back to the line that defines it, so validation errors can say where they are.

Examples
--------
>>> text = '[study]\nname = "x"\n\n[supply]\nyears = [2009]\n'
>>> find_line(text, ("supply", "years", 0))
5
"""

from __future__ import annotations

import re
import tomllib
from typing import Any

from shigen.errors import InputError, Location

MAX_BYTES = 5_000_000
#: Deepest nesting of arrays and tables a document may have; real studies and
#: catalogues use under ten levels, and deeper input would exhaust the recursion of
#: the parser and of everything that walks the document afterwards.
MAX_DEPTH = 64


def decode_utf8(raw: bytes, file: str, what: str = "file", encoding: str = "utf-8") -> str:
    """The text of ``raw``, or an ``InputError`` naming the line of the first bad byte."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(f"{what} is not UTF-8 text (byte {exc.start})", Location(file, line),
                         "save the file as UTF-8") from None


def read_toml(raw: bytes, file: str, what: str = "file") -> tuple[dict[str, Any], str]:
    """Decode and parse TOML bytes; return the document and its text.

    Raises
    ------
    InputError
        When the bytes are empty, too large, not UTF-8, or not valid TOML.
    """
    if len(raw) > MAX_BYTES:
        raise InputError(f"{what} is larger than {MAX_BYTES // 1_000_000} MB", Location(file),
                         "keep bulk data in CSV files of a --data folder")
    text = decode_utf8(raw, file, what)
    # Windows editors save "UTF-8" with a byte-order mark; TOML forbids it, so drop it
    # here (the document's lines and columns are unchanged).
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputError(f"{what} is empty", Location(file),
                         "see `shigen new DIR` or `shigen data list` for a well-formed example")
    try:
        doc = tomllib.loads(text)
    except RecursionError:
        raise InputError(f"{what} nests arrays or tables too deeply", _deepest(text, file),
                         f"use at most {MAX_DEPTH} levels of nested [ ] and {{ }}") from None
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11 only has the position in the message: "... (at line 3, column 7)"
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        lineno: int | None = int(m.group(1)) if m else None
        colno: int | None = int(m.group(2)) if m else None
        if lineno is None and "end of document" in str(exc):
            lineno = max(1, len(text.splitlines()))
        reason = re.sub(r"\s*\(at (line|end of document).*\)$", "", str(exc))
        raise InputError(f"{what} is not valid TOML: {reason}", Location(file, lineno, colno),
                         "fix the TOML syntax at that line (quotes, brackets, '=')") from None
    if _depth(doc) > MAX_DEPTH:
        raise InputError(f"{what} nests arrays or tables more than {MAX_DEPTH} levels deep",
                         _deepest(text, file),
                         f"use at most {MAX_DEPTH} levels of nested [ ] and {{ }}")
    return doc, text


def _depth(doc: Any) -> int:
    """Nesting depth of a parsed document, walked without recursion."""
    deepest, stack = 0, [(doc, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return deepest


def _deepest(text: str, file: str) -> Location:
    """The line where bracket nesting is deepest (where a too-deep value is written)."""
    level = best = 0
    best_line = line = 1
    for ch in text:
        if ch == "\n":
            line += 1
        elif ch in "[{":
            level += 1
            if level > best:
                best, best_line = level, line
        elif ch in "]}":
            level -= 1
    return Location(file, best_line)


def find_line(text: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of a field: the key inside its table, else the table header."""
    lines = text.splitlines()
    keys = [str(p) for p in loc if not isinstance(p, int)]
    if not keys:
        return None
    table_line: int | None = None
    full_re = re.compile(r"^\s*\[\[?\s*" + r"\s*\.\s*".join(
        r'(?:"?' + re.escape(k) + r'"?)' for k in keys) + r"\s*\]\]?\s*(#.*)?$")
    for i, line in enumerate(lines, start=1):
        if full_re.match(line):  # the field is itself written as a table
            return i
    table_keys = keys[:-1] if len(keys) > 1 else keys
    quoted = [r'(?:"?' + re.escape(k) + r'"?)' for k in table_keys]
    header_re = re.compile(r"^\s*\[\[?\s*" + r"\s*\.\s*".join(quoted) + r"\s*\]\]?\s*(#.*)?$")
    for i, line in enumerate(lines, start=1):
        if header_re.match(line):
            table_line = i
            break
    key_re = re.compile(r"^\s*\"?" + re.escape(keys[-1]) + r"\"?\s*=")
    start = table_line or 1
    for i in range(start, len(lines) + 1):
        if i > start and lines[i - 1].lstrip().startswith("[") and table_line:
            break
        if key_re.match(lines[i - 1]):
            return i
    if table_line:
        return table_line
    header_re = re.compile(r"^\s*\[\[?\s*\"?" + re.escape(keys[0]) + r"\b")
    for i, line in enumerate(lines, start=1):
        if header_re.match(line):
            return i
    return None
