"""The ``supply`` stage: who supplies each commodity at each stage, how concentrated."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from shigen.errors import InputError, Location
from shigen.stages import StageSpec
from shigen.supply import indicators
from shigen.supply.chains import chain
from shigen.supply.config import SupplyConfig

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study


def stage_volumes(cat: Catalogue, dataset: str, year: int) -> dict[str, float]:
    """Volumes by country for one year (companies summed), from a stage dataset."""
    frame = cat.frame(dataset)
    if "year" in frame.columns:
        available = sorted(int(y) for y in frame["year"].unique())
        if year not in available:
            raise InputError(f"dataset '{dataset}' has no data for {year}",
                             Location(field="supply.years"),
                             f"choose among years {available}")
        frame = frame[frame["year"] == year]
    grouped = frame.groupby("country")["value"].sum()
    return {str(k): float(v) for k, v in grouped.items()}


def import_shares(cat: Catalogue, dataset: str, year: int) -> dict[str, float] | None:
    frame = cat.frame(dataset)
    frame = frame[frame["year"] == year]
    if frame.empty:
        return None
    return indicators.shares(dict(zip(frame["origin"], frame["value"], strict=True)))


def run(cfg: SupplyConfig, study: Study, cat: Catalogue,
        upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    """Market shares by country, HHI and top producer per commodity, stage and year."""
    rows: list[dict[str, Any]] = []
    imp_rows: list[dict[str, Any]] = []
    for commodity in cfg.commodities:
        ch = chain(commodity)
        for year in cfg.years:
            for stage in ch.stages:
                ds_name = ch.datasets.get(stage)
                if not ds_name:
                    continue
                frame = cat.frame(ds_name)
                if "year" in frame.columns and year not in set(frame["year"]):
                    continue
                share = indicators.shares(stage_volumes(cat, ds_name, year))
                for country, s in share.items():
                    rows.append(dict(commodity=commodity, stage=stage, year=year,
                                     country=country, share=s))
            if cfg.importer and cfg.importer in ch.imports:
                sh = import_shares(cat, ch.imports[cfg.importer], year)
                for origin, s in (sh or {}).items():
                    imp_rows.append(dict(commodity=commodity, year=year, country=origin,
                                         import_share=s))
    if not rows and not imp_rows:
        raise InputError(f"no supply data for {cfg.commodities} in years {cfg.years}",
                         Location(field="supply.years"),
                         "use `shigen data show DATASET` to see the years each dataset covers")
    share = (pd.DataFrame(rows).set_index(["commodity", "stage", "year", "country"])["share"]
             .to_xarray() if rows else xr.DataArray(np.zeros((0, 0, 0, 0)),
                                                    dims=("commodity", "stage", "year", "country")))
    hhi = xr.apply_ufunc(
        lambda a: np.nansum(np.where(np.isnan(a), 0.0, a) ** 2, axis=-1), share.drop_sel(
            country=[c for c in ["OTHER"] if c in share.country.values]),
        input_core_dims=[["country"]])
    hhi = hhi.where(share.notnull().any("country"))
    out = xr.Dataset({"share": share, "production_hhi": hhi})
    out["share"].attrs["units"] = "fraction"
    out["production_hhi"].attrs["units"] = "fraction"
    if imp_rows:
        imp = pd.DataFrame(imp_rows).set_index(["commodity", "year", "country"])["import_share"]
        out["import_share"] = imp.to_xarray()
        out["import_share"].attrs["units"] = "fraction"
    out.attrs["importer"] = cfg.importer or ""
    return out


def summarize(ds: xr.Dataset) -> dict[str, Any]:
    """Per commodity and year: each stage's HHI and top producer; import concentration."""
    out: dict[str, Any] = {}
    commodities = list(ds["share"].commodity.values) if "share" in ds else []
    if "import_share" in ds:
        commodities = sorted(set(commodities) | set(ds["import_share"].commodity.values))
    for commodity in commodities:
        per_year: dict[str, Any] = {}
        years = sorted(set(int(y) for y in ds.year.values))
        for year in years:
            stages = []
            if "share" in ds and commodity in ds["share"].commodity.values:
                for stage in ds["share"].stage.values:
                    s = ds["share"].sel(commodity=commodity, stage=stage, year=year).to_series()
                    s = s.dropna()
                    if s.empty:
                        continue
                    k, v = indicators.top(s.to_dict())
                    stages.append({"stage": str(stage),
                                   "production_hhi": round(indicators.hhi(s.to_dict()), 6),
                                   "top_producer": k,
                                   "top_producer_share": None if v is None else round(v, 6)})
            entry: dict[str, Any] = {"stages": stages}
            if "import_share" in ds and commodity in ds["import_share"].commodity.values:
                s = ds["import_share"].sel(commodity=commodity, year=year).to_series().dropna()
                if not s.empty:
                    k, v = indicators.top(s.to_dict())
                    entry.update(import_hhi=round(indicators.hhi(s.to_dict()), 6),
                                 top_supplier=k,
                                 top_supplier_share=None if v is None else round(v, 6))
            if stages or len(entry) > 1:
                per_year[str(year)] = entry
        out[str(commodity)] = per_year
    return {"importer": ds.attrs.get("importer") or None, "commodities": out}


def iamc(ds: xr.Dataset) -> pd.DataFrame:
    """IAMC rows: ``Supply Share|<commodity>|<stage>`` by country (region)."""
    s = ds["share"].to_series().dropna().reset_index()
    s["variable"] = "Supply Share|" + s["commodity"] + "|" + s["stage"]
    s = s.rename(columns={"country": "region", "share": "value"})
    s["unit"] = "fraction"
    return s[["region", "variable", "unit", "year", "value"]]


STAGE = StageSpec(name="supply", title="Supply chains and concentration", run=run,
                  summarize=summarize, iamc=iamc)
