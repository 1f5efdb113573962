"""The bundled critical-mineral datasets (issue 16): totals, shares and dates checked by hand.

World totals and the shares quoted here are read from the USGS Mineral Commodity Summaries
(2025 chapters, 2022-2024 data releases) and IEA publications the datasets come from, so a
mistyped row shows up as a broken total.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import xarray as xr

from shigen import testing
from shigen.datasets import Catalogue

# USGS "World total (rounded)" per production table, in each dataset's unit: 2023-2024 from
# the MCS 2025 chapters, 2022/2021/2020 from the MCS 2024/2023/2022 data releases.
WORLD = {
    "lithium-mine-production": {2020: 82_500, 2021: 107_000, 2022: 146_000, 2023: 204_000,
                                2024: 240_000},
    "nickel-mine-production": {2020: 2_510_000, 2021: 2_730_000, 2022: 3_270_000,
                               2023: 3_750_000, 2024: 3_700_000},
    "cobalt-mine-production": {2020: 142_000, 2021: 165_000, 2022: 197_000, 2023: 238_000,
                               2024: 290_000},
    "graphite-mine-production": {2020: 966_000, 2021: 1_130_000, 2022: 1_680_000,
                                 2023: 1_530_000, 2024: 1_600_000},
    "copper-mine-production": {2020: 20_600, 2021: 21_200, 2022: 21_900, 2023: 22_600,
                               2024: 23_000},
    "copper-refinery-production": {2020: 25_300, 2021: 25_300, 2022: 25_900, 2023: 27_000,
                                   2024: 27_000},
    "gallium-primary-production": {2020: 327_000, 2021: 434_000, 2022: 610_000, 2023: 633_000,
                                   2024: 760_000},
    "germanium-refinery-production": {2020: 140_000, 2021: 140_000},
    "antimony-mine-production": {2021: 112_000, 2022: 83_100, 2023: 106_000, 2024: 100_000},
    "tungsten-mine-production": {2020: 78_400, 2021: 83_800, 2022: 79_800, 2023: 79_500,
                                 2024: 81_000},
}
RESERVES = ["lithium-reserves", "nickel-reserves", "cobalt-reserves", "graphite-reserves",
            "copper-reserves", "antimony-reserves", "tungsten-reserves"]


@pytest.fixture(scope="module")
def cat() -> Catalogue:
    return Catalogue.bundled()


def _rounding_unit(total: int) -> int:
    """The unit a rounded USGS total is given to: 238 000 -> 1 000, 290 000 -> 10 000."""
    unit = 1
    while total % (unit * 10) == 0:
        unit *= 10
    return unit


@pytest.mark.parametrize("name", sorted(WORLD))
def test_production_adds_up_to_the_usgs_world_total(cat: Catalogue, name: str) -> None:
    frame = cat.frame(name)
    for year, world in WORLD[name].items():
        rows = frame[frame["year"] == year]
        if "OTHER" in set(rows["country"]):
            # OTHER is world minus listed countries, so the sum is the world total exactly
            assert rows["value"].sum() == pytest.approx(world, abs=1e-9), (name, year)
        else:
            # no OTHER row where the listed countries exceed the rounded world total: they
            # may exceed it by no more than the unit USGS rounded the total to
            listed = rows["value"].sum()
            assert 0 <= listed - world <= _rounding_unit(world), (name, year)


# USGS "Other countries" row of the same tables (zero where USGS prints a dash)
OTHER_COUNTRIES = {
    "lithium-mine-production": {2021: 0, 2023: 0, 2024: 0},
    "nickel-mine-production": {2020: 373_000, 2021: 429_000, 2022: 404_000, 2023: 340_000,
                               2024: 300_000},
    "cobalt-mine-production": {2020: 7_640, 2021: 4_567, 2022: 6_600, 2023: 6_080, 2024: 6_200},
    "copper-mine-production": {2020: 2_840, 2021: 2_850, 2022: 2_850, 2023: 3_020, 2024: 2_700},
    "copper-refinery-production": {2020: 3_450, 2021: 3_170, 2022: 2_830, 2023: 2_460,
                                   2024: 2_500},
    "tungsten-mine-production": {2020: 960, 2021: 973, 2022: 1_080, 2023: 1_320, 2024: 1_500},
}


@pytest.mark.parametrize("name", sorted(OTHER_COUNTRIES))
def test_other_differs_from_usgs_other_countries_only_by_rounding(cat: Catalogue,
                                                                  name: str) -> None:
    """OTHER was computed as world minus listed countries when the rows were transcribed, so a
    country mistyped at transcription moves OTHER away from USGS's own 'Other countries'."""
    frame = cat.frame(name)
    for year, usgs_other in OTHER_COUNTRIES[name].items():
        other = frame[(frame["year"] == year) & (frame["country"] == "OTHER")]["value"]
        world = WORLD[name][year]
        # USGS's own rows can miss its rounded total by a little over half a unit
        # (nickel 2021: 2 306 400 + 429 000 vs 2 730 000), so allow one unit
        assert abs(float(other.sum()) - usgs_other) <= _rounding_unit(world), (name, year)


