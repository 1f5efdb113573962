"""The headline figures of an energy uncertainty sample, straight from the solver's vectors.

A re-solved sample (:mod:`shigen.energy.resolve`) has the primal vector ``x`` and the row
duals of the study LP and of its baseline LP. Its headline figures (the ones that get
P5/P50/P95 in an uncertainty run) are few functions of a few *atoms*, each an array of
affine functions of ``x``: new capacity, generation, primary energy, CO2 by sector,
fuel imports and their bill, investment by category, the capacity and vehicle stocks
the materials stage reads. Each atom is written once here with the model's own
expressions (:class:`~shigen.energy.terms.Terms`, :mod:`shigen.energy.accounts`), on the
model built at the base point, and becomes a sparse matrix over ``x`` plus a constant.

Atoms depend on data too (a sampled capital cost multiplies new capacity in the
investment, a sampled fuel price the import volumes in the bill). For a dataset that
enters linearly, an atom at factors ``f`` is ``atom(1) + Σ_k (f_k − 1) · Δatom_k``, found
as :class:`shigen.energy.resolve.LinearLP` finds the LP's ``ΔM`` (one build of the atoms
per dataset at ``1 + h``) and checked the same way (one joint perturbation must equal the
sum of the single moves). So a sample costs a few sparse products: no dataset is read,
no linopy model is written, no result dataset is extracted.

:func:`summary` turns the atoms of the study and its baseline into the ``energy`` object
of ``shigen run --json`` restricted to :data:`HEADLINES`, rounded as
:func:`shigen.energy.stage.summarize` rounds; :func:`materials_view` gives the arrays the
materials stage reads. The full extraction (:mod:`shigen.energy.results`) stays the
reference: ``tests/test_energy_headline.py`` checks both agree on BLUE.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
import scipy.sparse as sp
import xarray as xr

from shigen.energy import accounts, imports, supply
from shigen.energy.basis import BUILD_FIGURES, PLANT_FIGURES
from shigen.energy.constants import BN, FUEL_CARRIER, IMPORTED_FUELS, PRIMARY_FUELS, RENEWABLE
from shigen.energy.formulation import Formulation
from shigen.energy.model import sunk_cost
from shigen.energy.results import UNITS
from shigen.energy.terms import Terms

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

#: the figures of the ``energy`` summary a sample computes (dotted heads): everything
#: else of the summary (labels, binding records, the line-by-line investment comparison,
#: the reduction by option) is reported for the base run only
HEADLINES = ("co2_gt", "co2_by_sector_gt", "builds_per_year", "plants_per_year",
             "co2_price_usd_per_t", "sector_co2_premium_usd_per_t", "import_dependence",
             "fossil_import_bill_usd_bn", "imports_physical", "electricity_twh",
             "primary_energy_ej", "shares", "energy_intensity_vs_base",
             "investment_usd_trillion", "additional_investment_usd_trillion",
             "additional_investment_share_gdp", "objective_usd_bn_pv", "reduction_year")

RTOL = 1e-9
"""Relative tolerance of the joint linearity check (as :data:`resolve.RTOL`)."""


class Unsupported(ValueError):
    """The study has parts the headline atoms do not cover (the full path is used)."""


Atom = Terms | xr.DataArray | float


def _const(value: xr.DataArray | float) -> Terms:
    """A constant as an expression without terms."""
    if isinstance(value, xr.DataArray):
        arr = np.asarray(value.values, dtype=float)
        coords = {str(d): value.indexes[d] for d in value.dims}
    else:
        arr, coords = np.asarray(float(value)), {}
    return Terms(coords, np.zeros(arr.shape + (0,)), np.zeros(arr.shape + (0,), dtype=int), arr)


def _ramp_parts(outlay: Terms, decay: xr.DataArray | float) -> dict[str, Atom]:
    """What ``results._stock_investment`` needs: the outlay and its decay on its cells."""
    cells = xr.DataArray(np.zeros(outlay.shape), dims=outlay.dims,
                         coords={d: i for d, i in outlay.coords.items()})
    dec = (cells + decay).transpose(*outlay.dims)
    if set(dec.dims) != set(outlay.dims):
        raise Unsupported(f"the decay adds dimensions {dec.dims} to the outlay {outlay.dims}")
    return {"outlay": outlay, "decay": dec}


def atoms(f: Formulation, cat: Catalogue) -> dict[str, Atom]:
    """Every atom of one LP, from its formulation ``f`` (variables, inputs) and data."""
    inp, cfg = f.inp, f.cfg
    if inp.links is not None:
        raise Unsupported("electricity links (their costs and flows are not headline atoms)")
    v = f.values
    new = f.t("new_capacity")
    builds = new / float(cfg.step)
    out: dict[str, Atom] = {"builds": builds,
                            "plants": builds * 1000.0 / inp.unit_size,
                            "gen": f.t("generation").sum("slice")}
    keep = ("region", "year", "carrier")
    primary = accounts.evaluate(accounts.primary(inp), v, keep=keep)
    out["primary"] = primary
    out["co2"] = accounts.evaluate(accounts.co2(inp), v, keep=("region", "year", "sector"))
    oil, energy = accounts.transport(inp)
    out["transport_oil"] = accounts.evaluate(oil, v)
    out["transport_energy"] = accounts.evaluate(energy, v)
    share = inp.import_share.reindex(fuel=list(PRIMARY_FUELS)).fillna(0.0)
    price = inp.fuel_price.reindex(fuel=list(PRIMARY_FUELS)).fillna(0.0)
    for fuel in IMPORTED_FUELS:
        use = primary.sel(carrier=FUEL_CARRIER[fuel])
        sh, pr = share.sel(fuel=fuel, drop=True), price.sel(fuel=fuel, drop=True)
        out[f"imports.{fuel}"] = use * sh
        out[f"bill.{fuel}"] = use * (sh * pr * BN)
    # investment (results._costs): the categories linear in the solution ...
    grid = (new * inp.grid_cost * BN).sum("technology")
    if "network" in v:
        grid = grid + f.t("network") * inp.network_cost["investment"] * BN
    linear = ((new * inp.capex * BN).sum("technology") + grid
              + (f.t("vehicle_sales") * inp.vehicle_cost * BN).sum("vehicle"))
    if inp.heavy is not None and "heavy_sales" in v:
        linear = linear + (f.t("heavy_sales") * inp.heavy.cost.fillna(0.0) * BN).sum(
            ["fleet", "vehicle"])
    out["investment_linear"] = linear
    # ... and the stock investments, a positive part of outlay minus what was kept
    life = inp.sector_life
    decay = cast(xr.DataArray, np.minimum(1.0, cfg.step / life.where(life < 500, np.inf)))
    ramps: tuple[tuple[str, Terms, xr.DataArray | float], ...] = (
            ("efficiency", f.t("saving") * inp.eff_cost, decay),
            ("fuel_switching", f.t("fuel_switch") * inp.switch_cost, decay),
            ("industry_ccs", f.t("industry_capture")
             * (inp.ccs_cost.get("industry_capture_investment", 0.0) * BN), 0.0))
    for name, outlay, dec in ramps:
        for part, a in _ramp_parts(outlay, dec).items():
            out[f"ramp.{name}.{part}"] = a
    # stocks the materials stage reads (results._power, results._vehicles)
    left = supply.base_fleet_left(f)
    if "life_extension" in v:
        left = f.in_service(f.t("life_extension"), f.alive_by["extension"]) + left
    out["capacity"] = f.in_service(new, f.alive_by["power"]) + left
    sales = f.t("vehicle_sales")
    out["vehicle_stock"] = (f.in_service(sales, f.alive_by["ldv"])
                            + inp.vehicle_stock * (1 - f.turnover(inp.vehicle_life)))
    out["vehicle_sales"] = sales / float(cfg.step)
    out["additions"] = new
    out["gdp"] = inp.gdp
    out["weight"] = f.weight()
    out["sunk"] = sunk_cost(f)
    if "energy-fuel-physical-content" in cat:
        content = imports.content_by_fuel(cat.frame("energy-fuel-physical-content"))
        ones = xr.DataArray(np.ones(len(IMPORTED_FUELS)), dims="fuel",
                            coords={"fuel": list(IMPORTED_FUELS)})
        phys = imports.physical_imports(ones, content)  # 1 PJ of each fuel, physically
        out["physical_factor"] = phys.drop_vars("physical_unit").rename(traded_fuel="fuel")
    return out


def physical_units(cat: Catalogue) -> dict[str, str]:
    """The reported unit of each traded fuel with a physical content (``imports``)."""
    if "energy-fuel-physical-content" not in cat:
        return {}
    content = imports.content_by_fuel(cat.frame("energy-fuel-physical-content"))
    ones = xr.DataArray(np.ones(len(IMPORTED_FUELS)), dims="fuel",
                        coords={"fuel": list(IMPORTED_FUELS)})
    phys = imports.physical_imports(ones, content)
    return {str(f): str(u) for f, u in zip(phys.traded_fuel.values,
                                           phys.physical_unit.values, strict=True)}


@dataclass(frozen=True)
class Cells:
    """An atom's values with its labelled dimensions: the few numpy steps a figure needs.

    A sample's figures are sums, picks and ratios of small arrays; numpy on them costs
    microseconds where xarray's alignment costs a fraction of a millisecond per step.
    """

    values: np.ndarray
    coords: dict[str, pd.Index]

    def _axis(self, dim: str) -> int:
        return list(self.coords).index(dim)

    def sum(self, *dims: str) -> Cells:
        axes = tuple(self._axis(d) for d in dims)
        return Cells(self.values.sum(axis=axes),
                     {d: i for d, i in self.coords.items() if d not in dims})

    def only(self, *keep: str) -> Cells:
        """Summed over every dimension but ``keep`` (in that order)."""
        out = self.sum(*[d for d in self.coords if d not in keep])
        order = [out._axis(d) for d in keep]
        return Cells(np.transpose(out.values, order), {d: out.coords[d] for d in keep})

    def sel(self, dim: str, labels: Any) -> Cells:
        """Pick labels of ``dim``: a scalar drops it, a list keeps it."""
        ax = self._axis(dim)
        if isinstance(labels, (list, tuple)):
            at = self.coords[dim].get_indexer(list(labels))
            if (at < 0).any():
                raise KeyError(f"{dim}: {labels} not all in {list(self.coords[dim])}")
            return Cells(np.take(self.values, at, axis=ax),
                         {**self.coords, dim: self.coords[dim][at]})
        i = self.coords[dim].get_loc(labels)
        return Cells(np.take(self.values, i, axis=ax),
                     {d: c for d, c in self.coords.items() if d != dim})

    def series(self, years: np.ndarray) -> np.ndarray:
        """A ``year``-only array's values in the order of ``years``."""
        if list(self.coords) != ["year"]:
            raise ValueError(f"not a series over year: {list(self.coords)}")
        return self.values[self.coords["year"].get_indexer(years)]

    def ramp(self, decay: Cells) -> Cells:
        """``results._stock_investment`` before its factor: max(0, outlay − kept)."""
        ax = self._axis("year")
        before = np.roll(self.values, 1, axis=ax)
        first = [slice(None)] * self.values.ndim
        first[ax] = slice(0, 1)
        before[tuple(first)] = 0.0
        return Cells(np.clip(self.values - before * (1 - decay.values), 0.0, None), self.coords)

    def to_xarray(self) -> xr.DataArray:
        return xr.DataArray(self.values, dims=tuple(self.coords), coords=dict(self.coords))


