"""Electricity transmission between regions: links, flows with losses, link expansion.

A study's regions trade electricity when the dataset ``energy-transmission-links`` has
links between them (rows for other regions are ignored; no links, no trade). Each link
``from_region - to_region`` carries power both ways; per period it has

- capacity (GW) = existing capacity left (linear retirement over its life, like the power
  fleet) + new capacity of the vintages still alive; new capacity summed over the
  horizon at most ``max_new_gw``;
- a flow per time slice and direction (TWh) at most capacity x slice hours;
- losses: a share ``loss_fraction`` of what is sent does not arrive.

The receiving region's electricity balance gains ``flow x (1 - loss)``, the sending
region's loses ``flow``. Investment (``investment_usd_per_kw``, converter stations
included) is annualised over the link's life like plant capital; fixed O&M is paid on
all capacity. The links and their parameters are read by :mod:`shigen.energy.links`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from shigen.energy.constants import BN
from shigen.energy.formulation import Formulation
from shigen.energy.links import DIRECTIONS


def existing_left(f: Formulation) -> xr.DataArray:
    """Existing link capacity still in service (link x year), linear retirement."""
    links = f.inp.links
    assert links is not None
    return links.existing * (1 - f.turnover(links.lifetime))


def define_transmission(f: Formulation) -> None:
    """Link expansion, flows within capacity, and each region's net imports per slice."""
    links = f.inp.links
    if links is None:
        return
    inp = f.inp
    y = f.years
    link_idx = links.existing.indexes["link"]
    upper = xr.where(y == inp.base_year, 0.0, np.inf).broadcast_like(
        links.existing * y).transpose("link", "year")
    new = f.m.add_variables(lower=0, upper=upper, name="link_new")
    flow = f.m.add_variables(lower=0, coords=[link_idx, pd.Index(DIRECTIONS, name="direction"),
                                              y.indexes["year"], inp.hours.indexes["slice"]],
                             name="link_flow")
    f.values.update(link_new=new, link_flow=flow)
    alive = f.alive(links.lifetime)  # link, vintage, year
    f.alive_by["link"] = alive
    cap = f.in_service(f.t("link_new"), alive) + existing_left(f)
    f.add(f.t("link_flow") - cap * (inp.hours / 1000.0), "<=", 0, "link_flow_limit",
          "transmission")
    f.add(f.t("link_new").sum("year"), "<=", links.max_new, "link_max_new",
          "transmission_limit")
    net = (f.t("link_flow") * links.incidence(inp.regions)).sum(["link", "direction"])
    f.exprs["net_import"] = net  # region, year, slice (TWh)


def _capacity(f: Formulation, new: xr.DataArray) -> xr.DataArray:
    """Link capacity (link x year) of a solution: vintages alive plus existing left."""
    return f.in_service(new, f.alive_by["link"]) + existing_left(f)


def link_results(f: Formulation, sol: Mapping[str, xr.DataArray]) -> dict[str, xr.DataArray]:
    """Capacity, net imports, exports and losses of a solved model with links."""
    links = f.inp.links
    assert links is not None
    flow = sol["link_flow"]
    inc = links.incidence(f.inp.regions)
    return {
        "link_capacity": _capacity(f, sol["link_new"]),
        "net_imports": (flow * inc).sum(["link", "direction"]),
        "exports": (flow * (inc == -1.0)).sum(["link", "direction"]),
        "transmission_losses": (flow * links.loss).sum("direction").sum("slice"),
    }


def link_costs(f: Formulation, sol: Mapping[str, xr.DataArray]
               ) -> tuple[xr.DataArray, xr.DataArray]:
    """Link investment per period and fixed O&M per year (bn USD), half to each end region."""
    links = f.inp.links
    assert links is not None
    new = sol["link_new"]
    share = links.share(f.inp.regions)
    return ((new * links.investment * BN * share).sum("link"),
            (_capacity(f, new) * links.fom * BN * share).sum("link"))
