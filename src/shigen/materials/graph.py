"""The material-flow graph of the materials stage, declared once.

In the spirit of flodym's definition → system: the processes and the flows between
them (with the dataset variable that holds each flow) are data here, and the code
that needs the graph derives from it — the end-of-life chain
(:func:`shigen.materials.eol.end_of_life`), the stage's end-of-life balance check,
the Sankey (:mod:`shigen.materials.sankey`) and flow series for figures::

    primary supply ─┐
                    ├─> fabrication ─> use: <product> ─> end of life ─> collection ─> recovery
    secondary supply┘                  │                 │              │             │
          ^   └─> secondary surplus    └> net addition   └> not         └> pre-       ├> recovery
          │                               to stock          collected      processing │  loss
          └──────────────────────────────────────────────────────────────── loss ────┘

A flow whose ``variable`` is not stored in the stage's dataset is closed by the
balance of its source process (what enters minus what else leaves), e.g. the material
that goes from collection to recovery, or the net addition to the in-use stock.

Examples
--------
>>> [f"{f.source} -> {f.target}" for f in FLOWS if f.rate]
['end of life -> collection', 'collection -> recovery', 'recovery -> secondary supply']
>>> [f.variable for f in leaving(("end of life", "collection", "recovery"))]
['not_collected', 'preprocessing_loss', 'recovery_loss', 'secondary_supply']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import xarray as xr

__all__ = ["FLOWS", "PROCESSES", "Flow", "Process", "balance_by_process", "entering",
           "flow_value", "leaving", "series", "system_balance"]

Kind = Literal["source", "transfer", "stock", "sink"]


@dataclass(frozen=True)
class Process:
    """A node of the graph: where material comes from, is transformed, kept or leaves."""

    name: str
    kind: Kind
    per_product: bool = False
    """One node per product (``use: <product>``), flows in and out keep the product."""


@dataclass(frozen=True)
class Flow:
    """Material moving from ``source`` to ``target`` (t/yr)."""

    source: str
    target: str
    variable: str
    """Dataset variable holding the flow (or the name of an unstored flow)."""
    stored: bool = True
    """False: not a dataset variable; closed by the balance of ``source``."""
    rate: str | None = None
    """Yield (a recycling-config trajectory) of ``source`` that sends its input on along
    this flow; the rest goes to the source's other (loss) flow."""


PROCESSES: tuple[Process, ...] = (
    Process("primary supply", "source"),
    Process("secondary supply", "transfer"),
    Process("fabrication", "transfer"),
    Process("use", "stock", per_product=True),
    Process("end of life", "transfer"),
    Process("collection", "transfer"),
    Process("recovery", "transfer"),
    Process("net addition to stock", "sink"),
    Process("not collected", "sink"),
    Process("pre-processing loss", "sink"),
    Process("recovery loss", "sink"),
    Process("secondary surplus", "sink"),
)

# Order matters: the end-of-life variables are created in this order, and the balance of
# a subsystem subtracts its leaving flows in this order.
FLOWS: tuple[Flow, ...] = (
    Flow("primary supply", "fabrication", "primary_demand"),
    Flow("secondary supply", "fabrication", "secondary_used"),
    Flow("fabrication", "use", "demand"),
    Flow("use", "end of life", "eol_outflow"),
    Flow("use", "net addition to stock", "stock_addition", stored=False),
    Flow("end of life", "collection", "collected", rate="collection"),
    Flow("end of life", "not collected", "not_collected"),
    Flow("collection", "pre-processing loss", "preprocessing_loss"),
    Flow("collection", "recovery", "preprocessed", stored=False, rate="preprocessing"),
    Flow("recovery", "recovery loss", "recovery_loss"),
    Flow("recovery", "secondary supply", "secondary_supply", rate="recovery"),
    Flow("secondary supply", "secondary surplus", "secondary_surplus"),
)

_BY_NAME = {p.name: p for p in PROCESSES}


def process(name: str) -> Process:
    """The declared process ``name``."""
    return _BY_NAME[name]


def entering(processes: Iterable[str]) -> list[Flow]:
    """Flows into the subsystem ``processes`` from outside it, in declared order."""
    inside = set(processes)
    return [f for f in FLOWS if f.target in inside and f.source not in inside]


def leaving(processes: Iterable[str]) -> list[Flow]:
    """Flows out of the subsystem ``processes``, in declared order."""
    inside = set(processes)
    return [f for f in FLOWS if f.source in inside and f.target not in inside]


def _total(ds: xr.Dataset, flows: Sequence[Flow]) -> xr.DataArray:
    total = flow_value(ds, flows[0])
    for f in flows[1:]:
        total = total + flow_value(ds, f)
    return total


def flow_value(ds: xr.Dataset, flow: Flow) -> xr.DataArray:
    """The flow's values in ``ds`` (stored, or closed by its source's balance)."""
    if flow.stored:
        return ds[flow.variable]
    others = [f for f in FLOWS if f.source == flow.source and f != flow]
    inflow = _total(ds, [f for f in FLOWS if f.target == flow.source])
    for f in others:
        inflow = inflow - flow_value(ds, f)
    return inflow


def system_balance(ds: xr.Dataset, processes: Sequence[str]) -> xr.DataArray:
    """Σ entering − Σ leaving flows of the subsystem ``processes`` (0 when it balances).

    Flows between the subsystem's processes cancel and are not read, so only the
    variables at its boundary need to be in ``ds``.
    """
    residual = _total(ds, entering(processes))
    for f in leaving(processes):
        residual = residual - flow_value(ds, f)
    return residual


def balance_by_process(ds: xr.Dataset) -> xr.Dataset:
    """Inflow − outflow of every transfer process (t/yr; zero up to rounding)."""
    out = {p.name: system_balance(ds, [p.name]) for p in PROCESSES if p.kind == "transfer"}
    return xr.Dataset(out)


def series(ds: xr.Dataset, keep: Sequence[str] = ("element", "year"),
           draw: int = 0) -> xr.Dataset:
    """Every flow summed over all dimensions but ``keep`` (at ``draw``), for figures.

    One variable per flow, named ``"<source> -> <target>"``, in declared order.
    """
    out = {}
    for f in FLOWS:
        try:
            da = flow_value(ds, f)
        except KeyError:  # a dataset without that part of the graph (e.g. no recycling)
            continue
        if "draw" in da.dims:
            da = da.sel(draw=draw)
        da = da.sum([d for d in da.dims if d not in keep])
        out[f"{f.source} -> {f.target}"] = da.assign_attrs(units="t/yr", variable=f.variable)
    return xr.Dataset(out)
