"""Growth constraints, outages, mothballing and the rolling horizon (issue 13 items 2, 7).

The BLUE checks reuse the session's solved studies; the outage and foresight checks solve
a small Japanese model (2005-2020 in 5-year steps) in well under a second each.
"""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from shigen.datasets import Catalogue
from shigen.energy.config import EnergyConfig
from shigen.energy.foresight import windows
from shigen.energy.model import Status, run_model
from shigen.energy.supply import build_rate_limit

pytestmark = pytest.mark.xdist_group("energy-solves")


def test_growth_factors_by_hand() -> None:
    grown, spread = build_rate_limit(xr.DataArray([0.1, 0.0]), 5)
    # (1.1)^5 = 1.61051; ((1.1)^5 - 1)/0.1 = 6.1051; g = 0 -> the period length
    assert np.allclose(grown.values, [1.61051, 1.0])
    assert np.allclose(spread.values, [6.1051, 5.0])


def test_blue_builds_respect_the_growth_limit(solved_energy) -> None:  # type: ignore[no-untyped-def]
    out = solved_energy("etp2008-blue")
    assert out.status is Status.OPTIMAL
    f = out.formulation
    inp, step = f.inp, f.cfg.step
    new = f.values["new_capacity"].solution.sel(region="WORLD")
    g = inp.growth_rate.sel(region="WORLD")
    grown, spread = build_rate_limit(g, step)
    inc = inp.build_increment.sel(region="WORLD") * spread * step
    prev = new.shift(year=1)
    prev.loc[{"year": inp.periods[1]}] = inp.recent_additions.sel(region="WORLD") * step
    limit = (prev * grown + inc).sel(year=inp.periods[1:])
    assert bool((new.sel(year=inp.periods[1:]) <= limit + 1e-6).all())
    assert "growth_limit" in f.m.constraints and "build_limit" not in f.m.constraints
    # first period by hand, nuclear: 4.21 GW/yr recent (2001-2005 record), 12.5 %/yr (the
    # record's 1965-1989 build-up), 2 GW/yr start-up increment
    first = float(limit.sel(year=2010, technology="nuclear"))
    assert first == pytest.approx(4.21 * 5 * 1.125 ** 5 + 2 * 5 * (1.125 ** 5 - 1) / 0.125,
                                  rel=1e-9)


def _japan(**kw: object) -> EnergyConfig:
    base = {"regions": ["JPN"], "last_year": 2020, "efficiency_measures": False}
    return EnergyConfig.model_validate({**base, **kw})


@pytest.fixture(scope="module")
def japan_runs() -> dict[str, object]:
    cat = Catalogue.bundled()
    outage = [{"region": "JPN", "technology": "nuclear", "years": [2015], "availability": 0.0}]
    return {name: run_model(cfg, cat) for name, cfg in {
        "plain": _japan(),
        "outage": _japan(outage=outage),
        "outage_myopic": _japan(outage=outage, foresight={"window": 1}),
        "zero_nuclear": _japan(capacity=[{"technology": "nuclear", "years": [2010, 2015],
                                          "max_gw": 0.0}]),
    }.items()}


def _gen(out: object, tech: str, year: int) -> float:
    f = out.formulation  # type: ignore[attr-defined]
    return float(f.values["generation"].solution.sel(region="JPN", technology=tech,
                                                     year=year).sum())


def test_an_outage_stops_the_fleet_and_fossil_fills_in(japan_runs) -> None:  # type: ignore[no-untyped-def]
    plain, outage = japan_runs["plain"], japan_runs["outage"]
    assert plain.status is outage.status is Status.OPTIMAL
    assert _gen(plain, "nuclear", 2015) > 100  # TWh: the fleet runs without the outage
    assert _gen(outage, "nuclear", 2015) == pytest.approx(0.0, abs=1e-6)
    fossil = ("coal", "gas_ccgt", "oil")
    extra = sum(_gen(outage, t, 2015) - _gen(plain, t, 2015) for t in fossil)
    # the lost nuclear TWh come back (mostly) from fossil plants: same demand either way
    assert extra > 0.5 * _gen(plain, "nuclear", 2015)


def test_a_zero_capacity_bound_on_a_running_fleet_is_feasible(japan_runs) -> None:  # type: ignore[no-untyped-def]
    out = japan_runs["zero_nuclear"]
    assert out.status is Status.OPTIMAL  # the fleet is mothballed, not an infeasible model
    moth = out.formulation.values["mothballed"].solution.sel(region="JPN", technology="nuclear")
    # all that is left of the 49.5 GW base-year fleet (40-year life, linear retirement):
    # 49.5 x (1 - 5/40) in 2010 and 49.5 x (1 - 10/40) in 2015
    assert float(moth.sel(year=2010)) == pytest.approx(49.5 * 35 / 40, abs=1e-6)
    assert float(moth.sel(year=2015)) == pytest.approx(49.5 * 30 / 40, abs=1e-6)


def test_the_rolling_horizon_does_not_see_the_outage_coming(japan_runs) -> None:  # type: ignore[no-untyped-def]
    perfect, myopic = japan_runs["outage"], japan_runs["outage_myopic"]
    assert myopic.status is Status.OPTIMAL
    # with hindsight the system costs less: the myopic model cannot prepare
    assert myopic.objective >= perfect.objective - 1e-6
    # the myopic 2010 decisions equal those of a model with no outage at all (it cannot
    # see 2015 from 2010 with a one-period window)
    no_outage = run_model(_japan(foresight={"window": 1}), Catalogue.bundled())
    a = myopic.formulation.values["new_capacity"].solution.sel(year=2010)
    b = no_outage.formulation.values["new_capacity"].solution.sel(year=2010)
    assert np.allclose(a.values, b.values, atol=1e-6)


