"""Consistency rules declared in the catalogue (``invariants``), enforced at every load."""

from __future__ import annotations

from pathlib import Path

import pytest

from shigen.datasets import Catalogue
from shigen.datasets.meta import DatasetMeta
from shigen.datasets.validate import read_dataset
from shigen.errors import InputError, InputErrors

IMPORTS = """
[datasets.japan-ree-imports]
title = "Japan's rare-earth imports by origin (my revision)"
file = "imports.csv"
source = "My compilation"
edition = "2026"
license = "CC0"
unit = "fraction"
dimensions = ["origin", "year"]
status = "estimate"
max_value = 1.0
"""


def _shares(tmp_path: Path, rows: str, **rule: float) -> tuple[Path, DatasetMeta]:
    path = tmp_path / "shares.csv"
    path.write_text("importer,origin,year,value,unit\n" + rows, "utf-8")
    meta = DatasetMeta(name="shares", title="Shares", file="shares.csv", source="me",
                       edition="1", license="CC0", unit="fraction", status="estimate",
                       dimensions=["importer", "origin", "year"], max_value=1.0,
                       invariants=[{"kind": "sum_to_one", "over": "origin", **rule}])
    return path, meta


def test_each_group_of_the_other_dimensions_is_checked_and_named(tmp_path: Path) -> None:
    path, meta = _shares(tmp_path, "JPN,CHN,2009,0.9,fraction\n"
                                   "JPN,OTHER,2009,0.1,fraction\n"
                                   "JPN,CHN,2010,0.6,fraction\n"   # line 4: 0.6 + 0.6 = 1.2
                                   "JPN,OTHER,2010,0.6,fraction\n")
    with pytest.raises(InputErrors) as exc:
        read_dataset(path, meta)
    [problem] = exc.value.problems
    assert "shares over origin for importer=JPN, year=2010 sum to 1.2, not 1" in problem.message
    assert (problem.where.line, problem.where.column) == (4, "origin")


@pytest.mark.parametrize(("other", "ok"), [("0.109", True), ("0.111", False), ("0.091", True),
                                           ("0.089", False)])
def test_tolerance_is_inclusive_of_its_bound(tmp_path: Path, other: str, ok: bool) -> None:
    path, meta = _shares(tmp_path, f"JPN,CHN,2009,0.9,fraction\nJPN,OTHER,2009,{other},fraction\n",
                         tolerance=0.01)
    if ok:
        frame, _, _ = read_dataset(path, meta)
        assert frame["value"].sum() == pytest.approx(0.9 + float(other))
    else:
        with pytest.raises(InputErrors):
            read_dataset(path, meta)


def test_invariant_over_an_undeclared_dimension_is_refused() -> None:
    with pytest.raises(ValueError, match="not one of the dimensions"):
        DatasetMeta(name="x", title="X", file="x.csv", source="me", edition="1", license="CC0",
                    unit="fraction", status="estimate", dimensions=["origin"],
                    invariants=[{"kind": "sum_to_one", "over": "year"}])


def test_bundled_share_datasets_declare_and_satisfy_sum_to_one() -> None:
    cat = Catalogue.bundled()
    declared = {n: cat.meta(n).invariants[0].over for n in cat.names() if cat.meta(n).invariants}
    assert declared["japan-ree-imports"] == "origin"
    assert declared["ndfeb-composition"] == "element"
    # partner shares name only some partners; chokepoint shares may overlap: no invariant
    assert "trade-partner-shares" not in declared and "chokepoint-shares" not in declared
    assert cat.check(sorted(declared)) == []


def test_invariants_do_not_change_the_fingerprint() -> None:
    """Rules check figures without changing them: run ids stay put when one is declared."""
    meta = Catalogue.bundled().meta("japan-ree-imports")
    assert "invariants" not in meta.model_dump()


@pytest.fixture
def overriding_dir(tmp_path: Path) -> Path:
    """A user's revision of Japan's import shares that sum to 1.8 (0.9 + 0.9) in 2009."""
    (tmp_path / "catalogue.toml").write_text(IMPORTS, "utf-8")
    (tmp_path / "imports.csv").write_text(
        "origin,year,value,unit\nCHN,2009,0.9,fraction\nOTHER,2009,0.9,fraction\n", "utf-8")
    return tmp_path


def test_an_override_keeps_the_bundled_invariants(overriding_dir: Path) -> None:
    cat = Catalogue([overriding_dir])
    assert cat.meta("japan-ree-imports").invariants[0].over == "origin"
    with pytest.raises(InputError, match=r"year=2009 sum to 1\.8"):
        cat.get("japan-ree-imports")


def test_data_check_exits_2_on_shares_that_do_not_sum_to_one(cli, overriding_dir: Path) -> None:
    res = cli("data", "check", overriding_dir)
    assert res.exit_code == 2
    assert "imports.csv:2, column origin" in res.stderr
    assert "shares over origin for year=2009 sum to 1.8, not 1 (tolerance 0.01)" in res.stderr


def test_risk_exits_2_instead_of_renormalising(cli, overriding_dir: Path) -> None:
    res = cli("--data", overriding_dir, "risk", "rare-earths", "--year", "2009",
              "--importer", "JPN", "--json")
    assert res.exit_code == 2
    assert "sum to 1.8" in res.stdout + res.stderr
