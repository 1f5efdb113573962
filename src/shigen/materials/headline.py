"""The materials summary of a sample, in numpy: what an uncertainty sample needs, no dataset.

An uncertainty sample of a study whose last stage is materials (BLUE: energy → materials)
needs only the stage's ``summarize()`` object, the figures that get P5/P50/P95. The full
stage (:func:`shigen.materials.stage.run`) builds a labelled result dataset of some twenty
arrays and :func:`~shigen.materials.stage.summarize` reads it back; both spend most of
their time aligning xarray coordinates, not computing. This module computes the same
summary in two parts:

- a :class:`Plan`, everything that does not depend on the energy result: lifetimes,
  element intensities, end-of-life yields, end-use demand, deposit yields and residues.
  It is made with the stage's own functions and kept per process, keyed by what it read:
  the study section and the *content* of every dataset it read (a hash of each frame),
  so a sample whose data differ never gets another sample's plan.
- per sample, the chain that reads the energy stocks, in numpy with the stage's axes:
  sales from stocks (:func:`shigen.materials.deployment.sales_from_stock`, the one
  implementation), demand, the inflow-driven cohort model (:mod:`shigen.materials.cohort`),
  the end-of-life steps, the closed loop, the other end uses and joint production, the
  mass-balance checks, and the summary.

The full stage stays the reference: ``tests/test_uncertainty_materials.py`` compares every
figure of both on samples of BLUE (1e-9 relative) and the stage's own run is unchanged.
Studies this path does not cover (Monte Carlo draws of magnet masses, deployment
trajectories, additions as the deployment basis, end uses in another region than the
energy flows, an error to report) take the full stage: :func:`lean_summary` returns None
and :func:`shigen.materials.stage.run_summary` runs it.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from shigen.materials import cohort, deployment, end_uses, eol, intensities, mining
from shigen.materials.config import MaterialsConfig, Mining
from shigen.materials.lifetimes import InflowAt, Lifetime
from shigen.materials.registry import products

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

TOLERANCE = 1e-9  # as the stage's mass-balance check (shigen.materials.stage.TOLERANCE)
PLANS_KEPT = 4
"""Plans kept per process: one per study section and data in a linear run, few needed."""


@dataclass(frozen=True)
class Mapped:
    """One product deployed from the energy stocks: Σ stock × unit factor × share."""

    product: str
    parts: tuple[tuple[str, float], ...]  # (energy item, share), in the section's order


@dataclass(frozen=True)
class Plan:
    """What a sample's materials figures need besides the energy result.

    ``covered`` is False for a section whose elements this path does not follow (an
    element without end-use or deposit data, end uses and deposits on other elements):
    its samples take the full stage.
    """

    years: np.ndarray
    elements: tuple[str, ...]
    products: tuple[str, ...]
    mapped: tuple[Mapped, ...]
    lifetimes: dict[str, Lifetime]
    spin: int
    intensity: np.ndarray  # (product, element, year): kg per unit, the central values
    rates: dict[str, np.ndarray]  # end-of-life yield by step (eol.rates), (year,)
    inflow_at: InflowAt
    end_uses_region: str | None = None
    end_use_ree: tuple[str, ...] = ()
    end_use_demand: xr.DataArray | None = None  # (use, ree, year), t/yr
    end_use_reo: xr.DataArray | None = None  # (use, year), t REO/yr
    mining: Mining | None = None
    yields_ree: tuple[str, ...] = ()
    yields: xr.DataArray | None = None  # (element), t per t REO
    residues: xr.DataArray | None = None  # (nuclide), t per t REO
    covered: bool = True


def _supported(cfg: MaterialsConfig) -> bool:
    return (cfg.draws == 0 and cfg.energy_basis == "stock" and not cfg.deployment
            and bool(cfg.from_energy))


def _content_key(cfg: MaterialsConfig, cat: Catalogue, names: list[str]) -> str:
    """The section and the content of every dataset the plan reads (read through ``cat``)."""
    h = hashlib.sha256(cfg.model_dump_json().encode())
    for name in names:
        frame = cat.frame(name)
        h.update(name.encode())
        h.update(json.dumps([str(c) for c in frame.columns]).encode())
        h.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return h.hexdigest()


_READS: dict[str, list[str]] = {}  # section → the datasets its plan reads
_PLANS: OrderedDict[str, Plan] = OrderedDict()


def plan(cfg: MaterialsConfig, cat: Catalogue) -> Plan:
    """The plan for ``cfg`` on ``cat``'s data: kept per process, keyed by what it read."""
    section = cfg.model_dump_json()
    names = _READS.get(section)
    if names is not None:
        key = _content_key(cfg, cat, names)
        if key in _PLANS:
            _PLANS.move_to_end(key)
            return _PLANS[key]
    recording = cat.recording()
    made = _make_plan(cfg, recording)
    names = recording.reads()
    _READS[section] = names
    key = _content_key(cfg, cat, names)  # through ``cat``: the caller's view records them
    _PLANS[key] = made
    while len(_PLANS) > PLANS_KEPT:
        _PLANS.popitem(last=False)
    return made


