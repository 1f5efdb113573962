"""Build and solve the energy LP: ``create_model`` (every ``define_*`` builder) -> ``solve``.

:func:`shigen.energy.results.results` then assigns the solution, the duals and the
derived indicators of a solved model.

Examples
--------
>>> from shigen.datasets import Catalogue
>>> from shigen.energy.config import EnergyConfig
>>> from shigen.energy.model import run_model
>>> out = run_model(EnergyConfig(regions=["JPN"]), Catalogue.bundled())  # doctest: +SKIP
>>> out.status
<Status.OPTIMAL: 'optimal'>
"""

from __future__ import annotations

import contextlib
import enum
import logging
import os
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import linopy
import xarray as xr

from shigen.energy import accounts, demand, foresight, policy, supply, transmission
from shigen.energy.config import EnergyConfig
from shigen.energy.constants import BN
from shigen.energy.formulation import Formulation
from shigen.energy.inputs import Inputs, load_inputs
from shigen.energy.terms import Terms

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

#: builders in the order they run; each adds one family and returns early if it has none
BUILDERS = (
    supply.define_capacity, supply.define_life_extension, supply.define_build_limit,
    supply.define_growth_limit, supply.define_decline_limit, supply.define_potential,
    supply.define_dispatch, supply.define_storage,
    demand.define_end_use, demand.define_fuel_switching, demand.define_vehicles,
    demand.define_vehicle_diffusion, demand.define_heavy_vehicles, demand.define_hydrogen,
    demand.define_biomass,
    demand.define_industry_ccs, transmission.define_transmission,
    supply.define_electricity_balance, supply.define_network, supply.define_firm_capacity,
    supply.define_variable_share, supply.define_base_year,
    policy.define_co2_cap, policy.define_shares,
    policy.define_capacity_bounds, policy.define_history, policy.define_energy_intensity,
    policy.define_bans,
)

#: HiGHS options per algorithm name (``EnergyConfig.solver``)
SOLVER_OPTIONS: dict[str, dict[str, Any]] = {
    "dual": {"solver": "simplex", "simplex_strategy": 1},
    "primal": {"solver": "simplex", "simplex_strategy": 4},
    "ipm": {"solver": "ipm", "run_crossover": "on"},
}
#: the fastest algorithm measured by benchmarks/bench_energy.py (see docs/benchmarks.md)
DEFAULT_ALGORITHM = "dual"


class Status(enum.Enum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    ERROR = "error"


@dataclass
class Timings:
    """Seconds spent in each step of a run."""

    load: float = 0.0
    build: float = 0.0
    solve_total: float = 0.0
    solver: float = 0.0
    extract: float = 0.0

    @property
    def total(self) -> float:
        return self.load + self.build + self.solve_total + self.extract


@dataclass
class Outcome:
    """A solved (or failed) energy model."""

    status: Status
    formulation: Formulation
    objective: float | None = None
    timings: Timings = field(default_factory=Timings)
    algorithm: str = DEFAULT_ALGORITHM

    def __repr__(self) -> str:
        obj = "-" if self.objective is None else f"{self.objective:,.0f} bn USD"
        return (f"Outcome(status={self.status.value}, objective={obj}, "
                f"build={self.timings.build:.2f}s, solver={self.timings.solver:.2f}s)")


def create_model(cfg: EnergyConfig, inp: Inputs, elastic: bool = False) -> Formulation:
    """Build the LP: every ``define_*`` builder in turn, then the objective."""
    f = Formulation(linopy.Model(force_dim_names=True), inp, cfg, elastic=elastic)
    for build in BUILDERS:
        build(f)
    if elastic:
        f.m.add_objective(Terms.merge(f.slack_terms).to_linopy(f.m))
        return f
    f.m.add_objective(accounts.evaluate(objective_account(f), f.values, keep=()).to_linopy(f.m))
    return f


def objective_account(f: Formulation) -> accounts.Account:
    """Present-value cost per unit of each variable (bn USD), carbon price included."""
    price = None
    if f.cfg.co2_price:
        price = policy.path_on_periods(f.cfg.co2_price, f.inp.periods).fillna(0.0)
    return accounts.cost(f.inp, f.weight(), f.alive_by, price)


def sunk_cost(f: Formulation) -> float:
    """Present value of O&M on the base-year fleet (a constant left out of the LP)."""
    left = supply.base_fleet_left(f)  # life extensions are costed in the LP
    sunk = float((left * f.inp.fom * f.weight()).sum()) * BN
    if f.inp.links is not None:
        links = transmission.existing_left(f) * f.inp.links.fom * f.weight()
        sunk += float(links.sum()) * BN
    return sunk


def objective_value(f: Formulation) -> float:
    """Present-value cost of a solved model (bn USD): the LP objective plus the sunk O&M."""
    return float(f.m.objective.value or 0.0) + sunk_cost(f)


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence C-level stdout (HiGHS prints a banner when created), keep Python's."""
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured stdout (pytest, CliRunner)
        yield
        return
    saved = os.dup(fd)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), fd)
        try:
            yield
        finally:
            os.dup2(saved, fd)
            os.close(saved)


