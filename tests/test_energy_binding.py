"""Binding constraints, their shadow prices and the labels of headline figures.

BLUE (studies/etp2008-blue.toml, growth limits) is solved once (shared session fixture);
the module solves it again with the absolute build limits, and once more with the 2050
nuclear limit raised by 0.1 GW/yr to check the shadow price's units against the change in
cost (two more solves, ~3 s each).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from shigen.energy import binding, formulation
from shigen.energy.basis import figure_basis
from shigen.energy.compare import investment_window
from shigen.energy.model import Outcome, Status, create_model, objective_value, solve
from shigen.energy.results import results
from shigen.energy.stage import summarize

pytestmark = pytest.mark.xdist_group("energy-solves")


@pytest.fixture(scope="module")
def blue(solved_energy: Any) -> Any:
    out = solved_energy("etp2008-blue")
    assert out.status is Status.OPTIMAL
    return out


@pytest.fixture(scope="module")
def blue_summary(blue: Any) -> dict[str, Any]:
    return summarize(results(blue))


def _record(records: list[Any], family: str, item: str | None) -> Any:
    hits = [r for r in records if r["family"] == family and r["item"] == item]
    assert len(hits) == 1, (family, item, hits)
    return hits[0]


@pytest.fixture(scope="module")
def blue_absolute(blue: Any) -> Any:
    """BLUE with the absolute per-period build limits (`build_limits = "absolute"`), the
    study option kept beside the growth limits: one more solve (~3 s)."""
    f = blue.formulation
    g = create_model(f.cfg.model_copy(update={"build_limits": "absolute"}), f.inp)
    status, _, _ = solve(g)
    assert status is Status.OPTIMAL
    return g


def test_nuclear_builds_on_the_growth_limit_are_flagged(blue: Any,
                                                       blue_summary: dict[str, Any]) -> None:
    """BLUE's nuclear build rate sits on its growth limit in some periods: the records name
    them, the headline is labelled 'on a bound' with the share built there, and a warning
    says so."""
    rec = _record(blue_summary["binding"], "growth_limit", "nuclear")
    assert rec["kind"] == "limit" and rec["unit"] == "USD/kW" and rec["years"]
    assert all(v > 0 for v in rec["shadow_price"].values())
    fb = blue_summary["figure_basis"]["builds_per_year.nuclear_gw"]
    assert fb["basis"] == "on a bound" and 0 < fb["share_at_bound"] <= 1
    # the growth limit, and in 2006-2010 the floor of the decline limit (the model would
    # build less nuclear than the record's fastest fall allows)
    families = {r["family"] for r in fb["limited_by"]}
    assert "growth_limit" in families and families <= {"growth_limit", "decline_limit"}
    on_any = {y for r in fb["limited_by"] for y in r["years"]}
    assert set(rec["years"]) <= on_any and set(fb["bound_years"]) <= on_any
    codes = {(w["code"], w["where"].get("figure")) for w in blue_summary["warnings"]}
    assert ("energy.on_assumed_bound", "builds_per_year.nuclear_gw") in codes


def test_absolute_build_limits_set_the_figure_when_they_bind(blue_absolute: Any) -> None:
    """With absolute limits (world nuclear 20/30/40 GW/yr) the nuclear build sits on the
    limit in the periods the records name, so the headline is at most the limits' mean
    over 2011-2050 (36.25 GW/yr) and is labelled 'on a bound'."""
    ds = results(Outcome(Status.OPTIMAL, blue_absolute, objective_value(blue_absolute)))
    summary = summarize(ds)
    rec = _record(summary["binding"], "build_limit", "nuclear")
    limit = blue_absolute.inp.build_limit.sel(region="WORLD", technology="nuclear")
    for y, v in rec["bound"].items():
        assert v == pytest.approx(float(limit.sel(year=int(y))))
    built = ds["additions"].sel(region="WORLD", technology="nuclear") / 5  # GW/yr per period
    for y in rec["years"]:
        assert float(built.sel(year=y)) == pytest.approx(float(limit.sel(year=y)), rel=1e-6)
    assert summary["builds_per_year"]["nuclear_gw"] <= (20 + 30 + 40 * 6) / 8 + 1e-6
    fb = summary["figure_basis"]["builds_per_year.nuclear_gw"]
    assert fb["basis"] == "on a bound" and fb["share_at_bound"] > 0.5


def test_co2_figures_are_labelled_calibrated_imposed_or_emergent(
        blue_summary: dict[str, Any]) -> None:
    """2005 is the calibration year; a year where the CO2 cap binds is 'imposed', any
    other modelled year 'emergent'."""
    co2 = blue_summary["figure_basis"]["co2_gt"]
    cap = _record(blue_summary["binding"], "co2_cap", None)
    assert cap["kind"] == "policy" and cap["unit"] == "USD/tCO2"
    assert co2["2005"] == "calibrated" and co2["2050"] == "imposed"
    for y, label in co2.items():
        if y != "2005":
            assert label == ("imposed" if int(y) in cap["years"] else "emergent"), y
    # the cap's shadow price is the run's CO2 price in each binding year
    for y, v in cap["shadow_price"].items():
        assert v == pytest.approx(blue_summary["co2_price_usd_per_t"][y], rel=1e-3, abs=0.1)


def test_build_limit_shadow_price_is_the_cost_saved_per_kw(blue_absolute: Any) -> None:
    """Raise the 2050 nuclear limit by 0.1 GW/yr (0.5 GW over the period): the present-value
    cost falls by shadow price (USD/kW) x 0.5e6 kW x discount factor of 2050, to 2%
    (a small step stays within the same LP basis)."""
    f = blue_absolute
    rec = next(r for r in binding.binding_constraints(f)
               if r.family == "build_limit" and r.item == "nuclear")
    price = rec.shadow_price["2050"]
    assert price > 0
    inp = dataclasses.replace(f.inp, build_limit=f.inp.build_limit.copy())
    inp.build_limit.loc[{"technology": "nuclear", "year": 2050}] += 0.1
    g = create_model(f.cfg, inp)
    status, _, _ = solve(g)
    assert status is Status.OPTIMAL
    saved = objective_value(f) - objective_value(g)  # bn USD, present value
    disc = (1 + inp.params["discount_rate"]) ** -(2050 - inp.base_year)
    expected = price * 0.1 * f.cfg.step * 1e6 * disc / 1e9
    assert saved == pytest.approx(expected, rel=0.02)


def test_a_new_limit_family_is_reported_without_changes(blue: Any,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A family the formulation lists (here the growth limit renamed 'pace_limit') comes
    out as records with its unit; one it does not list is not reported."""
    f = blue.formulation
    before = {(r.region, r.item): r.shadow_price for r in binding.binding_constraints(f)
              if r.family == "growth_limit"}
    families = dict(f.exprs["_families"])
    renamed = {k: ("pace_limit" if v == "growth_limit" else v) for k, v in families.items()}
    monkeypatch.setitem(f.exprs, "_families", renamed)
    assert not [r for r in binding.binding_constraints(f) if r.family == "pace_limit"]
    monkeypatch.setattr(formulation, "LIMIT_FAMILIES",
                        (*formulation.LIMIT_FAMILIES, "pace_limit"))
    recs = [r for r in binding.binding_constraints(f) if r.family == "pace_limit"]
    assert "nuclear" in {r.item for r in recs} and all(r.unit for r in recs)
    # the same constraints under a new name: the same shadow prices (in the generic unit,
    # since the family has no unit of its own yet)
    assert {(r.region, r.item): r.shadow_price for r in recs}.keys() == before.keys()


