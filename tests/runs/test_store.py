"""The run store: stable ids, cache hits, --force, list/show/compare/delete."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from shigen.datasets import Catalogue
from shigen.runs.runner import run_study
from shigen.runs.store import RunStore
from shigen.study import load_study, parse_study

ROOT = Path(__file__).resolve().parents[2]
FLAGSHIP = ROOT / "studies" / "japan-2009.toml"
REE = """\
[study]
name = "ree"
title = "Rare earths for Japan"

[supply]
commodities = ["rare-earths"]
importer = "JPN"
years = [2009, 2010]
"""
SMALL = """\
[study]
name = "small"
title = "Small"

[supply]
commodities = ["uranium"]
importer = "JPN"
years = [2009]
"""


@pytest.mark.slow
def test_flagship_twice_same_run_id_then_cached(shigen_process, home: Path) -> None:
    """The issue's check, as a user types it: two processes, same id, cached the second time."""
    first = shigen_process("run", FLAGSHIP, "--json")
    second = shigen_process("run", FLAGSHIP, "--json")
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert list(a)[:4] == ["run_id", "study", "status", "cached"]
    assert a["run_id"] == b["run_id"]
    assert (a["cached"], b["cached"]) == (False, True)
    assert a["status"] == b["status"] == "complete"
    assert a["supply"] == b["supply"]          # a cache hit prints the same stage JSON
    assert "absent_stages" in a


@pytest.fixture
def ree(tmp_path: Path) -> Path:
    path = tmp_path / "ree.toml"
    path.write_text(REE, "utf-8")
    return path


def test_force_recomputes_with_the_same_id(cli, home: Path, ree: Path) -> None:
    first = cli("run", ree, "--json").json()
    forced = cli("run", ree, "--json", "--force").json()
    again = cli("run", ree, "--json").json()
    assert first["run_id"] == forced["run_id"] == again["run_id"]
    assert (first["cached"], forced["cached"], again["cached"]) == (False, False, True)
    assert forced["supply"] == first["supply"]
    assert len(RunStore(home).list()) == 1


def test_run_id_depends_on_study_seed_and_data(tmp_path: Path) -> None:
    from shigen.runs.runner import run_id_for

    cat = Catalogue.bundled()
    fp = cat.fingerprint()
    base = parse_study(SMALL)
    assert run_id_for(base, fp) == run_id_for(parse_study(SMALL + "\n# comment\n"), fp)
    seeded = parse_study(SMALL.replace('title = "Small"', 'title = "Small"\nseed = 1'))
    assert run_id_for(seeded, fp) != run_id_for(base, fp)
    changed = {**fp, "ree-reserves": "0" * 64}
    assert run_id_for(base, changed) != run_id_for(base, fp)


def test_run_folder_layout_and_manifest(home: Path, ree: Path) -> None:
    store = RunStore(home)
    result = run_study(load_study(ree), Catalogue.bundled(), store)
    folder = home / "runs" / result.run_id
    assert Path(result.path) == folder
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["run_id"] == result.run_id
    assert manifest["study"]["study"]["name"] == "ree"
    assert set(manifest["data"]) == set(Catalogue.bundled().names())
    assert manifest["data"]["ree-mine-production"]["edition"]
    assert manifest["versions"]["shigen"]
    for stage, info in manifest["stages"].items():  # every variable has its table
        assert {f"{v}.parquet" for v in info["variables"]} == {
            p.name for p in (folder / stage).iterdir()}
    assert {"share", "production_hhi", "import_share"} <= set(
        manifest["stages"]["supply"]["variables"])
    # the catalogue row is in SQLite, in WAL mode
    con = sqlite3.connect(home / "catalogue.sqlite")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT run_id, study FROM runs").fetchall() == [(result.run_id, "ree")]
    con.close()


def test_load_stage_round_trips_the_dataset(home: Path, ree: Path) -> None:
    from shigen import testing

    store = RunStore(home)
    result = run_study(load_study(ree), Catalogue.bundled(), store)
    ds = store.load_stage(result.run_id, "supply")
    share = ds["share"]
    assert share.dims == ("commodity", "stage", "year", "country")
    assert share.attrs["units"] == "fraction"
    testing.assert_shares_sum_to_one(share, "country")
    # hand check: China mined 129 000 of 133 000 t REO in 2009 (USGS MCS 2011)
    chn = float(share.sel(commodity="rare-earths", stage="mining", year=2009, country="CHN"))
    assert chn == pytest.approx(129_000 / 133_000, rel=1e-12)


def test_runs_list_show_compare_delete(cli, home: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.toml"
    small.write_text(SMALL, "utf-8")
    both = tmp_path / "both.toml"
    both.write_text(SMALL.replace('"uranium"', '"uranium", "rare-earths"').replace(
        'name = "small"', 'name = "both"'), "utf-8")
    a = cli("run", both, "--json").json()["run_id"]
    b = cli("run", small, "--json").json()["run_id"]
    listed = cli("runs", "list", "--json").json()
    assert [r["run_id"] for r in listed] == [a, b]
    assert listed[1]["study"] == "small" and listed[1]["stages"] == ["supply"]
    assert a in cli("runs", "list").stdout

    shown = cli("runs", "show", b[:6], "--json").json()
    assert shown["run_id"] == b and shown["study"] == "small"
    assert shown["supply"]["commodities"]["uranium"]["2009"]["stages"][0]["top_producer"] == "KAZ"
    assert cli("runs", "show", "latest", "--json").json()["run_id"] == b
    assert cli("runs", "show", "latest").exit_code == 0

    cmp = cli("runs", "compare", a, b, "--json").json()
    assert cmp["runs"] == [a, b]
    kaz = [r for r in cmp["rows"] if r["variable"] == "share"
           and r["key"] == "uranium|mining|2009|KAZ"]
    # 14 020 of 50 772 tU in 2009 (WNA), the same in both runs
    assert kaz[0][a] == pytest.approx(14_020 / 50_772) and kaz[0][b] == kaz[0][a]
    assert cli("runs", "compare", a, b).exit_code == 0

    deleted = cli("runs", "delete", a, "--json")
    assert deleted.exit_code == 0 and deleted.json() == {"deleted": [a]}
    assert [r["run_id"] for r in cli("runs", "list", "--json").json()] == [b]
    assert not (home / "runs" / a).exists()
    gone = cli("runs", "show", a)
    assert gone.exit_code == 2 and "no run" in gone.stderr


def test_resolve_errors(cli, home: Path) -> None:
    assert cli("runs", "show", "latest").exit_code == 2      # empty store
    res = cli("runs", "compare", "x")
    assert res.exit_code == 2 and "at least two" in res.stderr


def test_rows_without_a_folder_are_not_listed(home: Path, ree: Path) -> None:
    store = RunStore(home)
    result = run_study(load_study(ree), Catalogue.bundled(), store)
    (home / "runs" / result.run_id / "manifest.json").unlink()
    assert RunStore(home).list() == []


def test_unusable_store_location_is_an_input_error(cli, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", "utf-8")
    monkeypatch.setenv("SHIGEN_HOME", str(blocker))
    res = cli("runs", "list")
    assert res.exit_code == 2
    assert "cannot use the run store" in res.stderr and "SHIGEN_HOME" in res.stderr
