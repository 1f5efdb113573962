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
all capacity. Dataset parameters (one row per link and parameter, the unit in the name):
``existing_gw``, ``max_new_gw``, ``investment_usd_per_kw``, ``fixed_om_usd_per_kw_year``,
``loss_fraction``, ``lifetime_years``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import xarray as xr

from shigen.datasets.validate import is_country
from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.energy.formulation import Formulation

DATASET = "energy-transmission-links"
PARAMETERS = ("existing_gw", "max_new_gw", "investment_usd_per_kw",
              "fixed_om_usd_per_kw_year", "loss_fraction", "lifetime_years")
DIRECTIONS = ("forward", "reverse")


@dataclass
class Links:
    """Links between a study's regions; arrays over ``link`` (labels ``A-B``)."""

    from_region: xr.DataArray       # link -> region sending in the forward direction
    to_region: xr.DataArray         # link -> region receiving in the forward direction
    existing: xr.DataArray          # GW
    max_new: xr.DataArray           # GW over the horizon
    investment: xr.DataArray        # USD/kW
    fom: xr.DataArray               # USD/kW/yr
    loss: xr.DataArray              # fraction of the flow sent
    lifetime: xr.DataArray          # years

    @property
    def names(self) -> list[str]:
        return [str(x) for x in self.existing.link.values]

    def incidence(self, regions: list[str]) -> xr.DataArray:
        """Net TWh arriving in each region per TWh of flow (link x direction x region).

        Forward flow leaves ``from_region`` (-1) and arrives at ``to_region`` (1 - loss);
        reverse flow the other way round.
        """
        out = np.zeros((len(self.names), 2, len(regions)))
        for i, _ in enumerate(self.names):
            a = regions.index(str(self.from_region.values[i]))
            b = regions.index(str(self.to_region.values[i]))
            keep = 1.0 - float(self.loss.values[i])
            out[i, 0, a], out[i, 0, b] = -1.0, keep
            out[i, 1, b], out[i, 1, a] = -1.0, keep
        return xr.DataArray(out, dims=("link", "direction", "region"),
                            coords={"link": self.names, "direction": list(DIRECTIONS),
                                    "region": regions})

    def share(self, regions: list[str]) -> xr.DataArray:
        """Half of a link's cost to each end region (link x region)."""
        out = np.zeros((len(self.names), len(regions)))
        for i, _ in enumerate(self.names):
            out[i, regions.index(str(self.from_region.values[i]))] += 0.5
            out[i, regions.index(str(self.to_region.values[i]))] += 0.5
        return xr.DataArray(out, dims=("link", "region"),
                            coords={"link": self.names, "region": regions})