def test_records_survive_the_stored_json(blue: Any) -> None:
    ds = results(blue)
    back = binding.from_json(ds.attrs["binding_json"])
    assert back == binding.binding_constraints(blue.formulation)
    basis = figure_basis(ds, back, investment_window(ds))
    assert all(np.isin(list(v.values()), ["emergent", "calibrated", "imposed"]).all()
               for k, v in basis.items() if k.startswith(("co2", "shares")))


def test_span_names_runs_of_periods() -> None:
    assert binding.span([2015, 2020, 2040, 2045, 2050], 5) == "2015–2020, 2040–2050"
    assert binding.span([2035, 2050], 5) == "2035, 2050"


def test_hindcast_sums_the_technologies_of_an_observed_source() -> None:
    """wind = onshore + offshore; coal_primary = primary coal (PJ) / 3.6; years without a
    model period are left out."""
    import pandas as pd
    import xarray as xr

    from shigen.energy.validation import hindcast

    techs = ["coal", "wind_onshore", "wind_offshore", "storage"]
    gen = xr.DataArray([[[100.0, 10.0, 5.0, 3.0]]], dims=("region", "year", "technology"),
                       coords={"region": ["JPN"], "year": [2015], "technology": techs})
    prim = xr.DataArray([[[360.0]]], dims=("region", "year", "carrier"),
                        coords={"region": ["JPN"], "year": [2015], "carrier": ["coal"]})
    ds = xr.Dataset({"generation": gen, "primary_energy": prim})
    obs = pd.DataFrame({"region": ["JPN"] * 4, "variable": ["wind", "generation",
                                                            "coal_primary", "wind"],
                        "year": [2015, 2015, 2015, 2016], "value": [10.0, 115.0, 125.0, 9.0]})
    rows = {(r.variable, r.year): r for r in hindcast(ds, obs)}
    assert set(rows) == {("wind", 2015), ("generation", 2015), ("coal_primary", 2015)}
    assert rows[("wind", 2015)].model_twh == pytest.approx(15.0)
    assert rows[("wind", 2015)].gap == pytest.approx(0.5)
    assert rows[("generation", 2015)].model_twh == pytest.approx(115.0)  # storage left out
    assert rows[("coal_primary", 2015)].model_twh == pytest.approx(100.0)


def test_imports_in_physical_units_divide_by_the_energy_content() -> None:
    """25.7 PJ of coal = 1 Mt; 5.71 PJ x 365 of oil a year = 1 million barrels a day."""
    import xarray as xr

    from shigen.datasets import Catalogue
    from shigen.energy.imports import content_by_fuel, physical_imports

    content = content_by_fuel(Catalogue.bundled().frame("energy-fuel-physical-content"))
    pj = xr.DataArray([[[25.7]], [[5.71 * 365]], [[51.6]], [[3.0]]],
                      dims=("fuel", "region", "year"),
                      coords={"fuel": ["coal", "oil", "gas", "uranium"], "region": ["JPN"],
                              "year": [2010]})
    out = physical_imports(pj, content)
    assert list(out.traded_fuel.values) == ["coal", "oil", "gas"]  # no factor for uranium
    assert float(out.sel(traded_fuel="coal").item()) == pytest.approx(1.0)
    assert float(out.sel(traded_fuel="oil").item()) == pytest.approx(1.0)
    assert str(out.physical_unit.sel(traded_fuel="oil").item()) == "million barrels/day"
