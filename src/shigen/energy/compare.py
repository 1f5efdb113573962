"""A study against its baseline: additional investment and what cut the CO2.

Additional investment is the undiscounted sum, over the periods after the base decade
(years ``first_year + 6 .. last_year``, e.g. 2011-2050), of investment in power plants,
vehicles (light-duty, trucks, buses), end-use efficiency and industrial CO2 capture, minus
the same in the baseline (line by line beside a reference: :mod:`shigen.energy.investment`),
in USD of 2005 (the currency of the bundled cost data). Its share of GDP divides by the
sum of GDP over the same years.

Reductions in the final year are attributed in this order: CCS (CO2 captured), nuclear and
renewable power (extra generation x the baseline's CO2 per TWh of fossil power), renewable
end-use fuels (biomass and biofuels displacing the baseline's end-use fossil mix),
end-use efficiency (final energy saved x the baseline's CO2 per unit of final energy), and
fuel switching as the remainder.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from shigen.energy.constants import RENEWABLE

OPTIONS = ("efficiency", "renewables", "ccs", "nuclear", "fuel_switching")


def investment_window(ds: xr.Dataset) -> list[int]:
    """Periods whose investment falls in (base decade end, last year]: 2015..2050 = 2011-2050."""
    base = int(ds.attrs["base_year"])
    return [int(y) for y in ds.year.values if y > base + 5]


def cumulative_gdp(ds: xr.Dataset) -> float:
    """GDP summed over every year of the window (bn USD), log-linear between periods."""
    step = int(ds.attrs["step"])
    window = investment_window(ds)
    years = np.arange(window[0] - step + 1, window[-1] + 1)
    gdp = ds["gdp"].sum("region")
    yearly = np.exp(np.interp(years, gdp.year.values, np.log(gdp.values)))
    return float(yearly.sum())


def final_energy(ds: xr.Dataset, year: int) -> float:
    """Final energy (PJ): end-use sectors (incl. electricity-specific) and LDV energy."""
    fe = float(ds["end_use"].sel(year=year).sum())
    fe += float(ds["transport_energy"].sel(year=year).sum())
    fe -= float(ds["end_use"].sel(year=year, demand_sector="freight").sum())  # in transport
    return fe


def reduction_by_option(study: xr.Dataset, base: xr.Dataset) -> xr.DataArray:
    """CO2 avoided in the final year against the baseline, by option (Mt)."""
    y = int(study.year.values[-1])
    pick: dict[str, Any] = {"year": y}
    total = float(base["co2"].sel(**pick).sum() - study["co2"].sel(**pick).sum())
    ccs = float(study["co2_captured"].sel(**pick).sum() - base["co2_captured"].sel(**pick).sum())
    g_s = study["generation"].sel(**pick).sum("region")
    g_b = base["generation"].sel(**pick).sum("region")
    fossil = ["coal", "coal_ccs", "gas_ccgt", "gas_ccs", "oil"]
    co2_power_b = float(base["co2"].sel(**pick, sector="power").sum()
                        + base["co2_captured"].sel(**pick, sector="power").sum())
    per_twh = co2_power_b / max(float(g_b.sel(technology=fossil).sum()), 1e-9)
    nuclear = float(g_s.sel(technology="nuclear") - g_b.sel(technology="nuclear")) * per_twh
    re_power = float(g_s.sel(technology=list(RENEWABLE)).sum()
                     - g_b.sel(technology=list(RENEWABLE)).sum()) * per_twh
    end_b = base["end_use"].sel(**pick).sum("region")
    fossil_fuels = ["coal", "oil", "gas"]
    co2_end_b = float(base["co2"].sel(**pick, sector=["industry", "buildings", "transport"]).sum()
                      + base["co2_captured"].sel(**pick, sector="industry").sum())
    fossil_end_b = float(end_b.sel(end_fuel=fossil_fuels).sum()
                         + base["transport_oil"].sel(**pick).sum()
                         - end_b.sel(demand_sector="freight", end_fuel="oil"))
    per_pj_end = co2_end_b / max(fossil_end_b, 1e-9)
    bio_s = float(study["end_use"].sel(**pick, end_fuel="biomass").sum()
                  + study["biofuel"].sel(**pick).sum()
                  - study["end_use"].sel(**pick, end_fuel="biomass", demand_sector="freight").sum())
    bio_b = float(end_b.sel(end_fuel="biomass").sum() + base["biofuel"].sel(**pick).sum()
                  - end_b.sel(end_fuel="biomass", demand_sector="freight"))
    renewables = re_power + (bio_s - bio_b) * per_pj_end
    fe_b, fe_s = final_energy(base, y), final_energy(study, y)
    per_pj_final = float(base["co2"].sel(**pick).sum()) / max(fe_b, 1e-9)
    efficiency = (fe_b - fe_s) * per_pj_final
    parts = {"efficiency": efficiency, "renewables": renewables, "ccs": ccs,
             "nuclear": nuclear}
    parts["fuel_switching"] = total - sum(parts.values())
    da = xr.DataArray([parts[o] for o in OPTIONS], dims="option", coords={"option": list(OPTIONS)})
    da.attrs.update(units="Mt", year=y, total=total)
    return da


def compare(study: xr.Dataset, base: xr.Dataset, baseline_name: str) -> xr.Dataset:
    """Add the comparison with the baseline to a study's results."""
    out = study.copy()
    add = (study["investment"].sum(["region", "category"])
           - base["investment"].sum(["region", "category"]))
    out["additional_investment"] = add
    out["additional_investment"].attrs["units"] = "billion USD"
    out["reduction_by_option"] = reduction_by_option(study, base)
    by_cat = (study["investment"].sum("region")
              - base["investment"].sum("region").reindex_like(study["investment"].sum("region"),
                                                              fill_value=0.0))
    out["additional_investment_by_category"] = by_cat
    out["additional_investment_by_category"].attrs["units"] = "billion USD"
    window = investment_window(study)
    after_base = [int(y) for y in study.year.values if y > int(study.attrs["base_year"])]
    out.attrs.update(
        baseline=baseline_name,
        additional_investment_bn_usd=float(add.sel(year=window).sum()),
        additional_investment_after_base_bn_usd=float(add.sel(year=after_base).sum()),
        baseline_investment_bn_usd=float(base["investment"].sel(year=window).sum()),
        baseline_investment_after_base_bn_usd=float(base["investment"].sel(year=after_base)
                                                    .sum()),
        cumulative_gdp_bn_usd=cumulative_gdp(study),
        baseline_co2_mt=float(base["co2"].isel(year=-1).sum()),
        investment_window=f"{window[0] - int(study.attrs['step']) + 1}-{window[-1]}")
    return out