def _lines(path: str) -> list[int]:
    """The line each data row of a CSV file ends on (quoted fields may span lines)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(io.StringIO(fh.read(), newline=""))
        out = []
        for _ in reader:
            out.append(reader.line_num)
    return out[1:]


def load_links(cat: Catalogue, regions: list[str], known: set[str]) -> Links | None:
    """The links between ``regions`` (None when there are none); validate every row.

    ``known`` are the regions the energy datasets cover: a link naming another region
    (that is not an ISO 3166-1 alpha-3 code either),
    a link from a region to itself, a missing or unknown parameter, a negative or non-finite
    value, a loss of 1 or more
    or a lifetime of zero is an input error located at its file and line.
    """
    if DATASET not in cat:
        return None
    frame = cat.frame(DATASET)
    where = str(cat.path(DATASET))
    lines = _lines(where)

    def bad(i: int, column: str, what: str, fix: str) -> InputError:
        line = lines[i] if i < len(lines) else None
        return InputError(what, Location(where, line, column, f"{DATASET}"), fix)

    rows: dict[tuple[str, str], dict[str, float]] = {}
    first: dict[tuple[str, str], int] = {}
    for i, rec in enumerate(frame.itertuples(index=False)):
        a, b, name = str(rec.from_region), str(rec.to_region), str(rec.parameter)
        val = float(rec.value)  # type: ignore[arg-type]
        for col, r in (("from_region", a), ("to_region", b)):
            if r not in known and not is_country(r):
                raise bad(i, col, f"link {a}-{b} names unknown region '{r}'",
                          f"use a region of the energy data ({sorted(known)}) or an "
                          "ISO 3166-1 alpha-3 code")
        if a == b:
            raise bad(i, "to_region", f"link from {a} to itself",
                      "a link joins two different regions")
        if name not in PARAMETERS:
            raise bad(i, "parameter", f"unknown link parameter '{name}'",
                      f"use one of {list(PARAMETERS)}")
        if not np.isfinite(val) or val < 0:
            raise bad(i, "value", f"{name} {val:g} of link {a}-{b} is negative or not finite",
                      "give a number of 0 or more (a negative loss would create power)")
        if name == "loss_fraction" and val >= 1.0:
            raise bad(i, "value", f"loss fraction {val:g} of link {a}-{b} is 1 or more "
                      "(nothing would arrive)", "give the share lost, below 1 (e.g. 0.03)")
        if name == "lifetime_years" and val <= 0:
            raise bad(i, "value", f"lifetime {val:g} of link {a}-{b} is not positive",
                      "give the link's life in years")
        key = (a, b)
        if (b, a) in rows:
            raise bad(i, "from_region", f"link {a}-{b} is also given as {b}-{a}",
                      "give each link once; it carries power both ways")
        rows.setdefault(key, {})[name] = val
        first.setdefault(key, i)
    for key, pars in rows.items():
        missing = [p for p in PARAMETERS if p not in pars]
        if missing:
            raise bad(first[key], "parameter", f"link {key[0]}-{key[1]} has no {missing}",
                      f"give all of {list(PARAMETERS)} for every link")
    inside = [k for k in rows if k[0] in regions and k[1] in regions]
    if not inside:
        return None
    names = [f"{a}-{b}" for a, b in inside]

    def arr(values: list[object]) -> xr.DataArray:
        return xr.DataArray(values, dims="link", coords={"link": names})

    def par(p: str) -> xr.DataArray:
        return arr([rows[k][p] for k in inside])

    return Links(from_region=arr([k[0] for k in inside]), to_region=arr([k[1] for k in inside]),
                 existing=par("existing_gw"), max_new=par("max_new_gw"),
                 investment=par("investment_usd_per_kw"), fom=par("fixed_om_usd_per_kw_year"),
                 loss=par("loss_fraction"), lifetime=par("lifetime_years"))


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
    cap = (f.t("link_new").rename(year="vintage") * alive).sum("vintage") + existing_left(f)
    f.exprs["link_capacity"] = cap
    f.add(f.t("link_flow") - cap * (inp.hours / 1000.0), "<=", 0, "link_flow_limit",
          "transmission")
    f.add(f.t("link_new").sum("year"), "<=", links.max_new, "link_max_new",
          "transmission_limit")
    net = (f.t("link_flow") * links.incidence(inp.regions)).sum(["link", "direction"])
    f.exprs["net_import"] = net  # region, year, slice (TWh)


def flows(f: Formulation, sol: dict[str, xr.DataArray]) -> dict[str, xr.DataArray]:
    """Result arrays of a solved model with links: flows, capacity, imports, losses, cost."""
    from shigen.energy.accounts import BN

    links = f.inp.links
    assert links is not None
    flow = sol["link_flow"]
    new = sol["link_new"]
    cap = (new.rename(year="vintage") * f.alive_by["link"]).sum("vintage") + existing_left(f)
    inc = links.incidence(f.inp.regions)
    net = (flow * inc).sum(["link", "direction"])
    sent = (flow * (inc == -1.0)).sum(["link", "direction"])
    lost = (flow * links.loss).sum("direction").sum("slice")
    share = links.share(f.inp.regions)
    coords = {"from_region": ("link", links.from_region.values),
              "to_region": ("link", links.to_region.values)}
    return {
        "flows": flow.assign_coords(coords),
        "link_capacity": cap.assign_coords(coords),
        "link_additions": new.assign_coords(coords),
        "net_imports": net,
        "exports": sent,
        "transmission_losses": lost.assign_coords(coords),
        "transmission_investment": (new * links.investment * BN * share).sum("link"),
        "transmission_om": (cap * links.fom * BN * share).sum("link"),
    }
