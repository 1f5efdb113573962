"""Model inputs: every number of the energy LP, read from catalogue datasets.

:func:`load_inputs` turns the catalogue into one :class:`Inputs` bundle of labelled arrays
(``region``, ``year``, ``technology``, ``slice``, ``demand_sector``, ``end_fuel``, ``fuel``,
``vehicle``) on the model's periods. Each array gets its model dimension names here, once:
a dataset's ``sector`` column is ``demand_sector`` and its ``fuel`` column ``end_fuel``
where they name end uses, so builders and results never rename an input. Year paths given
at a few years are interpolated linearly (held flat outside the data). Nothing here is a
tuned constant: a missing figure is an input error that names the dataset.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from shigen.energy.config import TECHNOLOGIES, VEHICLES, EnergyConfig
from shigen.energy.constants import END_FUELS, FOSSIL, IMPORTED_FUELS, PJ_PER_TWH, SECTORS
from shigen.energy.fleet import FLEETS, HeavyFleet, heavy_energy, load_fleet
from shigen.energy.labels import check_labels
from shigen.energy.links import Links, load_links
from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue


@dataclass
class Inputs:
    """All parameters of one energy model, as labelled arrays in model units.

    Units: capacity GW, electricity TWh, fuels PJ, money billion USD (2005),
    CO2 Mt. ``attrs`` of each array keep the dataset's unit.
    """

    periods: list[int]
    regions: list[str]
    slices: list[str]
    hours: xr.DataArray                 # slice
    load_share: xr.DataArray            # region, slice
    capex: xr.DataArray                 # technology, year   (USD/kW = M USD/GW /1000 -> bn)
    fom: xr.DataArray                   # technology         (USD/kW/yr)
    grid_cost: xr.DataArray             # technology         (USD/kW remote connection)
    lifetime: xr.DataArray              # technology         (yr)
    unit_size: xr.DataArray             # technology         (MW)
    efficiency: xr.DataArray            # technology
    capacity_credit: xr.DataArray       # technology
    capture_rate: xr.DataArray          # technology
    availability: xr.DataArray          # technology, slice
    existing: xr.DataArray              # region, technology (GW in base year)
    base_generation: xr.DataArray       # region, technology (TWh, base year)
    build_limit: xr.DataArray           # region, technology, year (GW/yr; inf = none)
    growth_rate: xr.DataArray           # region, technology (1/yr; NaN = no growth limit)
    build_increment: xr.DataArray       # region, technology (GW/yr start-up increment)
    recent_additions: xr.DataArray      # region, technology (GW/yr before the first period)
    outage: xr.DataArray                # region, technology, year (availability factor, 1 = none)
    extension_cost: xr.DataArray        # technology (USD/kW; NaN = cannot be life-extended)
    extension_life: xr.DataArray        # technology (years a refurbishment adds)
    potential: xr.DataArray             # region, technology (GW; inf = none)
    fuel_price: xr.DataArray            # region, fuel, year (USD/GJ)
    emission_factor: xr.DataArray       # fuel (t/GJ = Mt/PJ)
    end_use_emission_factor: xr.DataArray  # end_fuel (t/GJ): fossil only, 0 for the others
    final_demand: xr.DataArray          # region, demand_sector, year (PJ)
    fuel_mix: xr.DataArray              # region, demand_sector, end_fuel
    max_fuel_share: xr.DataArray        # demand_sector, end_fuel
    sector_life: xr.DataArray           # demand_sector (yr): end-use equipment
    vehicle_life: xr.DataArray          # () (yr): light-duty vehicles
    eff_potential: xr.DataArray         # demand_sector, step
    eff_cost: xr.DataArray              # demand_sector, step (USD per GJ/yr)
    switch_cost: xr.DataArray           # demand_sector, end_fuel (USD per GJ/yr of the fuel's use)
    ldv_demand: xr.DataArray            # region, year (billion vkm)
    vehicle_cost: xr.DataArray          # vehicle, year (USD)
    vehicle_intensity: xr.DataArray     # vehicle, carrier, year (MJ/km = PJ per bn vkm)
    vehicle_stock: xr.DataArray         # region, vehicle (million vehicles, base year)
    mileage: xr.DataArray               # region (thousand km per vehicle-year)
    gdp: xr.DataArray                   # region, year (billion USD)
    population: xr.DataArray            # region, year
    import_share: xr.DataArray          # region, fuel
    biomass_potential: xr.DataArray     # region, year (PJ)
    params: dict[str, float] = field(default_factory=dict)
    conversion_cost: dict[str, float] = field(default_factory=dict)
    ccs_cost: dict[str, float] = field(default_factory=dict)
    network_cost: dict[str, float] = field(default_factory=dict)
    historical_capacity: xr.DataArray | None = None  # region, group, year (GW)
    network_life: xr.DataArray | None = None  # () (yr): grids, when networks are costed
    links: Links | None = None          # electricity links between the regions
    heavy: HeavyFleet | None = None     # trucks and buses as stocks (set by load_inputs)
    decline_rate: xr.DataArray | None = None  # region, technology (1/yr, < 0; NaN = no floor)

    @property
    def base_year(self) -> int:
        return self.periods[0]

    def crf(self, life: xr.DataArray | float) -> xr.DataArray | float:
        """Capital recovery factor at the model discount rate."""
        r = self.params["discount_rate"]
        return r / (1 - (1 + r) ** (-life))


def _on_years(da: xr.DataArray, periods: list[int]) -> xr.DataArray:
    """Interpolate a ``year`` path onto the model periods, flat outside the data."""
    if "year" not in da.dims:
        return da
    da = da.sortby("year").astype(float)
    if bool(da.isnull().any()):  # rows given at different years per label
        da = da.interpolate_na("year").ffill("year").bfill("year")
    out = da.interp(year=periods, kwargs={"fill_value": (np.nan)})
    first, last = da.isel(year=0), da.isel(year=-1)
    yrs = xr.DataArray(periods, dims="year", coords={"year": periods})
    out = xr.where(yrs < int(da.year[0]), first, out)
    out = xr.where(yrs > int(da.year[-1]), last, out)
    return out.transpose(*[d for d in da.dims])


def _need(cat: Catalogue, name: str, dim: str, wanted: list[str], field: str) -> None:
    have = set(str(x) for x in cat.frame(name)[dim].unique())
    missing = [w for w in wanted if w not in have]
    if missing:
        raise InputError(f"dataset '{name}' has no rows for {dim} {missing}",
                         Location(field=field),
                         f"add rows for {missing} in a --data folder, or use one of "
                         f"{sorted(have)}")


#: labels the model knows, by dimension: user data naming others would be silently ignored
KNOWN_LABELS: dict[str, tuple[str, ...]] = {
    "technology": TECHNOLOGIES, "vehicle": VEHICLES,
    "fuel": ("coal", "oil", "gas", "uranium", "biomass", "electricity"),
    "sector": (*SECTORS, "ldv", *FLEETS, "network"),
    "carrier": ("liquids", "electricity", "hydrogen"),
}


def _check_labels(cat: Catalogue, name: str,
                  only: dict[str, tuple[str, ...]] | None = None) -> None:
    """Every technology, vehicle, fuel, sector and carrier label is one the model knows.

    ``only`` narrows the known labels of some dimensions for a dataset that uses fewer.
    """
    check_labels(cat, name, {**KNOWN_LABELS, **(only or {})})


def _check_range(cat: Catalogue, name: str, low: float, high: float, what: str,
                 key: str | None = None, unit: str | None = None) -> None:
    """Every value (of rows whose ``unit`` matches, if given) is finite, in [low, high]."""
    frame = cat.frame(name)
    vals = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(vals) & (vals >= low) & (vals <= high))
    if unit is not None and "unit" in frame.columns:
        bad &= (frame["unit"].astype(str) == unit).to_numpy()
    if bad.any():
        pos = int(bad.argmax())
        label = f" {key} '{frame[key].iloc[pos]}'" if key else ""
        span = f"outside [{low:g}, {high:g}]" if np.isfinite(high) else f"below {low:g}"
        fix = (f"give {what} between {low:g} and {high:g}" if np.isfinite(high)
               else f"give {what} of {low:g} or more")
        raise InputError(f"dataset '{name}'{label} has value {frame['value'].iloc[pos]}, {span}",
                         Location(file=str(cat.path(name)), line=cat.get(name).lines[pos],
                                  column="value"), fix)


#: datasets that use fewer labels than :data:`KNOWN_LABELS` (other rows would be dropped)
DATASET_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "energy-final-demand": {"sector": SECTORS[:-1]},  # appliances: energy-electricity-demand
    "energy-final-fuel-mix": {"sector": SECTORS, "fuel": END_FUELS},
    "energy-max-fuel-share": {"sector": SECTORS, "fuel": END_FUELS},
    "energy-efficiency-potential": {"sector": SECTORS},
    "energy-efficiency-cost": {"sector": SECTORS},
}


def _arr(cat: Catalogue, name: str) -> xr.DataArray:
    _check_labels(cat, name, DATASET_LABELS.get(name))
    da = cat.array(name)
    for d in da.dims:
        if d != "year":
            da = da.assign_coords({d: [str(x) for x in da[d].values]})
    return da


def _end_use(da: xr.DataArray) -> xr.DataArray:
    """A dataset about end uses with the model's dimension names.

    Its ``sector`` is ``demand_sector`` and its ``fuel`` is ``end_fuel``: in the model,
    ``sector`` is a CO2 sector and ``fuel`` a power plant's primary fuel.
    """
    names = {"sector": "demand_sector", "fuel": "end_fuel"}
    return da.rename({d: n for d, n in names.items() if d in da.dims})


def _switch_cost(cat: Catalogue, name: str) -> xr.DataArray:
    """The fuel-switch cost: end-use sectors and fuels only, never negative.

    A negative cost would pay the LP to switch.
    """
    _check_labels(cat, name, {"sector": SECTORS, "fuel": END_FUELS})
    _check_range(cat, name, 0.0, np.inf, "a cost")
    return _arr(cat, name)


def _by_key(cat: Catalogue, name: str, key: str) -> dict[str, float]:
    _check_labels(cat, name)
    f = cat.frame(name)
    return {str(k): float(v) for k, v in zip(f[key], f["value"], strict=True)}


def outage_factor(cfg: EnergyConfig, techs: list[str]) -> xr.DataArray:
    """Availability factor (region, technology, year) of the study's outages; 1 elsewhere.

    Two outages of one fleet in one year multiply (each takes its share offline).
    """
    periods = cfg.periods()
    out = xr.DataArray(np.ones((len(cfg.regions), len(techs), len(periods))),
                       dims=("region", "technology", "year"),
                       coords={"region": cfg.regions, "technology": techs, "year": periods})
    for o in cfg.outage:
        years = [y for y in o.years if y in periods]  # a rolling-horizon window sees fewer
        cell = dict(region=o.region, technology=o.technology, year=years)
        out.loc[cell] = out.loc[cell] * o.availability
    return out


def load_inputs(cfg: EnergyConfig, cat: Catalogue) -> Inputs:
    """Read every energy dataset for the study's regions and periods."""
    periods = cfg.periods()
    regions = cfg.regions
    for name in ("energy-existing-capacity", "energy-final-demand", "energy-ldv-demand",
                 "energy-gdp", "energy-fuel-price", "energy-load-profile",
                 "energy-base-generation", "energy-electricity-demand",
                 "energy-final-fuel-mix", "energy-vehicle-stock", "energy-vehicle-mileage",
                 "energy-import-share", "energy-biomass-potential", "energy-population",
                 "energy-build-limit", "energy-potential", "energy-growth-limit",
                 "energy-build-increment"):
        _need(cat, name, "region", regions, "energy.regions")
    techs = list(TECHNOLOGIES)
    slices = [str(s) for s in cat.frame("energy-slices")["slice"]]
    if len(slices) < 2:
        raise InputError("dataset 'energy-slices' needs at least two time slices",
                         Location(field="energy"), "give one row per slice with its hours")

    def reg(da: xr.DataArray) -> xr.DataArray:
        return da.sel(region=regions)

    def full(da: xr.DataArray, fill: float, **dims: list[str]) -> xr.DataArray:
        return da.reindex(dims, fill_value=fill) if dims else da

    tp = _arr(cat, "energy-tech-parameters")
    tp = full(tp, 0.0, technology=techs)
    fp = _on_years(reg(_arr(cat, "energy-fuel-price")), periods)
    _check_range(cat, "energy-parameters", 0.0, 1.0, "a fraction", key="parameter",
                 unit="fraction")
    params = _by_key(cat, "energy-parameters", "parameter")
    gdp = _on_years(reg(_arr(cat, "energy-gdp")), periods) / 1e9
    pop = _on_years(reg(_arr(cat, "energy-population")), periods)
    bl = reg(_arr(cat, "energy-build-limit")).reindex(technology=techs, fill_value=np.inf)
    bl = _on_years(bl.fillna(np.inf), periods)
    _need(cat, "energy-build-increment", "parameter", ["increment", "recent_additions"],
          "energy-build-increment")
    growth = reg(_arr(cat, "energy-growth-limit")).reindex(technology=techs)
    inc = reg(_arr(cat, "energy-build-increment")).reindex(technology=techs).fillna(0.0)
    pot = reg(_arr(cat, "energy-potential")).reindex(technology=techs).fillna(np.inf)
    # a region or technology without a row has no floor on its build rate
    decline = _arr(cat, "energy-decline-limit").reindex(region=regions, technology=techs)
    _need(cat, "energy-equipment-lifetime", "sector", [*SECTORS, "ldv"],
          "energy-equipment-lifetime")
    life = _arr(cat, "energy-equipment-lifetime")
    ef = _arr(cat, "energy-emission-factor")
    # burning an end-use fuel emits only if it is fossil: biomass is counted carbon
    # neutral, electricity's CO2 is the power sector's
    end_ef = _end_use(ef.reindex(fuel=list(END_FUELS)).fillna(0.0))
    end_ef = end_ef.where(end_ef.end_fuel.isin(list(FOSSIL)), 0.0)
    inp = Inputs(
        periods=periods, regions=regions, slices=slices,
        hours=_arr(cat, "energy-slices").sel(slice=slices),
        load_share=reg(_arr(cat, "energy-load-profile")).sel(slice=slices),
        capex=_on_years(_arr(cat, "energy-capital-cost").sel(technology=techs), periods),
        fom=_arr(cat, "energy-fixed-om").sel(technology=techs),
        grid_cost=_arr(cat, "energy-grid-cost").reindex(technology=techs).fillna(0.0),
        lifetime=_arr(cat, "energy-tech-lifetime").sel(technology=techs),
        unit_size=_arr(cat, "energy-unit-size").sel(technology=techs),
        efficiency=tp.sel(parameter="efficiency", drop=True),
        capacity_credit=tp.sel(parameter="capacity_credit", drop=True),
        capture_rate=tp.sel(parameter="capture_rate", drop=True),
        availability=_arr(cat, "energy-availability").sel(technology=techs, slice=slices)
        .fillna(0.0),
        existing=reg(_arr(cat, "energy-existing-capacity")).reindex(technology=techs)
        .fillna(0.0),
        base_generation=reg(_arr(cat, "energy-base-generation")).reindex(technology=techs)
        .fillna(0.0),
        build_limit=bl, potential=pot, fuel_price=fp,
        growth_rate=growth, build_increment=inc.sel(parameter="increment", drop=True),
        recent_additions=inc.sel(parameter="recent_additions", drop=True),
        decline_rate=decline,
        outage=outage_factor(cfg, techs),
        extension_cost=_arr(cat, "energy-life-extension-cost").reindex(technology=techs),
        extension_life=_arr(cat, "energy-life-extension-years").reindex(technology=techs)
        .fillna(1.0),
        emission_factor=ef, end_use_emission_factor=end_ef,
        final_demand=_end_use(xr.concat([
            _on_years(reg(_arr(cat, "energy-final-demand")), periods)
            .sel(sector=list(SECTORS[:-1])) * 1000.0,
            # electricity-specific uses are a sector whose only fuel is electricity
            (_on_years(reg(_arr(cat, "energy-electricity-demand")), periods) * PJ_PER_TWH)
            .expand_dims(sector=["appliances"])], dim="sector").transpose(
                "region", "sector", "year")),
        fuel_mix=_end_use(reg(_arr(cat, "energy-final-fuel-mix")).sel(sector=list(SECTORS))
                          .reindex(fuel=list(END_FUELS)).fillna(0.0)),
        max_fuel_share=_end_use(_arr(cat, "energy-max-fuel-share").sel(sector=list(SECTORS))
                                .reindex(fuel=list(END_FUELS)).fillna(0.0)),
        sector_life=_end_use(life.sel(sector=list(SECTORS))),
        vehicle_life=life.sel(sector="ldv", drop=True),
        eff_potential=_end_use(_arr(cat, "energy-efficiency-potential")
                               .sel(sector=list(SECTORS))),
        eff_cost=_end_use(_arr(cat, "energy-efficiency-cost").sel(sector=list(SECTORS))),
        switch_cost=_end_use(_switch_cost(cat, "energy-fuel-switch-cost").reindex(
            sector=list(SECTORS), fuel=list(END_FUELS)).fillna(0.0)),
        ldv_demand=_on_years(reg(_arr(cat, "energy-ldv-demand")), periods) / 1e9,
        vehicle_cost=_on_years(_arr(cat, "energy-vehicle-cost").sel(vehicle=list(VEHICLES)),
                               periods),
        vehicle_intensity=_on_years(_arr(cat, "energy-vehicle-intensity")
                                    .reindex(vehicle=list(VEHICLES)).fillna(0.0), periods),
        vehicle_stock=reg(_arr(cat, "energy-vehicle-stock")).reindex(vehicle=list(VEHICLES))
        .fillna(0.0) / 1e6,
        mileage=reg(_arr(cat, "energy-vehicle-mileage")) / 1000.0,
        gdp=gdp, population=pop,
        import_share=reg(_arr(cat, "energy-import-share")).reindex(
            fuel=list(IMPORTED_FUELS)).fillna(0.0),
        biomass_potential=_on_years(reg(_arr(cat, "energy-biomass-potential")), periods)
        * 1000.0,
        params=params,
        conversion_cost=_by_key(cat, "energy-conversion-cost", "process"),
        ccs_cost=_by_key(cat, "energy-ccs-cost", "item"),
        network_cost=_by_key(cat, "energy-network-cost", "item"),
    )
    if inp.network_cost:
        _need(cat, "energy-equipment-lifetime", "sector", ["network"],
              "energy-equipment-lifetime")
        inp.network_life = life.sel(sector="network", drop=True)
    known = {str(r) for r in cat.frame("energy-existing-capacity")["region"].unique()}
    inp.links = load_links(cat, regions, known)
    if "energy-historical-capacity" in cat:
        inp.historical_capacity = _arr(cat, "energy-historical-capacity")
    inp.heavy = load_fleet(cat, regions, periods, life)
    _carve_out_fleet(inp, cat)
    # a sector's base-year fuel shares sum to 1: a rule of energy-final-fuel-mix, checked at load
    return inp


