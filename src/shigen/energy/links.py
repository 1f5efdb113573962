"""Electricity links between a study's regions, read from ``energy-transmission-links``.

One row per link and parameter (the unit in the name): ``existing_gw``, ``max_new_gw``,
``investment_usd_per_kw``, ``fixed_om_usd_per_kw_year``, ``loss_fraction``,
``lifetime_years``. Rows for links with an end outside the study are checked and then
ignored; no links, no trade. The LP side is :mod:`shigen.energy.transmission`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import xarray as xr

from shigen.datasets.validate import is_country
from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

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


def load_links(cat: Catalogue, regions: list[str], known: set[str]) -> Links | None:
    """The links between ``regions`` (None when there are none); validate every row.

    ``known`` are the regions the energy datasets cover: a link naming another region
    (that is not an ISO 3166-1 alpha-3 code either), a link from a region to itself, a
    missing or unknown parameter, a negative or non-finite value, a loss of 1 or more or a
    lifetime of zero is an input error located at its file and line (the catalogue keeps
    each row's line).
    """
    if DATASET not in cat:
        return None
    data = cat.get(DATASET)
    frame, where = data.frame, str(data.path)

    def bad(i: int, column: str, what: str, fix: str) -> InputError:
        line = data.lines[i] if i < len(data.lines) else None  # a Dataset made without lines
        return InputError(what, Location(where, line, column, DATASET), fix)

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
