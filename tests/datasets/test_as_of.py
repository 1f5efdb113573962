"""``as_of`` and ``data_as_of``: a replication reads what was known then, or is refused.

energy-historical-capacity holds wind and solar capacity observed 2010-2020 (rows known
2011-2021, an ``as_of`` column) and names a 2008 vintage (end-2007 figures, as_of 2008).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shigen.datasets import Catalogue
from shigen.datasets.catalogue import BUNDLED_DIR
from shigen.datasets.overrides import DataOverride
from shigen.errors import InputError, InputErrors
from shigen.study import parse_study

NAME = "energy-historical-capacity"


def _years(cat: Catalogue) -> list[int]:
    return sorted({int(y) for y in cat.frame(NAME)["year"]})


def test_today_reads_the_observations_and_2008_reads_its_vintage() -> None:
    cat = Catalogue.bundled()
    assert _years(cat) == [2010, 2015, 2020]
    assert _years(cat.with_overrides([], as_of=2021)) == [2010, 2015, 2020]
    then = cat.with_overrides([], as_of=2008)
    assert _years(then) == [2007]
    assert then.get(NAME).meta.name == f"{NAME}-2008"  # provenance says which vintage
    # a row known in 2020 is hindsight for 2016: the latest clean vintage is 2008's
    assert _years(cat.with_overrides([], as_of=2016)) == [2007]


def test_a_vintage_view_hashes_apart_from_today() -> None:
    cat = Catalogue.bundled()
    assert cat.fingerprint()[NAME] != cat.with_overrides([], as_of=2008).fingerprint()[NAME]
    assert cat.with_overrides([], as_of=2008).files_fingerprint() == cat.fingerprint()


def test_an_override_of_a_later_observation_is_refused_at_its_field() -> None:
    o = DataOverride(dataset=NAME, select={"region": "WORLD", "group": "wind", "year": 2015},
                     value=430.0)
    with pytest.raises(InputError) as err:
        Catalogue.bundled().with_overrides([o], as_of=2008)
    assert "row region=WORLD, group=wind, year=2015 was known in 2015" in err.value.what
    assert err.value.where is not None and err.value.where.field == "data.override.0.select"


def _user_copy(tmp_path: Path, as_of_cell: str | None = None) -> Path:
    """The dataset in a user folder, without its vintage (and one row's as_of changed)."""
    folder = tmp_path / "data"
    folder.mkdir(parents=True)
    text = (BUNDLED_DIR / "energy_historical_capacity.csv").read_text("utf-8")
    if as_of_cell is not None:
        text = text.replace(",secondary,2015,", f",secondary,{as_of_cell},", 1)
    (folder / "energy_historical_capacity.csv").write_text(text, "utf-8")
    meta = Catalogue.bundled().meta(NAME)
    entry = {k: v for k, v in meta.model_dump(mode="json").items()
             if v not in (None, []) and k not in ("name", "origin", "invariants", "description",
                                                    "vintages")}
    lines = [f"[datasets.{NAME}]"] + [f"{k} = {json.dumps(v)}" for k, v in entry.items()]
    (folder / "catalogue.toml").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def test_a_dataset_without_a_vintage_is_refused_naming_its_first_late_row(tmp_path: Path) -> None:
    cat = Catalogue([_user_copy(tmp_path)]).with_overrides([], as_of=2008)
    with pytest.raises(InputError) as err:
        cat.frame(NAME)
    e = err.value
    assert "row region=WORLD, group=wind, year=2010 was known in 2010" in e.what
    assert "and 5 more such rows" in e.what
    assert e.where is not None and e.where.line == 2
    assert e.where.file.endswith("energy_historical_capacity.csv")
    # without data_as_of nothing is refused
    assert _years(Catalogue([_user_copy(tmp_path / "b")])) == [2010, 2015, 2020]


def test_an_as_of_that_is_not_a_year_is_located(tmp_path: Path) -> None:
    folder = _user_copy(tmp_path, as_of_cell="soon")
    with pytest.raises(InputErrors) as err:
        Catalogue([folder]).frame(NAME)
    e = err.value.problems[0]
    assert "as_of 'soon' is not a year" in e.what and e.where is not None and e.where.line == 3


def test_data_as_of_is_a_study_field_that_leaves_other_run_ids_alone() -> None:
    text = '[study]\nname = "x"\ntitle = "x"\n{}\n[supply]\ncommodities = ["rare-earths"]\n' \
           'importer = "JPN"\nyears = [2009]\n'
    plain = parse_study(text.format(""), "x.toml")
    dated = parse_study(text.format("data_as_of = 2008"), "x.toml")
    assert plain.data_as_of() is None and dated.data_as_of() == 2008
    assert "data_as_of" not in plain.canonical_json()
    assert '"data_as_of":2008' in dated.canonical_json()


def test_shipped_replications_of_2008_declare_it() -> None:
    studies = Path(__file__).resolve().parents[2] / "studies"
    for name in ("etp2008-baseline", "etp2008-act", "etp2008-blue"):
        assert "\ndata_as_of = 2008" in (studies / f"{name}.toml").read_text("utf-8")
    # the today study reads the latest edition of every dataset (history and costs)
    assert "\ndata_as_of = 2026" in (studies / "etp2008-blue-today.toml").read_text("utf-8")