def _make_plan(cfg: MaterialsConfig, cat: Catalogue) -> Plan:
    years = np.arange(cfg.start_year, cfg.end_year + 1)
    mapped: dict[str, list[tuple[str, float]]] = {}
    for key, split in cfg.from_energy.items():
        for product, share in split.items():
            mapped.setdefault(product, []).append((deployment._norm(key), share))
    names = list(mapped)  # the stage's product order (deployment._split)
    lts = intensities.lifetimes(cat, cfg, sorted(names))
    # no Monte Carlo draw (cfg.draws == 0): the generator is never used
    inten = intensities.element_intensity(cat, cfg, names, years, np.random.default_rng(0))
    r = eol.rates(cfg.recycling, years)
    p = Plan(years=years, elements=tuple(cfg.elements), products=tuple(names),
             mapped=tuple(Mapped(k, tuple(v)) for k, v in mapped.items()), lifetimes=lts,
             spin=deployment.spin_up(lts[k] for k in names),
             intensity=np.ascontiguousarray(
                 inten.isel(draw=0).transpose("product", "element", "year").values),
             rates={str(k): v.values for k, v in r.data_vars.items()}, inflow_at=cfg.inflow_at)
    elements = set(cfg.elements)
    covered = True
    if cfg.end_uses is not None:
        eu = end_uses.demand(cat, cfg.end_uses, years)
        ree = tuple(str(e) for e in eu["ree"].values)
        p = replace(p, end_uses_region=cfg.end_uses.region, end_use_ree=ree,
                    end_use_demand=eu, end_use_reo=end_uses.reo_by_use(cat, cfg.end_uses, years))
        covered = elements <= set(ree)
    if cfg.mining is not None:
        y = mining.yields(cat, cfg.mining)
        ree = tuple(str(e) for e in y["element"].values)
        p = replace(p, mining=cfg.mining, yields_ree=ree, yields=y,
                    residues=mining.residues(cat, cfg.mining))
        covered = covered and elements <= set(ree) and (
            cfg.end_uses is None or set(p.end_use_ree) == set(ree))
    return replace(p, covered=covered)


class _Fallback(Exception):
    """The sample takes the full stage (which reports what is wrong, if anything)."""


def _stocks(energy: xr.Dataset) -> tuple[dict[str, tuple[np.ndarray, float, str]],
                                          np.ndarray, np.ndarray]:
    """Energy in-use stocks by normalised item: (period, region) values, unit factor, basis."""
    out: dict[str, tuple[np.ndarray, float, str]] = {}
    regions = periods = None
    for var, dim, basis in deployment.ENERGY_STOCKS:
        if var not in energy:
            continue
        da = deployment._year_region_item(energy, var, dim)
        fac = deployment._to_basis(str(energy[var].attrs.get("units", "")), basis)
        reg = da["region"].values
        if regions is not None and not np.array_equal(reg, regions):
            raise _Fallback("energy stocks on other regions")
        regions, periods = reg, da["year"].values.astype(float)
        vals = da.values
        for i, item in enumerate(da[dim].values):
            out[deployment._norm(item)] = (vals[:, :, i], fac, basis)
    if regions is None or periods is None:
        raise _Fallback("no energy stock")
    return out, regions, periods


