"""docs/data.md is the output of scripts/gen_data_docs.py (regenerate it when datasets change)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_docs_data_md_is_up_to_date(cli) -> None:
    spec = importlib.util.spec_from_file_location("gen_data_docs",
                                                  ROOT / "scripts" / "gen_data_docs.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rows = cli("data", "list", "--json").json()
    expected = gen.render(rows)
    actual = (ROOT / "docs" / "data.md").read_text("utf-8")
    assert actual == expected, "run: python scripts/gen_data_docs.py"
    for row in rows:
        assert f"| `{row['name']}` |" in actual