def _carve_out_fleet(inp: Inputs, cat: Catalogue) -> None:
    """Take the trucks' and buses' diesel energy out of the freight sector's demand.

    ``energy-final-demand``'s freight is all transport but light-duty vehicles; with
    trucks and buses as stocks, the sector keeps the rest, and its base-year fuel mix is
    the sector's less the fleet's oil, so base-year fuel use is unchanged. A fleet that
    would use more than the sector holds (or more oil) is an input error, not a negative
    demand.
    """
    assert inp.heavy is not None
    fleet = heavy_energy(inp.heavy)
    freight = inp.final_demand.sel(demand_sector="freight")
    rest = freight - fleet
    if bool((rest < 0).any()):
        where = rest.where(rest < 0, drop=True)
        region, year = str(where.region.values[0]), int(where.year.values[0])
        raise InputError(
            f"trucks and buses use {float(fleet.sel(region=region, year=year)) / 1000:.1f} EJ "
            f"in {region} {year}, more than the freight sector's "
            f"{float(freight.sel(region=region, year=year)) / 1000:.1f} EJ they are part of",
            Location(file=str(cat.path("energy-heavy-vehicle-demand")),
                     field="energy-heavy-vehicle-demand"),
            "lower the fleet's vehicle-km or diesel intensity, or raise the freight sector's "
            "demand in energy-final-demand")
    inp.final_demand = xr.where(inp.final_demand.demand_sector == "freight", rest,
                                inp.final_demand).transpose(*inp.final_demand.dims)
    # the base-year fleet is diesel: the rest keeps the sector's other fuels (rail's
    # electricity, gas, biofuels) in full and the oil the fleet does not burn
    d0, f0 = freight.isel(year=0, drop=True), fleet.isel(year=0, drop=True)
    mix = inp.fuel_mix.sel(demand_sector="freight", drop=True)
    oil = (mix.end_fuel == "oil").astype(float)
    rest_mix = (mix * d0 - f0 * oil) / (d0 - f0)
    if bool((rest_mix < -1e-9).any()):
        region = str(rest_mix.where(rest_mix < -1e-9, drop=True).region.values[0])
        raise InputError(
            f"trucks and buses burn more oil in {region} in the base year than the freight "
            "sector's oil share of energy-final-fuel-mix gives the sector",
            Location(file=str(cat.path("energy-heavy-vehicle-demand")),
                     field="energy-heavy-vehicle-demand"),
            "lower the fleet's base-year vehicle-km or diesel intensity, or raise the "
            "freight sector's oil share")
    inp.fuel_mix = xr.where(inp.fuel_mix.demand_sector == "freight", rest_mix.clip(min=0.0),
                            inp.fuel_mix).transpose(*inp.fuel_mix.dims)