def _units(p: Plan, energy: xr.Dataset) -> tuple[np.ndarray, np.ndarray, float]:
    """Units entering use (product, region, year), the regions, the unit balance error.

    As :func:`shigen.materials.deployment.from_energy_stock`: each product's stock is
    Σ (stock × unit factor) × share over the energy items mapped to it, in the section's
    order, then :func:`~shigen.materials.deployment.sales_from_stock`.
    """
    if not p.mapped:
        raise _Fallback("no product deployed from the energy stage")
    stocks, regions, periods = _stocks(energy)
    rows, error = [], 0.0
    for m in p.mapped:
        total = None
        for item, share in m.parts:
            if item not in stocks or stocks[item][2] != products()[m.product].basis:
                raise _Fallback("an unknown item")  # the full stage names it
            values, fac, _ = stocks[item]
            part = (values * fac) * share
            total = part if total is None else total + part
        assert total is not None
        sales, err, _ = deployment.sales_from_stock(periods, total, p.years,
                                                    p.lifetimes[m.product], p.spin,
                                                    p.inflow_at)
        rows.append(sales)
        error = max(error, err)
    return np.stack(rows), regions, error


def _by_element(residual: np.ndarray, flows: list[np.ndarray]) -> np.ndarray:
    """``balance.rel_error(..., by="element")`` on (product, element, ...) arrays."""
    def largest(a: np.ndarray) -> np.ndarray:
        return np.abs(np.moveaxis(a, 1, 0)).reshape(a.shape[1], -1).max(axis=1)

    scale = np.max([largest(f) for f in flows], axis=0)
    err = largest(residual)
    return np.divide(err, scale, out=np.zeros_like(err), where=scale > 0)


def _series(years: np.ndarray, values: np.ndarray) -> dict[str, float]:
    """``stage._series``: {"2010": value}, six significant digits."""
    return {str(int(y)): float(f"{float(v):.6g}") for y, v in zip(years, values, strict=True)}


def _share(used: np.ndarray, total: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, used / np.where(total > 0, total, np.nan), 0.0)


def summary(p: Plan, energy: xr.Dataset) -> dict[str, Any]:
    """The ``materials`` object of one sample, as ``summarize(run(...))`` gives it."""
    if not p.covered:
        raise _Fallback("a section this path does not follow")
    units, regions, unit_error = _units(p, energy)
    # demand (product, element, region, draw, year), laid out as the stage lays it out
    demand = (units[:, None, :, :] * p.intensity[:, :, None, :]) / 1000.0
    demand = np.ascontiguousarray(demand[:, :, :, None, :])
    flows = cohort.inflow_driven(demand, [p.lifetimes[n] for n in p.products], p.inflow_at)
    inflow, stock, outflow = flows.inflow, flows.stock, flows.outflow
    by_element = _by_element(flows.balance(), [inflow, outflow, stock])
    end = eol.flows(outflow, p.rates.__getitem__)  # the stage's end-of-life steps
    secondary_supply = end["secondary_supply"]
    eol_error = _by_element(eol.chain_balance(end), [outflow])
    worst = max([unit_error, *by_element, *eol_error, 0.0])
    if worst > TOLERANCE:
        raise _Fallback("mass balance")  # the full stage raises RunFailed, naming it
    magnets = inflow.sum(axis=0)  # (element, region, draw, year): eol.closed_loop
    used = np.minimum(secondary_supply.sum(axis=0), magnets)
    primary = magnets - used
    el, years = list(p.elements), p.years

    def total(a: np.ndarray, i: int) -> dict[str, float]:  # central draw, all products, regions
        return _series(years, a[:, i, :, 0, :].sum(axis=(0, 1)))

    out: dict[str, Any] = {}
    for i, e in enumerate(el):
        d = inflow[:, i, :, 0, :].sum(axis=(0, 1))
        out[e] = {"demand_t": _series(years, d), "secondary_supply_t": total(secondary_supply, i),
                  "recycling_share": _series(years, _share(used[i, :, 0, :].sum(axis=0), d)),
                  "stock_t": total(stock, i), "eol_outflow_t": total(outflow, i),
                  "primary_demand_t": _series(years, primary[i, :, 0, :].sum(axis=0)),
                  "balance_max_rel_error": max(float(by_element[i]), float(eol_error[i]),
                                               unit_error)}
    # primary demand of every element (region, year), the other end uses' added
    every = {e: primary[i, :, 0, :] for i, e in enumerate(el)}
    other = None
    if p.end_use_demand is not None:
        if [str(r) for r in regions] != [p.end_uses_region]:
            raise _Fallback("end uses in another region than the energy flows")
        other = p.end_use_demand.values.sum(axis=0)  # (ree, year)
        for j, e in enumerate(p.end_use_ree):
            every[e] = every[e] + other[j] if e in every else other[j][None, :]
    if p.yields is not None:
        _mining(p, out, every, el, worst)
    if other is not None:
        _end_uses(p, out, other, magnets, used, el, worst)
    return out


