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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import pandas as pd
import xarray as xr

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study

RunFn = Callable[[Any, "Study", "Catalogue", Mapping[str, xr.Dataset]], xr.Dataset]


class Resampler(Protocol):
    """A stage's fast path for many samples that scale datasets (uncertainty runs).

    Made once per run by :attr:`StageSpec.resampler` and shipped to every worker;
    ``run`` returns the stage's dataset for a sample (range factors ``factors``) and how
    it was made (e.g. ``resolved`` or ``rebuilt``), equal to what ``StageSpec.run`` gives.
    """

    def run(self, cfg: Any, study: Study, catalogue: Catalogue,
            upstream: Mapping[str, xr.Dataset],
            factors: Mapping[str, float]) -> tuple[xr.Dataset, str]: ...

    def describe(self) -> dict[str, Any]: ...


ResamplerFn = Callable[[Any, "Study", "Catalogue", Sequence[str], int], Resampler]


@dataclass(frozen=True)
class StageSpec:
    name: str
    title: str
    run: RunFn
    summarize: Callable[[xr.Dataset], dict[str, Any]]
    iamc: Callable[[xr.Dataset], pd.DataFrame] | None = None
    #: the stage draws random numbers from the study's seed; False lets samples with
    #: another seed reuse its result (shigen.policy.evaluate); True is the safe default.
    #: A function of the stage's config says it per study (materials draws only when
    #: its section asks for Monte Carlo draws); see :meth:`seeded`
    draws: bool | Callable[[Any], bool] = True
    #: optional: ``resampler(cfg, study, catalogue, sampled datasets, samples)`` sets up a
    #: :class:`Resampler` for an uncertainty run (the energy LP built once, re-solved)
    resampler: ResamplerFn | None = None
    #: optional: ``summarize(run(...))`` without building the dataset, for callers that
    #: need only the summary (a policy case whose later stages do not read this result)
    summarize_run: Callable[[Any, Study, Catalogue, Mapping[str, xr.Dataset]],
                            dict[str, Any]] | None = None

    def seeded(self, cfg: Any) -> bool:
        """Whether the stage's result for its section ``cfg`` depends on the study's seed."""
        return bool(self.draws(cfg)) if callable(self.draws) else bool(self.draws)


def get_stage(name: str) -> StageSpec:
    module = importlib.import_module(f"shigen.{name}.stage")
    spec: StageSpec = module.STAGE
    return spec