def test_windows_commit_one_period_each() -> None:
    assert windows([2005, 2010, 2015, 2020, 2025], 2) == [(2015, 2010), (2020, 2015),
                                                         (2025, 2025)]
    assert windows([2005, 2010], 3) == [(2010, 2010)]


@pytest.mark.parametrize("outage, message", [
    ({"region": "CHN", "technology": "nuclear", "years": [2010], "availability": 0.0},
     "not among the study's regions"),
    ({"region": "JPN", "technology": "reactor", "years": [2010], "availability": 0.0},
     "unknown technology 'reactor'"),
    ({"region": "JPN", "technology": "nuclear", "years": [2012], "availability": 0.0},
     "not model periods"),
    ({"region": "JPN", "technology": "nuclear", "years": [2005], "availability": 0.0},
     "cannot cover the base year"),
    ({"region": "JPN", "technology": "nuclear", "years": [2010], "availability": 1.5},
     "less than or equal to 1"),
])
def test_bad_outages_are_refused(outage: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _japan(outage=[outage])


def test_horizon_jumps_flags_the_last_period_of_blue(solved_energy) -> None:  # type: ignore[no-untyped-def]
    from shigen.energy.artefacts import horizon_jumps

    out = solved_energy("etp2008-blue")
    jumps = horizon_jumps(out)
    f = out.formulation
    new = f.values["new_capacity"].solution.sel(region="WORLD") / f.cfg.step
    for j in jumps:  # each record is what the solution says, by hand
        if j.variable == "builds_per_year":
            assert j.before == pytest.approx(float(new.sel(year=2045, technology=j.technology)))
            assert j.after == pytest.approx(float(new.sel(year=2050, technology=j.technology)))
        assert abs(j.after - j.before) >= 1.0
        assert j.before == 0 or abs(j.change) > 0.5
    # nothing is reported with an infinite threshold except starts from zero
    assert all(j.before == 0 for j in horizon_jumps(out, threshold=float("inf")))


def test_baseline_keeps_hydro_and_nuclear(solved_energy) -> None:  # type: ignore[no-untyped-def]
    """The shipped Baseline refurbishes rather than loses its hydro and nuclear fleets."""
    from shigen.energy.results import results

    out = solved_energy("etp2008-baseline")
    ds = results(out)
    gen = ds["generation"].sel(region="WORLD")
    if "slice" in gen.dims:
        gen = gen.sum("slice")
    hydro, nuclear = gen.sel(technology="hydro"), gen.sel(technology="nuclear")
    assert float(hydro.sel(year=2050)) >= float(hydro.sel(year=2005)) * (1 - 1e-6)
    assert float(nuclear.sel(year=2050)) > 0
    # capacity never falls below what the base-year fleet plus its extensions hold: the
    # linear retirement of 800 GW of hydro over 60 years would leave 200 GW in 2050
    cap = ds["capacity"].sel(region="WORLD", technology="hydro")
    assert float(cap.sel(year=2050)) > 200.0 + 1e-6
    ext = out.formulation.values["life_extension"].solution.sel(region="WORLD")
    assert float(ext.sel(technology="hydro").sum()) > 0  # the refurbishment is used
    assert float(ext.sel(technology="coal").sum()) == 0  # only listed technologies


def test_a_sector_cap_can_follow_a_path_from_a_start_year() -> None:
    cfg = EnergyConfig.model_validate({"sector_co2_cap_vs_2005": {"transport": {2050: 0.75}},
                                       "sector_co2_cap_from": 2010})
    assert cfg.sector_cap_path("transport") == {2010: 1.0, 2050: 0.75}
    from shigen.energy.policy import path_on_periods

    path = path_on_periods(cfg.sector_cap_path("transport"), cfg.periods())
    # linear: 1.0 in 2010, 0.75 in 2050, so 0.96875 in 2015 and 0.78125 in 2045
    assert float(path.sel(year=2015)) == pytest.approx(0.96875)
    assert float(path.sel(year=2045)) == pytest.approx(0.78125)
    assert np.isnan(float(path.sel(year=2005)))  # the base year is not capped
    with pytest.raises(ValueError, match="must be before the first year"):
        EnergyConfig.model_validate({"sector_co2_cap_vs_2005": {"transport": {2030: 0.9}},
                                     "sector_co2_cap_from": 2030})


def test_capital_is_charged_only_for_years_inside_the_horizon(solved_energy) -> None:  # type: ignore[no-untyped-def]
    """Salvage in annuity form: a 2050 vintage pays one period of annuity, not its capex."""
    from shigen.energy.model import objective_account

    f = solved_energy("etp2008-blue").formulation
    inp = f.inp
    coef = objective_account(f)["new_capacity"].sel(technology="nuclear")
    r = inp.params["discount_rate"]
    capex = float(inp.capex.sel(technology="nuclear", year=2050))
    grid = float(inp.grid_cost.sel(technology="nuclear"))
    fom = float(inp.fom.sel(technology="nuclear"))
    life = float(inp.lifetime.sel(technology="nuclear"))
    crf = r / (1 - (1 + r) ** -life)
    # built in 2050: runs in the 2050 period only (5 years at 2050's discount factor)
    by_hand = ((capex + grid) * crf + fom) * (1 + r) ** -(2050 - 2005) * 5 * 1e-3
    assert float(coef.sel(year=2050)) == pytest.approx(by_hand, rel=1e-9)
    # the capital part is five annuities, 5 x CRF(10 %, 40 yr) = 0.511 of the overnight
    # cost: the 35 years after 2050 (the salvage value) are not charged
    assert 5 * crf == pytest.approx(0.511, abs=1e-3)
