"""Shared by the benchmark and validation scripts: write their section of a docs file."""

from __future__ import annotations

import re
from pathlib import Path


def write_section(path: Path, heading: str, lines: list[str], title: str) -> None:
    """Replace (or append) the ``## <heading>`` section of ``path`` with ``lines``.

    ``lines`` starts with the ``## <heading>`` line; ``title`` is the file's first line
    when the file does not exist yet.
    """
    text = path.read_text() if path.exists() else f"{title}\n"
    section = "\n".join(lines)
    pattern = rf"^## {re.escape(heading)}$"
    if re.search(pattern, text, flags=re.M):
        text = re.sub(pattern + r".*?(?=^## |\Z)", lambda _: section + "\n", text,
                      flags=re.M | re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.write_text(text)
    print(f"wrote {path}")