def _mining(p: Plan, out: dict[str, Any], every: Mapping[str, np.ndarray], el: list[str],
            worst: float) -> None:
    """``mining.joint_production`` and its part of ``stage.summarize``."""
    assert p.yields is not None and p.residues is not None and p.mining is not None
    y, ree, years = p.yields.values, p.yields_ree, p.years
    shape = next(iter(every.values())).shape
    demand = np.stack([every.get(e, np.zeros(shape)) for e in ree])  # (ree, region, year)
    with np.errstate(divide="ignore", invalid="ignore"):
        need = np.where(demand > 0, demand / np.where(y > 0, y, np.nan)[:, None, None], 0.0)
    if p.mining.sized_by == "max":
        if any(y[k] == 0.0 and demand[k].max() > 0 for k in range(len(ree))):
            raise _Fallback("no tonnage meets the demand")  # the full stage says why
        mined = np.nan_to_num(need, nan=0.0).max(axis=0)
    else:
        k = ree.index(p.mining.sized_by)
        if y[k] == 0.0:
            raise _Fallback("the mix yields none of the sizing element")
        mined = need[k]
    supply = mined[None] * y[:, None, None]
    balance = supply - demand
    for k, e in enumerate(ree):
        if e in el:
            out[e]["primary_supply_t"] = _series(years, supply[k].sum(axis=0))
            out[e]["surplus_t"] = _series(years, balance[k].sum(axis=0))
    res = p.residues
    for nuclide in ("thorium", "uranium"):
        at = res.sel(nuclide=nuclide) if nuclide in res["nuclide"] else None
        amount = mined * float(at) if at is not None else mined * 0.0
        out[nuclide] = {"residues_t": _series(years, amount.sum(axis=0)),
                        "balance_max_rel_error": worst}
    for k, e in enumerate(ree):
        if e not in out:
            out[e] = {"primary_supply_t": _series(years, supply[k].sum(axis=0)),
                      "surplus_t": _series(years, balance[k].sum(axis=0)),
                      "balance_max_rel_error": worst}
    out["rare-earth-oxide"] = {"mined_t": _series(years, mined.sum(axis=0)),
                               "balance_max_rel_error": worst}


def _end_uses(p: Plan, out: dict[str, Any], other: np.ndarray, magnets: np.ndarray,
              used: np.ndarray, el: list[str], worst: float) -> None:
    """``stage._end_use_summary``: demand from every use, its split, REO by use."""
    assert p.end_use_demand is not None and p.end_use_reo is not None
    eu, years = p.end_use_demand.values, p.years
    uses = [str(u) for u in p.end_use_demand["use"].values]
    for j, e in enumerate(p.end_use_ree):
        entry = out.setdefault(e, {})
        entry.setdefault("balance_max_rel_error", worst)
        by_use = {u: _series(years, eu[k, j]) for k, u in enumerate(uses)}
        total = other[j]
        if e in el:
            i = el.index(e)
            total = magnets[i, :, 0, :] + other[j]  # (region, year): stage's total_demand
            entry["magnet_demand_t"] = entry.get("demand_t") or _series(
                years, magnets[i, :, 0, :].sum(axis=0))
            by_use["energy-products"] = entry["magnet_demand_t"]
            entry["recycling_share"] = _series(years, _share(used[i, :, 0, :].sum(axis=0),
                                                             total.sum(axis=0)))
            total = total.sum(axis=0)
        entry["demand_t"] = _series(years, total)
        entry["demand_by_use_t"] = by_use
    reo = out.setdefault("rare-earth-oxide", {})
    by_reo = p.end_use_reo.values
    reo["end_use_demand_t"] = _series(years, by_reo.sum(axis=0))
    reo["end_use_demand_by_use_t"] = {str(u): _series(years, by_reo[k]) for k, u in
                                      enumerate(p.end_use_reo["use"].values)}


def lean_summary(cfg: MaterialsConfig, cat: Catalogue,
                 upstream: Mapping[str, xr.Dataset]) -> dict[str, Any] | None:
    """``summarize(run(...))`` in numpy, or None where this path does not cover the case.

    :func:`shigen.materials.stage.run_summary` then runs the whole stage.
    """
    if not _supported(cfg):
        return None
    energy = upstream.get("energy")
    if energy is None:
        return None
    try:
        return summary(plan(cfg, cat), energy)
    except _Fallback:
        return None