@dataclass(frozen=True)
class _Slot:
    rows: slice
    coords: dict[str, pd.Index]


@dataclass
class _Stack:
    """Atoms as one sparse matrix over ``x`` and one constant vector (rows = cells)."""

    A: sp.csr_array
    const: np.ndarray
    slots: dict[str, _Slot]


def _stack(found: Mapping[str, Atom], pos: np.ndarray, nx: int) -> _Stack:
    rows, cols, vals, consts = [], [], [], []
    slots: dict[str, _Slot] = {}
    start = 0
    for name, a in found.items():
        t = a if isinstance(a, Terms) else _const(a)
        n = int(np.prod(t.shape, dtype=int))
        k = t.nterm
        var = np.broadcast_to(t.vars, t.coeffs.shape).reshape(n, k)
        coef = t.coeffs.reshape(n, k)
        col = np.where(var >= 0, pos[np.clip(var, 0, pos.size - 1)], -1)
        ok = (col >= 0) & (coef != 0)
        r = np.broadcast_to(np.arange(n)[:, None], (n, k))
        rows.append(r[ok] + start)
        cols.append(col[ok])
        vals.append(coef[ok])
        consts.append(np.broadcast_to(t.const, t.shape).reshape(n))
        slots[name] = _Slot(slice(start, start + n), dict(t.coords))
        start += n
    A = sp.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                     shape=(start, nx))
    A.sum_duplicates()
    return _Stack(A, np.concatenate(consts), slots)


