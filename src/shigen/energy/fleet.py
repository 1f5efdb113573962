"""Heavy road vehicles (trucks, buses) as stocks: their inputs, read from the catalogue.

Trucks and buses are modelled as light-duty vehicles are: a travel demand in vehicle-km
served by a stock of vehicles by drivetrain, bought at a price and kept for a life. The
base-year stock is all diesel (``ice``) and follows from the base-year travel and the
mileage. Their diesel energy is part of the freight sector's final demand in
``energy-final-demand`` (all transport except light-duty vehicles), so
:func:`heavy_energy` gives what :func:`shigen.energy.inputs.load_inputs` takes out of it:
the Baseline keeps the same transport energy, now split into a fleet and a remainder
(aviation, shipping, rail, light commercial and two-wheeled vehicles).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from shigen.energy.config import VEHICLES
from shigen.energy.labels import check_labels
from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

#: heavy-vehicle fleets, each a stock of vehicles by drivetrain (``vehicle``)
FLEETS = ("truck", "bus")
#: energy carriers a road vehicle uses (as ``energy-vehicle-intensity``)
CARRIERS = ("liquids", "electricity", "hydrogen")
#: datasets with a ``region`` column (each must cover the study's regions)
REGIONAL = ("energy-heavy-vehicle-demand", "energy-heavy-vehicle-mileage")


@dataclass
class HeavyFleet:
    """Trucks and buses: travel, mileage, life, prices and energy per km.

    Units: travel billion vkm, mileage thousand km a year (so billion vkm / mileage =
    million vehicles), prices USD per vehicle, intensity MJ/km (= PJ per billion vkm).
    """

    demand: xr.DataArray      # region, fleet, year (billion vkm)
    mileage: xr.DataArray     # region, fleet (thousand km per vehicle-year)
    life: xr.DataArray        # fleet (years)
    cost: xr.DataArray        # fleet, vehicle, year (USD; NaN = not offered)
    intensity: xr.DataArray   # fleet, vehicle, carrier, year (MJ/km)

    @property
    def offered(self) -> xr.DataArray:
        """True where a drivetrain can be bought (it has a price)."""
        return self.cost.notnull()

    @property
    def base_stock(self) -> xr.DataArray:
        """Base-year stock (million vehicles, region x fleet x vehicle): all diesel."""
        first = self.demand.isel(year=0, drop=True) / self.mileage
        diesel = xr.DataArray([1.0 if v == "ice" else 0.0 for v in VEHICLES], dims="vehicle",
                              coords={"vehicle": list(VEHICLES)})
        return first * diesel


def heavy_energy(fleet: HeavyFleet) -> xr.DataArray:
    """PJ a year the fleets use at the diesel intensity (region, year): their share of freight."""
    diesel = fleet.intensity.sel(vehicle="ice", carrier="liquids", drop=True)
    return (fleet.demand * diesel).sum("fleet")


def _labelled(cat: Catalogue, name: str) -> xr.DataArray:
    check_labels(cat, name, {"fleet": FLEETS, "vehicle": VEHICLES, "carrier": CARRIERS})
    da = cat.array(name)
    return da.assign_coords({d: [str(x) for x in da[d].values] for d in da.dims if d != "year"})


def _on_years(da: xr.DataArray, periods: list[int]) -> xr.DataArray:
    """Linear between the given years, flat outside them; NaN rows stay NaN."""
    da = da.sortby("year").astype(float)
    years = da.year.values
    out = da.interp(year=np.clip(periods, years[0], years[-1]))
    return out.assign_coords(year=periods)


def load_fleet(cat: Catalogue, regions: list[str], periods: list[int],
               life: xr.DataArray) -> HeavyFleet:
    """Trucks and buses for the study's regions and periods.

    ``life`` is ``energy-equipment-lifetime`` (by ``sector``), which has a row per fleet.
    """
    for name in REGIONAL:
        have = {str(r) for r in cat.frame(name)["region"].unique()}
        missing = [r for r in regions if r not in have]
        if missing:
            raise InputError(f"dataset '{name}' has no rows for region {missing}",
                             Location(field="energy.regions"),
                             f"add rows for {missing} in a --data folder")
    lives = [str(s) for s in life.sector.values]
    if any(f not in lives for f in FLEETS):
        raise InputError("dataset 'energy-equipment-lifetime' needs a row for each fleet "
                         f"({', '.join(FLEETS)})", Location(field="energy-equipment-lifetime"),
                         "add rows 'truck' and 'bus' with the fleets' average life in years")
    cost = _labelled(cat, "energy-heavy-vehicle-cost")
    intensity = _labelled(cat, "energy-heavy-vehicle-intensity")
    if "ice" not in [str(v) for v in intensity.vehicle.values]:
        raise InputError("dataset 'energy-heavy-vehicle-intensity' has no diesel ('ice') rows",
                         Location(field="energy-heavy-vehicle-intensity"),
                         "give the diesel truck's and bus's liquids use per km: the base-year "
                         "stock is diesel")
    return HeavyFleet(
        demand=_on_years(_labelled(cat, "energy-heavy-vehicle-demand")
                         .sel(region=regions).reindex(fleet=list(FLEETS)), periods) / 1e9,
        mileage=_labelled(cat, "energy-heavy-vehicle-mileage").sel(region=regions)
        .reindex(fleet=list(FLEETS)) / 1000.0,
        life=life.sel(sector=list(FLEETS)).rename(sector="fleet"),
        cost=_on_years(cost.reindex(fleet=list(FLEETS), vehicle=list(VEHICLES)), periods),
        intensity=_on_years(intensity.reindex(fleet=list(FLEETS), vehicle=list(VEHICLES),
                                              carrier=list(CARRIERS)), periods).fillna(0.0),
    )
