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
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from shigen.economy.appraisal import FIGURES, package_figure
from shigen.errors import InputError, Location
from shigen.policy.packages import apply_overrides
from shigen.policy.paths import PathError, get_path
from shigen.stages import Resampler, StageSpec

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study


@dataclass(frozen=True)
class Case:
    """One evaluation: study-field overrides, the seed of the stages' draws, range factors.

    ``factors`` are (dataset name, factor) pairs on the rows each dataset's range covers
    (uncertainty runs, :mod:`shigen.policy.data_uncertainty`).
    """

    overrides: Mapping[str, Any]
    seed: int
    where: str = "policy"
    append: Mapping[str, Sequence[Any]] | None = None
    factors: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class CriterionRef:
    name: str
    path: str
    field: str  # where the criterion is declared, for error messages
    optional: bool = False  # NaN instead of an error when the path does not resolve


class Upstream(Mapping[str, xr.Dataset]):
    """The earlier stages' results, recording which of them a stage looks at.

    With ``compute`` (a function of a stage name) and ``names`` (the earlier stages), a
    result is computed the first time a stage asks for it: an ensemble case never runs
    a stage that neither a criterion nor a later stage reads.
    """

    def __init__(self, results: Mapping[str, xr.Dataset],
                 compute: Callable[[str], None] | None = None,
                 names: Sequence[str] | None = None):
        self._results = results
        self._compute = compute
        self._names = list(results) if names is None else list(names)
        self.used: set[str] = set()

    def __getitem__(self, name: str) -> xr.Dataset:
        if name not in self._names:
            raise KeyError(name)
        self.used.add(name)
        if name not in self._results and self._compute is not None:
            self._compute(name)
        return self._results[name]

    def __iter__(self) -> Iterator[str]:
        self.used.update(self._names)
        if self._compute is not None:
            for name in self._names:
                if name not in self._results:
                    self._compute(name)
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


@dataclass
class Evaluator:
    """Runs ``stages`` on a case's study and reads the criteria from their summaries.

    With ``reuse`` (the default) a stage's result is kept for the next cases that change
    nothing the stage reads (:meth:`_key`): its own study section, the datasets it read
    (data overrides and range factors on them), the results of the earlier stages it
    looked at, and the seed only if the stage draws random numbers for the case's section
    (:meth:`shigen.stages.StageSpec.seeded`). What a stage reads is recorded the first
    time it runs (a recording catalogue view and upstream mapping) or given by
    :meth:`prime`; until then every data change and every earlier stage counts. So
    ensemble samples share the materials result when only disruption parameters and the
    seed change, and uncertainty samples re-run only the stages that read a sampled
    dataset or a changed result. :meth:`evaluate` computes only the stages the criteria
    read and those they read in turn (on demand, :class:`Upstream`).
    """

    study: Study
    stages: tuple[StageSpec, ...]
    catalogue: Catalogue
    criteria: tuple[CriterionRef, ...]
    reuse: bool = True
    memo_size: int = 8
    discount_rate: float = 0.04  # for criteria ``economy.<figure>``
    # stage → key → (result, summary); the result is None where only the summary was made
    _memo: dict[str, OrderedDict[str, tuple[xr.Dataset | None, dict[str, Any]]]] = field(
        default_factory=dict, repr=False, compare=False)
    # what each stage was seen to read: datasets, and earlier stages' results
    reads: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)
    uses: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)
    runs: int = field(default=0, repr=False, compare=False)  # stages computed, not reused
    #: stage → its fast path for samples with range factors (``StageSpec.resampler``)
    resamplers: dict[str, Resampler] = field(default_factory=dict, repr=False, compare=False)
    #: how each stage's result of the last case was made: ``reused``, ``ran``, or the
    #: resampler's word (``resolved``, ``rebuilt``)
    how: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_memo"] = {}  # workers build their own
        return state

    def _key(self, case: Case, spec: StageSpec, keys: Mapping[str, str],
             study: Study | None = None) -> str:
        """What ``spec``'s result depends on for ``case`` (``study``: the case's study).

        See the class docstring; the seed counts when the stage draws random numbers for
        the case's section (:meth:`shigen.stages.StageSpec.seeded`).
        """
        name = spec.name
        study = self.study if study is None else study
        reads = self.reads.get(name)
        ov = {p: v for p, v in case.overrides.items() if p.split(".")[0] in (name, "data")}
        ap = {p: v for p, v in (case.append or {}).items() if p.split(".")[0] == name}
        drawn = [o for o in (case.append or {}).get("data.override", [])
                 if reads is None or not isinstance(o, Mapping) or o.get("dataset") in reads]
        factors = [f for f in case.factors if reads is None or f[0] in reads]
        before = [s.name for s in self.stages[: self.stages.index(spec)]]
        used = self.uses.get(name)
        upstream = {s: keys[s] for s in before if s in keys and (used is None or s in used)}
        seed = case.seed if spec.seeded(getattr(study, name, None)) else None
        return json.dumps([seed, ov, ap, drawn, factors, upstream], sort_keys=True, default=str)

    def prime(self, results: Mapping[str, xr.Dataset],
              reads: Mapping[str, Sequence[str]] | None = None,
              uses: Mapping[str, Sequence[str]] | None = None) -> None:
        """Keep ``results`` of the unchanged study (its own seed), e.g. the run's upstream.

        ``reads`` and ``uses`` (stage → datasets read, earlier stages looked at), when the
        caller recorded them, let cases that change other data reuse these results.
        """
        for name, names in (reads or {}).items():
            self.reads[name] = frozenset(names)
        for name, names in (uses or {}).items():
            self.uses[name] = frozenset(names)
        if not self.reuse:
            return
        base = Case({}, self.study.study.seed)
        keys: dict[str, str] = {}
        for spec in self.stages:
            if spec.name not in results:
                return
            ds = results[spec.name]
            keys[spec.name] = self._key(base, spec, keys)
            self._memo.setdefault(spec.name, OrderedDict())[keys[spec.name]] = (
                ds, spec.summarize(ds))

    def case_catalogue(self, study: Study, case: Case) -> Catalogue:
        """The datasets as ``case`` sees them: its study's overrides, then its range factors."""
        # the case's data overrides (the study's, a package's, drawn ones) replace the view's
        catalogue = study.data_view(self.catalogue)
        return catalogue.with_factors(dict(case.factors)) if case.factors else catalogue

    def summaries(self, case: Case, needed: Collection[str] | None = None
                  ) -> dict[str, dict[str, Any]]:
        """Each stage's ``summarize()`` JSON for the case's study.

        ``needed`` (stage names; default every stage) limits the summaries computed: a
        stage outside it runs only if a needed stage reads its result (:class:`Upstream`).
        A stage's result does not depend on which others ran, so the summaries computed
        are the same either way.
        """
        study = apply_overrides(self.study, case.overrides, where=case.where, seed=case.seed,
                                append=case.append)
        run = _CaseRun(self, case, study, self.case_catalogue(study, case))
        for spec in self.stages:
            if (needed is None or spec.name in needed) and run.declared(spec.name):
                run.ensure(spec.name)
        # in stage order, whatever order they were computed in
        return {s.name: run.out[s.name] for s in self.stages if s.name in run.out}

    def needed(self) -> frozenset[str]:
        """The stages whose summaries the criteria read (``economy.*``: the disruption's)."""
        heads = {c.path.split(".")[0] for c in self.criteria}
        return frozenset("disruption" if h == ECONOMY else h for h in heads)

    def evaluate(self, case: Case) -> np.ndarray:
        """Criterion values (in declaration order) for one case."""
        return read_criteria(self.summaries(case, self.needed()), self.criteria,
                             self.discount_rate)


