"""Cost datasets say when they were known, and a study's ``data_as_of`` picks the edition.

``energy-capital-cost`` is the ETP 2008 cost set (as_of 2008) and the default of every
study without ``data_as_of``; ``energy-capital-cost-2022`` is its today's edition (IRENA's
2021 installed costs, published 2022; NEA/IEA 2020 for nuclear), a *newer* vintage that a
study reads only when it declares a ``data_as_of`` of 2022 or later. Figures below are the
CSV rows (IRENA RPGC 2021 Table H.1: PV 857, onshore wind 1,325 USD/kW in 2021).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shigen.datasets import Catalogue
from shigen.energy.inputs import load_inputs
from shigen.study import load_study

STUDIES = Path(__file__).resolve().parents[2] / "studies"
COST = "energy-capital-cost"


def _cost(cat: Catalogue, tech: str, year: int) -> float:
    f = cat.frame(COST)
    row = f[(f["technology"] == tech) & (f["year"] == year)]
    assert len(row) == 1, (tech, year)
    return float(row["value"].iloc[0])


@pytest.mark.parametrize("as_of, edition", [(None, COST), (2008, COST), (2021, COST),
                                            (2022, f"{COST}-2022"), (2026, f"{COST}-2022")])
def test_data_as_of_picks_the_latest_cost_edition_known_by_then(as_of: int | None,
                                                                 edition: str) -> None:
    cat = Catalogue.bundled()
    view = cat if as_of is None else cat.with_overrides([], as_of=as_of)
    assert view.get(COST).meta.name == edition  # provenance names the edition read
    if edition == COST:
        assert _cost(view, "solar_pv", 2020) == 3500.0  # ETP 2008 era projection
    else:
        assert _cost(view, "solar_pv", 2021) == 857.0  # IRENA, observed 2021
        assert _cost(view, "wind_onshore", 2021) == 1325.0


def test_every_row_of_the_today_edition_says_when_it_was_known() -> None:
    cat = Catalogue.bundled()
    f = cat.frame(f"{COST}-2022")
    assert f["as_of"].notna().all()
    # rows without a today's figure repeat the 2008 edition, value for value
    old = cat.frame(COST).set_index(["technology", "year"])["value"]
    kept = f[f["as_of"] == 2008].set_index(["technology", "year"])["value"]
    assert len(kept) > 0 and (old.loc[kept.index] == kept).all()
    # and the edition is never newer than its publication year
    assert int(f["as_of"].max()) == cat.meta(f"{COST}-2022").as_of == 2022


def test_cost_datasets_carry_as_of() -> None:
    cat = Catalogue.bundled()
    assert {n: cat.meta(n).as_of for n in (COST, "energy-fuel-price", "energy-ccs-cost")} == {
        COST: 2008, "energy-fuel-price": 2007, "energy-ccs-cost": 2005}


def test_a_replication_of_2008_and_the_today_study_read_their_own_costs() -> None:
    """The LP's capital cost of PV in 2030: 2,200 USD/kW known in 2008, 857 known today."""
    got = {}
    for name in ("etp2008-blue", "etp2008-blue-today"):
        study = load_study(STUDIES / f"{name}.toml")
        assert study.energy is not None
        cat = study.data_view(Catalogue.bundled())
        capex = load_inputs(study.energy, cat).capex
        got[name] = {t: float(capex.sel(technology=t, year=2030))
                     for t in ("solar_pv", "nuclear")}
    assert got["etp2008-blue"] == {"solar_pv": 2200.0, "nuclear": 2400.0}
    assert got["etp2008-blue-today"] == {"solar_pv": 857.0, "nuclear": 3142.0}


def test_an_override_changes_the_edition_the_study_reads() -> None:
    """With data_as_of = 2008, overriding energy-growth-limit's wind row (known in 2020 in
    today's edition) changes the 2008 edition's row (30.3 %/yr x 0.5), whichever name the
    override gives; it is not refused as hindsight."""
    from shigen.datasets.overrides import DataOverride

    sel = {"region": "WORLD", "technology": "wind_onshore"}
    for name in ("energy-growth-limit", "energy-growth-limit-2008"):
        o = DataOverride(dataset=name, select=sel, scale=0.5, reason="test")
        view = Catalogue.bundled().with_overrides([o], as_of=2008)
        f = view.frame("energy-growth-limit")
        row = f[(f["region"] == "WORLD") & (f["technology"] == "wind_onshore")]
        assert float(row["value"].iloc[0]) == pytest.approx(0.303 * 0.5)