def solve(f: Formulation, algorithm: str = DEFAULT_ALGORITHM) -> tuple[Status, float, float]:
    """Solve with HiGHS through linopy's direct interface; return status and timings."""
    opts = SOLVER_OPTIONS[algorithm]
    t0 = time.perf_counter()
    quiet = logging.getLogger("linopy")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # failed solves are reported by shigen, not by linopy's log
    try:
        with _quiet_stdout():
            status, condition = f.m.solve(solver_name="highs", io_api="direct", output_flag=False,
                                      **opts)
    finally:
        quiet.setLevel(level)
    wall = time.perf_counter() - t0
    solver_time = wall
    h = getattr(f.m, "solver_model", None)
    if h is not None:
        with contextlib.suppress(Exception):  # older highspy: keep the wall time
            solver_time = float(h.getRunTime())
    cond = str(condition).lower()
    if status == "ok" and "optimal" in cond:
        st = Status.OPTIMAL
    elif "infeasible" in cond:
        st = Status.INFEASIBLE
    elif "unbounded" in cond:
        st = Status.UNBOUNDED
    else:
        st = Status.ERROR
    return st, wall, solver_time


def _run_rolling(cfg: EnergyConfig, rolling: foresight.RollingHorizon, cat: Catalogue,
                 alg: str) -> Outcome:
    """Solve a rolling horizon (:mod:`shigen.energy.foresight`); times add up over windows."""
    tm = Timings()
    status = Status.ERROR

    def solve_window(sub: EnergyConfig,
                     past: Mapping[str, xr.DataArray]) -> tuple[bool, Formulation]:
        nonlocal status
        t0 = time.perf_counter()
        inp = load_inputs(sub, cat)
        tm.load += time.perf_counter() - t0
        t0 = time.perf_counter()
        f = create_model(sub, inp)
        foresight.fix_past(f, past)
        tm.build += time.perf_counter() - t0
        status, wall, solver = solve(f, alg)
        tm.solve_total += wall
        tm.solver += solver
        return status is Status.OPTIMAL, f

    _, f = foresight.solve_rolling(cfg, rolling, solve_window)
    obj = objective_value(f) if status is Status.OPTIMAL else None
    return Outcome(status, f, obj, tm, alg)


def run_model(cfg: EnergyConfig, cat: Catalogue, algorithm: str | None = None,
              inputs: Inputs | None = None) -> Outcome:
    """Load inputs, build, solve. Infeasible or failed solves come back with their status."""
    alg = algorithm or (DEFAULT_ALGORITHM if cfg.solver == "auto" else cfg.solver)
    tm = Timings()
    if not isinstance(cfg.foresight, str):  # a rolling horizon: limited foresight
        return _run_rolling(cfg, cfg.foresight, cat, alg)
    t0 = time.perf_counter()
    inp = inputs or load_inputs(cfg, cat)
    tm.load = time.perf_counter() - t0
    t0 = time.perf_counter()
    f = create_model(cfg, inp)
    tm.build = time.perf_counter() - t0
    status, tm.solve_total, tm.solver = solve(f, alg)
    obj = objective_value(f) if status is Status.OPTIMAL else None
    return Outcome(status, f, obj, tm, alg)

