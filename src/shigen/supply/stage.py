"""The ``supply`` stage of a study.

Each commodity's chain by stage (in chain order), country shares, concentration,
the importer's exposure, criticality and bilateral measures.

It calls the same API as the CLI (``risk``, ``interdependence``), so a study run
and ``shigen risk`` give the same numbers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from shigen.errors import InputError, Location
from shigen.run_warnings import attach
from shigen.stages import StageSpec
from shigen.supply import data, indicators
from shigen.supply.chains import chain
from shigen.supply.config import SupplyConfig
from shigen.supply.criticality import EI_THRESHOLD, SR_THRESHOLD, criticality
from shigen.supply.data_warnings import data_warnings
from shigen.supply.interdependence import interdependence
from shigen.supply.risk import risk

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study

PER_YEAR = ("import_reliance", "import_hhi", "top_supplier_share", "supply_risk_upper",
            "eu_supply_risk", "geopolrisk", "bottleneck_hhi", "bottleneck_exposure")
CRITICALITY_VARS = ("supply_risk", "supply_risk_upper", "economic_importance", "energy_share")
PAIR_VARS = ("trade_share_a", "trade_share_b", "salience", "symmetry",
             "barbieri_interdependence", "sensitivity_a", "sensitivity_b", "asymmetry",
             "reciprocity")


def _stage_order(cat: Catalogue, commodities: list[str]) -> list[str]:
    """Union of the chains' stage names, each chain's order kept (first appearance)."""
    out: list[str] = []
    for c in commodities:
        out += [s for s in chain(cat, c).stage_names if s not in out]
    return out


def _chain_orders(ds: xr.Dataset) -> dict[str, list[str]]:
    """Each commodity's stages in chain order, as ``run`` recorded them (JSON attr)."""
    return json.loads(ds.attrs.get("chain_order", "{}"))


def _series(rows: list[dict[str, Any]], index: list[str], name: str) -> xr.DataArray | None:
    if not rows:
        return None
    return pd.DataFrame(rows).set_index(index)[name].to_xarray()


