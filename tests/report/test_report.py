"""`shigen report`: one self-contained HTML file; a PDF with the figures; bad input → exit 2."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shigen.cli import app
from shigen.report.html import figure_ids, plotly_js
from shigen.report.view import run_view
from shigen.runs.document import run_json
from shigen.runs.store import RunStore

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(not CHROMIUM.exists() or not shutil.which("pdftoppm"),
                                    reason="needs /usr/bin/chromium and pdftoppm")


def invoke(*args: str):
    return CliRunner().invoke(app, list(args))


def test_html_report_is_one_self_contained_file(store_env, tmp_path):
    home, rid = store_env
    out = tmp_path / "reports" / "japan.html"  # the folder does not exist yet
    res = invoke("report", "latest", "--format", "html", "-o", str(out), "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["run_id"] == rid and doc["path"] == str(out)
    assert sorted(p.name for p in out.parent.iterdir()) == ["japan.html"]  # no temp left
    html = out.read_text("utf-8")
    assert doc["bytes"] == out.stat().st_size
    # plotly.js embedded exactly once, nothing loaded from the network
    banner = plotly_js()[:80]
    assert html.count(banner) == 1
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=\"https?:", html)
    view = run_view(RunStore(home), rid)
    assert figure_ids(html) == [f.id for f in view.figures]
    ids = [f.id for f in view.figures]
    assert {"supply-hhi", "supply-chain-view", "supply-shares-rare-earths"} <= set(ids)
    # tables carry the exact --json values
    summary = run_json(RunStore(home), rid)["supply"]
    re09 = summary["commodities"]["rare-earths"]["2009"]
    assert f'data-value="{re09["stages"][0]["production_hhi"]}"' in html
    assert f'data-value="{re09["import_hhi"]}"' in html
    # provenance of every dataset in the manifest, with its source and hash
    manifest = RunStore(home).manifest(rid)
    for name, d in manifest["data"].items():
        assert f"<td>{name}</td>" in html
        assert d["sha256"][:12] in html
    assert "Validation notes" in html
    assert ("stages not in this run" in html) == bool(manifest["absent_stages"])
    assert "How concentrated is the supply of rare earths" in html  # the study's questions


@pytest.mark.parametrize(("args", "needle"), [
    (["report", "latest", "--format", "docx"], "unknown report format 'docx'"),
    (["report", "ffffffffffff"], "no run 'ffffffffffff'"),
    (["report", "latest", "-o", "{tmp}"], "is a folder"),
])
def test_bad_report_arguments_exit_2(store_env, tmp_path, args, needle):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    res = invoke(*args)
    assert res.exit_code == 2
    assert needle in res.output and "fix:" in res.output
    assert "Traceback" not in res.output


def test_pdf_without_chromium_says_how_to_fix(store_env, tmp_path, monkeypatch):
    monkeypatch.setenv("SHIGEN_CHROMIUM", str(tmp_path / "no-such-browser"))
    res = invoke("report", "latest", "--format", "pdf", "-o", str(tmp_path / "r.pdf"))
    assert res.exit_code == 2 and "SHIGEN_CHROMIUM" in res.output
    assert not (tmp_path / "r.pdf").exists()


@needs_chromium
@pytest.mark.browser
@pytest.mark.slow
def test_pdf_renders_to_pages_with_the_figures(store_env, tmp_path):
    from PIL import Image

    out = tmp_path / "japan.pdf"
    res = invoke("report", "latest", "--format", "pdf", "-o", str(out))
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:5] == b"%PDF-"
    assert [p.name for p in tmp_path.iterdir()] == ["japan.pdf"]
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(out), str(tmp_path / "page")],
                   check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 2
    for p in pages:  # every page has ink: some share of its pixels is not paper-white
        grey = Image.open(p).convert("L")
        inked = sum(grey.histogram()[:230]) / (grey.width * grey.height)
        assert inked > 1e-4, (p.name, inked)  # a last page may hold only a line or two
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    # figure titles and axis labels are drawn by plotly (SVG text), so they are in the PDF
    for needle in ("Concentration of production (HHI)", "rare-earths: production shares",
                   "uranium: production shares", "JPN: imports by origin",
                   "share of world production", "Data provenance"):
        assert needle in text, needle
