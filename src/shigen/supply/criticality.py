"""The criticality matrix of an importer, as data (the report draws it).

Supply risk against economic importance, per commodity and year.

>>> from shigen.datasets import Catalogue
>>> m = criticality(Catalogue.bundled(), "JPN", years=[2009])
>>> float(m["import_reliance"].sel(commodity="rare-earths", year=2009))
1.0

EU CRM 2017 thresholds (critical if SR ≥ 1.0 and EI ≥ 2.8) are in ``attrs``.
Where EoL-RIR / SI_SR / EI inputs are missing, ``supply_risk`` and
``economic_importance`` are NaN and ``supply_risk_upper`` (EoL-RIR = 0,
SI_SR = 1) is given; for energy commodities of Japan, ``energy_share`` (share of
primary energy) is an alternative importance axis.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from shigen.errors import InputError, Location
from shigen.supply import data
from shigen.supply.chains import chain, commodities
from shigen.supply.risk import _check_country, risk

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

SR_THRESHOLD = 1.0
EI_THRESHOLD = 2.8
ENERGY_FUEL = {"crude-oil": "oil", "lng": "gas", "coal": "coal", "uranium": "nuclear"}
VARIABLES = ("supply_risk", "supply_risk_upper", "economic_importance", "import_reliance",
             "production_hhi", "bottleneck_hhi", "geopolrisk", "energy_share")


def _energy_share(cat: Catalogue, importer: str, commodity: str, year: int) -> float:
    if importer != "JPN" or commodity not in ENERGY_FUEL or "japan-primary-energy" not in cat:
        return np.nan
    f = cat.frame("japan-primary-energy")
    hit = f[(f["fuel"] == ENERGY_FUEL[commodity]) & (f["year"] == year)]
    return float(hit["value"].iloc[0]) if not hit.empty else np.nan


def criticality(cat: Catalogue, importer: str, years: Sequence[int] | None = None,
                commodity_list: Sequence[str] | None = None) -> xr.Dataset:
    """Criticality indicators over ``commodity`` × ``year`` for one importer.

    For each commodity, every chain stage with importer supply data is assessed and
    the stage with the highest ``supply_risk_upper`` is kept (the EU method reports
    the bottleneck of extraction and processing).
    """
    _check_country(importer)
    names = list(commodity_list or commodities(cat))
    for n in names:
        chain(cat, n)
    if years:
        all_years = sorted(set(years))
    else:
        found = {y for n in names for st in chain(cat, n).stages
                 for y in data.years_of(cat, st.dataset)}
        all_years = sorted(found)
    if not all_years:
        raise InputError("no years to assess", Location(field="years"),
                         "give years that the supply datasets cover")
    out = {v: np.full((len(names), len(all_years)), np.nan) for v in VARIABLES}
    stage_used = np.full((len(names), len(all_years)), "", dtype=object)
    for i, n in enumerate(names):
        ch = chain(cat, n)
        assessed = {}
        for st in ch.stages:
            ys = [y for y in all_years if y in data.years_of(cat, st.dataset)]
            if ys:
                assessed[st.name] = risk(cat, n, stage=st.name, importer=importer, years=ys)
        for j, y in enumerate(all_years):
            out["energy_share"][i, j] = _energy_share(cat, importer, n, y)
            best = None
            for name, ds_all in assessed.items():
                if y not in ds_all.year.values:
                    continue
                ds = ds_all.sel(year=y)
                key = float(ds["supply_risk_upper"])
                if best is None or (not np.isnan(key) and (np.isnan(best[0]) or key > best[0])):
                    best = (key, name, ds)
            if best is None:
                continue
            _, stage_used[i, j], ds = best
            for v in VARIABLES[:-1]:
                src = "eu_supply_risk" if v == "supply_risk" else v
                out[v][i, j] = float(ds[src])
    res = xr.Dataset({v: (("commodity", "year"), a) for v, a in out.items()},
                     coords={"commodity": names, "year": all_years})
    res["stage"] = (("commodity", "year"), stage_used)
    units = {"supply_risk": "EU SR scale", "supply_risk_upper": "EU SR scale",
             "economic_importance": "EU EI scale (0-10)", "import_reliance": "fraction",
             "production_hhi": "fraction", "bottleneck_hhi": "fraction",
             "geopolrisk": "dimensionless", "energy_share": "fraction"}
    for v, u in units.items():
        res[v].attrs["units"] = u
    res.attrs.update(importer=importer, sr_threshold=SR_THRESHOLD, ei_threshold=EI_THRESHOLD,
                     method="EU CRM 2017 (European Commission 2017; Blengini et al. 2017)")
    return res
