"""The bundled catalogue: provenance of every dataset, loading, hand-checked values."""

from __future__ import annotations

import pytest

from shigen.datasets import Catalogue
from shigen.datasets.validate import COUNTRY_COLUMNS, is_country
from shigen.errors import InputError

REQUIRED = ("ree-mine-production", "ree-reserves", "china-ree-export-quota",
            "japan-ree-imports", "uranium-mine-production", "uranium-conversion",
            "uranium-enrichment", "japan-electricity-generation", "japan-primary-energy",
            "japan-crude-imports", "japan-lng-imports", "japan-coal-imports",
            "world-electricity-2005", "reactor-fleet")


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue.bundled()


def test_bundled_has_the_datasets_the_issue_names(cat: Catalogue) -> None:
    missing = [n for n in REQUIRED if n not in cat]
    assert not missing
    assert len(cat.names()) >= 12


def test_every_bundled_dataset_loads_clean(cat: Catalogue) -> None:
    assert cat.check() == []


@pytest.mark.parametrize("name", Catalogue.bundled().names())
def test_every_dataset_has_provenance_and_valid_rows(cat: Catalogue, name: str) -> None:
    meta = cat.meta(name)
    for field in ("title", "source", "edition", "license", "unit"):
        assert getattr(meta, field).strip(), f"{name}: empty {field}"
    assert meta.status in {"verified", "secondary", "estimate"}
    frame = cat.frame(name)
    assert len(frame) > 0
    assert list(frame.columns[: len(meta.dimensions)]) == meta.dimensions
    assert (frame["unit"] == meta.unit).all()
    assert set(frame["status"]) <= {"verified", "secondary", "estimate"}
    for col in set(meta.dimensions) & COUNTRY_COLUMNS:
        assert all(is_country(c) for c in frame[col])
    # one row per combination of dimensions
    assert not frame.duplicated(meta.dimensions).any()
    if meta.max_value is not None:
        assert (frame["value"] <= meta.max_value).all()


def test_rows_that_differ_say_where_they_come_from(cat: Catalogue) -> None:
    """A dataset whose rows have several statuses carries a note on every row."""
    for name in cat.names():
        frame = cat.frame(name)
        if frame["status"].nunique() > 1:
            assert "note" in frame.columns, name
            assert frame["note"].fillna("").str.strip().ne("").all(), name


def test_ree_mine_production_2009_by_hand(cat: Catalogue) -> None:
    # USGS MCS 2011: China 129 000 t of a world 133 000 t REO (OTHER = the rest)
    f = cat.frame("ree-mine-production").set_index(["country", "year"])["value"]
    assert f["CHN", 2009] == 129_000
    assert f["CHN", 2009] + f["OTHER", 2009] == 133_000


def test_uranium_2009_sums_to_the_wna_world_total(cat: Catalogue) -> None:
    # WNA world total 2009: 50 772 tU; Kazakhstan 14 020 tU (reference table)
    f = cat.frame("uranium-mine-production")
    year = f[f["year"] == 2009].set_index("country")["value"]
    assert year.sum() == pytest.approx(50_772, abs=0.5)
    assert year["KAZ"] == 14_020


# WNA world uranium mine production, tU (May-2015 edition for 2007-14, 2025 edition after)
WNA_WORLD_TOTAL = {2007: 41_282, 2008: 43_764, 2009: 50_772, 2010: 53_671, 2011: 53_493,
                   2012: 58_394, 2013: 59_331, 2014: 56_041, 2015: 60_342, 2016: 63_207,
                   2017: 60_462, 2018: 54_154, 2019: 54_742, 2020: 47_731, 2021: 47_805,
                   2022: 49_614, 2023: 54_433, 2024: 60_213}


@pytest.mark.parametrize("year", sorted(WNA_WORLD_TOTAL))
def test_uranium_rows_add_up_to_the_wna_world_total(cat: Catalogue, year: int) -> None:
    f = cat.frame("uranium-mine-production")
    assert f[f["year"] == year]["value"].sum() == pytest.approx(WNA_WORLD_TOTAL[year], abs=0.5)


def test_wna_estimates_ship_as_estimates(cat: Catalogue) -> None:
    # the WNA table marks Uzbekistan, China, Ukraine and India as estimates
    f = cat.frame("uranium-mine-production")
    est = f[f["country"].isin(["UZB", "CHN", "UKR", "IND"])]
    assert (est["status"] == "estimate").all()


# USGS MCS world rare-earth mine production, t REO (edition per year as in the dataset notes)
USGS_WORLD_REO = {2005: 122_000, 2006: 123_000, 2007: 124_000, 2008: 124_000, 2009: 133_000,
                  2010: 133_000, 2011: 111_000, 2012: 110_000, 2013: 110_000, 2014: 123_000,
                  2015: 124_000, 2016: 126_000, 2017: 130_000, 2018: 190_000, 2019: 220_000,
                  2020: 240_000, 2021: 280_000, 2022: 300_000, 2023: 376_000, 2024: 390_000}


@pytest.mark.parametrize("year", sorted(USGS_WORLD_REO))
def test_ree_rows_add_up_to_the_usgs_world_total(cat: Catalogue, year: int) -> None:
    f = cat.frame("ree-mine-production")
    total = f[f["year"] == year]["value"].sum()
    # exact except 2024, where the listed countries (392 400 t) exceed the rounded world total
    assert total == pytest.approx(USGS_WORLD_REO[year], rel=0.01 if year == 2024 else 1e-12)


def test_uranium_covers_2007_to_2024(cat: Catalogue) -> None:
    years = set(cat.frame("uranium-mine-production")["year"])
    assert set(range(2007, 2025)) <= years


def test_primary_energy_shares_sum_to_one_within_rounding(cat: Catalogue) -> None:
    from shigen import testing

    da = cat.array("japan-primary-energy")
    # published shares are rounded to 0.001 each; 8 fuels → |Σ − 1| ≤ 0.004
    testing.assert_shares_sum_to_one(da, "fuel", atol=0.004)


def test_array_has_named_dimensions_and_units(cat: Catalogue) -> None:
    da = cat.array("ree-mine-production")
    assert da.dims == ("country", "year")
    assert da.attrs["units"] == "t"
    assert da.attrs["status"] == "secondary"
    assert float(da.sel(country="CHN", year=2009)) == 129_000


def test_unknown_dataset_is_an_input_error(cat: Catalogue) -> None:
    with pytest.raises(InputError, match="unknown dataset 'nope'"):
        cat.get("nope")


def test_fingerprint_is_stable_and_content_based(cat: Catalogue) -> None:
    a = Catalogue.bundled().fingerprint()
    b = Catalogue.bundled().fingerprint()
    assert a == b
    assert set(a) == set(cat.names())
    assert all(len(h) == 64 for h in a.values())
