"""Evaluate cases: a study with overrides → upstream stages → criterion values.

An :class:`Evaluator` is what every worker needs (the base study, the stage specs,
the dataset catalogue and the criteria); it is shipped once per worker, and tasks
are chunks of :class:`Case` objects. A case's result depends only on the case (its
overrides and seed), never on which worker ran it or with which other cases.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from shigen.errors import InputError, Location
from shigen.policy.packages import apply_overrides
from shigen.policy.paths import PathError, get_path
from shigen.stages import StageSpec

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study


@dataclass(frozen=True)
class Case:
    """One evaluation: overrides of study fields and the seed of the stages' draws."""

    overrides: Mapping[str, Any]
    seed: int
    where: str = "policy"
    append: Mapping[str, Sequence[Any]] | None = None


@dataclass(frozen=True)
class CriterionRef:
    name: str
    path: str
    field: str  # where the criterion is declared, for error messages


@dataclass
class Evaluator:
    """Runs ``stages`` on a case's study and reads the criteria from their summaries.

    With ``reuse`` (the default), stages that come before the first stage a case changes
    are not run again: their results for the unchanged study and the case's seed are kept
    from the previous case with that seed (data flows one way, so they cannot differ).
    """

    study: Study
    stages: tuple[StageSpec, ...]
    catalogue: Catalogue
    criteria: tuple[CriterionRef, ...]
    reuse: bool = True
    _base: dict[int, tuple[dict[str, xr.Dataset], dict[str, Any]]] = field(
        default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_base"] = {}  # workers build their own
        return state

    def first_changed(self, case: Case) -> int:
        """Index in ``stages`` of the first stage whose section the case changes."""
        touched = {p.split(".")[0] for p in [*case.overrides, *(case.append or {})]}
        names = [s.name for s in self.stages]
        return min((names.index(t) for t in touched if t in names), default=len(names))

    def _run(self, study: Study, specs: Sequence[StageSpec], results: dict[str, xr.Dataset],
             out: dict[str, Any]) -> None:
        for spec in specs:
            cfg = getattr(study, spec.name, None)
            if cfg is None:
                continue
            ds = spec.run(cfg, study, self.catalogue, results)
            results[spec.name] = ds
            out[spec.name] = spec.summarize(ds)

    def _prefix(self, seed: int, upto: int) -> tuple[dict[str, xr.Dataset], dict[str, Any]]:
        """Results of the first ``upto`` stages of the unchanged study with ``seed``."""
        if seed not in self._base:
            self._base.clear()  # one seed at a time: cases come grouped by seed
            self._base[seed] = ({}, {})
        results, out = self._base[seed]
        todo = [s for s in self.stages[:upto] if s.name not in results]
        if todo:
            base = apply_overrides(self.study, {}, where="policy", seed=seed)
            self._run(base, todo, results, out)
        keep = {s.name for s in self.stages[:upto]}
        return ({k: v for k, v in results.items() if k in keep},
                {k: v for k, v in out.items() if k in keep})

    def summaries(self, case: Case) -> dict[str, dict[str, Any]]:
        """Each stage's ``summarize()`` JSON for the case's study."""
        study = apply_overrides(self.study, case.overrides, where=case.where, seed=case.seed,
                                append=case.append)
        first = self.first_changed(case) if self.reuse else 0
        results, out = self._prefix(case.seed, first) if first else ({}, {})
        self._run(study, self.stages[first:], results, out)
        return out

    def evaluate(self, case: Case) -> np.ndarray:
        """Criterion values (in declaration order) for one case."""
        return read_criteria(self.summaries(case), self.criteria)


def read_criteria(summaries: Mapping[str, Any], criteria: Sequence[CriterionRef]) -> np.ndarray:
    """Criterion values from stage summaries; ``InputError`` at the criterion if a path fails."""
    values = np.empty(len(criteria))
    for i, c in enumerate(criteria):
        try:
            v = get_path(summaries, c.path)
        except PathError as exc:
            raise InputError(f"criterion '{c.name}': {exc}", Location(field=c.field),
                             "point the path at a number in a stage's `shigen run --json` "
                             "output (first segment: the stage name)") from None
        if isinstance(v, bool) or not isinstance(v, int | float | np.number) or (
                v is not None and not math.isfinite(float(v))):
            raise InputError(f"criterion '{c.name}': '{c.path}' is {v!r}, not a finite number",
                             Location(field=c.field),
                             "point the path at a numeric leaf of the stage summary")
        values[i] = float(v)
    return values


def evaluate_chunk(evaluator: Evaluator, cases: Sequence[Case]) -> np.ndarray:
    """Criterion values for a chunk of cases, shape (len(cases), criteria)."""
    return np.stack([evaluator.evaluate(c) for c in cases]) if cases else np.empty(
        (0, len(evaluator.criteria)))
