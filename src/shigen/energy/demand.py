"""Builders of the demand side: end-use sectors, light-duty vehicles, hydrogen, biomass.

End-use sectors (industry, buildings, freight, other) meet a baseline final-energy demand
with fuels and efficiency measures. Stock turnover limits how fast both change: equipment
still running from the base year keeps its fuel mix and efficiency.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from shigen.energy.config import VEHICLES
from shigen.energy.formulation import Formulation
from shigen.energy.inputs import END_FUELS, FOSSIL, PJ_PER_TWH, SECTORS

BN = 1e-3  # PJ x USD/GJ = 1e6 USD = 1e-3 bn USD


def define_end_use(f: Formulation) -> None:
    """Fuel use and efficiency savings per sector; fuel inertia and ceilings."""
    inp = f.inp
    regions = f.exprs["capacity"].indexes["region"]
    use = f.m.add_variables(lower=0, coords=[regions, inp.final_demand.indexes["sector"],
                                             xr.DataArray(list(END_FUELS), dims="fuel")
                                             .to_index(), f.years.indexes["year"]],
                            name="end_use")
    steps = inp.eff_potential.indexes["step"]
    save = f.m.add_variables(lower=0, coords=[regions, inp.final_demand.indexes["sector"], steps,
                                              f.years.indexes["year"]], name="saving")
    life = inp.equipment_life.sel(sector=list(SECTORS))
    turnover = f.turnover(life)
    demand = inp.final_demand
    served = demand - save.sum("step")
    f.add(use.sum("fuel") + save.sum("step"), "==", demand, "sector_balance", "balance")
    f.add(save - inp.eff_potential * turnover * demand, "<=", 0, "efficiency_potential",
          "efficiency_potential")
    f.add(use - served * (inp.fuel_mix * (1 - turnover)), ">=", 0, "fuel_inertia", "inertia")
    ceiling = np.maximum(inp.max_fuel_share, inp.fuel_mix)
    f.add(use - served * ceiling, "<=", 0, "fuel_ceiling", "fuel_ceiling")
    f.exprs["end_use"] = use
    f.exprs["saving"] = save
    crf = inp.crf(life.where(life < 500, 30.0))
    f.cost((save * inp.eff_cost * crf * BN * f.weight()).sum())
    price = inp.fuel_price.reindex(fuel=list(END_FUELS)).fillna(0.0)
    is_freight = xr.DataArray([s == "freight" for s in SECTORS], dims="sector",
                              coords={"sector": list(SECTORS)})
    # biomass in freight is biofuel: feedstock priced in the biomass balance below
    fuel_cost = (use * price * BN * f.weight())
    f.cost(fuel_cost.sel(fuel=["coal", "oil", "gas"]).sum())
    f.cost((use.sel(fuel="biomass", drop=True) * xr.where(is_freight, 0.0, 1.0)
            * price.sel(fuel="biomass", drop=True) * BN * f.weight()).sum())


def define_vehicles(f: Formulation) -> None:
    """Light-duty vehicle sales, stock by vintage and travel by drivetrain."""
    inp = f.inp
    regions = f.exprs["capacity"].indexes["region"]
    y = f.years
    vidx = xr.DataArray(list(VEHICLES), dims="vehicle").to_index()
    upper = xr.where(y == inp.base_year, 0.0, np.inf).broadcast_like(
        inp.vehicle_stock * y).transpose("region", "vehicle", "year")
    sales = f.m.add_variables(lower=0, upper=upper, name="vehicle_sales")
    travel = f.m.add_variables(lower=0, coords=[regions, vidx, y.indexes["year"]],
                               name="travel")
    life = inp.equipment_life.sel(sector="ldv", drop=True)
    alive = f.alive(life)
    stock = (sales.rename(year="vintage") * alive).sum("vintage") + \
        inp.vehicle_stock * (1 - f.turnover(life))
    f.add(travel - stock * inp.mileage, "<=", 0, "vehicle_stock", "stock")
    f.add(travel.sum("vehicle"), "==", inp.ldv_demand, "travel_demand", "balance")
    f.exprs.update(vehicle_sales=sales, travel=travel, vehicle_stock=stock)
    pv = (alive * f.weight()).sum("year").rename(vintage="year") * inp.crf(life)
    f.cost((sales * inp.vehicle_cost * pv * BN).sum())
    intensity = inp.vehicle_intensity
    for carrier in ("liquids", "electricity", "hydrogen"):
        it = intensity.sel(carrier=carrier, drop=True) if carrier in intensity.carrier else 0.0
        f.exprs[f"ldv_{carrier}"] = (travel * it).sum("vehicle")
    liq = f.m.add_variables(lower=0, coords=[regions, xr.DataArray(["oil", "biofuel"],
                                                                   dims="liquid").to_index(),
                                             y.indexes["year"]], name="ldv_liquid")
    f.add(liq.sum("liquid") - f.exprs["ldv_liquids"], "==", 0, "liquid_fuel", "balance")
    f.exprs["ldv_liquid"] = liq
    f.cost((liq.sel(liquid="oil", drop=True) * inp.fuel_price.sel(fuel="oil", drop=True) * BN * f.weight()).sum())


def define_hydrogen(f: Formulation) -> None:
    """Hydrogen for fuel-cell vehicles from gas reforming or electrolysis."""
    inp = f.inp
    regions = f.exprs["capacity"].indexes["region"]
    routes = xr.DataArray(["smr", "electrolysis"], dims="route").to_index()
    h2 = f.m.add_variables(lower=0, coords=[regions, routes, f.years.indexes["year"]],
                           name="hydrogen")
    f.add(h2.sum("route") - f.exprs["ldv_hydrogen"], "==", 0, "hydrogen_balance", "balance")
    f.exprs["h2_gas"] = h2.sel(route="smr", drop=True) / inp.params["h2_smr_efficiency"]
    f.exprs["h2_electricity_twh"] = (h2.sel(route="electrolysis", drop=True)
                                     / inp.params["h2_electrolysis_efficiency"] / PJ_PER_TWH)
    f.exprs["hydrogen"] = h2
    cost = (h2.sel(route="smr", drop=True) * inp.conversion_cost["h2_smr"]
            + h2.sel(route="electrolysis", drop=True) * inp.conversion_cost["h2_electrolysis"]
            + f.exprs["h2_gas"] * inp.fuel_price.sel(fuel="gas", drop=True))
    f.cost((cost * BN * f.weight()).sum())


def define_final_electricity(f: Formulation) -> None:
    """Final electricity: specific uses + end-use switching + vehicles + electrolysis."""
    use = f.exprs["end_use"].sel(fuel="electricity", drop=True).sum("sector") / PJ_PER_TWH
    f.exprs["electricity_final_twh"] = (use + f.exprs["ldv_electricity"] / PJ_PER_TWH
                                        + f.exprs["h2_electricity_twh"] + f.inp.elec_demand)


def define_biomass(f: Formulation) -> None:
    """Biomass supply: power, end use and biofuel feedstock within the potential."""
    inp = f.inp
    eff = inp.params["biofuel_efficiency"]
    use = f.exprs["end_use"].sel(fuel="biomass", drop=True)
    biofuel = use.sel(sector="freight", drop=True) + f.exprs["ldv_liquid"].sel(liquid="biofuel", drop=True)
    primary = (f.exprs["power_fuel"].sel(fuel="biomass", drop=True)
               + use.sel(sector=[s for s in SECTORS if s != "freight"]).sum("sector")
               + biofuel / eff)
    f.exprs["biofuel"] = biofuel
    f.exprs["biomass_primary"] = primary
    f.add(primary, "<=", inp.biomass_potential, "biomass_supply", "biomass_supply",
          mask=f.years > inp.base_year)
    f.cost(((biofuel / eff * inp.fuel_price.sel(fuel="biomass", drop=True)
             + biofuel * inp.conversion_cost["biofuel"]) * BN * f.weight()).sum())


def define_industry_ccs(f: Formulation) -> None:
    """CO2 capture at industrial point sources, up to a share of industry fossil CO2."""
    inp = f.inp
    share = inp.params.get("industry_ccs_max_share", 0.0)
    ef = inp.emission_factor.reindex(fuel=list(FOSSIL))
    gross = (f.exprs["end_use"].sel(sector="industry", fuel=list(FOSSIL)) * ef).sum("fuel")
    f.exprs["industry_gross"] = gross
    if share <= 0:
        f.exprs["captured_industry"] = gross * 0.0
        return
    cap = f.m.add_variables(lower=0, coords=[f.exprs["capacity"].indexes["region"],
                                             f.years.indexes["year"]], name="industry_capture")
    life = inp.equipment_life.sel(sector="industry", drop=True)
    f.add(cap - gross * (share * f.turnover(life)), "<=", 0, "industry_ccs_limit",
          "industry_ccs_limit")
    f.exprs["captured_industry"] = cap
    per_t = inp.ccs_cost["industry_capture"] + inp.ccs_cost["transport_storage"]
    f.cost((cap * per_t * BN * f.weight()).sum())


def define_emissions(f: Formulation) -> None:
    """Energy CO2 by sector (Mt): power, industry, buildings, transport, other."""
    inp = f.inp
    ef = inp.emission_factor.reindex(fuel=list(FOSSIL))
    use = f.exprs["end_use"].sel(fuel=list(FOSSIL))
    by_sector = (use * ef).sum("fuel")
    f.exprs["co2"] = {
        "power": f.exprs["co2_power"],
        "industry": by_sector.sel(sector="industry", drop=True) - f.exprs["captured_industry"],
        "buildings": by_sector.sel(sector="buildings", drop=True),
        "transport": by_sector.sel(sector="freight", drop=True)
        + f.exprs["ldv_liquid"].sel(liquid="oil", drop=True) * float(ef.sel(fuel="oil", drop=True)),
        "other": by_sector.sel(sector="other", drop=True) + f.exprs["h2_gas"] * float(ef.sel(fuel="gas", drop=True)),
    }
    total = None
    for e in f.exprs["co2"].values():
        total = e if total is None else total + e
    f.exprs["co2_total"] = total


def define_primary(f: Formulation) -> None:
    """Primary energy by carrier (PJ), physical-energy-content convention."""
    inp = f.inp
    use = f.exprs["end_use"]
    gen = f.exprs["generation_year"]
    eff = inp.efficiency
    fossil = {fu: use.sel(fuel=fu, drop=True).sum("sector") + f.exprs["power_fuel"].sel(fuel=fu, drop=True)
              for fu in FOSSIL}
    fossil["oil"] = fossil["oil"] + f.exprs["ldv_liquid"].sel(liquid="oil", drop=True)
    fossil["gas"] = fossil["gas"] + f.exprs["h2_gas"]
    prim = dict(fossil)
    prim["nuclear"] = gen.sel(technology="nuclear", drop=True) * PJ_PER_TWH / float(eff.sel(technology="nuclear", drop=True))
    prim["hydro"] = gen.sel(technology="hydro", drop=True) * PJ_PER_TWH
    prim["wind"] = gen.sel(technology=["wind_onshore", "wind_offshore"]).sum("technology") * PJ_PER_TWH
    prim["solar"] = gen.sel(technology=["solar_pv", "csp"]).sum("technology") * PJ_PER_TWH
    prim["geothermal"] = gen.sel(technology="geothermal", drop=True) * PJ_PER_TWH / float(
        eff.sel(technology="geothermal", drop=True))
    prim["biomass"] = f.exprs["biomass_primary"]
    f.exprs["primary"] = prim
    total = None
    for e in prim.values():
        total = e if total is None else total + e
    f.exprs["primary_total"] = total
    f.exprs["transport_oil"] = use.sel(sector="freight", fuel="oil", drop=True) + \
        f.exprs["ldv_liquid"].sel(liquid="oil", drop=True)
    f.exprs["transport_energy"] = (use.sel(sector="freight", drop=True).sum("fuel") + f.exprs["ldv_liquids"]
                                   + f.exprs["ldv_electricity"] + f.exprs["ldv_hydrogen"])
