"""Conservation laws and invariants of the energy stage on every shipped energy study.

Each study is solved once (module fixture, ~1-3 s each). Tolerances: balances to 1e-6
relative to the largest term of the family (HiGHS's feasibility tolerance is 1e-7 on
scaled rows), signs to -1e-6 absolute.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import xarray as xr

from shigen.energy import accounts
from shigen.energy.model import Outcome, Status
from shigen.energy.results import results

STUDIES = Path(__file__).resolve().parents[1] / "studies"
NAMES = ["etp2008-baseline", "etp2008-act", "etp2008-blue", "japan-baseline-2006",
         "japan-nnes-2006"]
RTOL = 1e-6

_SOLVED: dict[str, tuple[Outcome, xr.Dataset]] = {}


# one worker solves each study once for this file and test_energy_objective.py
pytestmark = pytest.mark.xdist_group("energy-solves")


@pytest.fixture(params=NAMES)
def solved(request: pytest.FixtureRequest, solved_energy: Any) -> tuple[Outcome, xr.Dataset]:
    name = request.param
    if name not in _SOLVED:
        out = solved_energy(name)
        assert out.status is Status.OPTIMAL
        _SOLVED[name] = (out, results(out))
    return _SOLVED[name]


def close(a: xr.DataArray, b: xr.DataArray, scale: Any = None) -> None:
    """|a - b| <= RTOL x max |b| (a family-wide scale, so near-zero cells pass)."""
    a, b = xr.align(a, b, join="exact")
    s = float(abs(b).max()) if scale is None else float(scale)
    assert float(abs(a - b).max()) <= RTOL * max(s, 1.0)


def test_electricity_supply_covers_demand_in_every_region_and_slice(
        solved: tuple[Outcome, xr.Dataset]) -> None:
    """sum_tech generation(r, slice, y) >= demand(r, y) x load_share(slice) (the gap is
    storage charging), and over a year supply covers demand."""
    out, ds = solved
    gen = ds["generation_by_slice"].sum("technology")
    if "net_imports" in ds:
        gen = gen + ds["net_imports"]
    need = ds["electricity_demand"] * out.formulation.inp.load_share
    assert float((gen - need).min()) >= -RTOL * float(need.max())
    assert bool((gen.sum("slice") >= need.sum("slice") * (1 - RTOL)).all())


def test_final_energy_use_plus_savings_equals_demand(
        solved: tuple[Outcome, xr.Dataset]) -> None:
    out, ds = solved
    demand = out.formulation.inp.final_demand
    met = ds["end_use"].sum("end_fuel") + ds["efficiency_saving"]
    close(met.transpose(*demand.dims), demand)


def test_vehicle_travel_equals_demand(solved: tuple[Outcome, xr.Dataset]) -> None:
    out, ds = solved
    demand = out.formulation.inp.ldv_demand
    close(ds["travel"].sum("vehicle").transpose(*demand.dims), demand)


def test_fuel_switch_is_the_excess_over_the_base_year_share(
        solved: tuple[Outcome, xr.Dataset]) -> None:
    """fuel_switch = max(0, end_use - share0 x demand) where switching costs something
    (where it is free the LP may pick any value above that), never negative; so zero in a
    sector that keeps its base-year mix."""
    out, ds = solved
    f = out.formulation
    inp = f.inp
    sw = f.values["fuel_switch"].solution
    assert float(sw.min()) >= -1e-6
    demand, mix = inp.final_demand, inp.fuel_mix
    excess = (ds["end_use"] - mix * demand).clip(min=0.0).transpose(*sw.dims)
    cost = inp.switch_cost
    priced = (cost > 0).broadcast_like(sw).transpose(*sw.dims)
    scale = float(demand.max())
    assert float(abs(sw - excess).where(priced, 0.0).max()) <= RTOL * scale
    assert bool((sw >= excess - RTOL * scale).all())
    # base year: every sector has its base-year mix, nothing switched
    y0 = inp.base_year
    assert float(sw.sel(year=y0).max()) <= RTOL * scale


def test_investment_categories_are_non_negative(solved: tuple[Outcome, xr.Dataset]) -> None:
    _, ds = solved
    inv = ds["investment"]
    assert float(inv.min()) >= -1e-6
    assert "fuel_switching" in list(inv.category.values)


def test_co2_by_sector_sums_to_the_capped_total(solved: tuple[Outcome, xr.Dataset]) -> None:
    """The sector split (results) adds up to the total the economy-wide cap constrains."""
    out, ds = solved
    f = out.formulation
    sol = {k: v.solution for k, v in f.values.items()}
    total_acc = {k: v.sum("sector") for k, v in accounts.co2(f.inp).items()}
    total = accounts.evaluate(total_acc, sol, keep=("year",))
    close(ds["co2"].sum(["region", "sector"]), total)


def test_sector_premium_is_zero_where_the_sector_cap_is_slack(
        solved: tuple[Outcome, xr.Dataset]) -> None:
    out, ds = solved
    caps = out.formulation.cfg.sector_co2_cap_vs_2005
    prem = ds["sector_co2_premium"]
    assert list(prem.capped_sector.values) == list(caps)
    if prem.size:
        assert float(prem.min()) >= 0.0
    from shigen.energy.policy import path_on_periods

    co2 = ds["co2"].sum("region")
    for sector, path in caps.items():
        emitted = co2.sel(sector=sector)
        base = float(emitted.sel(year=out.formulation.inp.base_year))
        frac = path_on_periods(path, out.formulation.inp.periods)
        slack = (emitted < frac * base * (1 - 1e-4)) | frac.isnull()
        p = prem.sel(capped_sector=sector)
        assert float(abs(p.where(slack, 0.0)).max()) <= 1e-6
        capped = frac.notnull() & (frac.year > out.formulation.inp.base_year)
        assert bool((emitted <= frac * base * (1 + RTOL) + 1e-6).where(capped, True).all())
