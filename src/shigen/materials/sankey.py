"""Sankey data (nodes and links) of the element flows of one year.

The report and web layers draw the figure; this module only says what flows
where. Links carry tonnes of the chosen elements (summed, central draw)::

    primary supply, secondary supply -> fabrication -> use: <product>
    use: <product> -> end of life | net addition to stock
    end of life -> not collected | collection
    collection -> pre-processing loss | recovery
    recovery -> recovery loss | secondary supply | secondary surplus
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import xarray as xr


@dataclass
class Sankey:
    """Nodes (labels) and links (``source``/``target`` node indices, ``value`` in t)."""

    year: int
    elements: list[str]
    nodes: list[str] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)

    def node(self, label: str) -> int:
        if label not in self.nodes:
            self.nodes.append(label)
        return self.nodes.index(label)

    def link(self, source: str, target: str, value: float) -> None:
        if value > 0:
            self.links.append({"source": self.node(source), "target": self.node(target),
                               "value": float(value)})

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "elements": self.elements, "unit": "t",
                "nodes": list(self.nodes), "links": list(self.links)}


def sankey(ds: xr.Dataset, year: int | None = None,
           elements: Sequence[str] | None = None, draw: int = 0) -> Sankey:
    """Flows of ``elements`` (default: all) in ``year`` from a materials stage dataset.

    ``year`` defaults to the study's ``sankey_year``, else the last year.
    """
    if year is None:
        year = int(ds.attrs.get("sankey_year", -1))
        if year < 0:
            year = int(ds["year"].values[-1])
    if year not in set(int(y) for y in ds["year"].values):
        raise ValueError(f"year {year} is outside the run's years")
    els = list(elements) if elements else [str(e) for e in ds["element"].values]
    d = ds.sel(year=year, draw=draw, element=els).sum("element")
    s = Sankey(year=year, elements=els)
    by_product = d.sum("region")
    s.link("primary supply", "fabrication", float(d["primary_demand"].sum()))
    s.link("secondary supply", "fabrication", float(d["secondary_used"].sum()))
    for p in by_product["product"].values:
        use = f"use: {p}"
        inflow = float(by_product["demand"].sel(product=p))
        outflow = float(by_product["eol_outflow"].sel(product=p))
        s.link("fabrication", use, inflow)
        s.link(use, "end of life", outflow)
        s.link(use, "net addition to stock", inflow - outflow)
    s.link("end of life", "not collected", float(d["not_collected"].sum()))
    s.link("end of life", "collection", float(d["collected"].sum()))
    s.link("collection", "pre-processing loss", float(d["preprocessing_loss"].sum()))
    s.link("collection", "recovery", float((d["collected"] - d["preprocessing_loss"]).sum()))
    s.link("recovery", "recovery loss", float(d["recovery_loss"].sum()))
    s.link("recovery", "secondary supply", float(d["secondary_used"].sum()))
    s.link("recovery", "secondary surplus", float(d["secondary_surplus"].sum()))
    return s
