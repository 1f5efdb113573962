"""The ``materials`` stage: from deployment to recycling, mining and residues.

Deployment → element demand → in-use stock → end of life → recycling → joint
primary production and thorium in residues.

One readable path: ``deployment`` (units by product, region, year) × ``intensity``
(kg element per unit, by cohort year and Monte Carlo draw) → element inflow →
vectorised cohort model (:mod:`shigen.materials.cohort`) → ``eol`` yields →
closed-loop recycling → ``mining`` (balance problem). Every run checks the mass
balance of the cohort models and of the end-of-life split and records both in
``attrs["checks_json"]``, which the orchestrator copies into the run manifest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from shigen.errors import RunFailed
from shigen.materials import (
    balance,
    cohort,
    deployment,
    end_uses,
    eol,
    graph,
    headline,
    intensities,
    mining,
)
from shigen.materials.config import MaterialsConfig
from shigen.stages import StageSpec

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study

TOLERANCE = 1e-9
DIMS = ("element", "ree", "product", "use", "region", "year", "draw")
UNITS = {
    "units_inflow": "unit/yr (vehicle, MW or device; see attrs basis)",
    "intensity": "kg/unit", "demand": "t/yr", "stock": "t", "eol_outflow": "t/yr",
    "collected": "t/yr", "not_collected": "t/yr", "preprocessing_loss": "t/yr",
    "recovery_loss": "t/yr", "secondary_supply": "t/yr", "secondary_used": "t/yr",
    "primary_demand": "t/yr", "secondary_surplus": "t/yr", "recycling_share": "fraction",
    "mined_reo": "t/yr", "primary_supply": "t/yr", "supply_balance": "t/yr",
    "residue_thorium": "t/yr", "residue_uranium": "t/yr", "element_yield": "t/t",
    "collection_rate": "fraction", "preprocessing_yield": "fraction",
    "recovery_yield": "fraction", "end_use_demand": "t/yr", "total_demand": "t/yr",
    "end_use_reo": "t REO/yr",
}


def run(cfg: MaterialsConfig, study: Study, cat: Catalogue,
        upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    """Element demand, stocks, end-of-life flows, recycling and joint production."""
    years = np.arange(cfg.start_year, cfg.end_year + 1)
    rng = np.random.default_rng(study.study.seed)
    named = {d.product for d in cfg.deployment} | {
        p for split in cfg.from_energy.values() for p in split}
    lts = intensities.lifetimes(cat, cfg, sorted(named))

    from_traj, unit_error, negative = deployment.from_trajectories(cfg, years, lts)
    # the energy result is read only when the section maps its technologies to products:
    # a policy ensemble (which computes a stage only when asked) then never solves the LP
    energy = upstream.get("energy") if cfg.from_energy else None
    if cfg.energy_basis == "stock":
        from_energy, energy_error, energy_negative = deployment.from_energy_stock(
            cfg, energy, years, lts)
        unit_error, negative = max(unit_error, energy_error), negative + energy_negative
    else:
        from_energy = deployment.from_energy(cfg, energy, years)
    units = deployment.combine([from_energy, from_traj])
    names = [str(p) for p in units["product"].values]
    intensity = intensities.element_intensity(cat, cfg, names, years, rng)

    demand = (units * intensity / 1000.0).transpose("product", "element", "region", "draw",
                                                     "year")
    flows = cohort.labelled(demand, lts, by="product", inflow_at=cfg.inflow_at)
    residual = flows["inflow"].copy(data=balance.stock_balance(
        flows["inflow"].values, flows["outflow"].values, flows["stock"].values))
    by_element = balance.rel_error(residual, [flows["inflow"], flows["outflow"], flows["stock"]],
                                   by="element")

    r = eol.rates(cfg.recycling, years)
    end = eol.end_of_life(flows["outflow"], r)
    eol_gap = graph.system_balance(end, eol.CHAIN)
    eol_error = balance.rel_error(eol_gap, [end["eol_outflow"]], by="element")

    loop = eol.closed_loop(flows["inflow"].sum("product"), end["secondary_supply"].sum("product"))
    ds = xr.Dataset({
        "units_inflow": units, "intensity": intensity, "demand": flows["inflow"],
        "stock": flows["stock"], **{k: end[k] for k in end.data_vars}, **loop.data_vars,
        "collection_rate": r["collection"], "preprocessing_yield": r["preprocessing"],
        "recovery_yield": r["recovery"],
    })
    primary = loop["primary_demand"]
    if cfg.end_uses is not None:
        ds = ds.merge(_with_end_uses(ds["demand"], cat, cfg, years), join="outer")
        # non-magnet uses are not recycled here: their demand is all primary
        other = ds["end_use_demand"].sum("use").rename(ree="element")
        primary, other = xr.align(primary, other, join="outer", fill_value=0.0)
        primary = primary + other
    if cfg.mining is not None:
        ds = ds.merge(mining.joint_production(primary, cat, cfg.mining), join="outer")
    order = [d for d in DIMS if d in ds.dims] + [d for d in ds.dims if d not in DIMS]
    ds = ds.transpose(*order)
    for name, unit in UNITS.items():
        if name in ds:
            ds[name].attrs["units"] = unit
    from shigen.materials.registry import products

    ds["units_inflow"].attrs["basis"] = json.dumps({p: products()[p].basis for p in names})

    worst = max([unit_error, *by_element.values(), *eol_error.values(), 0.0])
    checks = {
        "mass_balance": {"tolerance": TOLERANCE, "max_rel_error": worst,
                         "by_element": by_element, "stock_driven_units": unit_error,
                         "end_of_life_by_element": eol_error, "passed": worst <= TOLERANCE},
        "negative_inflow_series": negative,
        "min_stock": float(flows["stock"].min()) if flows["stock"].size else 0.0,
    }
    if worst > TOLERANCE:
        raise RunFailed(f"materials mass balance off by {worst:.3g} (relative) > {TOLERANCE:g}",
                        fix="report this as a bug with the study file")
    ds.attrs.update(checks_json=json.dumps(checks), inflow_at=cfg.inflow_at,
                    draws=cfg.draws, sankey_year=cfg.sankey_year or -1,
                    balance_max_rel_error=worst)
    return ds


def _with_end_uses(magnets: xr.DataArray, cat: Catalogue, cfg: MaterialsConfig,
                   years: np.ndarray) -> xr.Dataset:
    """End-use demand (use, ree, region, year) and all-use demand (ree, region, draw, year)."""
    assert cfg.end_uses is not None
    eu = end_uses.demand(cat, cfg.end_uses, years).expand_dims(region=[cfg.end_uses.region])
    mag = magnets.sum("product").rename(element="ree")
    mag = mag.sel(ree=[e for e in mag["ree"].values if e in eu["ree"].values])
    mag, other = xr.align(mag, eu.sum("use"), join="outer", fill_value=0.0)
    return xr.Dataset({"end_use_demand": eu, "total_demand": mag + other,
                       "end_use_reo": end_uses.reo_by_use(cat, cfg.end_uses, years)})


def _series(da: xr.DataArray) -> dict[str, float]:
    return {str(int(y)): float(f"{float(v):.6g}") for y, v in da.to_series().items()}


def summarize(ds: xr.Dataset) -> dict[str, Any]:
    """Per element: demand, secondary supply, recycling share, stock (central draw)."""
    checks = json.loads(ds.attrs["checks_json"])
    central = ds.sel(draw=0)
    by_el = checks["mass_balance"]["by_element"]
    eol_el = checks["mass_balance"]["end_of_life_by_element"]
    unit_err = checks["mass_balance"]["stock_driven_units"]
    out: dict[str, Any] = {}
    for e in ds["element"].values:
        e = str(e)
        c = central.sel(element=e)
        demand = c["demand"].sum(("product", "region"))
        secondary = c["secondary_used"].sum("region")
        entry: dict[str, Any] = {
            "demand_t": _series(demand),
            "secondary_supply_t": _series(c["secondary_supply"].sum(("product", "region"))),
            "recycling_share": _series(xr.where(demand > 0, secondary / demand.where(demand > 0),
                                                0.0)),
            "stock_t": _series(c["stock"].sum(("product", "region"))),
            "eol_outflow_t": _series(c["eol_outflow"].sum(("product", "region"))),
            "primary_demand_t": _series(c["primary_demand"].sum("region")),
            "balance_max_rel_error": max(by_el.get(e, 0.0), eol_el.get(e, 0.0), unit_err),
        }
        if "primary_supply" in ds and e in ds["ree"].values:
            entry["primary_supply_t"] = _series(central["primary_supply"].sel(ree=e)
                                                .sum("region"))
            entry["surplus_t"] = _series(central["supply_balance"].sel(ree=e).sum("region"))
        if ds.sizes["draw"] > 1:
            total = ds["demand"].sel(element=e).sum(("product", "region"))
            q = total.quantile([0.05, 0.95], dim="draw")
            entry["demand_t_p05"] = _series(q.sel(quantile=0.05, drop=True))
            entry["demand_t_p95"] = _series(q.sel(quantile=0.95, drop=True))
        out[e] = entry
    if "mined_reo" in ds:
        worst = checks["mass_balance"]["max_rel_error"]
        for nuclide in ("thorium", "uranium"):
            out[nuclide] = {"residues_t": _series(central[f"residue_{nuclide}"].sum("region")),
                            "balance_max_rel_error": worst}
        for e in ds["ree"].values:
            if str(e) not in out:
                out[str(e)] = {
                    "primary_supply_t": _series(central["primary_supply"].sel(ree=e)
                                                .sum("region")),
                    "surplus_t": _series(central["supply_balance"].sel(ree=e).sum("region")),
                    "balance_max_rel_error": worst}
        out["rare-earth-oxide"] = {"mined_t": _series(central["mined_reo"].sum("region")),
                                   "balance_max_rel_error": worst}
    if "total_demand" in ds:
        _end_use_summary(ds, central, out)
    return out


def _end_use_summary(ds: xr.Dataset, central: xr.Dataset, out: dict[str, Any]) -> None:
    """``demand_t`` from every use per rare earth, its split by use, and REO demand."""
    for e in ds["ree"].values:
        e = str(e)
        entry = out.setdefault(e, {})
        entry.setdefault("balance_max_rel_error",
                         json.loads(ds.attrs["checks_json"])["mass_balance"]["max_rel_error"])
        by_use = central["end_use_demand"].sel(ree=e).sum("region")
        uses = {str(u): _series(by_use.sel(use=u)) for u in by_use["use"].values}
        if e in ds["element"].values:
            entry["magnet_demand_t"] = entry.get("demand_t") or _series(
                central["demand"].sel(element=e).sum(("product", "region")))
            uses["energy-products"] = entry["magnet_demand_t"]
            # the share of all-use demand that recycled magnets cover
            total = central["total_demand"].sel(ree=e).sum("region")
            used = central["secondary_used"].sel(element=e).sum("region")
            entry["recycling_share"] = _series(xr.where(total > 0, used / total.where(total > 0),
                                                        0.0))
        entry["demand_t"] = _series(central["total_demand"].sel(ree=e).sum("region"))
        entry["demand_by_use_t"] = uses
    reo = out.setdefault("rare-earth-oxide", {})
    reo["end_use_demand_t"] = _series(ds["end_use_reo"].sum("use"))
    reo["end_use_demand_by_use_t"] = {str(u): _series(ds["end_use_reo"].sel(use=u))
                                      for u in ds["use"].values}


def iamc(ds: xr.Dataset) -> pd.DataFrame:
    """IAMC rows (central draw, summed over products): demand, secondary supply, stock.

    The IAMC common definitions have no element-level material variables, so these are
    ``shigen|`` variables (docs/iamc.md).
    """
    central = ds.sel(draw=0)
    frames = []
    for var, label in (("demand", "Material Demand"), ("secondary_supply", "Secondary Supply"),
                       ("stock", "In-Use Stock"), ("eol_outflow", "End-of-Life Outflow")):
        s = central[var].sum("product").to_series().reset_index(name="value")
        s["variable"] = "shigen|" + label + "|" + s["element"].str.capitalize()
        s["unit"] = "t" if var == "stock" else "t/yr"
        frames.append(s)
    for nuclide in ("thorium", "uranium"):
        if f"residue_{nuclide}" in ds:
            s = central[f"residue_{nuclide}"].to_series().reset_index(name="value")
            s["variable"] = f"shigen|Mining Residues|{nuclide.capitalize()}"
            s["unit"] = "t/yr"
            frames.append(s)
    out = pd.concat(frames, ignore_index=True)
    return out[["region", "variable", "unit", "year", "value"]]


def draws(cfg: MaterialsConfig) -> bool:
    """The seed feeds only the magnet-mass draws: a section with ``draws = 0`` never uses it.

    So ensemble samples (each with its own seed) reuse one materials run per package.
    """
    return cfg.draws > 0


def run_summary(cfg: MaterialsConfig, study: Study, cat: Catalogue,
                upstream: Mapping[str, xr.Dataset]) -> dict[str, Any]:
    """``summarize(run(...))`` without the result dataset, where the numpy path covers it.

    What an uncertainty sample of a study that ends with this stage needs
    (:mod:`shigen.materials.headline`).
    """
    lean = headline.lean_summary(cfg, cat, upstream)
    return lean if lean is not None else summarize(run(cfg, study, cat, upstream))


STAGE = StageSpec(name="materials", title="Materials, stocks and recycling", run=run,
                  summarize=summarize, iamc=iamc, draws=draws, summarize_run=run_summary)