def _same_layout(a: _Stack, b: _Stack) -> bool:
    return a.slots.keys() == b.slots.keys() and all(
        a.slots[k].rows == b.slots[k].rows and a.slots[k].coords.keys() == b.slots[k].coords.keys()
        and all(a.slots[k].coords[d].equals(b.slots[k].coords[d]) for d in a.slots[k].coords)
        for k in a.slots)


@dataclass
class HeadlineMap:
    """The atoms of one LP at the base point and their change per unit of each factor.

    Made by :meth:`Recorder.finish`, which raises :class:`Unsupported` for a study the
    atoms do not cover, or whose atoms a dataset moves other than linearly.
    """

    base: _Stack
    deltas: dict[str, tuple[sp.csr_array, np.ndarray]]
    dual_rows: dict[str, tuple[np.ndarray, np.ndarray]]  # cap → (years, row positions)
    objective_const: float
    co2_price_given: np.ndarray | None
    years: np.ndarray
    base_year: int
    step: int
    units: dict[str, str] = field(default_factory=dict)
    physical_units: dict[str, str] = field(default_factory=dict)

    def _predicts(self, joint: _Stack, weights: Mapping[str, float]) -> bool:
        A = self.base.A.copy()
        c = self.base.const.copy()
        for name, w in weights.items():
            dA, dc = self.deltas[name]
            A = A + (w - 1.0) * dA
            c = c + (w - 1.0) * dc
        scale = max(float(abs(joint.A).max()) if joint.A.nnz else 0.0,
                    float(np.abs(joint.const).max()) if joint.const.size else 0.0, 1.0)
        diff = A - joint.A
        worst = float(abs(diff).max()) if diff.nnz else 0.0
        return worst <= RTOL * scale and np.allclose(c, joint.const, rtol=0, atol=RTOL * scale)

    def values(self, x: np.ndarray, factors: Mapping[str, float]) -> dict[str, Cells]:
        """Every atom's values at solution ``x`` and data ``factors``, by name."""
        v = self.base.A @ x + self.base.const
        for name, fac in sorted(factors.items()):
            if fac != 1.0 and name in self.deltas:
                dA, dc = self.deltas[name]
                v = v + (fac - 1.0) * (dA @ x + dc)
        return {name: Cells(v[s.rows].reshape(tuple(len(i) for i in s.coords.values())),
                            s.coords) for name, s in self.base.slots.items()}

    def prices(self, row_dual: np.ndarray, weight: Cells) -> dict[str, np.ndarray]:
        """USD/t of each CO2 cap by period (``results._cap_price``); 0 where it is slack."""
        out = {}
        w = weight.series(self.years)
        for cap, (years, rows) in self.dual_rows.items():
            dual = np.zeros(len(self.years))
            at = np.searchsorted(self.years, years)
            dual[at] = np.where(rows >= 0, row_dual[np.clip(rows, 0, None)], 0.0)
            out[cap] = np.clip(-dual / w * 1000.0, 0.0, None)
        return out


