"""The bad-input corpus (tests/bad_inputs/): every case through the CLI.

Each malformed study, data folder and command line must give exit code 2, exactly
one message on stderr that says what is wrong and where (file and line, or the
command), no traceback, nothing on stdout, and leave no run or partial file behind.
See tests/bad_inputs/README.md for the layout and how to add a case.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from shigen.errors import Location

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "bad_inputs"
FLAGSHIP = ROOT / "studies" / "japan-2009.toml"
PROBE = CORPUS / "good-study.toml"


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    expect: str
    where: str


def _expectation(text: str) -> tuple[str, str]:
    found = dict(re.findall(r"^#?\s*(expect|where):\s*(.*?)\s*$", text, re.MULTILINE))
    assert "expect" in found and "where" in found, text[:200]
    return found["expect"], found["where"]


def _header(path: Path) -> str:
    sidecar = [path.with_suffix(".expect"), path / "expect"]
    for s in sidecar:
        if s.is_file():
            return s.read_text("utf-8")
    target = path / "catalogue.toml" if path.is_dir() else path
    return target.read_bytes().decode("utf-8", "replace")


def cases() -> list[Case]:
    out = []
    for path in sorted((CORPUS / "studies").glob("*.toml")):
        expect, where = _expectation(_header(path))
        out.append(Case(f"study/{path.stem}", ("run", str(path)), expect, where))
    for path in sorted(p for p in (CORPUS / "datasets").iterdir() if p.is_dir()):
        expect, where = _expectation(_header(path))
        out.append(Case(f"data-check/{path.name}", ("data", "check", str(path)), expect, where))
        out.append(Case(f"data-run/{path.name}", ("--data", str(path), "run", str(PROBE)),
                        expect, where))
    doc = tomllib.loads((CORPUS / "arguments.toml").read_text("utf-8"))
    for c in doc["case"]:
        out.append(Case(f"args/{c['name']}", tuple(c["args"]), c["expect"], c["where"]))
    return out


CASES = cases()


def test_corpus_is_large_enough() -> None:
    studies = sum(c.id.startswith("study/") for c in CASES)
    data = sum(c.id.startswith("data-check/") for c in CASES)
    args = sum(c.id.startswith("args/") for c in CASES)
    assert studies >= 20 and data >= 20 and args >= 10
    assert studies + data + args >= 30


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_one_located_message_and_exit_2(cli, case: Case, home: Path,
                                                        tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    args = [a.format(corpus=CORPUS, tmp=work, flagship=FLAGSHIP) for a in case.args]
    corpus_before = _tree(CORPUS)

    res = cli(*args)

    assert res.exception is None, repr(res.exception)
    assert res.exit_code == 2, (res.exit_code, res.stderr)
    assert "Traceback" not in res.stderr
    assert res.stdout == ""
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    message = lines[0]
    assert message.startswith(("error: ", "✗ ")), message
    assert re.search(case.expect, message), f"expected /{case.expect}/ in: {message}"
    assert case.where in message, f"expected location '{case.where}' in: {message}"
    assert " — fix: " in message, message

    # nothing left behind: no run, no temporary folder, no new file anywhere
    runs = home / "runs"
    assert not runs.exists() or list(runs.iterdir()) == []
    db = home / "catalogue.sqlite"
    if db.exists():
        con = sqlite3.connect(db)
        assert con.execute("SELECT count(*) FROM runs").fetchone() == (0,)
        con.close()
    assert list(work.iterdir()) == []
    assert _tree(CORPUS) == corpus_before


@pytest.mark.parametrize("case", [c for c in CASES if c.id.startswith("study/")],
                         ids=lambda c: c.id)
def test_bad_study_as_json_is_one_error_document(cli, case: Case) -> None:
    res = cli(*case.args, "--json")
    assert res.exit_code == 2
    doc = json.loads(res.stdout)
    assert doc["status"] == "error" and doc["error"]["kind"] == "input"
    # the JSON carries the same facts as the one-line message
    text = f"{Location(**doc['error']['where'])}: {doc['error']['message']}"
    assert re.search(case.expect, text), text
    assert case.where in text, text
    assert doc["error"]["fix"]
