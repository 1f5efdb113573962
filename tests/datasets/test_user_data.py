"""User data folders (--data / SHIGEN_DATA): extend and override; `shigen data ...`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shigen.datasets import Catalogue
from shigen.errors import InputError

CATALOGUE = """
[datasets.ree-mine-production]
title = "Rare-earth mine production (my revision)"
file = "ree.csv"
source = "My compilation"
edition = "2026"
license = "CC0"
unit = "t"
dimensions = ["country", "year"]
status = "estimate"

[datasets.my-gallium]
title = "Gallium production"
file = "gallium.csv"
source = "My compilation"
edition = "2026"
license = "CC0"
unit = "t"
dimensions = ["country", "year"]
status = "estimate"
"""

# 2009 in kilotonnes: converted to t at load (CHN 100 000 t, USA 100 000 t)
REE = "country,year,value,unit\nCHN,2009,100,kt\nUSA,2009,100000,t\n"
GALLIUM = "country,year,value,unit,note\nCHN,2023,600,t,example\nOTHER,2023,10,t,example\n"


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    d = tmp_path / "mydata"
    d.mkdir()
    (d / "catalogue.toml").write_text(CATALOGUE, "utf-8")
    (d / "ree.csv").write_text(REE, "utf-8")
    (d / "gallium.csv").write_text(GALLIUM, "utf-8")
    return d


def test_user_folder_extends_and_overrides(user_dir: Path) -> None:
    cat = Catalogue([user_dir])
    assert "my-gallium" in cat                      # extends
    assert "uranium-mine-production" in cat         # bundled still there
    meta = cat.meta("ree-mine-production")          # overrides
    assert meta.origin == str(user_dir)
    f = cat.frame("ree-mine-production").set_index("country")["value"]
    assert f.to_dict() == {"CHN": 100_000.0, "USA": 100_000.0}  # 100 kt → 100 000 t


def test_override_changes_the_run_id_and_the_result(cli, user_dir: Path,
                                                    tmp_path: Path) -> None:
    study = tmp_path / "s.toml"
    study.write_text('[study]\nname = "s"\ntitle = "S"\n'
                     '[supply]\ncommodities = ["rare-earths"]\nyears = [2009]\n', "utf-8")
    plain = cli("run", study, "--json")
    mine = cli("--data", user_dir, "run", study, "--json")
    assert plain.exit_code == mine.exit_code == 0, plain.stderr + mine.stderr
    assert plain.json()["run_id"] != mine.json()["run_id"]
    mining = mine.json()["supply"]["commodities"]["rare-earths"]["2009"]["stages"][0]
    assert mining["top_producer_share"] == pytest.approx(0.5)   # 100 000 of 200 000
    assert mining["production_hhi"] == pytest.approx(0.5)       # 0.5² + 0.5²


def test_shigen_data_env_var(cli, user_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIGEN_DATA", str(user_dir))
    res = cli("data", "list", "--json")
    assert res.exit_code == 0, res.stderr
    rows = {r["name"]: r for r in res.json()}
    assert rows["my-gallium"]["origin"] == str(user_dir)
    assert rows["ree-mine-production"]["origin"] == str(user_dir)
    assert rows["ree-mine-production"]["title"].endswith("(my revision)")


def test_data_option_on_the_subcommand(cli, user_dir: Path) -> None:
    res = cli("data", "show", "my-gallium", "--json", "--data", user_dir)
    assert res.exit_code == 0, res.stderr
    doc = res.json()
    assert doc["rows"] == 2 and doc["years"] == [2023]
    assert doc["data"][0] == {"country": "CHN", "year": 2023, "value": 600.0, "unit": "t",
                              "status": "estimate", "note": "example"}


def test_data_list_json_has_provenance_for_at_least_12(cli) -> None:
    res = cli("data", "list", "--json")
    assert res.exit_code == 0
    rows = res.json()
    assert len(rows) >= 12
    for row in rows:
        for key in ("name", "title", "source", "edition", "license", "status"):
            assert isinstance(row[key], str) and row[key], (row["name"], key)
        assert row["status"] in {"verified", "secondary", "estimate"}


def test_data_list_table(cli) -> None:
    res = cli("data", "list")
    assert res.exit_code == 0
    assert "ree-mine-production" in res.stdout


def test_data_show_table_and_json(cli) -> None:
    res = cli("data", "show", "ree-reserves")
    assert res.exit_code == 0
    assert "MCS 2025" in res.stdout and "44000000" in res.stdout
    doc = cli("data", "show", "ree-reserves", "--json", "--rows", "1").json()
    assert doc["license"].startswith("Public domain")
    assert doc["rows"] == 12 and len(doc["data"]) == 1


def test_data_check_bundled_and_user(cli, user_dir: Path) -> None:
    assert cli("data", "check").exit_code == 0
    res = cli("data", "check", user_dir, "--json")
    assert res.exit_code == 0, res.stdout
    assert res.json() == {"ok": True, "datasets": ["my-gallium", "ree-mine-production"],
                          "problems": []}


def test_data_check_reports_every_problem_with_file_line_column(cli, user_dir: Path) -> None:
    (user_dir / "ree.csv").write_text(
        "country,year,value,unit\n"
        "CHN,2009,100,kt\n"
        "XXX,2009,5,t\n"          # line 3: not ISO3
        "USA,20x9,5,t\n"          # line 4: bad year
        "AUS,2009,-5,t\n"         # line 5: negative
        "BRA,2009,5,furlong\n"    # line 6: bad unit
        "CHN,2009,7,t\n", "utf-8")  # line 7: duplicate of line 2
    (user_dir / "gallium.csv").write_text("country,year,value\nCHN,2023,1\n", "utf-8")
    res = cli("data", "check", user_dir, "--json")
    assert res.exit_code == 2
    doc = res.json()
    assert doc["ok"] is False
    where = [(Path(p["where"]["file"]).name, p["where"].get("line"), p["where"].get("column"))
             for p in doc["problems"]]
    assert where == [("gallium.csv", 1, None), ("ree.csv", 3, "country"), ("ree.csv", 4, "year"),
                     ("ree.csv", 5, "value"), ("ree.csv", 6, "unit"),
                     ("ree.csv", 7, "country,year")]
    text = cli("data", "check", user_dir)
    assert text.exit_code == 2
    lines = text.stderr.strip().splitlines()
    assert len(lines) == 6
    assert "ree.csv:3, column country" in text.stderr


def test_override_must_keep_dimensions(tmp_path: Path, user_dir: Path) -> None:
    text = (user_dir / "catalogue.toml").read_text("utf-8")
    (user_dir / "catalogue.toml").write_text(
        text.replace('dimensions = ["country", "year"]\nstatus = "estimate"\n\n[datasets.my',
                     'dimensions = ["country"]\nstatus = "estimate"\n\n[datasets.my'), "utf-8")
    with pytest.raises(InputError, match="overrides one with dimensions") as info:
        Catalogue([user_dir])
    assert info.value.where is not None and info.value.where.line == 2


def test_missing_data_folder_is_an_input_error(cli, tmp_path: Path) -> None:
    res = cli("--data", tmp_path / "nowhere", "data", "list")
    assert res.exit_code == 2
    assert "does not exist" in res.stderr


def test_later_folders_override_earlier(tmp_path: Path, user_dir: Path) -> None:
    second = tmp_path / "second"
    second.mkdir()
    (second / "catalogue.toml").write_text(
        CATALOGUE.split("[datasets.my-gallium]")[0].replace("my revision", "second"), "utf-8")
    (second / "ree.csv").write_text("country,year,value,unit\nCHN,2009,1,t\n", "utf-8")
    cat = Catalogue([user_dir, second])
    assert cat.meta("ree-mine-production").title.endswith("(second)")
    assert "my-gallium" in cat
    assert json.dumps(cat.describe("ree-mine-production"))
