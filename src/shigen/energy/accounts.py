"""Linear accounts: CO2, primary energy, electricity, cost as coefficients on variables.

An account maps each LP variable name to a coefficient array; its value is
``sum over variables of (variable x coefficient)`` summed over every dimension except
those kept (``region``, ``year`` and the account's own, e.g. ``sector``). The same
coefficients give a linopy expression while building (for a CO2 cap or a share target)
and numbers after solving (for results), so each formula is written once and the model
builds with few, large operations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import linopy
import numpy as np
import xarray as xr

from shigen.energy.constants import (
    BN,
    END_FUELS,
    FOSSIL,
    FUEL_CARRIER,
    PJ_PER_TWH,
    PRIMARY_FUELS,
    TECH_FUEL,
)
from shigen.energy.inputs import Inputs
from shigen.energy.terms import Terms

Account = dict[str, xr.DataArray]
KEEP = ("region", "year")


def _da(values: dict[str, float], dim: str) -> xr.DataArray:
    return xr.DataArray(list(values.values()), dims=dim, coords={dim: list(values)})


def _onehot(labels: list[str], keys: list[str], dim: str, kdim: str,
            pick: Mapping[str, str | None]) -> xr.DataArray:
    m = np.array([[1.0 if pick.get(lab) == k else 0.0 for lab in labels] for k in keys])
    return xr.DataArray(m, dims=(kdim, dim), coords={kdim: keys, dim: labels})


def _per_sector(inp: Inputs, values: dict[str, float], other: float) -> xr.DataArray:
    """A number per end-use sector: ``values`` where given, ``other`` elsewhere."""
    sectors = [str(s) for s in inp.final_demand.demand_sector.values]
    return _da({s: values.get(s, other) for s in sectors}, "demand_sector")


def fuel_of_tech(inp: Inputs) -> xr.DataArray:
    """1 where a technology burns a fuel (fuel x technology)."""
    techs = [str(t) for t in inp.existing.technology.values]
    return _onehot(techs, list(PRIMARY_FUELS), "technology", "fuel", TECH_FUEL)


def power_fuel_pj(inp: Inputs) -> xr.DataArray:
    """PJ of primary fuel per TWh generated, by fuel and technology."""
    return fuel_of_tech(inp) * (PJ_PER_TWH / inp.efficiency)


def evaluate(account: Account, values: Mapping[str, Any], keep: tuple[str, ...] = KEEP,
             const: Any = None) -> Any:
    """``sum(values[v] * coef)`` over all dimensions not kept (linopy or numbers)."""
    terms = []
    for name, coef in account.items():
        x = values[name]
        if isinstance(x, linopy.Variable):
            x = Terms.of(x)
        x = x * coef
        dims = getattr(x, "coord_dims", None) or x.dims
        drop = [d for d in dims if d not in keep and d != "_term"]
        terms.append(x.sum(drop) if drop else x)
    if isinstance(terms[0], xr.DataArray):
        total = sum(terms[1:], terms[0])
    else:  # one merge of all terms is cheaper than a chain of additions
        total = Terms.merge(terms) if len(terms) > 1 else terms[0]
    if const is not None:
        total = total + const
    return total


def co2(inp: Inputs) -> Account:
    """Energy CO2 (Mt) by ``sector``: power, industry, buildings, transport, other."""
    ef = inp.emission_factor.reindex(fuel=list(PRIMARY_FUELS)).fillna(0.0)
    per_pj = power_fuel_pj(inp)
    fossil_ef = ef.where(ef.fuel.isin(list(FOSSIL)), 0.0)
    bio_ef = ef.where(ef.fuel == "biomass", 0.0)
    per_twh = (per_pj * (fossil_ef * (1 - inp.capture_rate) - bio_ef * inp.capture_rate)
               ).sum("fuel")
    sectors = ["power", "industry", "buildings", "transport", "other"]
    gen = per_twh * _da({s: 1.0 if s == "power" else 0.0 for s in sectors}, "sector")
    demand_to_co2 = _onehot(list(inp.final_demand.demand_sector.values), sectors, "demand_sector",
                            "sector", {"industry": "industry", "buildings": "buildings",
                                       "freight": "transport", "other": "other",
                                       "appliances": "buildings"})
    oil = float(inp.emission_factor.sel(fuel="oil"))
    gas = float(inp.emission_factor.sel(fuel="gas"))
    road_liquid = _da({"oil": oil, "biofuel": 0.0}, "liquid") * _da(
        {s: 1.0 if s == "transport" else 0.0 for s in sectors}, "sector")
    return _with_heavy(inp, {
        "generation": gen,
        "end_use": inp.end_use_emission_factor * demand_to_co2,
        "ldv_liquid": road_liquid,
        "hydrogen": _da({"smr": gas / inp.params["h2_smr_efficiency"], "electrolysis": 0.0},
                        "route") * _da({s: 1.0 if s == "other" else 0.0 for s in sectors},
                                       "sector"),
        "industry_capture": _da({s: -1.0 if s == "industry" else 0.0 for s in sectors},
                                "sector"),
    })


def _with_heavy(inp: Inputs, acc: Account) -> Account:
    """``acc`` with the trucks' and buses' liquids (``heavy_liquid``) counted as the LDVs'.

    Oil and biofuel in a truck emit, cost and draw on primary energy as in a car, so the
    heavy fleets' liquids take the light-duty vehicles' coefficients.
    """
    if inp.heavy is not None and "ldv_liquid" in acc:
        acc["heavy_liquid"] = acc["ldv_liquid"]
    return acc


def captured(inp: Inputs) -> Account:
    """CO2 captured (Mt) by ``sector``: power (incl. biomass) and industry."""
    ef = inp.emission_factor.reindex(fuel=list(PRIMARY_FUELS)).fillna(0.0)
    per_twh = (power_fuel_pj(inp) * ef * inp.capture_rate).sum("fuel")
    return {"generation": per_twh * _da({"power": 1.0, "industry": 0.0}, "sector"),
            "industry_capture": _da({"power": 0.0, "industry": 1.0}, "sector")}


def primary(inp: Inputs) -> Account:
    """Primary energy (PJ) by ``carrier``, physical-energy-content convention."""
    carriers = ["coal", "oil", "gas", "nuclear", "hydro", "wind", "solar", "geothermal",
                "biomass"]
    techs = [str(t) for t in inp.existing.technology.values]
    direct = {"hydro": "hydro", "wind_onshore": "wind", "wind_offshore": "wind",
              "solar_pv": "solar", "csp": "solar", "geothermal": "geothermal",
              "nuclear": "nuclear"}
    per_pj = power_fuel_pj(inp)
    to_carrier = _onehot(list(PRIMARY_FUELS), carriers, "fuel", "carrier", FUEL_CARRIER)
    burn = (per_pj * to_carrier).sum("fuel")
    # heat-equivalent for non-fuel technologies: TWh x 3.6 / efficiency (1 for RE)
    nonfuel = _onehot(techs, carriers, "technology", "carrier",
                      {t: c for t, c in direct.items() if t != "nuclear"})
    gen = burn + nonfuel * (PJ_PER_TWH / inp.efficiency)
    end = _onehot(list(END_FUELS), carriers, "end_fuel", "carrier",
                  {"coal": "coal", "oil": "oil", "gas": "gas", "biomass": "biomass"})
    bio_eff = inp.params["biofuel_efficiency"]
    freight = _per_sector(inp, {"freight": 1.0 / bio_eff}, 1.0)
    end = end * xr.where(end.carrier == "biomass", freight, 1.0)
    one = {c: 0.0 for c in carriers}
    return _with_heavy(inp, {
        "generation": gen,
        "end_use": end,
        "ldv_liquid": xr.concat([_da({**one, "oil": 1.0}, "carrier"),
                                 _da({**one, "biomass": 1.0 / bio_eff}, "carrier")],
                                dim=xr.DataArray(["oil", "biofuel"], dims="liquid")),
        "hydrogen": xr.concat([_da({**one, "gas": 1.0 / inp.params["h2_smr_efficiency"]},
                                   "carrier"), _da(one, "carrier")],
                              dim=xr.DataArray(["smr", "electrolysis"], dims="route")),
    })


def electricity_final(inp: Inputs) -> Account:
    """Final electricity (TWh): end-use sectors (incl. specific uses), vehicles, electrolysis."""
    end = _da({f: 1.0 / PJ_PER_TWH if f == "electricity" else 0.0 for f in END_FUELS},
              "end_fuel")
    acc = {"end_use": end,
           "travel": inp.vehicle_intensity.sel(carrier="electricity", drop=True) / PJ_PER_TWH,
           "hydrogen": _da({"smr": 0.0, "electrolysis": 1.0 / (
               inp.params["h2_electrolysis_efficiency"] * PJ_PER_TWH)}, "route")}
    if inp.heavy is not None:  # battery-electric trucks and buses
        acc["heavy_travel"] = inp.heavy.intensity.sel(carrier="electricity",
                                                      drop=True) / PJ_PER_TWH
    return acc


def transport(inp: Inputs) -> tuple[Account, Account]:
    """Oil used in transport and all transport energy (PJ): road vehicles + the freight rest."""
    freight = _per_sector(inp, {"freight": 1.0}, 0.0)
    oil = {"end_use": freight * _da({f: 1.0 if f == "oil" else 0.0 for f in END_FUELS},
                                    "end_fuel"),
           "ldv_liquid": _da({"oil": 1.0, "biofuel": 0.0}, "liquid")}
    energy = {"end_use": freight,
              "travel": inp.vehicle_intensity.sum("carrier")}
    if inp.heavy is not None:
        oil["heavy_liquid"] = oil["ldv_liquid"]
        energy["heavy_travel"] = inp.heavy.intensity.sum("carrier")
    return oil, energy


def cost(inp: Inputs, weight: xr.DataArray, alive: dict[str, xr.DataArray],
         carbon_price: xr.DataArray | None) -> Account:
    """Present-value cost (bn USD) per unit of each variable."""
    price = inp.fuel_price.reindex(fuel=list(PRIMARY_FUELS)).fillna(0.0)
    per_pj = power_fuel_pj(inp)

    def pv(kind: str) -> xr.DataArray:
        """Present value, by vintage (on ``year``), of 1 a year over a vintage's life."""
        return (alive[kind] * weight).sum("year").rename(vintage="year")

    cap_pv = pv("power")
    # grid investment (networks, remote connection) is paid with the plant, over its life
    cap_cost = ((inp.capex + inp.grid_cost) * inp.crf(inp.lifetime) + inp.fom) * cap_pv
    ts = inp.ccs_cost["transport_storage"]
    cap_rate = captured(inp)["generation"].sum("sector")
    gen = ((per_pj * price).sum("fuel") + cap_rate * ts) * weight
    # an end-use fuel costs its primary fuel's price (electricity's cost is the power system's)
    end_price = price.reindex(fuel=list(END_FUELS)).fillna(0.0).rename(fuel="end_fuel")
    bio_eff = inp.params["biofuel_efficiency"]
    biofuel = inp.conversion_cost["biofuel"]
    is_freight = _per_sector(inp, {"freight": 1.0}, 0.0) > 0
    bio_price = price.sel(fuel="biomass", drop=True)
    end_cost = xr.where((end_price.end_fuel == "biomass") & is_freight,
                        bio_price / bio_eff + biofuel, end_price)
    life = inp.sector_life
    crf = inp.crf(life.where(life < 500, 30.0))
    sav = inp.eff_cost * crf
    # equipment that lets a sector use more of a fuel than in the base year costs more than
    # the incumbent's (heat pumps, electric or gas trucks): an annuity per GJ/yr switched
    switch = inp.switch_cost * crf
    veh_pv = pv("ldv")
    veh = inp.vehicle_cost * inp.crf(inp.vehicle_life) * veh_pv
    liquid = xr.concat([price.sel(fuel="oil", drop=True),
                        bio_price / bio_eff + inp.conversion_cost["biofuel"]],
                       dim=xr.DataArray(["oil", "biofuel"], dims="liquid"))
    gas = price.sel(fuel="gas", drop=True)
    h2 = xr.concat([gas / inp.params["h2_smr_efficiency"] + inp.conversion_cost["h2_smr"],
                    xr.zeros_like(gas) + inp.conversion_cost["h2_electrolysis"]],
                   dim=xr.DataArray(["smr", "electrolysis"], dims="route"))
    capture = inp.ccs_cost["industry_capture"] + ts
    acc: Account = _with_heavy(inp, {
        "new_capacity": cap_cost * BN,
        "generation": gen * BN,
        "end_use": end_cost * weight * BN,
        "fuel_switch": switch * weight * BN,
        "saving": sav * weight * BN,
        "vehicle_sales": veh * BN,
        "ldv_liquid": liquid * weight * BN,
        "hydrogen": h2 * weight * BN,
        "industry_capture": xr.full_like(weight, capture) * weight * BN,
    })
    if inp.heavy is not None:  # a drivetrain without a price cannot be bought (bound 0)
        heavy = inp.heavy
        acc["heavy_sales"] = (heavy.cost.fillna(0.0) * inp.crf(heavy.life) * pv("heavy")
                              * BN)
    # a mothballed base-year plant saves its fixed O&M (counted outside the LP as sunk)
    acc["mothballed"] = -inp.fom * weight * BN
    if "extension" in alive:  # refurbishment: an annuity over the added years, plus O&M
        ext_cost = inp.extension_cost.fillna(0.0)
        acc["life_extension"] = ((ext_cost * inp.crf(inp.extension_life) + inp.fom)
                                 * pv("extension") * BN)
    if "network" in alive and inp.network_life is not None:
        acc["network"] = (inp.network_cost["investment"] * inp.crf(inp.network_life)
                          * pv("network") * BN)
    if inp.links is not None and "link" in alive:
        links = inp.links
        acc["link_new"] = (links.investment * inp.crf(links.lifetime) + links.fom) * pv("link") * BN
    if carbon_price is not None:
        for name, coef in co2(inp).items():
            add = coef.sum("sector") * carbon_price * weight * BN
            acc[name] = acc[name] + add if name in acc else add
    return acc
