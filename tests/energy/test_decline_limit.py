"""The floor on how fast a build rate may fall (``decline_limit``; MESSAGEix's
growth_new_capacity_lo).

``energy-decline-limit`` gives d = -0.235/yr (world nuclear 1985-1989 to 1990-1994) for
nuclear, onshore wind and PV: new capacity per period n[t] >= n[t-1] x (1 + d)^step, the
first period from the observed recent build rate. BLUE reuses the session's solve; the
Japanese checks solve 2005-2020 in 5-year steps in about a second each.
"""

from __future__ import annotations

from typing import Any

import pytest

from shigen.datasets import Catalogue
from shigen.energy.config import EnergyConfig
from shigen.energy.model import Status, run_model

pytestmark = pytest.mark.xdist_group("energy-solves")
FLOORED = ["nuclear", "wind_onshore", "solar_pv"]


def test_blue_build_rates_never_fall_faster_than_the_record(solved_energy: Any) -> None:
    out = solved_energy("etp2008-blue")
    assert out.status is Status.OPTIMAL
    f = out.formulation
    inp, step = f.inp, f.cfg.step
    d = inp.decline_rate.sel(region="WORLD", technology=FLOORED)
    assert d.values.tolist() == pytest.approx([-0.235] * 3)
    new = f.values["new_capacity"].solution.sel(region="WORLD", technology=FLOORED)
    periods = inp.periods[1:]
    prev = new.shift(year=1)
    prev.loc[{"year": periods[0]}] = inp.recent_additions.sel(region="WORLD",
                                                              technology=FLOORED) * step
    floor = (prev * (1 + d) ** step).sel(year=periods)
    assert bool((new.sel(year=periods) >= floor - 1e-6).all())
    # by hand, wind 2006-2010: 11.8 GW/yr observed in 2005 x 5 years x 0.765^5 = 15.5 GW
    assert float(floor.sel(year=2010, technology="wind_onshore")) == pytest.approx(
        11.8 * 5 * 0.765 ** 5, rel=1e-9)
    assert "decline_limit" in f.m.constraints


def _japan(**kw: object) -> EnergyConfig:
    base = {"regions": ["JPN"], "last_year": 2020, "efficiency_measures": False}
    return EnergyConfig.model_validate({**base, **kw})


def test_a_banned_or_capped_technology_has_no_floor() -> None:
    """A floor under a ban would make the study infeasible for no physical reason."""
    cat = Catalogue.bundled()
    banned = run_model(_japan(banned=["nuclear"]), cat)
    assert banned.status is Status.OPTIMAL
    new = banned.formulation.values["new_capacity"].solution
    assert float(new.sel(region="JPN", technology="nuclear").sum()) == pytest.approx(0.0,
                                                                                  abs=1e-9)
    # wind keeps its floor: 0.3 GW/yr observed x 5 x 0.765^5 in 2006-2010
    assert float(new.sel(region="JPN", technology="wind_onshore", year=2010)) >= (
        0.3 * 5 * 0.765 ** 5 - 1e-9)
    capped = run_model(_japan(capacity=[{"technology": "wind_onshore", "max_gw": 1.0,
                                         "years": [2010, 2015, 2020]}]), cat)
    assert capped.status is Status.OPTIMAL


def test_absolute_build_limits_have_no_floor() -> None:
    out = run_model(_japan(build_limits="absolute"), Catalogue.bundled())
    assert out.status is Status.OPTIMAL
    assert "decline_limit" not in out.formulation.m.constraints
