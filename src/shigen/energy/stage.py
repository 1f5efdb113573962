"""The ``energy`` stage: a least-cost capacity-expansion LP of the energy system.

``run`` loads the datasets, builds and solves the LP (HiGHS via linopy), names the
conflicting constraints when a study is infeasible (exit 1), and compares the study
with the baseline study it names (the baseline is solved once per process and cached).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from shigen.energy import bill, binding, imports, investment, outage_effect, warnings
from shigen.energy.basis import BUILD_FIGURES, PLANT_FIGURES, figure_basis
from shigen.energy.compare import OPTIONS, compare, investment_window
from shigen.energy.config import EnergyConfig
from shigen.energy.constants import RENEWABLE
from shigen.energy.diagnose import diagnose
from shigen.energy.inputs import Inputs, load_inputs
from shigen.energy.model import Outcome, Status, run_model
from shigen.energy.resolve import EnergyResampler
from shigen.energy.results import results, series
from shigen.errors import InputError, Location, RunFailed
from shigen.stages import StageSpec

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study

_BASELINES: dict[str, xr.Dataset] = {}


def solve_study(cfg: EnergyConfig, cat: Catalogue, inputs: Inputs | None = None) -> xr.Dataset:
    """Solve one energy configuration; raise ``RunFailed`` naming conflicts if infeasible.

    ``inputs`` (for the same regions and periods) skips reading the datasets again.
    """
    t0 = time.perf_counter()
    inp = inputs if inputs is not None else load_inputs(cfg, cat)
    load = time.perf_counter() - t0
    out = run_model(cfg, cat, inputs=inp)
    out.timings.load = load
    return outcome_dataset(out, cfg, cat, inp)


def outcome_dataset(out: Outcome, cfg: EnergyConfig, cat: Catalogue,
                    inp: Inputs) -> xr.Dataset:
    """The result dataset of a solved model (``RunFailed`` naming conflicts if infeasible).

    Shared by :func:`solve_study` and the re-solve of uncertainty samples
    (:mod:`shigen.energy.resolve`), which hands in a model solved from changed arrays.
    """
    if out.status is Status.INFEASIBLE:
        diag = diagnose(cfg, inp)
        raise RunFailed(diag.message(), Location(field="energy"),
                        "relax the named policy (later year, looser cap or share) or the data "
                        "limits it conflicts with (--data folder)")
    if out.status is not Status.OPTIMAL:
        raise RunFailed(f"the energy model could not be solved (status {out.status.value})",
                        Location(field="energy"), "check the study's energy section and data")
    ds = results(out)
    t = out.timings
    ds.attrs.update(load_s=round(t.load, 4), build_s=round(t.build, 4),
                    solve_s=round(t.solve_total, 4), solver_s=round(t.solver, 4),
                    extract_s=round(t.extract, 4), algorithm=out.algorithm)
    ds.attrs["warnings_json"] = warnings.to_json(warnings.run_checks(ds, out))
    if "energy-fuel-physical-content" in cat:
        content = imports.content_by_fuel(cat.frame("energy-fuel-physical-content"))
        ds["imports_physical"] = imports.physical_imports(ds["imports"], content)
        ds["imports_physical"].attrs["units"] = "see physical_unit"
    return ds


def _baseline(cfg: EnergyConfig, cat: Catalogue, inputs: Inputs) -> xr.Dataset:
    key = hashlib.sha256((cfg.model_dump_json() + json.dumps(cat.fingerprint(), sort_keys=True))
                         .encode()).hexdigest()
    if key not in _BASELINES:
        _BASELINES[key] = solve_study(cfg, cat, inputs)
    return _BASELINES[key]


def run(cfg: EnergyConfig, study: Study, cat: Catalogue,
        upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    """Least-cost pathway for the study; compared with its baseline when it names one."""
    return pathway(cfg, cat, solve_study, _baseline)


Solver = Callable[[EnergyConfig, "Catalogue", Inputs], xr.Dataset]


def pathway(cfg: EnergyConfig, cat: Catalogue, solve: Solver, solve_baseline: Solver) -> xr.Dataset:
    """The study solved by ``solve`` and compared with its baseline (``solve_baseline``).

    The baseline reads the study's inputs (same regions and periods, checked).
    """
    t0 = time.perf_counter()
    if cfg.currency is not None:  # refuse a currency without rates before solving
        bill.units_per_usd(cat.frame(bill.FX_DATASET), cfg.currency)
    inp = load_inputs(cfg, cat)
    ref = _reference(cfg, cat)  # a bad name fails before the solve
    load = time.perf_counter() - t0
    ds = solve(cfg, cat, inp)
    ds.attrs["load_s"] = round(load, 4)
    if cfg.outage:  # the outage's extra imports and bill, against the study without it
        ds = outage_effect.attach(ds, solve_study(cfg.model_copy(update={"outage": []}), cat),
                                  cat, cfg.currency)
    base_cfg = cfg.baseline_config
    if base_cfg is not None:
        if base_cfg.regions != cfg.regions or base_cfg.periods() != cfg.periods():
            raise RunFailed("the baseline study has other regions or periods than this study",
                            Location(field="energy.baseline"),
                            "name a baseline with the same regions, first_year, last_year, step")
        base = solve_baseline(base_cfg, cat, inp)
        ds = compare(ds, base, str(cfg.baseline))
        ds.attrs["investment_comparison_json"] = json.dumps(investment.comparison(
            ds, base, ref, investment.cost_status(cat), cfg.investment_reference))
    return ds


def _reference(cfg: EnergyConfig, cat: Catalogue) -> dict[str, dict[str, Any]] | None:
    """The published figures of the study's investment reference (None if it names none)."""
    name = cfg.investment_reference
    ref = None
    if name is not None:
        if investment.REFERENCE_DATASET not in cat:
            raise InputError(f"energy.investment_reference '{name}' needs the dataset "
                             f"'{investment.REFERENCE_DATASET}'",
                             Location(field="energy.investment_reference"),
                             "remove investment_reference or restore the bundled dataset")
        ref = investment.reference(cat, name)
        if not ref:
            known = sorted({str(s) for s in cat.frame(investment.REFERENCE_DATASET)["scenario"]})
            raise InputError(f"energy.investment_reference '{name}' is not a scenario of "
                             f"'{investment.REFERENCE_DATASET}'",
                             Location(field="energy.investment_reference"),
                             f"use one of {', '.join(known)}")
    return ref


