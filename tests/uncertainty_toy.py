"""Test-only stages for uncertainty runs (never shipped): linear in bundled estimates.

``cost`` reads two bundled estimate datasets (``energy-ccs-cost``, 3 rows, and
``energy-network-cost``, 1 row) and reports their sums, and a weighted total in which
the CCS costs count 10 times the network cost; ``report`` reads no dataset, only the
``cost`` result; ``fixed`` reads another dataset (``energy-vehicle-cost``); none
draws random numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import xarray as xr
from pydantic import BaseModel, ConfigDict

from shigen.stages import StageSpec
from shigen.study import Study


class Empty(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UncStudy(Study):
    cost: Empty | None = None
    report: Empty | None = None
    fixed: Empty | None = None


def run_cost(cfg: Empty, study: Study, cat: Any, upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    ccs = float(cat.frame("energy-ccs-cost")["value"].sum())
    network = float(cat.frame("energy-network-cost")["value"].sum())
    return xr.Dataset(attrs={"ccs": ccs, "network": network, "total": 10 * ccs + network})


def summarize_cost(ds: xr.Dataset) -> dict[str, Any]:
    return {"ccs_usd_per_t": ds.attrs["ccs"], "network": ds.attrs["network"],
            "total": ds.attrs["total"], "timings_s": {"run": 1.0}}


def run_report(cfg: Empty, study: Study, cat: Any,
               upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    return xr.Dataset(attrs={"double": 2 * upstream["cost"].attrs["total"]})


def run_fixed(cfg: Empty, study: Study, cat: Any, upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    return xr.Dataset(attrs={"rows": len(cat.frame("energy-vehicle-cost"))})


def summarize_report(ds: xr.Dataset) -> dict[str, Any]:
    return {"double": ds.attrs["double"]}


def summarize_fixed(ds: xr.Dataset) -> dict[str, Any]:
    return {"rows": ds.attrs["rows"]}


COST = StageSpec(name="cost", title="cost", run=run_cost, summarize=summarize_cost, draws=False)
REPORT = StageSpec(name="report", title="report", run=run_report,
                   summarize=summarize_report, draws=False)
FIXED = StageSpec(name="fixed", title="fixed", run=run_fixed,
                  summarize=summarize_fixed, draws=False)
STAGES = (FIXED, COST, REPORT)


def unc_study(seed: int = 3) -> UncStudy:
    return UncStudy.model_validate({"study": {"name": "unc", "title": "Unc", "seed": seed},
                                    "cost": {}, "report": {}, "fixed": {}})