class _CaseRun:
    """The stages of one case, each computed (or reused) at most once, on demand."""

    def __init__(self, ev: Evaluator, case: Case, study: Study, catalogue: Catalogue):
        self.ev, self.case, self.study, self.catalogue = ev, case, study, catalogue
        self.specs = {s.name: s for s in ev.stages}
        self.results: dict[str, xr.Dataset] = {}
        self.keys: dict[str, str] = {}
        self.out: dict[str, dict[str, Any]] = {}

    def declared(self, name: str) -> bool:
        return getattr(self.study, name, None) is not None

    def _before(self, name: str) -> list[str]:
        names = [s.name for s in self.ev.stages]
        return [n for n in names[: names.index(name)] if self.declared(n)]

    def ensure(self, name: str) -> None:
        """The stage's result for the case: from the memo when its key matches, else run.

        The last stage, which no other stage reads, gives only its summary where it can
        (:attr:`shigen.stages.StageSpec.summarize_run`: the same summary, no dataset).
        """
        if name in self.out:
            return
        ev, case, spec = self.ev, self.case, self.specs[name]
        cfg = getattr(self.study, name)
        memo = ev._memo.setdefault(name, OrderedDict())
        used = ev.uses.get(name)
        key = None
        ds: xr.Dataset | None = None
        if ev.reuse and memo:
            # the key needs the keys of the earlier stages this one reads (all, until
            # known); with nothing to reuse, they are computed only when the stage asks
            for n in self._before(name):
                if used is None or n in used:
                    self.ensure(n)
            key = ev._key(case, spec, self.keys, self.study)
        if key is not None and key in memo:
            ds, summary = memo[key]
            memo.move_to_end(key)
            ev.how[name] = "reused"
        else:
            recording = self.catalogue.recording()
            upstream = Upstream(self.results, self.ensure, self._before(name))
            reads = ev.reads.get(name)
            factors = {n: f for n, f in case.factors if reads is None or n in reads}
            if factors and name in ev.resamplers:
                ds, ev.how[name] = ev.resamplers[name].run(
                    cfg, self.study, recording, upstream, factors)
                summary = spec.summarize(ds)
            elif spec.summarize_run is not None and name == ev.stages[-1].name:
                summary = spec.summarize_run(cfg, self.study, recording, upstream)
                ev.how[name] = "ran"
            else:
                ds = spec.run(cfg, self.study, recording, upstream)
                ev.how[name] = "ran"
                summary = spec.summarize(ds)
            ev.runs += 1
            ev.reads[name] = ev.reads.get(name, frozenset()) | set(recording.reads())
            ev.uses[name] = ev.uses.get(name, frozenset()) | upstream.used
            key = ev._key(case, spec, self.keys, self.study)
            if ev.reuse:
                memo[key] = (ds, summary)
                while len(memo) > ev.memo_size:
                    memo.popitem(last=False)
        self.keys[name] = key
        if ds is not None:
            self.results[name] = ds
        self.out[name] = summary


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
                        if isinstance(by_imp, Mapping)  # not the stage's warnings list
                        for e in by_imp.values() if isinstance(e, Mapping) and "economy" in e
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
