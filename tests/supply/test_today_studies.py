"""Today's studies (issue 16 item 4): the export controls as events, checked against the data.

The dates of the events in ``studies/us-today.toml`` and ``studies/japan-today.toml`` are the
dates of ``china-export-controls`` (a study cannot drift from its dataset), and the U.S.
study's disruption stage gives shortfalls inside bounds a person can work out by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shigen.cli import app
from shigen.datasets import Catalogue

STUDIES = Path(__file__).parents[2] / "studies"


def _controls() -> dict[tuple[str, str, str], list[tuple[str, float]]]:
    frame = Catalogue.bundled().frame("china-export-controls")
    out: dict[tuple[str, str, str], list[tuple[str, float]]] = {}
    for r in frame.itertuples():
        out.setdefault((r.commodity, r.destination, r.control), []).append(
            (str(r.effective), float(r.value)))
    return {k: sorted(v) for k, v in out.items()}


def _events(name: str) -> list[dict]:
    return tomllib.loads((STUDIES / f"{name}.toml").read_text())["disruption"]["events"]


def _key(event: dict) -> tuple[str, str, str]:
    commodity = "dysprosium" if event["commodity"] == "rare-earths" else event["commodity"]
    if event["kind"] == "quota-cut":
        return commodity, "WORLD", "export-licence"
    control = "end-use-review" if commodity == "graphite" else "export-ban"
    return commodity, event["importer"], control


@pytest.mark.parametrize("study", ["us-today", "japan-today"])
def test_event_onsets_are_the_dataset_dates(study):
    controls = _controls()
    scheduled = [e for e in _events(study) if "onset" in e]
    checked = 0
    for e in scheduled:
        if e["supplier"] != "CHN" or _key(e) not in controls:
            continue
        start = [d for d, v in controls[_key(e)] if v == 1.0]
        assert e["onset"] in start, (e["name"], start)
        checked += 1
    assert checked == (8 if study == "us-today" else 1)


def test_us_ban_lasts_until_its_suspension():
    controls = _controls()
    for e in _events("us-today"):
        if e["kind"] != "embargo":
            continue
        rows = controls[_key(e)]
        on = next(d for d, v in rows if v == 1.0)
        off = next(d for d, v in rows if v == 0.0)
        days = (dt.date.fromisoformat(off) - dt.date.fromisoformat(on)).days
        assert e["onset"] == on and e["duration_days"] == days == 341


def test_us_today_disruption_bounds(tmp_path, monkeypatch):
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))
    text = (STUDIES / "us-today.toml").read_text()
    text = text.split("# --- Policy appraisal")[0].replace("draws = 4000", "draws = 300")
    study = tmp_path / "us-today-disruption.toml"
    study.write_text(text)
    res = CliRunner().invoke(app, ["run", str(study), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)["disruption"]
    sb = doc["antimony"]["USA"]
    # the U.S. ban alone removes China's 63 % of 20 060 t/yr of oxide and metal imports
    # for 341 days: 11 806 t; the licensing regime before it at most 540 days more at
    # full depth: a shortfall cannot exceed China's supply over both, 0.63 * 20 060 *
    # (341 + 540) / 365 = 30 503 t
    assert 0 < sb["expected_shortfall_t"] <= 0.63 * 20_060 * (341 + 540) / 365
    # gallium: China is 19 % of 11.4 t/yr of metal imports; 88 days of stock cover most
    ga = doc["gallium"]["USA"]
    assert ga["days_of_cover"] == 88.0
    assert ga["expected_shortfall_t"] <= 0.19 * 11.4 * (341 + 540) / 365
    for c in ("gallium", "germanium", "graphite", "antimony"):
        assert 1.0 <= doc[c]["USA"]["peak_price_ratio"] <= 5.0  # the studies' choke price
