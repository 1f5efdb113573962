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
