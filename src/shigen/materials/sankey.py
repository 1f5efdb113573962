"""Sankey data (nodes and links) of the element flows of one year.

The report and web layers draw the figure; this module only says what flows
where. Nodes and links are the processes and flows of :mod:`shigen.materials.graph`
(the ``use`` process one node per product, ``use: <product>``); links carry tonnes of
the chosen elements (summed, central draw), and empty links are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import xarray as xr

from shigen.materials import graph


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
    products = [str(p) for p in by_product["product"].values]
    for f in graph.FLOWS:
        source, target = graph.process(f.source), graph.process(f.target)
        if source.per_product or target.per_product:
            values = graph.flow_value(by_product, f)
            for p in products:
                s.link(f"{f.source}: {p}" if source.per_product else f.source,
                       f"{f.target}: {p}" if target.per_product else f.target,
                       float(values.sel(product=p)))
        else:
            s.link(f.source, f.target, float(graph.flow_value(d, f).sum()))
    return s
