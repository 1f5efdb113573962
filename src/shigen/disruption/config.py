"""The ``[disruption]`` section of a study: markets, events and levers.

A *market* is one commodity bought by one importer (baseline demand, supplier
shares, price response). *Events* cut supply or raise demand, scheduled or
probabilistic, with onset, duration and depth given as distributions. *Levers*
are the protections whose value the stage measures (stockpiles, new suppliers,
recycling, substitution, demand restraint, agreements).

Numbers that describe the world (demand, shares, quotas) are references to
datasets (:class:`DataRef`); numbers that describe a scenario (probabilities,
depths, lever sizes) are declared in the study.
"""

from __future__ import annotations

import datetime as _dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from shigen.distributions import Distribution, Fixed, Normal, Triangular, Uniform

ISO3 = r"^[A-Z]{3}$"
SLUG = r"^[a-z0-9][a-z0-9-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataRef(_Model):
    """A value (or a series over one remaining dimension) taken from a dataset.

    ``select`` filters rows by dimension value, e.g. ``{origin = "WORLD", year = 2009}``;
    the remaining rows are summed (scalar) or returned by the ``over`` dimension.
    """

    dataset: str = Field(min_length=1, max_length=200, description="catalogue name")
    select: dict[str, str | int] = Field(default_factory=dict,
                                         description="dimension = value filters")


def _number_to_fixed(v: object) -> object:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return {"dist": "fixed", "value": v}
    return v


# a plain number means a fixed value; one validation path keeps error messages short
DistOrNumber = Annotated[Distribution, BeforeValidator(
    _number_to_fixed, json_schema_input_type=float | Distribution)]


