"""What a fleet outage costs in fuel imports: the run against the same study without it.

A study with ``[[energy.outage]]`` tables is solved twice by the stage: as written, and
without its outages (same foresight, same data: the counterfactual). The differences are
the outage's effect: extra imports in PJ and in physical units (Mt of LNG, Mt of coal,
million barrels a day of oil), and their bill at the model's price and at the prices
that were paid (:mod:`shigen.energy.bill`), in USD and in the study's currency
(``[energy] currency``). The volumes are model results; the prices and exchange rates are
observed inputs; nothing is fitted to an observed bill.

The arrays are stored in the run (``outage_extra_*``) so a stored run reports them
without solving again; :func:`summary` is ``energy.outage_effect`` of ``shigen run --json``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from shigen.energy import bill, imports
from shigen.energy.constants import IMPORTED_FUELS
from shigen.energy.results import series
from shigen.errors import InputError

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

#: the fuels the historical bill covers (uranium has no observed price series held)
PRICED = ("coal", "gas", "oil")
COUNTERFACTUAL = "the same study without its [[energy.outage]] tables (same foresight and data)"
HISTORICAL_LABEL = ("observed import price of the year (nominal USD: LNG and steam coal CIF, "
                    "crude at Dubai spot; energy-fuel-import-price-jpn)")
MODEL_LABEL = "the model's projected price (energy-fuel-price, WEO 2007, USD 2005)"


def _model_usd_per_gj(ds: xr.Dataset) -> xr.DataArray:
    """The LP's fuel price (USD/GJ) recovered from its own bill: bill / imports."""
    imp = ds["imports"]
    return (ds["import_bill"] / (imp * bill.BN_PER_PJ_USD_PER_GJ)).where(imp > 0)


def _observed_prices(cat: Catalogue, regions: list[str],
                     content: dict[str, tuple[str, float]]) -> tuple[dict[str, xr.DataArray],
                                                                     str | None]:
    """Observed USD/GJ by region, or none with the reason (data_as_of refuses them)."""
    if bill.PRICE_DATASET not in cat:
        return {}, f"dataset {bill.PRICE_DATASET} is not available"
    try:
        frame = cat.frame(bill.PRICE_DATASET)
    except InputError as exc:  # the study's data_as_of is before some observed prices
        return {}, f"historical prices not used: {exc.what}"
    return {r: bill.usd_per_gj(frame, r, content) for r in regions}, None


def attach(ds: xr.Dataset, without: xr.Dataset, cat: Catalogue,
           currency: str | None) -> xr.Dataset:
    """``ds`` with the outage's extra imports and their bill against ``without``."""
    content = imports.content_by_fuel(cat.frame("energy-fuel-physical-content"))
    fuels = list(IMPORTED_FUELS)
    extra = (ds["imports"] - without["imports"]).sel(fuel=fuels)
    model_bill = (ds["import_bill"] - without["import_bill"]).sel(fuel=fuels)
    regions = [str(r) for r in ds.region.values]
    observed, refused = _observed_prices(cat, regions, content)
    rate = (bill.units_per_usd(cat.frame(bill.FX_DATASET), currency)
            if currency is not None else None)
    # the model price of a fuel-year: from the run's own bill, or the counterfactual's
    # where the run imports none of it
    model_price = _model_usd_per_gj(ds).fillna(_model_usd_per_gj(without)).fillna(0.0)
    priced = extra.sel(fuel=list(PRICED))
    b = bill.price_bill(priced, model_price.sel(fuel=list(PRICED)), observed, rate, currency)
    out = ds.copy()
    out["outage_extra_imports"] = extra.assign_attrs(units="PJ")
    out["outage_extra_imports_physical"] = imports.physical_imports(extra, content).assign_attrs(
        units="see physical_unit")
    out["outage_extra_bill_model"] = model_bill.assign_attrs(units="bn USD 2005")
    out["outage_extra_bill_usd"] = b.usd_bn.rename(fuel="priced_fuel").assign_attrs(
        units="bn USD (nominal where historical)")
    out["outage_extra_bill_local"] = b.local_bn.rename(fuel="priced_fuel").assign_attrs(
        units=f"bn {currency}" if currency else "")
    out["outage_price_historical"] = b.historical.rename(fuel="priced_fuel").astype(
        np.int8).assign_attrs(units="1 = observed price, 0 = model price")
    out.attrs["outage_effect_json"] = json.dumps(
        {"currency": currency, "counterfactual": COUNTERFACTUAL, "historical_refused": refused})
    return out


def summary(ds: xr.Dataset) -> dict[str, Any] | None:
    """``energy.outage_effect``: extra imports and their bill by year (None without outage)."""
    if "outage_extra_imports" not in ds:
        return None
    meta = json.loads(ds.attrs.get("outage_effect_json", "{}"))
    phys = ds["outage_extra_imports_physical"].sum("region")
    usd = ds["outage_extra_bill_usd"].sum("region")
    local = ds["outage_extra_bill_local"].sum("region", min_count=1)
    hist = ds["outage_price_historical"].max("region")
    years = [int(y) for y in ds.year.values]
    basis = {str(f): {str(y): (bill.PriceBasis.HISTORICAL if hist.sel(priced_fuel=f, year=y)
                               else bill.PriceBasis.MODEL).value for y in years}
             for f in hist.priced_fuel.values}
    return {
        "counterfactual": meta.get("counterfactual", COUNTERFACTUAL),
        "currency": meta.get("currency"),
        "extra_imports_pj": {str(f): series(ds["outage_extra_imports"].sel(fuel=f).sum("region"),
                                            1)
                             for f in ds["outage_extra_imports"].fuel.values
                             if str(f) in IMPORTED_FUELS},
        "extra_imports_physical": {
            str(f): {"unit": str(phys.physical_unit.sel(traded_fuel=f).item()),
                     "series": series(phys.sel(traded_fuel=f), 3)}
            for f in phys.traded_fuel.values},
        "extra_bill_model_price_usd2005_bn": {
            str(f): series(ds["outage_extra_bill_model"].sel(fuel=f).sum("region"), 2)
            for f in ds["outage_extra_bill_model"].fuel.values if str(f) in IMPORTED_FUELS},
        "extra_bill_usd_bn": {str(f): series(usd.sel(priced_fuel=f), 2)
                              for f in usd.priced_fuel.values},
        "extra_bill_local_bn": {str(f): series(local.sel(priced_fuel=f), 1)
                                for f in local.priced_fuel.values},
        "total_extra_bill_usd_bn": series(usd.sum("priced_fuel"), 2),
        "total_extra_bill_local_bn": series(local.sum("priced_fuel", min_count=1), 1),
        "price_basis": basis,
        "price_basis_labels": {bill.PriceBasis.HISTORICAL.value: HISTORICAL_LABEL,
                               bill.PriceBasis.MODEL.value: MODEL_LABEL},
        "historical_prices_refused": meta.get("historical_refused"),
        "covers": "coal, gas (LNG) and oil at historical prices; uranium saved is in "
                  "extra_bill_model_price_usd2005_bn only",
    }
