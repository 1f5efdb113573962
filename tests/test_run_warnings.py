"""Run warnings: the record, how stages hand them over, and the supply data warnings."""

from __future__ import annotations

import json

import pytest
import xarray as xr

from shigen.datasets import Catalogue
from shigen.run_warnings import RunWarning, attach, ordered, stage_warnings, summary_line
from shigen.supply import data
from shigen.supply.data_warnings import missing_data, stale_data

FLAGSHIP = "studies/japan-2009.toml"


def test_the_record_has_exactly_the_agreed_fields() -> None:
    w = RunWarning("stale-data", "supply", "old", {"year": 2024})
    assert list(w.to_json()) == ["code", "stage", "message", "where", "severity"]
    assert RunWarning.from_obj(w.to_json()) == w
    with pytest.raises(ValueError, match="severity"):
        RunWarning("x", "energy", "m", {}, "fatal")  # type: ignore[arg-type]


def test_stages_hand_warnings_over_in_the_summary_or_the_dataset() -> None:
    """Both places are read, the stage name fills a gap, a repeated record counts once."""
    ds = attach(xr.Dataset(), [RunWarning("horizon-jump", "energy", "jump", {"year": 2050})])
    summary = {"warnings": [{"code": "assumed-bound", "message": "on the bound",
                             "where": {"technology": "nuclear"}, "severity": "info"},
                            {"code": "horizon-jump", "stage": "energy", "message": "jump",
                             "where": {"year": 2050}}]}
    got = stage_warnings("energy", ds, summary)
    assert [(w.code, w.stage) for w in got] == [("assumed-bound", "energy"),
                                                ("horizon-jump", "energy")]
    assert [w.code for w in ordered(got, ["energy"])] == ["horizon-jump", "assumed-bound"]
    assert summary_line(got) == "1 warning, 1 note"


def test_a_null_names_the_dataset_that_lacks_the_year() -> None:
    """japan-ree-imports has no row for 2013 (MoF figures not compiled), so 2013 is null."""
    cat = Catalogue.bundled()
    have = data.years_of(cat, "japan-ree-imports")
    assert 2009 in have and 2013 not in have and 2023 in have
    (w,) = [w for w in missing_data(cat, ["rare-earths"], [2009, 2013, 2023], "JPN")
            if w.severity == "warning"]
    assert w.code == "missing-data" and w.where["dataset"] == "japan-ree-imports"
    assert w.where["years"] == [2013] and "import_hhi" in w.where["variables"]


def test_stale_governance_data_for_a_recent_year() -> None:
    """Asked for 3 years after the newest WGI year, the scores are stale; for that year, not."""
    cat = Catalogue.bundled()
    newest = max(int(y) for y in cat.frame(data.WGI_DATASET)["year"])
    assert stale_data(cat, [newest]) == []
    (w,) = stale_data(cat, [newest + 3])
    assert w.code == "stale-data" and w.where["data_year"] == newest
    assert w.where["years"] == [newest + 3] and w.where["dataset"] == data.WGI_DATASET


def test_the_run_json_lists_its_warnings_and_a_cached_run_the_same(flagship_home, cli) -> None:
    res = cli("run", FLAGSHIP, "--json")
    assert res.exit_code == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["warnings"] == flagship_home.summary["warnings"]  # cached == computed
    codes = {(w["code"], w["where"].get("dataset")) for w in doc["warnings"]}
    assert ("missing-data", "japan-ree-imports") in codes
    shown = json.loads(cli("runs", "show", "latest", "--json").stdout)
    assert shown["warnings"] == doc["warnings"]
    text = cli("run", FLAGSHIP).stdout
    assert "before you quote a number" in text and "japan-ree-imports" in text


def test_risk_warns_of_the_dataset_behind_a_null(cli) -> None:
    """japan-ree-imports has no 2020 row, so Japan's 2020 import figures are null and say why."""
    doc = json.loads(cli("risk", "rare-earths", "--importer", "JPN", "--year", "2020",
                         "--json").stdout)
    assert doc["import_hhi"] is None
    (w,) = [w for w in doc["warnings"] if w["severity"] == "warning"]
    assert w["where"]["dataset"] == "japan-ree-imports" and w["where"]["years"] == [2020]
    text = cli("risk", "rare-earths", "--importer", "JPN", "--year", "2020").stdout
    assert "before you quote a number" in text
