"""The import bill at the prices that were paid, in USD and in the study's currency.

The LP prices fuel with a projection (``energy-fuel-price``, WEO 2007, USD 2005); a bill
for a past year at that price is far from what an importer paid. This module prices
imports (PJ) with the observed import price of each fuel and year
(``energy-fuel-import-price-jpn``: USD per MMBtu of LNG, per tonne of steam coal, per
barrel of crude oil, nominal USD) and converts the USD bill with the year's exchange rate
(``exchange-rates``, units of the currency per USD). A fuel-year with no observed price
keeps the model's price and says so (:class:`PriceBasis`). Reporting only: nothing in
the LP reads these prices.

bill (bn USD) = imports (PJ) x 1e6 GJ/PJ x price (USD/GJ) / 1e9, and USD/GJ is the
observed price divided by the energy content of its unit (1 MMBtu = 1.055056 GJ; a
tonne or a barrel at ``energy-fuel-physical-content``), so for coal the bill is simply
Mt x USD/t.

Examples
--------
>>> prices = pd.DataFrame({"region": ["JPN"], "fuel": ["coal"], "physical_unit": ["tonne"],
...                        "year": [2012], "value": [133.61]})
>>> per_gj = usd_per_gj(prices, "JPN", {"coal": ("tonne", 25.7)})
>>> round(float(per_gj.sel(fuel="coal", year=2012)), 3)
5.199
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd
import xarray as xr

from shigen.errors import InputError, Location

#: the definition of the (ISO) British thermal unit: 1 MMBtu = 1.055056 GJ
GJ_PER_MMBTU = 1.055056
#: 1 PJ = 1e6 GJ, and bills are in billions: PJ x USD/GJ x 1e6 / 1e9
BN_PER_PJ_USD_PER_GJ = 1e-3
PRICE_DATASET = "energy-fuel-import-price-jpn"
FX_DATASET = "exchange-rates"


class PriceBasis(StrEnum):
    """Which price a fuel-year of a bill is at."""

    HISTORICAL = "historical"  # the observed import price of that year (nominal USD)
    MODEL = "model"            # the LP's projected price (energy-fuel-price, USD 2005)


@dataclass(frozen=True)
class Bill:
    """A bill by (fuel, region, year): USD, the study's currency, and the price behind it.

    ``usd_bn`` is at the historical price where ``historical`` is true and at the model's
    price elsewhere; ``local_bn`` is ``usd_bn`` times the year's exchange rate (NaN where
    the rate is not held).
    """

    usd_bn: xr.DataArray
    local_bn: xr.DataArray
    historical: xr.DataArray   # bool: the fuel-year is priced at its observed price
    currency: str | None


def usd_per_gj(prices: pd.DataFrame, region: str,
               content: Mapping[str, tuple[str, float]]) -> xr.DataArray:
    """Observed prices of ``region`` in USD/GJ, over (fuel, year).

    A price per MMBtu is converted by definition; a price per tonne or per barrel by the
    fuel's energy content, whose unit must be the price's (a price per barrel of a fuel
    whose content is per tonne is refused: the two would not describe the same unit).
    """
    rows = prices[prices["region"] == region]
    out: dict[tuple[str, int], float] = {}
    for r in rows.itertuples(index=False):
        fuel, unit = str(r.fuel), str(r.physical_unit)
        if unit == "mmbtu":
            gj = GJ_PER_MMBTU
        elif fuel in content and content[fuel][0] == unit:
            gj = content[fuel][1]
        else:
            raise InputError(
                f"dataset '{PRICE_DATASET}' prices {fuel} per {unit}, but "
                f"energy-fuel-physical-content gives {fuel} per "
                f"{content[fuel][0] if fuel in content else 'nothing'}",
                Location(field=PRICE_DATASET),
                "price the fuel per mmbtu or per the physical unit of its energy content")
        out[(fuel, int(r.year))] = float(r.value) / gj
    if not out:
        return xr.DataArray(np.empty((0, 0)), dims=("fuel", "year"),
                            coords={"fuel": [], "year": []})
    s = pd.Series(out)
    s.index = s.index.set_names(["fuel", "year"])
    return xr.DataArray.from_series(s)


def units_per_usd(fx: pd.DataFrame, currency: str) -> xr.DataArray:
    """Units of ``currency`` per USD by year (only the years the dataset holds)."""
    rows = fx[fx["currency"] == currency]
    if rows.empty:
        raise InputError(f"no exchange rate for {currency} in dataset '{FX_DATASET}'",
                         Location(field="energy.currency"),
                         f"add rows currency={currency} (units per USD, by year) to "
                         f"{FX_DATASET}, or name a currency it holds")
    s = rows.groupby("year")["value"].mean()
    return xr.DataArray(s.to_numpy(dtype=float), dims="year",
                        coords={"year": s.index.astype(int).to_numpy()})


def price_bill(imports_pj: xr.DataArray, model_usd_per_gj: xr.DataArray,
               observed_usd_per_gj: Mapping[str, xr.DataArray],
               rate: xr.DataArray | None, currency: str | None) -> Bill:
    """Price ``imports_pj`` (fuel, region, year) at observed prices where held.

    ``observed_usd_per_gj`` maps a region to its observed prices (fuel, year); a
    fuel-year without one is priced at ``model_usd_per_gj`` (fuel, region, year).
    """
    observed = xr.full_like(imports_pj, np.nan, dtype=float)
    for region, per_gj in observed_usd_per_gj.items():
        if region not in imports_pj.region.values or per_gj.size == 0:
            continue
        aligned = per_gj.reindex(fuel=imports_pj.fuel.values, year=imports_pj.year.values)
        observed.loc[{"region": region}] = aligned.transpose(
            *[d for d in imports_pj.dims if d != "region"]).values
    historical = observed.notnull()
    price = observed.where(historical, model_usd_per_gj.broadcast_like(imports_pj))
    usd = imports_pj * price * BN_PER_PJ_USD_PER_GJ
    local = xr.full_like(usd, np.nan) if rate is None else usd * rate.reindex(year=usd.year.values)
    return Bill(usd_bn=usd, local_bn=local, historical=historical, currency=currency)