class Recorder:
    """The headline atoms of every model :class:`~shigen.energy.resolve.LinearLP` builds.

    Passed as its ``observe``: the base model and each perturbed one are built once for
    the LP's ``ΔM`` and read here too (no second build). :meth:`finish` makes the map.
    """

    def __init__(self) -> None:
        self.stacks: dict[tuple[tuple[str, float], ...], _Stack] = {}
        self.error: str | None = None
        self._pos: np.ndarray | None = None
        self._base: dict[str, Any] = {}

    def __call__(self, factors: Mapping[str, float], f: Formulation, cat: Catalogue,
                 lp: Any) -> None:
        if self.error is not None:
            return
        try:
            if not factors:
                self._pos = np.full(int(lp.vlabels.max()) + 1, -1)
                self._pos[lp.vlabels] = np.arange(lp.vlabels.size)
                self._base = dict(
                    dual_rows=_dual_rows(f, lp.clabels), objective_const=_objective_const(f),
                    co2_price_given=_given_price(f), years=np.asarray(f.inp.periods, dtype=int),
                    base_year=int(f.inp.base_year), step=int(f.cfg.step),
                    units={k: UNITS[k] for k in ("capacity", "vehicle_stock", "additions",
                                                 "vehicle_sales")},
                    physical_units=physical_units(cat), nx=int(lp.vlabels.size))
            if self._pos is None:
                raise Unsupported("the base model was not built first")
            self.stacks[tuple(sorted(factors.items()))] = _stack(
                atoms(f, cat), self._pos, self._base["nx"])
        except Unsupported as exc:
            self.error = str(exc)
        except (KeyError, ValueError, AttributeError) as exc:
            # a formulation without a variable an atom reads (another kind of study):
            # its samples take the full path, and the run says why
            self.error = f"headline atoms: {type(exc).__name__}: {exc}"

    def finish(self, step: float, joint: Mapping[str, float]) -> HeadlineMap:
        """The map from the recorded builds: ``Δatom`` per dataset, the joint check."""
        if self.error is not None:
            raise Unsupported(self.error)
        base = self.stacks[()]
        deltas: dict[str, tuple[sp.csr_array, np.ndarray]] = {}
        for name in sorted(joint):
            moved = self.stacks[((name, 1 + step),)]
            if not _same_layout(base, moved):
                raise Unsupported(f"dataset '{name}' changes the headline atoms' shape")
            deltas[name] = (sp.csr_array((moved.A - base.A) / step),
                            (moved.const - base.const) / step)
        meta = {k: v for k, v in self._base.items() if k != "nx"}
        out = HeadlineMap(base, deltas, **meta)
        if len(joint) > 1:
            both = self.stacks[tuple(sorted(joint.items()))]
            if not _same_layout(base, both) or not out._predicts(both, joint):
                raise Unsupported("the sampled datasets move the headline atoms other than "
                                  "linearly (a product of two of them)")
        return out