def decimal_year(value: str | float | int) -> float:
    """``2010`` → 2010.0; ``"2010-09-21"`` → 2010 + day-of-year offset / year length."""
    if isinstance(value, int | float):
        return float(value)
    try:
        d = _dt.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"'{value}' is not a year or an ISO date (YYYY-MM-DD)") from exc
    start = _dt.date(d.year, 1, 1)
    length = (_dt.date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / length


class QuotaPath(_Model):
    """Depth by calendar year from a quota dataset: ``1 - quota[year] / quota[base_year]``."""

    dataset: str = Field(min_length=1)
    base_year: int = Field(ge=1900, le=2100)


EventKind = Literal["quota-cut", "embargo", "sanction", "chokepoint", "fleet-outage",
                    "capacity-loss"]


class Event(_Model):
    """One disruption.

    Scheduled when ``annual_probability`` is absent, else it may start
    in any year from ``window_start`` with that hazard (at most once per draw).

    Kinds and what ``depth`` means:

    - ``quota-cut``: a supplier cuts exports to every importer by ``depth`` (fraction),
      or by the year-by-year depth of a ``quota`` dataset;
    - ``embargo``: a supplier stops (``depth``) deliveries to one importer;
    - ``sanction``: an importer bans (``depth``) imports from one supplier;
    - ``chokepoint``: ``depth`` of the flow through a strait is blocked; the share of each
      importer's imports through it comes from ``route_share``;
    - ``fleet-outage``: a domestic fleet is offline (``depth`` = fraction offline) and its
      output is replaced by imports of ``commodity``: demand rises by
      ``depth * demand_increase`` of baseline;
    - ``capacity-loss``: a supplier loses ``depth`` of its capacity (all importers).
    """

    name: str = Field(pattern=SLUG, max_length=80)
    kind: EventKind
    commodity: str = Field(pattern=SLUG)
    supplier: str | None = Field(default=None, pattern=r"^([A-Z]{3}|OTHER)$")
    importer: str | None = Field(default=None, pattern=ISO3)
    chokepoint: str | None = Field(default=None, pattern=SLUG)
    route_share: DataRef | None = Field(
        default=None, description="share of the importer's imports through the chokepoint")
    onset: str | float | Distribution | None = Field(
        default=None, description="decimal year, ISO date, or a distribution of decimal years")
    annual_probability: float | None = Field(default=None, gt=0, le=1)
    window_start: float | None = Field(default=None, description="first year it may start")
    duration_days: DistOrNumber = Field(default_factory=lambda: Fixed(value=365.0))
    depth: DistOrNumber | None = Field(default=None)
    quota: QuotaPath | None = None
    demand_increase: float | None = Field(default=None, gt=0, le=10)
    same_draws_as: str | None = Field(
        default=None, pattern=SLUG, description="share the random draws of another event "
        "(e.g. one strait closure hitting crude and LNG at once)")

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        needs_supplier = {"quota-cut", "embargo", "sanction", "capacity-loss"}
        if self.kind in needs_supplier and self.supplier is None:
            raise ValueError(f"a '{self.kind}' event needs 'supplier'")
        if self.kind in {"embargo", "sanction"} and self.importer is None:
            raise ValueError(f"a '{self.kind}' event needs 'importer'")
        if self.kind == "chokepoint" and (self.chokepoint is None or self.route_share is None):
            raise ValueError("a 'chokepoint' event needs 'chokepoint' and 'route_share'")
        if self.kind == "fleet-outage" and self.demand_increase is None:
            raise ValueError("a 'fleet-outage' event needs 'demand_increase' (fraction of "
                             "baseline demand added when the whole fleet is offline)")
        if self.quota is not None and self.kind != "quota-cut":
            raise ValueError("'quota' applies only to 'quota-cut' events")
        if self.quota is None and self.depth is None:
            raise ValueError("give 'depth' (a fraction or a distribution)")
        if self.quota is not None and self.depth is not None:
            raise ValueError("give either 'depth' or 'quota', not both")
        if self.annual_probability is not None and self.onset is not None:
            raise ValueError("give either 'onset' (scheduled) or 'annual_probability'")
        if self.annual_probability is None and self.onset is None:
            raise ValueError("give 'onset' (scheduled) or 'annual_probability'")
        if isinstance(self.onset, str):
            decimal_year(self.onset)
        return self

    @field_validator("depth")
    @classmethod
    def _depth_fraction(cls, v: Distribution | None) -> Distribution | None:
        if v is not None:
            _check_fraction(v, "depth")
        return v


def _check_fraction(dist: Distribution, name: str) -> None:
    """Every value ``dist`` can give lies in [0, 1]: a depth is a fraction of a flow.

    A normal's mean must; its tails are clipped where it is drawn.
    """
    if isinstance(dist, Fixed):
        ends = [dist.value]
    elif isinstance(dist, Uniform | Triangular):
        ends = [dist.low, dist.high]
    elif isinstance(dist, Normal):
        ends = [dist.mean]
    else:  # LogNormal: positive by construction; its median and cap must be fractions
        ends = [dist.median, *([] if dist.max is None else [dist.max])]
    bad = [x for x in ends if not 0.0 <= x <= 1.0]
    if bad:
        raise ValueError(f"'{name}' is a fraction in [0, 1] (0.3 = 30 %); got {bad[0]:g}")


class Stockpile(_Model):
    """A strategic stock.

    ``days`` of baseline consumption held at the start, released to
    cover a shortfall (at most ``max_release_share`` of demand), refilled from surplus
    supply at up to ``refill_days_per_year``.
    """

    kind: Literal["stockpile"]
    commodity: str = Field(pattern=SLUG)
    importer: str = Field(pattern=ISO3)
    days: float | None = Field(default=None, ge=0, le=3650)
    days_from: DataRef | None = Field(default=None, description="days from a dataset (summed)")
    max_release_share: float = Field(default=1.0, gt=0, le=1)
    refill_days_per_year: float = Field(default=0.0, ge=0, le=3650)

    @model_validator(mode="after")
    def _one(self) -> Stockpile:
        if (self.days is None) == (self.days_from is None):
            raise ValueError("give exactly one of 'days' or 'days_from'")
        return self


class Diversification(_Model):
    """New supplier capacity.

    ``capacity_t_per_year`` (times ``offtake_share`` for this
    importer) available from ``start + lead_time_years``, ramping linearly over
    ``ramp_years``. Events on ``supplier`` also hit it.
    """

    kind: Literal["diversification"]
    commodity: str = Field(pattern=SLUG)
    importer: str = Field(pattern=ISO3)
    supplier: str = Field(pattern=r"^([A-Z]{3}|OTHER)$")
    capacity_t_per_year: float = Field(gt=0)
    offtake_share: float = Field(default=1.0, gt=0, le=1)
    start: str | float
    lead_time_years: float = Field(default=0.0, ge=0, le=50)
    ramp_years: float = Field(default=0.0, ge=0, le=50)


class RecyclingLever(_Model):
    """Secondary supply (recycling).

    From the materials stage (``source = "materials"``, variable
    ``secondary_supply`` for ``element``) or a ``rate`` (fraction of baseline demand),
    reached linearly over ``ramp_years`` from ``start``.
    """

    kind: Literal["recycling"]
    commodity: str = Field(pattern=SLUG)
    importer: str = Field(pattern=ISO3)
    source: Literal["rate", "materials"] = "rate"
    rate: float | None = Field(default=None, ge=0, le=1)
    element: str | list[str] | None = Field(
        default=None, description="element(s) of the materials stage, summed (default: the "
        "commodity name)")
    start: str | float | None = None
    ramp_years: float = Field(default=0.0, ge=0, le=50)

    @model_validator(mode="after")
    def _src(self) -> RecyclingLever:
        if self.source == "rate" and self.rate is None:
            raise ValueError("a 'rate' recycling lever needs 'rate'")
        return self


class Substitution(_Model):
    """Structural substitution (e.g. dysprosium-free magnets).

    Baseline demand falls by
    ``share``, phased in linearly over ``lag_years`` from ``start``.
    """

    kind: Literal["substitution"]
    commodity: str = Field(pattern=SLUG)
    importer: str = Field(pattern=ISO3)
    share: float = Field(gt=0, le=1)
    start: str | float
    lag_years: float = Field(default=0.0, ge=0, le=50)


class DemandRestraint(_Model):
    """Emergency demand restraint or price-induced demand response.

    During a shortfall,
    consumers forgo up to ``share`` of baseline demand (never more than the gap).
    """

    kind: Literal["demand-restraint"]
    commodity: str = Field(pattern=SLUG)
    importer: str = Field(pattern=ISO3)
    share: float = Field(gt=0, le=1)


class Agreement(_Model):
    """An agreement between ``parties`` from ``start``.

    Events between two parties occur
    with ``probability_factor`` times their probability and ``depth_factor`` times their
    depth; ``recycling_uplift`` raises the parties' recycling (joint research);
    ``alternative_supply_share`` opens supply (fraction of baseline demand of
    ``commodity``) for the importer parties after ``lead_time_years`` (e.g. a
    trilateral dialogue opening alternative enrichment).
    """

    kind: Literal["agreement"]
    name: str = Field(pattern=SLUG, max_length=80)
    parties: list[str] = Field(min_length=2)
    start: str | float
    probability_factor: float = Field(default=1.0, ge=0, le=1)
    depth_factor: float = Field(default=1.0, ge=0, le=1)
    recycling_uplift: float = Field(default=0.0, ge=0, le=10)
    commodity: str | None = Field(default=None, pattern=SLUG)
    alternative_supply_share: float = Field(default=0.0, ge=0, le=1)
    lead_time_years: float = Field(default=0.0, ge=0, le=50)

    @field_validator("parties")
    @classmethod
    def _iso(cls, v: list[str]) -> list[str]:
        import re

        bad = [p for p in v if not re.match(ISO3, p)]
        if bad:
            raise ValueError(f"parties {bad} are not ISO3 codes")
        return v

    @model_validator(mode="after")
    def _alt(self) -> Agreement:
        if self.alternative_supply_share > 0 and self.commodity is None:
            raise ValueError("'alternative_supply_share' needs 'commodity'")
        return self


Lever = Annotated[Stockpile | Diversification | RecyclingLever | Substitution | DemandRestraint
                  | Agreement, Field(discriminator="kind")]


class Elasticity(_Model):
    """Arc elasticity calibrated from two sourced points of quantity and price.

    ``ln(q1/q0) / ln(p1/p0)``.
    """

    quantity_before: DataRef
    quantity_after: DataRef
    price_before: DataRef
    price_after: DataRef


class Market(_Model):
    """One commodity bought by one importer."""

    commodity: str = Field(pattern=SLUG, max_length=60)
    importer: str = Field(pattern=ISO3)
    demand: DataRef = Field(description="baseline annual demand (imports), in the unit of "
                                        "the dataset")
    to_tonnes: DataRef | None = Field(default=None, description="tonnes per unit of demand, "
                                      "when the demand dataset is not in mass units")
    growth: float = Field(default=0.0, ge=-0.5, le=0.5, description="demand growth per year")
    suppliers: DataRef = Field(description="import shares by origin (dimension 'origin')")
    elasticity: float | Elasticity | DataRef = Field(
        description="short-run price elasticity of demand (negative), a calibration from "
                    "data, or a dataset reference")
    max_price_ratio: float = Field(default=20.0, gt=1, le=1000,
                                   description="choke price: cap on price / path price")
    surge_share: float = Field(default=0.0, ge=0, le=1, description="extra supply available "
                               "in a crisis from unaffected sources, fraction of demand")
    reference_price: DataRef | None = Field(
        default=None, description="price on the path (a currency per mass or per unit of "
        "demand) to value the shortfall")

    @field_validator("elasticity")
    @classmethod
    def _neg(cls, v: float | Elasticity | DataRef) -> float | Elasticity | DataRef:
        if isinstance(v, float | int) and not -5 <= v < 0:
            raise ValueError("a demand elasticity must be negative (between -5 and 0)")
        return v


class HistoryPoint(_Model):
    """One observed figure the backtest puts beside the model."""

    name: str = Field(pattern=SLUG)
    metric: Literal["imports_from_supplier", "imports_total", "price_ratio"]
    commodity: str = Field(pattern=SLUG)
    importer: str = Field(pattern=ISO3)
    supplier: str | None = Field(default=None, pattern=r"^([A-Z]{3}|OTHER)$")
    period: str = Field(description="'YYYY' or 'YYYY-MM'")
    observed: DataRef
    observed_base: DataRef | None = Field(default=None, description="denominator for "
                                          "price_ratio")

    @field_validator("period")
    @classmethod
    def _period(cls, v: str) -> str:
        import re

        if not re.match(r"^\d{4}(-(0[1-9]|1[0-2]))?$", v):
            raise ValueError("period must be 'YYYY' or 'YYYY-MM'")
        return v


class DisruptionConfig(_Model):
    """What to simulate: horizon, resolution, draws, markets, events and levers."""

    start: int = Field(ge=1900, le=2100, description="first year")
    end: int = Field(ge=1900, le=2150, description="last year (inclusive)")
    resolution: Literal["year", "month"] = "year"
    draws: int = Field(default=10_000, ge=1, le=10_000_000)
    chunk_draws: int = Field(default=16_384, ge=1, le=10_000_000,
                             description="draws of one market per chunk (divided by the "
                                         "number of markets; bounds memory); results do "
                                         "not depend on it")
    markets: list[Market] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    levers: list[Lever] = Field(default_factory=list)
    history: list[HistoryPoint] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check(self) -> DisruptionConfig:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        if self.end - self.start > 200:
            raise ValueError("the horizon is limited to 200 years")
        keys = [(m.commodity, m.importer) for m in self.markets]
        if len(set(keys)) != len(keys):
            raise ValueError("each (commodity, importer) market must appear once")
        names = [e.name for e in self.events]
        if len(set(names)) != len(names):
            raise ValueError("event names must be unique")
        for e in self.events:
            if e.same_draws_as is not None and e.same_draws_as not in names:
                raise ValueError(f"event '{e.name}': same_draws_as names no event "
                                 f"('{e.same_draws_as}'); events: {names}")
        for e in self.events:
            _check_in_horizon(e, self.start, self.end)
        commodities = {m.commodity for m in self.markets}
        for e in self.events:
            if e.commodity not in commodities:
                raise ValueError(f"event '{e.name}' names commodity '{e.commodity}' that has "
                                 f"no market; markets: {sorted(commodities)}")
        for lv in self.levers:
            if isinstance(lv, Agreement):
                continue
            if (lv.commodity, lv.importer) not in keys:
                raise ValueError(f"a '{lv.kind}' lever names market ({lv.commodity}, "
                                 f"{lv.importer}) that is not declared in 'markets'")
        return self


def _check_in_horizon(event: Event, start: int, end: int) -> None:
    """A scheduled event must touch the horizon [start, end + 1): an error, not a warning.

    An event wholly outside it changes no number of the run, so it is almost surely a
    typo in a year; refusing it is clearer than a warning nobody reads. Checked where
    the onset is certain (a year, a date, or a uniform/triangular range entirely out).
    """
    onset = event.onset
    if onset is None:  # hazard events: their window is checked by the simulator
        return
    if isinstance(onset, str | int | float):
        first = last = decimal_year(onset)
    elif isinstance(onset, Fixed):
        first = last = onset.value
    elif isinstance(onset, Uniform | Triangular):
        first, last = onset.low, onset.high
    else:
        return
    duration = event.duration_days
    longest = duration.value / 365.25 if isinstance(duration, Fixed) else None
    after = first >= end + 1
    before = longest is not None and last + longest <= start
    if after or before:
        when = onset if isinstance(onset, str) else f"{first:g}"
        raise ValueError(f"event '{event.name}' (onset {when}) is outside the horizon "
                         f"{start}-{end}; it would change nothing")
