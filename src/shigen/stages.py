"""The stage contract and registry.

Each stage package ``shigen.<stage>`` has a module ``stage.py`` exposing ``STAGE``,
a :class:`StageSpec`. ``run`` takes the study's section for the stage, the whole
study, the dataset catalogue and the results of earlier stages, and returns an
``xarray.Dataset`` with named dimensions and ``attrs["units"]`` on each variable.
Stages never read files or print. ``summarize`` turns that dataset into the
JSON object of ``shigen run --json``; ``iamc`` (optional) into IAMC rows
(``region, variable, unit, year, value``). How a stage is shown (figures, tables,
terminal tables) is not part of the stage: see :func:`shigen.report.presentation`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd
import xarray as xr

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study

RunFn = Callable[[Any, "Study", "Catalogue", Mapping[str, xr.Dataset]], xr.Dataset]


@dataclass(frozen=True)
class StageSpec:
    name: str
    title: str
    run: RunFn
    summarize: Callable[[xr.Dataset], dict[str, Any]]
    iamc: Callable[[xr.Dataset], pd.DataFrame] | None = None
    #: the stage draws random numbers from the study's seed; False lets samples with
    #: another seed reuse its result (shigen.policy.evaluate); True is the safe default
    draws: bool = True


def get_stage(name: str) -> StageSpec:
    module = importlib.import_module(f"shigen.{name}.stage")
    spec: StageSpec = module.STAGE
    return spec