def test_every_commodity_of_the_issue_has_mine_or_primary_production(cat: Catalogue) -> None:
    have = {cat.meta(n).commodity for n in WORLD}
    assert {"lithium", "nickel", "cobalt", "graphite", "copper", "gallium", "germanium",
            "antimony", "tungsten"} <= have
    for name in WORLD:
        assert cat.meta(name).dimensions == ["country", "year"]
        assert set(cat.frame(name)["year"]) == set(WORLD[name])


def _share(cat: Catalogue, name: str, country: str, year: int, of_listed: bool = False) -> float:
    f = cat.frame(name)
    f = f[f["year"] == year]
    total = f["value"].sum() if of_listed else WORLD[name][year]
    return float(f.loc[f["country"] == country, "value"].sum() / total)


def test_shares_match_what_usgs_states_in_the_text(cat: Catalogue) -> None:
    # MCS 2025 Cobalt: Congo (Kinshasa) "an estimated 76% of world cobalt mine production,
    # followed by Indonesia, which accounted for 10%" (2024)
    assert _share(cat, "cobalt-mine-production", "COD", 2024) == pytest.approx(0.76, abs=0.005)
    assert _share(cat, "cobalt-mine-production", "IDN", 2024) == pytest.approx(0.10, abs=0.005)
    # MCS 2025 Graphite: China "an estimated 78% of total world production" (2024); USGS
    # divides by the unrounded sum of the countries (1 630 670 t), not by 1 600 000 t
    assert _share(cat, "graphite-mine-production", "CHN", 2024,
                  of_listed=True) == pytest.approx(0.78, abs=0.005)
    # MCS 2025 Gallium: "China accounted for 99% of worldwide primary low-purity gallium"
    assert _share(cat, "gallium-primary-production", "CHN", 2024,
                  of_listed=True) == pytest.approx(0.99, abs=0.01)


# IEA Critical Minerals Data Explorer, refining totals for 2024 (kt), and the China share
# the Global Critical Minerals Outlook 2025 text states
IEA_REFINING_2024 = {
    "graphite-refinery-production": (1875.252, 0.90, 1.0),   # "over 90 %"
    "cobalt-refinery-production": (250.150, 0.75, 0.80),     # "nearly 80 %"
    "lithium-refinery-production": (241.612, 0.68, 0.72),    # "about 70 %"
}


@pytest.mark.parametrize("name", sorted(IEA_REFINING_2024))
def test_iea_refining_adds_up_and_matches_the_outlook(cat: Catalogue, name: str) -> None:
    total, low, high = IEA_REFINING_2024[name]
    f = cat.frame(name)
    assert set(f["year"]) == {2024}
    assert f["value"].sum() == pytest.approx(total, abs=0.01)
    china = float(f.loc[f["country"] == "CHN", "value"].sum()) / total
    assert low <= china <= high


def test_china_is_the_top_refiner(cat: Catalogue) -> None:
    for name in ("gallium-primary-production", "copper-refinery-production", *IEA_REFINING_2024):
        f = cat.frame(name)
        for year in sorted(set(f["year"])):
            rows = f[(f["year"] == year) & (f["country"] != "OTHER")]
            assert rows.loc[rows["value"].idxmax(), "country"] == "CHN", (name, year)


@pytest.mark.parametrize("name", RESERVES)
def test_reserves_follow_the_ree_reserves_layout(cat: Catalogue, name: str) -> None:
    meta = cat.meta(name)
    assert meta.dimensions == cat.meta("ree-reserves").dimensions == ["country"]
    frame = cat.frame(name)
    assert (frame["value"] > 0).all()
    assert frame["note"].str.contains("MCS 2025").all()


# MCS 2025 world reserves where USGS gives a rounded figure rather than a bound ("> 130 Mt")
# and every country with reserves has a row (graphite's world total includes countries
# without a figure)
WORLD_RESERVES = {"lithium-reserves": 30_000_000, "cobalt-reserves": 11_000_000,
                  "copper-reserves": 980_000}


@pytest.mark.parametrize("name", sorted(WORLD_RESERVES))
def test_reserves_add_up_to_the_usgs_world_total(cat: Catalogue, name: str) -> None:
    world = WORLD_RESERVES[name]
    total = float(cat.frame(name)["value"].sum())
    assert abs(total - world) <= _rounding_unit(world) / 2


