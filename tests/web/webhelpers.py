"""Helpers for the web tests (imported by conftest and the test modules)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STUDY = ROOT / "studies" / "japan-2009.toml"
CHROMIUM = Path("/usr/bin/chromium")


def variant(text: str) -> str:
    """The flagship study restricted to 2009 (a second, different run)."""
    import re

    out, n = re.subn(r"(?ms)^(\[supply\].*?^years = )\[[^\]]*\]", r"\g<1>[2009]", text,
                     count=1)
    assert n == 1, "the flagship study has no [supply] years line"
    return out.replace('name = "japan-2009"', 'name = "japan-2009-only"')


def test_client(app):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # starlette's TestClient warns about httpx versions
        from fastapi.testclient import TestClient
    return TestClient(app, base_url="http://localhost")  # a Host the server answers to


test_client.__test__ = False  # type: ignore[attr-defined]


def cli(*args: str) -> tuple[int, str]:
    """Run the shigen CLI in-process; return (exit code, stdout)."""
    from typer.testing import CliRunner

    from shigen.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout


def cli_json(*args: str):  # type: ignore[no-untyped-def]
    code, out = cli(*args, "--json")
    assert code == 0, out
    return json.loads(out)
