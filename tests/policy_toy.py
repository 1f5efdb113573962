"""Test-only stages for the policy tests (never shipped): analytic, checkable by hand.

``toy`` computes the Ishigami function of its three inputs, a linear cost, and a
seeded random draw, so tests can check Sobol indices, dominance and common random
numbers against known values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr
from pydantic import BaseModel, ConfigDict

from shigen.stages import StageSpec
from shigen.study import Study


class ToyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    x1: float = 0.0
    x2: float = 0.0
    x3: float = 0.0
    cost: float = 1.0
    noise: float = 0.0
    draws: int = 200
    items: list[dict[str, float | str]] = []


class ToyStudy(Study):
    toy: ToyConfig | None = None


def run(cfg: ToyConfig, study: Study, cat: Any, upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    ishigami = np.sin(cfg.x1) + 7.0 * np.sin(cfg.x2) ** 2 + 0.1 * cfg.x3**4 * np.sin(cfg.x1)
    rng = np.random.default_rng(study.study.seed)
    draws = rng.normal(size=cfg.draws)
    shortfall = np.maximum(0.0, 10.0 + cfg.noise * draws - cfg.cost)
    ds = xr.Dataset({"ishigami": ((), ishigami, {"units": "1"}),
                     "cost": ((), cfg.cost, {"units": "JPY"}),
                     "shortfall": (("draw",), shortfall, {"units": "t"})})
    ds.attrs["items"] = sum(float(i.get("size", 0.0)) for i in cfg.items)
    return ds


def summarize(ds: xr.Dataset) -> dict[str, Any]:
    return {"ishigami": float(ds["ishigami"]), "cost": float(ds["cost"]),
            "risk": {"JPN": {"expected_shortfall_t": float(ds["shortfall"].mean())}},
            "items": ds.attrs["items"]}


TOY = StageSpec(name="toy", title="toy", run=run, summarize=summarize)


def toy_study(policy: dict[str, Any], toy: dict[str, Any] | None = None, seed: int = 7) -> ToyStudy:
    return ToyStudy.model_validate({"study": {"name": "toy", "title": "Toy", "seed": seed},
                                    "toy": toy or {}, "policy": policy})


def die_once(marker: str, item: int) -> int:
    """Executor test task: the process running item 3 dies the first time (a lost worker)."""
    import os
    from pathlib import Path

    if item == 3 and not Path(marker).exists():
        Path(marker).touch()
        os._exit(1)
    return item * item


POLICY = {
    "packages": {"status-quo": {}, "cheap": {"overrides": {"toy.cost": 3.0}},
                 "twin": {}, "noisy": {"overrides": {"toy.noise": 2.0}}},
    "criteria": [{"name": "cost", "path": "toy.cost", "sense": "min", "weight": 1, "unit": "JPY"},
                 {"name": "shortfall", "path": "toy.risk.JPN.expected_shortfall_t",
                  "sense": "min", "weight": 2, "unit": "t"}],
    "uncertain": [{"name": "noise", "path": "toy.noise",
                   "distribution": {"dist": "uniform", "low": 0.5, "high": 1.5}}],
}