def resampler(cfg: EnergyConfig, study: Study, cat: Catalogue, datasets: Sequence[str],
              samples: int) -> EnergyResampler:
    """The LPs built once for an uncertainty run's samples (:mod:`shigen.energy.resolve`)."""
    return EnergyResampler(cfg, cat, datasets, samples, pathway=pathway,
                           solve_outcome=outcome_dataset, rebuild=_rebuild_sample)


def _rebuild_sample(cfg: EnergyConfig, study: Study, cat: Catalogue,
                    upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    """:func:`run` for an uncertainty sample: the baseline solved, not cached.

    Every sample's data differ, so the cache of baselines would only grow (and hashing
    every dataset file per sample for its key costs a file read each).
    """
    return pathway(cfg, cat, solve_study, solve_study)


def _r(x: Any, d: int = 3) -> float | None:
    return round(float(x), d) if np.isfinite(x) else None


def _physical(ds: xr.Dataset) -> dict[str, Any] | None:
    """Imports by fuel in Mt of coal, Mt of LNG and million barrels a day of oil."""
    if "imports_physical" not in ds:  # runs stored before it
        return None
    da = ds["imports_physical"]
    return {str(f): {"unit": str(da.physical_unit.sel(traded_fuel=f).item()),
                     "series": series(da.sel(traded_fuel=f).sum("region"), 3)}
            for f in da.traded_fuel.values}


def summarize(ds: xr.Dataset) -> dict[str, Any]:
    """The ``energy`` object of ``shigen run --json``."""
    if "headline" in ds.attrs:  # an uncertainty sample's figures (energy/headline.py)
        return dict(ds.attrs["headline"])
    window = investment_window(ds)
    last = int(ds.year.values[-1])
    co2 = ds["co2"].sum(["sector", "region"]) / 1000.0
    builds = ds["builds_per_year"].sum("region").sel(year=window).mean("year")
    plants = ds["plants_per_year"].sum("region").sel(year=window).mean("year")
    gen = ds["generation"].sum("region")
    power = gen.drop_sel(technology="storage").sum("technology")
    primary = ds["primary_energy"].sum("region")
    imports = ds["imports"].sum(["region", "fuel"])
    total_primary = primary.sum("carrier")
    records = binding.from_json(ds.attrs.get("binding_json"))
    basis = figure_basis(ds, records, window)

    def techs(figures: dict[str, tuple[str, ...]], of: xr.DataArray, d: int) -> dict[str, Any]:
        return {k: _r(of.sel(technology=list(t)).sum(), d) for k, t in figures.items()}

    out: dict[str, Any] = {
        "regions": str(ds.attrs["regions"]).split(","),
        "currency": ds.attrs.get("currency"),
        "co2_gt": series(co2, 3),
        "co2_by_sector_gt": {str(s): series(ds["co2"].sel(sector=s).sum("region") / 1000.0, 3)
                             for s in ds.sector.values},
        "builds_per_year": techs(BUILD_FIGURES, builds, 3),
        "plants_per_year": {**techs(PLANT_FIGURES, plants, 1),
                            "wind_turbines": _r(plants.sel(technology=list(
                                PLANT_FIGURES["wind_turbines"])).sum(), 0)},
        "builds_window": f"{window[0] - int(ds.attrs['step']) + 1}-{window[-1]}",
        "co2_price_usd_per_t": series(ds["co2_price"], 1),
        "sector_co2_premium_usd_per_t": {
            str(k): series(ds["sector_co2_premium"].sel(capped_sector=k), 1)
            for k in ds["sector_co2_premium"].capped_sector.values},
        "import_dependence": series(imports / total_primary, 4),
        "fossil_import_bill_usd_bn": series(ds["import_bill"].sum(["region", "fuel"]), 1),
        "imports_physical": _physical(ds),
        "electricity_twh": series(power, 1),
        "primary_energy_ej": series(total_primary / 1000.0, 2),
        "shares": {
            "nuclear_power": series(gen.sel(technology="nuclear") / power, 4),
            "renewables_power": series(gen.sel(technology=list(RENEWABLE)).sum("technology")
                                       / power, 4),
            "oil_primary": series(primary.sel(carrier="oil") / total_primary, 4),
            "transport_oil": series(ds["transport_oil"].sum("region")
                                    / ds["transport_energy"].sum("region"), 4),
        },
        "energy_intensity_vs_base": series(
            (total_primary / ds["gdp"].sum("region"))
            / float((total_primary / ds["gdp"].sum("region")).isel(year=0)), 4),
        "investment_usd_trillion": _r(float(ds["investment"].sel(year=window).sum()) / 1000.0),
        "baseline": ds.attrs.get("baseline"),
        "additional_investment_usd_trillion": None,
        "additional_investment_share_gdp": None,
        "emission_reduction_shares": None,
        "objective_usd_bn_pv": _r(ds.attrs["objective_bn_usd"], 1),
        "timings_s": {k: ds.attrs.get(f"{k}_s") for k in ("load", "build", "solver", "extract")},
        "binding": [asdict(r) for r in records],
        "figure_basis": basis,
        "warnings": [asdict(w) for w in (
            warnings.from_json(ds.attrs.get("warnings_json"))
            + warnings.on_assumed_bound(basis, int(ds.attrs["step"])))],
    }
    effect = outage_effect.summary(ds)
    if effect is not None:  # a study with [[energy.outage]]: its extra imports and bill
        out["outage_effect"] = effect
    if "flows" in ds:  # regions joined by electricity links
        out["electricity_trade_twh"] = series(ds["exports"].sum(["region", "slice"]), 1)
        out["transmission_losses_twh"] = series(ds["transmission_losses"].sum("link"), 2)
        out["link_additions_gw"] = _r(float(ds["link_additions"].sum()), 2)
    if "additional_investment" in ds:
        add = float(ds.attrs["additional_investment_bn_usd"])
        out["additional_investment_usd_trillion"] = _r(add / 1000.0)
        out["additional_investment_share_gdp"] = _r(add / float(ds.attrs["cumulative_gdp_bn_usd"]),
                                                    5)
        if "investment_comparison_json" in ds.attrs:
            out["investment_comparison"] = json.loads(ds.attrs["investment_comparison_json"])
        red = ds["reduction_by_option"]
        total = float(red.attrs.get("total", red.sum()))
        if total > 0:
            out["emission_reduction_shares"] = {o: _r(float(red.sel(option=o)) / total, 4)
                                                for o in OPTIONS}
        out["reduction_year"] = last
    return out


#: IAMC common-definitions names of shigen's dimension values; a value missing here keeps
#: a ``shigen|`` variable (see docs/iamc.md)
IAMC_CO2_SECTOR = {"power": "Supply|Electricity", "industry": "Demand|Industry",
                   "buildings": "Demand|Residential and Commercial",
                   "transport": "Demand|Transportation", "other": "Demand|Other Sector"}
IAMC_TECHNOLOGY = {"coal": "Coal|w/o CCS", "coal_ccs": "Coal|w/ CCS",
                   "gas_ccgt": "Gas|w/o CCS", "gas_ccs": "Gas|w/ CCS", "oil": "Oil",
                   "nuclear": "Nuclear", "biomass": "Biomass|w/o CCS",
                   "biomass_ccs": "Biomass|w/ CCS", "hydro": "Hydro",
                   "wind_onshore": "Wind|Onshore", "wind_offshore": "Wind|Offshore",
                   "solar_pv": "Solar|PV", "csp": "Solar|CSP", "geothermal": "Geothermal"}
IAMC_CARRIER = {"coal": "Coal", "oil": "Oil", "gas": "Gas", "nuclear": "Nuclear",
                "hydro": "Hydro", "wind": "Wind", "solar": "Solar",
                "geothermal": "Geothermal", "biomass": "Biomass"}
IAMC_INVESTMENT = {"power": "Investment|Energy Supply|Electricity",
                   "grid": "Investment|Energy Supply|Electricity|Transmission and Distribution"}


def iamc(ds: xr.Dataset) -> pd.DataFrame:
    """IAMC rows: emissions, capacity, generation, primary energy, investment, carbon price.

    Names follow the IAMC common definitions where one exists (the ``IAMC_*`` tables);
    other values go under ``shigen|<variable>|<value>``.
    """
    frames = []

    def add(da: xr.DataArray, iamc_name: str, custom: str, unit: str,
            names: dict[str, str] | None = None, dim: str | None = None,
            factor: float = 1.0) -> None:
        s = (da * factor).to_series().dropna().reset_index()
        s = s.rename(columns={s.columns[-1]: "value"})
        if dim is None or names is None:
            s["variable"] = iamc_name
        else:
            s["variable"] = [f"{iamc_name}|{names[v]}" if v in names else f"{custom}|{v}"
                             for v in s[dim].astype(str)]
        s["unit"] = unit
        frames.append(s[["region", "variable", "unit", "year", "value"]])

    add(ds["co2"].sum("sector"), "Emissions|CO2|Energy", "", "Mt CO2/yr")
    add(ds["co2"], "Emissions|CO2|Energy", "shigen|Emissions|CO2|Energy", "Mt CO2/yr",
        IAMC_CO2_SECTOR, "sector")
    add(ds["capacity"], "Capacity|Electricity", "shigen|Capacity|Electricity", "GW",
        IAMC_TECHNOLOGY, "technology")
    add(ds["generation"], "Secondary Energy|Electricity", "shigen|Secondary Energy|Electricity",
        "EJ/yr", IAMC_TECHNOLOGY, "technology", 0.0036)
    add(ds["primary_energy"], "Primary Energy", "shigen|Primary Energy", "EJ/yr",
        IAMC_CARRIER, "carrier", 1e-3)
    invest = ds["investment"] / int(ds.attrs["step"])
    s = invest.to_series().dropna().reset_index(name="value")
    s["variable"] = [IAMC_INVESTMENT.get(c, f"shigen|Investment|{c}")
                     for c in s["category"].astype(str)]
    s["unit"] = "billion US$2005/yr"
    frames.append(s[["region", "variable", "unit", "year", "value"]])
    price = ds["co2_price"].expand_dims(region=["World"])
    add(price, "Price|Carbon", "", "US$2005/t CO2")
    return pd.concat(frames, ignore_index=True)


STAGE = StageSpec(name="energy", title="Energy pathways (least-cost LP)", run=run,
                  summarize=summarize, iamc=iamc, draws=False, resampler=resampler)