def test_us_import_sources_sum_to_one_per_product(cat: Catalogue) -> None:
    f = cat.frame("us-import-sources")
    shares = f.set_index(["commodity", "product", "origin"])["value"].to_xarray()
    testing.assert_shares_sum_to_one(shares, "origin", atol=1e-9)
    assert set(f["importer"]) == {"USA"}
    assert set(f["commodity"]) == {"lithium", "nickel", "cobalt", "graphite", "copper",
                                   "gallium", "germanium", "antimony", "tungsten"}
    # MCS 2025 Graphite: "China, 43%" of U.S. natural graphite imports 2020-23
    china = f[(f["commodity"] == "graphite") & (f["origin"] == "CHN")]["value"]
    assert float(china.iloc[0]) == pytest.approx(0.43)


def test_us_net_import_reliance_bounds_ship_as_estimates(cat: Catalogue) -> None:
    f = cat.frame("us-net-import-reliance")
    nir = f.set_index(["commodity", "year"])["value"].to_xarray()
    testing.assert_shares_in_unit_interval(nir)
    assert set(f["year"]) == set(range(2017, 2025))
    assert set(f[f["commodity"] == "antimony"]["year"]) == set(range(2018, 2025))
    # no domestic production: 100 % import reliant every year
    for commodity in ("graphite", "gallium"):
        assert (nir.sel(commodity=commodity) == 1.0).all()
    # USGS publishes only '>50%' for germanium and tungsten: the bound, marked estimate
    bounds = f[f["commodity"].isin(["germanium", "tungsten"])]
    assert (bounds["value"] == 0.5).all() and (bounds["status"] == "estimate").all()
    assert float(nir.sel(commodity="cobalt", year=2024)) == pytest.approx(0.76)


def _parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_export_controls_have_the_dates_of_the_reference_list(cat: Catalogue) -> None:
    f = cat.frame("china-export-controls")
    on = f[f["value"] == 1]
    first = {(r.commodity, r.destination): r.effective for r in on.itertuples()}
    # shared/reference/second_wave.md, each checked against the sources in the row notes
    assert first[("gallium", "WORLD")] == "2023-08-01"
    assert first[("germanium", "WORLD")] == "2023-08-01"
    assert first[("graphite", "WORLD")] == "2023-12-01"
    assert first[("antimony", "WORLD")] == "2024-09-15"
    assert first[("antimony", "USA")] == "2024-12-03"
    assert first[("dysprosium", "WORLD")] == "2025-04-04"
    assert first[("tungsten", "WORLD")] == "2025-02-04"


def test_export_controls_switch_on_before_they_are_suspended(cat: Catalogue) -> None:
    f = cat.frame("china-export-controls")
    assert set(f["value"]) <= {0.0, 1.0}
    for key, rows in f.groupby(["commodity", "destination", "control"]):
        rows = rows.assign(date=rows["effective"].map(_parse_date)).sort_values("date")
        assert all(dt.date(2023, 1, 1) <= d <= dt.date(2025, 12, 31) for d in rows["date"])
        states = list(rows["value"])
        assert states[0] == 1.0, key  # a suspension needs a control to suspend
        assert all(a != b for a, b in zip(states, states[1:], strict=False)), key
    unverified = f[f["status"] == "estimate"]
    assert unverified["note"].str.startswith("UNVERIFIED").all()


PERIOD = re.compile(r"^\d{4}(-\d{2})?(/\d{4}-\d{2})?$")


def test_controlled_exports_periods_and_derived_figures(cat: Catalogue) -> None:
    f = cat.frame("china-controlled-exports")
    assert f["period"].map(lambda p: bool(PERIOD.match(p))).all()
    v = f.set_index(["commodity", "product", "destination", "period"])["value"]
    # derived comparison periods, as their notes say
    assert v[("germanium", "germanium-metal", "WORLD", "2023-01/2023-08")] == pytest.approx(
        v[("germanium", "germanium-metal", "WORLD", "2024-01/2024-08")] / (1 - 0.55), rel=0.005)
    assert v[("antimony", "antimony-items", "WORLD", "2023")] == pytest.approx(
        v[("antimony", "antimony-items", "WORLD", "2024")] / (1 - 0.241), rel=0.001)
    # germanium reported in kg, loaded in the catalogue unit (t)
    assert v[("germanium", "germanium-metal", "WORLD", "2024-01/2024-08")] == pytest.approx(16.7)
    # USGS: flake graphite concentrate exports 25% lower in Jan-Aug 2024 than a year before
    flake = xr.DataArray([v[("graphite", "flake-graphite-concentrate", "WORLD", p)]
                          for p in ("2023-01/2023-08", "2024-01/2024-08")])
    assert float(1 - flake[1] / flake[0]) == pytest.approx(0.25, abs=0.005)