def run(cfg: SupplyConfig, study: Study, cat: Catalogue,
        upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    """Shares by commodity × stage × year × country and the importer's risk indicators."""
    share_rows: list[dict[str, Any]] = []
    imp_rows: list[dict[str, Any]] = []
    per_year: list[dict[str, Any]] = []
    cp_rows: list[dict[str, Any]] = []
    for commodity in cfg.commodities:
        ch = chain(cat, commodity, field_name="supply.commodities")
        for st in ch.stages:
            for year in cfg.years:
                sh = data.country_shares(cat, st, year)
                for country, s in (sh or {}).items():
                    share_rows.append(dict(commodity=commodity, stage=st.name, year=year,
                                           country=country, share=s))
                ref = ch.import_ref(cfg.importer, st.name) if cfg.importer else None
                origins = data.origin_shares(cat, ref, year) if ref else None
                for origin, s in (origins or {}).items():
                    imp_rows.append(dict(commodity=commodity, stage=st.name, year=year,
                                         country=origin, import_share=s))
        primary = ch.stages[0]
        years = [y for y in cfg.years if y in data.years_of(cat, primary.dataset)]
        if cfg.importer and years:
            r = risk(cat, commodity, importer=cfg.importer, years=years)
            for y in years:
                at = r.sel(year=y)
                per_year.append({"commodity": commodity, "year": y,
                                 **{v: float(at[v]) for v in PER_YEAR}})
                for cp in at.chokepoint.values if "chokepoint" in at.dims else []:
                    v = float(at["chokepoint_share"].sel(chokepoint=cp))
                    if not np.isnan(v):
                        cp_rows.append(dict(commodity=commodity, year=y, chokepoint=str(cp),
                                            chokepoint_share=v))
    # no production shares in any study year: the concentration measures would all be
    # empty, even when import shares exist (a data override that drops the study's year
    # gave "stages": [] and exit 0). A commodity missing some years is fine: studies span
    # years that not every dataset covers (the flagship's coal has only recent data)
    if not share_rows:
        have = "; ".join(
            f"{c} {st.name} {min(ys)}-{max(ys)}" for c in cfg.commodities
            for st in chain(cat, c).stages if (ys := data.years_of(cat, st.dataset)))
        raise InputError(f"no supply data for {cfg.commodities} in years {cfg.years}",
                         Location(field="supply.years"), f"choose years with data: {have}")
    stages = _stage_order(cat, cfg.commodities)
    parts: list[xr.DataArray] = []
    share = _series(share_rows, ["commodity", "stage", "year", "country"], "share")
    if share is not None:
        named = share.drop_sel(country=[c for c in [indicators.AGGREGATE]
                                        if c in share.country.values])
        hhi = indicators.hhi_along(share, "country")
        parts += [share, hhi.rename("production_hhi"),
                  named.max("country").rename("top_producer_share")]
    imp = _series(imp_rows, ["commodity", "stage", "year", "country"], "import_share")
    if imp is not None:
        parts.append(imp)
    if per_year:
        frame = pd.DataFrame(per_year).set_index(["commodity", "year"])
        parts += [frame[v].to_xarray() for v in PER_YEAR]
    cps = _series(cp_rows, ["commodity", "year", "chokepoint"], "chokepoint_share")
    if cps is not None:
        parts.append(cps)
    if cfg.importer:
        matrix = criticality(cat, cfg.importer, years=cfg.years, commodity_list=cfg.commodities)
        parts += [matrix[v].rename(f"crit_{v}") for v in CRITICALITY_VARS]
    out = xr.merge(parts, join="outer", compat="no_conflicts", combine_attrs="drop")
    out = out.reindex(commodity=[c for c in cfg.commodities if c in out.commodity.values],
                      stage=[s for s in stages if s in out.stage.values])
    pairs = []
    for i, (a, b) in enumerate(cfg.interdependence):
        try:
            pairs.append(interdependence(cat, a, b))
        except InputError as exc:
            raise InputError(exc.what, Location(field=f"supply.interdependence.{i}"),
                             exc.fix) from None
    if pairs:
        labels = [f"{p.attrs['a']}-{p.attrs['b']}" for p in pairs]
        for var in PAIR_VARS:
            out[f"pair_{var}"] = ("pair", [float(p[var]) for p in pairs])
        out["pair_year"] = ("pair", [int(p.attrs["year"]) for p in pairs])
        out = out.assign_coords(pair=labels)
    for name, da in out.data_vars.items():
        da.attrs["units"] = "year" if name == "pair_year" else (
            "dimensionless" if str(name).startswith("pair_") else "fraction")
    for var in ("supply_risk_upper", "eu_supply_risk"):
        if var in out:
            out[var].attrs["units"] = "EU SR scale"
    if "geopolrisk" in out:
        out["geopolrisk"].attrs["units"] = "dimensionless"
    out.attrs["importer"] = cfg.importer or ""
    out.attrs["stage_order"] = ",".join(stages)
    out.attrs["chain_order"] = json.dumps({c: chain(cat, c).stage_names
                                           for c in cfg.commodities})
    return attach(out, data_warnings(cat, cfg.commodities, cfg.years, cfg.importer))


def _num(v: Any) -> float | None:
    f = float(v)
    return None if np.isnan(f) else round(f, 6)


def summarize(ds: xr.Dataset) -> dict[str, Any]:
    """Per commodity and year: each stage in chain order, then the importer's exposure.

    Per country pair: the bilateral measures.
    """
    out: dict[str, Any] = {}
    commodities: list[str] = []
    for var in ("share", "import_share", *PER_YEAR):
        if var in ds:
            commodities += [str(c) for c in ds[var].commodity.values
                            if str(c) not in commodities]
    years = sorted(int(y) for y in ds.year.values) if "year" in ds.coords else []
    order = _chain_orders(ds)
    stage_coord = [str(s) for s in ds.stage.values] if "stage" in ds.coords else []
    for commodity in commodities:
        per: dict[str, Any] = {}
        for year in years:
            stages = []
            for st in order.get(commodity, stage_coord):
                if ("share" not in ds or commodity not in ds["share"].commodity.values
                        or st not in ds["share"].stage.values):
                    continue
                s = ds["share"].sel(commodity=commodity, stage=st, year=year).to_series()
                s = s.dropna()
                if s.empty:
                    continue
                k, v = indicators.top(s.to_dict())
                stages.append({"stage": st, "production_hhi": round(indicators.hhi(s.to_dict()), 6),
                               "top_producer": k,
                               "top_producer_share": None if v is None else round(v, 6)})
            entry: dict[str, Any] = {"stages": stages}
            for var in PER_YEAR:
                if (var in ds and commodity in ds[var].commodity.values
                        and year in ds[var].year.values):
                    entry[var] = _num(ds[var].sel(commodity=commodity, year=year))
            if "import_share" in ds and commodity in ds["import_share"].commodity.values:
                sub = ds["import_share"].sel(commodity=commodity, year=year)
                first = [st for st in order.get(commodity, stage_coord)
                         if st in sub.stage.values]
                for st in first[:1]:
                    sh = sub.sel(stage=st).to_series().dropna().to_dict()
                    if sh:
                        k, v = indicators.top(sh)
                        entry.update(import_stage=st, top_supplier=k,
                                     top_supplier_share=round(v, 6) if v is not None else None,
                                     import_hhi=round(indicators.hhi(sh), 6))
            if "chokepoint_share" in ds and commodity in ds["chokepoint_share"].commodity.values:
                cp = ds["chokepoint_share"].sel(commodity=commodity, year=year).to_series()
                cp = cp.dropna()
                if not cp.empty:
                    entry["chokepoints"] = {str(k): round(float(v), 6) for k, v in cp.items()}
            if stages or len(entry) > 1:
                per[str(year)] = entry
        out[commodity] = per
    summary: dict[str, Any] = {"importer": ds.attrs.get("importer") or None, "commodities": out}
    if "crit_supply_risk_upper" in ds:
        summary["criticality"] = {
            "sr_threshold": SR_THRESHOLD, "ei_threshold": EI_THRESHOLD,
            "by_commodity": {str(c): {str(int(y)): {
                v: _num(ds[f"crit_{v}"].sel(commodity=c, year=y)) for v in CRITICALITY_VARS}
                for y in ds.year.values} for c in ds.commodity.values}}
    if "pair" in ds.coords:
        summary["interdependence"] = {
            str(p): {"year": int(ds["pair_year"].sel(pair=p)),
                     **{var: _num(ds[f"pair_{var}"].sel(pair=p)) for var in PAIR_VARS}}
            for p in ds.pair.values}
    return summary


def iamc(ds: xr.Dataset) -> pd.DataFrame:
    """IAMC rows: supply shares by country and the importer's risk indicators.

    Variables ``shigen|Supply Share|<commodity>|<stage>`` (region = country) and
    ``shigen|Supply Risk|<indicator>|<commodity>`` (region = importer): the IAMC common
    definitions have no supply-chain variables (docs/iamc.md).
    """
    s = ds["share"].to_series().dropna().reset_index()
    s["variable"] = "shigen|Supply Share|" + s["commodity"] + "|" + s["stage"]
    s = s.rename(columns={"country": "region", "share": "value"})
    s["unit"] = "fraction"
    frames = [s[["region", "variable", "unit", "year", "value"]]]
    importer = ds.attrs.get("importer") or "World"
    for v in PER_YEAR:
        if v not in ds:
            continue
        r = ds[v].to_series().dropna().reset_index()
        r["variable"] = f"shigen|Supply Risk|{v}|" + r["commodity"]
        r["region"] = importer
        r["unit"] = ds[v].attrs.get("units", "")
        r = r.rename(columns={v: "value"})
        frames.append(r[["region", "variable", "unit", "year", "value"]])
    return pd.concat(frames, ignore_index=True)


STAGE = StageSpec(name="supply", title="Supply chains and concentration", run=run,
                  summarize=summarize, iamc=iamc, draws=False)
