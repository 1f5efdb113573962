"""A solved pathway beside what was observed: the hindcast of the energy validation.

:func:`hindcast` puts a run's electricity generation by source and its primary coal, oil
and gas use beside the observed figures of ``energy-hindcast-observed`` (owid/energy-data)
for every year both have. Nothing here feeds back into the model: the dataset is read by
the validation only, and a gap is reported, never fitted.

Examples
--------
>>> OBSERVED_TECHNOLOGIES["wind"]
('wind_onshore', 'wind_offshore')
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import xarray as xr

#: the model technologies each observed generation variable counts (definition, not data)
OBSERVED_TECHNOLOGIES: dict[str, tuple[str, ...]] = {
    "coal": ("coal", "coal_ccs"), "gas": ("gas_ccgt", "gas_ccs"), "oil": ("oil",),
    "nuclear": ("nuclear",), "hydro": ("hydro",), "wind": ("wind_onshore", "wind_offshore"),
    "solar": ("solar_pv", "csp"), "biomass": ("biomass", "biomass_ccs"),
}
#: observed primary consumption variables and the model's carrier
OBSERVED_CARRIERS = {"coal_primary": "coal", "oil_primary": "oil", "gas_primary": "gas"}
PJ_PER_TWH = 3.6


@dataclass(frozen=True)
class HindcastRow:
    """One variable in one year: the model's figure, the observed one, the gap."""

    region: str
    variable: str
    year: int
    model_twh: float
    observed_twh: float

    @property
    def gap(self) -> float:
        """Relative gap, model against observed (+0.10 = the model is 10% higher)."""
        return self.model_twh / self.observed_twh - 1.0 if self.observed_twh else float("nan")


def model_value(ds: xr.Dataset, region: str, variable: str, year: int) -> float | None:
    """The run's figure for an observed variable (TWh), or None if the run lacks it."""
    if year not in ds.year.values or region not in ds.region.values:
        return None
    pick = {"region": region, "year": year}
    gen = ds["generation"].sel(pick)
    if variable == "generation":
        return float(gen.drop_sel(technology="storage", errors="ignore").sum())
    if variable in OBSERVED_TECHNOLOGIES:
        techs = [t for t in OBSERVED_TECHNOLOGIES[variable] if t in gen.technology.values]
        return float(gen.sel(technology=techs).sum())
    if variable in OBSERVED_CARRIERS:
        pj = float(ds["primary_energy"].sel(pick).sel(carrier=OBSERVED_CARRIERS[variable]))
        return pj / PJ_PER_TWH
    return None


def hindcast(ds: xr.Dataset, observed: pd.DataFrame) -> list[HindcastRow]:
    """Every observed row the run has a figure for (same region and model year)."""
    out = []
    for r in observed.itertuples(index=False):
        region, variable, year = str(r.region), str(r.variable), int(r.year)
        value = model_value(ds, region, variable, year)
        if value is not None:
            out.append(HindcastRow(region, variable, year, value, float(r.value)))
    return out


@dataclass(frozen=True)
class HindcastQuantity:
    """One variable in one year in its own unit (Mt CO2, Mt LNG/yr, million barrels/day)."""

    region: str
    variable: str
    year: int
    model: float
    observed: float
    unit: str

    @property
    def gap(self) -> float:
        """Relative gap, model against observed (+0.10 = the model is 10% higher)."""
        return self.model / self.observed - 1.0 if self.observed else float("nan")


def hindcast_co2(ds: xr.Dataset, observed: pd.DataFrame) -> list[HindcastQuantity]:
    """The run's energy CO2 (all sectors, Mt) beside ``energy-hindcast-co2``."""
    out = []
    for r in observed.itertuples(index=False):
        region, year = str(r.region), int(r.year)
        if year in ds.year.values and region in ds.region.values:
            model = float(ds["co2"].sel(region=region, year=year).sum("sector"))
            out.append(HindcastQuantity(region, "co2", year, model, float(r.value), "Mt"))
    return out


def hindcast_imports(ds: xr.Dataset, observed: pd.DataFrame) -> list[HindcastQuantity]:
    """The run's imports in physical units beside ``energy-hindcast-imports``.

    Rows whose unit is not the run's reported unit of that fuel are left out (they would
    compare different quantities).
    """
    if "imports_physical" not in ds:
        return []
    phys = ds["imports_physical"]
    out = []
    for r in observed.itertuples(index=False):
        region, fuel, year = str(r.region), str(r.fuel), int(r.year)
        if (year not in ds.year.values or region not in ds.region.values
                or fuel not in phys.traded_fuel.values):
            continue
        unit = str(phys.physical_unit.sel(traded_fuel=fuel).item())
        if unit != str(r.physical_unit):
            continue
        model = float(phys.sel(traded_fuel=fuel, region=region, year=year))
        out.append(HindcastQuantity(region, f"{fuel}_imports", year, model, float(r.value),
                                    unit))
    return out
