"""Evaluate cases: a study with overrides → upstream stages → criterion values.

An :class:`Evaluator` is what every worker needs (the base study, the stage specs,
the dataset catalogue and the criteria); it is shipped once per worker, and tasks
are chunks of :class:`Case` objects. A case's result depends only on the case (its
overrides and seed), never on which worker ran it or with which other cases.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from shigen.economy.appraisal import FIGURES, package_figure
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
    optional: bool = False  # NaN instead of an error when the path does not resolve


@dataclass
class Evaluator:
    """Runs ``stages`` on a case's study and reads the criteria from their summaries.

    With ``reuse`` (the default) a stage's result is kept for the next cases whose seed and
    overrides of that stage's section and of every earlier stage's section are the same
    (data flows one way, so the result cannot differ): packages that change only the
    disruption levers share one materials run, and Sobol points share everything upstream
    of the parameters they vary.
    """

    study: Study
    stages: tuple[StageSpec, ...]
    catalogue: Catalogue
    criteria: tuple[CriterionRef, ...]
    reuse: bool = True
    memo_size: int = 8
    discount_rate: float = 0.04  # for criteria ``economy.<figure>``
    _memo: dict[str, OrderedDict[str, tuple[xr.Dataset, dict[str, Any]]]] = field(
        default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_memo"] = {}  # workers build their own
        return state

    def _key(self, case: Case, upto: int) -> str:
        """What ``stages[upto]`` depends on: the seed, changes to its and earlier sections."""
        # data overrides change what every stage reads
        heads = {s.name for s in self.stages[: upto + 1]} | {"data"}
        ov = {p: v for p, v in case.overrides.items() if p.split(".")[0] in heads}
        ap = {p: v for p, v in (case.append or {}).items() if p.split(".")[0] in heads}
        return json.dumps([case.seed, ov, ap], sort_keys=True, default=str)

    def prime(self, results: Mapping[str, xr.Dataset]) -> None:
        """Keep ``results`` of the unchanged study (its own seed), e.g. the run's upstream."""
        if not self.reuse:
            return
        base = Case({}, self.study.study.seed)
        for i, spec in enumerate(self.stages):
            if spec.name not in results:
                return
            ds = results[spec.name]
            self._memo.setdefault(spec.name, OrderedDict())[self._key(base, i)] = (
                ds, spec.summarize(ds))

    def summaries(self, case: Case) -> dict[str, dict[str, Any]]:
        """Each stage's ``summarize()`` JSON for the case's study."""
        study = apply_overrides(self.study, case.overrides, where=case.where, seed=case.seed,
                                append=case.append)
        # the case's data overrides (the study's, a package's, drawn ones) replace the view's
        catalogue = self.catalogue.with_overrides(study.data_overrides())
        results: dict[str, xr.Dataset] = {}
        out: dict[str, dict[str, Any]] = {}
        for i, spec in enumerate(self.stages):
            cfg = getattr(study, spec.name, None)
            if cfg is None:
                continue
            memo = self._memo.setdefault(spec.name, OrderedDict())
            key = self._key(case, i)
            if self.reuse and key in memo:
                ds, summary = memo[key]
                memo.move_to_end(key)
            else:
                ds = spec.run(cfg, study, catalogue, results)
                summary = spec.summarize(ds)
                if self.reuse:
                    memo[key] = (ds, summary)
                    while len(memo) > self.memo_size:
                        memo.popitem(last=False)
            results[spec.name] = ds
            out[spec.name] = summary
        return out

    def evaluate(self, case: Case) -> np.ndarray:
        """Criterion values (in declaration order) for one case."""
        return read_criteria(self.summaries(case), self.criteria, self.discount_rate)


ECONOMY = "economy"
"""Head of criterion paths computed from every market's ``economy`` block (not a stage)."""


def economy_totals(summaries: Mapping[str, Any]) -> tuple[float, float, np.ndarray] | None:
    """Expected and P95 annual loss and the yearly lever cash flows, summed over markets.

    The P95 is the sum of the markets' P95s (an upper bound of the P95 of the sum). None
    when no market of the disruption summary has an ``economy`` block.
    """
    blocks = [e["economy"] for by_imp in (summaries.get("disruption") or {}).values()
              if isinstance(by_imp, Mapping) for e in by_imp.values()
              if isinstance(e, Mapping) and "economy" in e]
    if not blocks:
        return None
    years = sorted({y for b in blocks for y in b["lever_cash_flows_usd"]})
    flows = np.array([sum(float(b["lever_cash_flows_usd"].get(y) or 0.0) for b in blocks)
                      for y in years])
    return (sum(float(b["expected_annual_loss_usd"] or 0.0) for b in blocks),
            sum(float(b["p95_annual_loss_usd"] or 0.0) for b in blocks), flows)


def _economy_value(summaries: Mapping[str, Any], path: str, rate: float) -> float:
    parts = path.split(".")
    totals = economy_totals(summaries)
    if totals is None:
        # no market has an economy block (an io-table-<importer> and a unit value)
        raise PathError(path, "economy", [])
    loss, tail, flows = totals
    if len(parts) == 3 and parts[1] == "cash_flow":
        years = sorted({y for by_imp in summaries["disruption"].values()
                        for e in by_imp.values() if "economy" in e
                        for y in e["economy"]["lever_cash_flows_usd"]})
        if parts[2] not in years:
            raise PathError(path, path, years)
        return float(flows[years.index(parts[2])])
    if len(parts) != 2 or parts[1] not in FIGURES:
        raise PathError(path, path, [*FIGURES, "cash_flow.<year>"])
    return package_figure(parts[1], loss, tail, flows, rate)


def read_criteria(summaries: Mapping[str, Any], criteria: Sequence[CriterionRef],
                  discount_rate: float = 0.04) -> np.ndarray:
    """Criterion values from stage summaries; ``InputError`` at the criterion if a path fails.

    A path ``economy.<figure>`` is computed from every market's economy block at
    ``discount_rate`` (:func:`shigen.economy.appraisal.package_figure`).
    """
    values = np.empty(len(criteria))
    for i, c in enumerate(criteria):
        try:
            v = (_economy_value(summaries, c.path, discount_rate)
                 if c.path.split(".")[0] == ECONOMY else get_path(summaries, c.path))
        except PathError as exc:
            if c.optional:
                values[i] = np.nan
                continue
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