def _dual_rows(f: Formulation, clabels: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    pos = np.full(int(clabels.max()) + 1 if clabels.size else 0, -1)
    pos[clabels] = np.arange(clabels.size)
    names = ["co2_cap"] + [f"co2_cap_{s}" for s in f.cfg.sector_co2_cap_vs_2005]
    out = {}
    for name in names:
        if name not in f.m.constraints:
            continue
        labels = f.m.constraints[name].labels
        if labels.dims != ("year",):
            raise Unsupported(f"constraint {name} has dims {labels.dims}, not year")
        lab = np.asarray(labels.values)
        rows = np.where((lab >= 0) & (lab < pos.size), pos[np.clip(lab, 0, None)], -1)
        out[name] = (np.asarray(labels.year.values, dtype=int), rows)
    return out


def _objective_const(f: Formulation) -> float:
    """The objective's constant (linopy keeps it out of the matrices)."""
    const = f.m.objective.expression.const
    return float(np.asarray(const).sum())


def _given_price(f: Formulation) -> np.ndarray | None:
    if "co2_cap" in f.m.constraints or not f.cfg.co2_price:
        return None
    from shigen.energy.results import co2_price

    return np.asarray(co2_price(f).values, dtype=float)


@dataclass(frozen=True)
class Sample:
    """One LP of a sample: its atoms, CO2 prices and objective (bn USD, present value)."""

    atoms: dict[str, Cells]
    prices: dict[str, np.ndarray]
    objective: float


def sample(hm: HeadlineMap, x: np.ndarray, row_dual: np.ndarray, objective: float,
           factors: Mapping[str, float]) -> Sample:
    """The atoms, prices and objective of one re-solved LP."""
    a = hm.values(x, factors)
    sunk = float(a["sunk"].values)
    return Sample(a, hm.prices(row_dual, a["weight"]), objective + hm.objective_const + sunk)


def _r(x: Any, d: int = 3) -> float | None:
    x = float(x)
    return round(x, d) if np.isfinite(x) else None


def _series(years: np.ndarray, values: np.ndarray, digits: int = 4) -> dict[str, float]:
    """``results.series``: {"2005": value, ...}, rounded, non-finite values left out."""
    with np.errstate(divide="ignore", invalid="ignore"):
        vals = np.asarray(values, dtype=float)
    return {str(int(y)): round(float(v), digits) for y, v in zip(years, vals, strict=True)
            if np.isfinite(v)}


def _investment(a: Mapping[str, Cells], years: np.ndarray) -> np.ndarray:
    """Investment by year over all regions (bn USD), as ``results._costs`` sums it."""
    total = a["investment_linear"].only("year").series(years)
    for name in ("efficiency", "fuel_switching", "industry_ccs"):
        by_year = a[f"ramp.{name}.outlay"].ramp(a[f"ramp.{name}.decay"]).only("year")
        ramp = by_year.series(years)
        total = total + (ramp * BN if name != "industry_ccs" else ramp)
    return total


def window(hm: HeadlineMap) -> list[int]:
    """``compare.investment_window``: periods after the base decade."""
    return [int(y) for y in hm.years if y > hm.base_year + 5]


def _cumulative_gdp(gdp: np.ndarray, hm: HeadlineMap) -> float:
    """``compare.cumulative_gdp``: yearly GDP over the window, log-linear between periods."""
    w = window(hm)
    years = np.arange(w[0] - hm.step + 1, w[-1] + 1)
    return float(np.exp(np.interp(years, hm.years, np.log(gdp))).sum())


def summary(hm: HeadlineMap, study: Sample, base: Sample | None) -> dict[str, Any]:
    """The headline part of the ``energy`` object (:data:`HEADLINES`) of one sample.

    Each figure as :func:`shigen.energy.stage.summarize` computes and rounds it from the
    result dataset.
    """
    a, years = study.atoms, hm.years
    win = window(hm)
    in_win = np.isin(years, win)

    def yearly(c: Cells, *keep: str) -> Cells:
        return c.only(*keep, "year")

    co2 = yearly(a["co2"], "sector")
    builds = yearly(a["builds"], "technology")
    plants = yearly(a["plants"], "technology")
    gen = yearly(a["gen"], "technology")
    techs_all = [str(t) for t in gen.coords["technology"] if str(t) != "storage"]
    power = gen.sel("technology", techs_all).only("year").series(years)
    primary = yearly(a["primary"], "carrier")
    total = primary.only("year").series(years)
    imp = {fuel: a[f"imports.{fuel}"].only("year").series(years) for fuel in IMPORTED_FUELS}
    bill = np.sum([a[f"bill.{fuel}"].only("year").series(years) for fuel in IMPORTED_FUELS],
                  axis=0)
    gdp = a["gdp"].only("year").series(years)
    invest = _investment(a, years)

    def window_mean(c: Cells, techs: tuple[str, ...]) -> float:
        s = c.sel("technology", list(techs)).only("year").series(years)
        return float(s[in_win].mean())

    def by_tech(c: Cells, techs: tuple[str, ...]) -> np.ndarray:
        return c.sel("technology", list(techs)).only("year").series(years)

    def sector(s: str) -> np.ndarray:
        return co2.sel("sector", s).series(years) / 1000.0

    price = study.prices.get("co2_cap", hm.co2_price_given)
    intensity = total / gdp
    with np.errstate(divide="ignore", invalid="ignore"):
        out: dict[str, Any] = {
            "co2_gt": _series(years, co2.only("year").series(years) / 1000.0, 3),
            "co2_by_sector_gt": {str(s): _series(years, sector(s), 3)
                                 for s in co2.coords["sector"]},
            "builds_per_year": {k: _r(window_mean(builds, t), 3)
                                for k, t in BUILD_FIGURES.items()},
            "plants_per_year": {**{k: _r(window_mean(plants, t), 1)
                                   for k, t in PLANT_FIGURES.items()},
                                "wind_turbines": _r(window_mean(
                                    plants, PLANT_FIGURES["wind_turbines"]), 0)},
            "co2_price_usd_per_t": _series(years, np.zeros(len(years)) if price is None
                                           else price, 1),
            "sector_co2_premium_usd_per_t": {
                cap.removeprefix("co2_cap_"): _series(years, p, 1)
                for cap, p in study.prices.items() if cap != "co2_cap"},
            "import_dependence": _series(years, np.sum(list(imp.values()), axis=0) / total, 4),
            "fossil_import_bill_usd_bn": _series(years, bill, 1),
            "electricity_twh": _series(years, power, 1),
            "primary_energy_ej": _series(years, total / 1000.0, 2),
            "shares": {
                "nuclear_power": _series(years, by_tech(gen, ("nuclear",)) / power, 4),
                "renewables_power": _series(years, by_tech(gen, RENEWABLE) / power, 4),
                "oil_primary": _series(years, primary.sel("carrier", "oil").series(years)
                                       / total, 4),
                "transport_oil": _series(
                    years, a["transport_oil"].only("year").series(years)
                    / a["transport_energy"].only("year").series(years), 4)},
            "energy_intensity_vs_base": _series(years, intensity / intensity[0], 4),
            "investment_usd_trillion": _r(float(invest[in_win].sum()) / 1000.0),
            "objective_usd_bn_pv": _r(study.objective, 1),
        }
    if "physical_factor" in a:
        fac = a["physical_factor"]
        out["imports_physical"] = {
            str(fuel): {"unit": hm.physical_units[str(fuel)],
                        "series": _series(years, imp[str(fuel)]
                                          * float(fac.sel("fuel", fuel).values), 3)}
            for fuel in fac.coords["fuel"]}
    if base is not None:
        add = float(invest[in_win].sum() - _investment(base.atoms, years)[in_win].sum())
        out["additional_investment_usd_trillion"] = _r(add / 1000.0)
        out["additional_investment_share_gdp"] = _r(add / _cumulative_gdp(gdp, hm), 5)
        out["reduction_year"] = int(years[-1])
    return out


def materials_view(hm: HeadlineMap, study: Sample) -> xr.Dataset:
    """The arrays of the energy dataset the materials stage reads (capacity, stocks)."""
    arrays = {k: study.atoms[k].to_xarray() for k in hm.units}
    ds = xr.Dataset({k: da.transpose(*_order(k, da)) for k, da in arrays.items()})
    for k, u in hm.units.items():
        ds[k].attrs["units"] = u
    ds.attrs.update(base_year=hm.base_year, step=hm.step)
    return ds


def _order(name: str, da: xr.DataArray) -> tuple[str, ...]:
    """The result dataset's dimension order for ``name`` (``results.OUTPUTS``)."""
    from shigen.energy.results import OUTPUTS

    dims = next(o.dims for o in OUTPUTS if o.name == name)
    return tuple(d for d in dims if d in da.dims)
