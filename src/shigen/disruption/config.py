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

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shigen.distributions import Distribution, Fixed, LogNormal, Normal, Triangular, Uniform

ISO3 = r"^[A-Z]{3}$"


def iso3_codes(codes: list[str], what: str) -> list[str]:
    """``codes`` if every one is an ISO3 country code, else the located ValueError."""
    import re

    bad = [c for c in codes if not re.match(ISO3, c)]
    if bad:
        raise ValueError(f"{what} {bad} are not ISO3 codes")
    return codes
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


class RangeRef(_Model):
    """A uniform range read from a dataset: the selected rows by ``bound`` (``low``, ``high``).

    E.g. ``{ range = "ree-element-elasticities", select = { element = "dysprosium",
    side = "demand" } }``: the elasticity is drawn uniformly between the dataset's low and
    high rows, so the range, its source and its reason live in the catalogue, not the study.
    """

    range: str = Field(min_length=1, max_length=200, description="catalogue name of a "
                       "dataset with a 'bound' dimension (low, high)")
    select: dict[str, str | int] = Field(default_factory=dict,
                                         description="dimension = value filters")


def _number_to_fixed(v: object) -> object:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return {"dist": "fixed", "value": v}
    return v


# a plain number means a fixed value; one validation path keeps error messages short
DistOrNumber = Annotated[Distribution, BeforeValidator(
    _number_to_fixed, json_schema_input_type=float | Distribution)]
# ... or a range held in a dataset (resolved against the catalogue when the model compiles)
DistOrRange = DistOrNumber | RangeRef


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
    """Depth by calendar year from a quota dataset: ``1 - quota[year] / quota[base_year]``.

    A dataset with a ``half`` dimension (1, 2) gives the depth of each half-year against
    the base year's annual rate: ``1 - 2 quota[year, half] / quota[base_year]`` (China's
    2010 quota was issued 22 282 t for the first half and 7 976 t for the second).
    ``unrecorded_exports`` is what leaves the supplier outside the quota (smuggling,
    products outside the licences) as a fraction of recorded exports: it does not follow
    the quota, so the cut reaches only ``1 / (1 + unrecorded_exports)`` of the flow.
    """

    dataset: str = Field(min_length=1)
    base_year: int = Field(ge=1900, le=2100)
    unrecorded_exports: DistOrNumber = Field(
        default_factory=lambda: Fixed(value=0.0), description="exports outside the quota, "
        "fraction of recorded exports (>= 0); they do not follow a quota cut")

    @field_validator("unrecorded_exports")
    @classmethod
    def _positive(cls, v: Distribution) -> Distribution:
        if not _all_in(v, 0.0, 10.0):
            raise ValueError("'unrecorded_exports' is a fraction of recorded exports "
                             "between 0 and 10")
        return v


# Element groups an event may name (``group = "heavy"``). There is no IUPAC split; this
# follows the convention of China's export controls, which treat samarium, europium and
# gadolinium as "medium" and terbium, dysprosium and the heavier lanthanides plus yttrium
# as "heavy" (MOFCOM/GAC announcement 2025 No. 18 names Sm, Gd, Tb, Dy, Lu, Sc, Y).
ELEMENT_GROUPS: dict[str, tuple[str, ...]] = {
    "light": ("lanthanum", "cerium", "praseodymium", "neodymium"),
    "medium": ("samarium", "europium", "gadolinium"),
    "heavy": ("terbium", "dysprosium", "holmium", "erbium", "thulium", "ytterbium",
              "lutetium", "yttrium"),
}
ElementGroup = Literal["light", "medium", "heavy"]

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
    elements: list[str] | None = Field(
        default=None, min_length=1, description="only these elements of the commodity "
        "(element markets with element_of = commodity), e.g. ['dysprosium', 'terbium']")
    group: ElementGroup | None = Field(
        default=None, description="only the elements of this group (light, medium, heavy)")
    backlog_release: DistOrNumber | None = Field(
        default=None, description="share of the flow an embargo withheld that is delivered "
        "after it ends (shipments held, not cancelled), spread over 'backlog_days'")
    backlog_days: float = Field(default=30.0, gt=0, le=730)
    diversion: DistOrRange | None = Field(
        default=None, description="share of the flow a targeted restriction (embargo, "
        "sanction, or a quota-cut naming its importer) withholds that the supplier re-sells "
        "to third buyers of the same world market, who then need less of the other "
        "suppliers' output: the world loses only (1 - diversion) of it. A fraction, a "
        "distribution or a dataset range (e.g. { range = \"trade-diversion-share\", "
        "select = { market = \"minerals\" } }); default none (the world loses all of it)")

    def element_filter(self) -> set[str] | None:
        """The element markets the event reaches, or None for the whole commodity."""
        if self.elements is None and self.group is None:
            return None
        named = set(self.elements or [])
        if self.group is not None:
            named |= set(ELEMENT_GROUPS[self.group])
        return named

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
        if self.backlog_release is not None:
            if self.kind not in {"embargo", "sanction"}:
                raise ValueError("'backlog_release' applies to 'embargo' and 'sanction' "
                                 "events (held shipments)")
            _check_fraction(self.backlog_release, "backlog_release")
        if self.diversion is not None:
            # a quota on all exports withholds nothing from one buyer that another could
            # take instead: what it cuts is lost to the world, never diverted
            if self.kind not in {"embargo", "sanction"} and not (
                    self.kind == "quota-cut" and self.importer is not None):
                raise ValueError("'diversion' applies to restrictions aimed at one importer "
                                 "(embargo, sanction, or a quota-cut with 'importer'); a "
                                 f"'{self.kind}' on every buyer is a loss to the world")
            if not isinstance(self.diversion, RangeRef):
                _check_fraction(self.diversion, "diversion")
            if self.backlog_release is not None:
                raise ValueError("give 'diversion' (withheld flow re-sold to others) or "
                                 "'backlog_release' (withheld flow delivered later), not both")
        return self

    @field_validator("depth")
    @classmethod
    def _depth_fraction(cls, v: Distribution | None) -> Distribution | None:
        if v is not None:
            _check_fraction(v, "depth")
        return v


def _ends(dist: Distribution) -> list[float]:
    """The values that bound what ``dist`` gives.

    Its ends; a normal's mean (its tails are clipped where it is drawn); a lognormal's
    median and cap (positive by construction).
    """
    if isinstance(dist, Fixed):
        return [dist.value]
    if isinstance(dist, Uniform | Triangular):
        return [dist.low, dist.high]
    if isinstance(dist, Normal):
        return [dist.mean]
    return [dist.median, *([] if dist.max is None else [dist.max])]


def _check_fraction(dist: Distribution, name: str) -> None:
    """Every value ``dist`` can give lies in [0, 1]: a depth is a fraction of a flow."""
    bad = [x for x in _ends(dist) if not 0.0 <= x <= 1.0]
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
    elements: list[str] | None = Field(
        default=None, min_length=1, description="hold these elements of the commodity "
        "(their element markets) instead of the commodity itself, e.g. JOGMEC's "
        "dysprosium and terbium")

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
    elements: list[str] | None = Field(
        default=None, min_length=1, description="also deliver to these element markets of "
        "the commodity: each gets capacity x its share in 'mix' (a mine yields its mix)")
    mix: DataRef | None = Field(default=None, description="element shares of the new "
                                "supply (dimension element), e.g. the deposit's composition")

    @model_validator(mode="after")
    def _mix(self) -> Diversification:
        if (self.elements is None) != (self.mix is None):
            raise ValueError("give 'elements' and 'mix' together (the element markets the "
                             "new supply reaches and the shares it brings them)")
        return self


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
        return iso3_codes(v, "parties")

    @model_validator(mode="after")
    def _alt(self) -> Agreement:
        if self.alternative_supply_share > 0 and self.commodity is None:
            raise ValueError("'alternative_supply_share' needs 'commodity'")
        return self


class StockRelease(_Model):
    """A release of stocks by several holders into a world market (e.g. an IEA collective action).

    ``volume`` (in the unit of the markets' demand, e.g. kL or t) reaches the world
    market of ``commodity`` evenly over ``duration_days`` from ``start``; it lowers the
    world price for every importer. ``holders`` names who releases (for the record; the
    volume is their total). Needs a ``[[disruption.world_markets]]`` for the commodity.
    """

    kind: Literal["stock-release"]
    name: str = Field(pattern=SLUG, max_length=80)
    commodity: str = Field(pattern=SLUG)
    holders: list[str] = Field(min_length=1)
    volume: float = Field(gt=0)
    start: str | float
    duration_days: float = Field(default=180.0, gt=0, le=3650)

    @field_validator("holders")
    @classmethod
    def _iso(cls, v: list[str]) -> list[str]:
        return iso3_codes(v, "holders")


Lever = Annotated[Stockpile | Diversification | RecyclingLever | Substitution | DemandRestraint
                  | Agreement | StockRelease, Field(discriminator="kind")]


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
    demand_share: float | DataRef = Field(
        default=1.0, description="fraction of the selected demand this market takes (e.g. an "
        "element's share of rare-earth oxide demand)")
    element_of: str | None = Field(
        default=None, pattern=SLUG, description="the market is one element of this commodity: "
        "events on the commodity reach it (all of them, or those naming the element)")
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

    @field_validator("demand_share")
    @classmethod
    def _share(cls, v: float | DataRef) -> float | DataRef:
        if isinstance(v, float | int) and not 0 < v <= 1:
            raise ValueError("'demand_share' is a fraction in (0, 1]")
        return v


class WorldMarket(_Model):
    """One world market of a commodity shared by the importers of the study.

    A disruption changes the world balance: supply lost (to the study's importers and
    to the rest of the world), less spare capacity and stocks released by every holder,
    answered by demand and supply. The price ratio is the same for every importer::

        supply (1 - x) p^es + by-products = demand p^ed,  x = net loss / world demand

    and each importer consumes ``D p^e`` (its own elasticity): what it can bid away
    from the others, whoever lost the barrels. Without by-products the price has the
    closed form ``p = (1 - x)^(1 / (ed - es))``.
    """

    commodity: str = Field(pattern=SLUG, max_length=60)
    importers: list[str] = Field(min_length=1, description="importers of the study that buy "
                                 "in this market (each needs a market)")
    world_demand: float | DataRef = Field(description="world demand per year, in the unit of "
                                          "the importers' markets (selected rows are summed)")
    world_demand_share: float = Field(default=1.0, gt=0, le=1, description="fraction of the "
                                      "selected world demand (e.g. an element's share)")
    demand_elasticity: DistOrRange | None = Field(
        default=None, description="short-run world demand elasticity (negative): a number, a "
        "distribution or a dataset range; default: the first importer's market elasticity")
    supply_elasticity: DistOrRange = Field(
        default_factory=lambda: Fixed(value=0.0), description="short-run supply elasticity "
        "of unaffected supply, not counting joint production (>= 0)")
    spare_capacity_share: float = Field(default=0.0, ge=0, le=1, description="spare capacity "
                                        "released in a crisis, fraction of world demand")
    world_suppliers: DataRef | None = Field(
        default=None, description="world supply shares by origin (dimension 'origin'): "
        "what a supplier's quota cut or capacity loss removes from the rest of the world")
    route_shares: dict[str, float] = Field(
        default_factory=dict, description="share of world supply through each chokepoint, "
        "e.g. { hormuz = 0.2 }")
    max_price_ratio: float = Field(default=50.0, gt=1, le=1e6, description="choke price; a "
                                   "run warns when a draw reaches it")
    stock_days: DistOrRange | None = Field(
        default=None, description="stocks held outside the study's importers (consumers, "
        "traders, purchases in an announced lead time), days of world demand at the start: "
        "released while the world is short, refilled only with 'restock_days_per_year'; a "
        "number, a distribution or a dataset range (e.g. world-stock-days)")
    restock_days_per_year: DistOrRange | None = Field(
        default=None, description="pace at which those holders rebuild what they sold, in "
        "days of world demand a year, from supply the world does not otherwise need (a "
        "surplus: re-sold withheld flow, spare capacity, stock releases), never above the "
        "stock they started with; needs 'stock_days'. A number, a distribution or a dataset "
        "range (e.g. world-restock-days); default none (a stock is used once)")

    @field_validator("stock_days", "restock_days_per_year")
    @classmethod
    def _stock_days(cls, v: Distribution | RangeRef | None, info: ValidationInfo
                    ) -> Distribution | RangeRef | None:
        if v is not None and not isinstance(v, RangeRef) and not _all_in(v, 0.0, 3650.0):
            raise ValueError(f"'{info.field_name}' is between 0 and 3650 days of world demand"
                             + (" a year" if info.field_name == "restock_days_per_year" else ""))
        return v

    @model_validator(mode="after")
    def _restock_needs_stock(self) -> WorldMarket:
        if self.restock_days_per_year is not None and self.stock_days is None:
            raise ValueError("'restock_days_per_year' rebuilds the stocks of 'stock_days'; "
                             "give 'stock_days' too, or remove 'restock_days_per_year'")
        return self

    @field_validator("route_shares")
    @classmethod
    def _fractions(cls, v: dict[str, float]) -> dict[str, float]:
        bad = {k: x for k, x in v.items() if not 0 <= x <= 1}
        if bad:
            raise ValueError(f"route shares are fractions in [0, 1]; got {bad}")
        return v

    @field_validator("demand_elasticity")
    @classmethod
    def _neg_d(cls, v: Distribution | RangeRef | None) -> Distribution | RangeRef | None:
        if v is not None and not isinstance(v, RangeRef) and not _all_in(v, -5.0, -1e-9):
            raise ValueError("a demand elasticity is negative (between -5 and 0)")
        return v

    @field_validator("supply_elasticity")
    @classmethod
    def _pos_s(cls, v: Distribution | RangeRef) -> Distribution | RangeRef:
        if not isinstance(v, RangeRef) and not _all_in(v, 0.0, 5.0):
            raise ValueError("a supply elasticity is between 0 and 5")
        return v


def _all_in(dist: Distribution, low: float, high: float) -> bool:
    """Every value ``dist`` can give lies in [low, high].

    A lognormal never does: its tail is unbounded.
    """
    if isinstance(dist, LogNormal):
        return False
    return all(low <= x <= high for x in _ends(dist))


class JointProduction(_Model):
    """Elements mined together: deposits of fixed mix whose output answers their basket price.

    Each deposit type ``k`` yields elements in a fixed mix; its output rises by
    ``basket_price^supply_elasticity[k]`` where the basket price weights the element
    price ratios by the value of the mix (``reference_prices``). So a light-REE mine
    expansion driven by neodymium brings cerium and lanthanum too, and heavy elements
    that come from deposits with no elasticity (ionic clays held by quota) get none.
    """

    parent: str = Field(pattern=SLUG, description="commodity whose elements these are")
    mix: DataRef = Field(description="dataset with dimensions deposit and element (fraction)")
    deposit_output: dict[str, float] = Field(
        description="responding supply by deposit type, t oxide per year")
    supply_elasticity: dict[str, DistOrRange] = Field(
        description="short-run output elasticity of each deposit type (>= 0)")
    reference_prices: DataRef = Field(description="element prices (dimension element) that "
                                      "weight the basket")

    @model_validator(mode="after")
    def _keys(self) -> JointProduction:
        missing = sorted(set(self.supply_elasticity) - set(self.deposit_output))
        if missing:
            raise ValueError(f"supply_elasticity names deposits {missing} with no "
                             "deposit_output")
        for k, d in self.supply_elasticity.items():
            if not isinstance(d, RangeRef) and not _all_in(d, 0.0, 5.0):
                raise ValueError(f"supply_elasticity of '{k}' is between 0 and 5")
        return self


class HistoryPoint(_Model):
    """One observed figure the backtest puts beside the model."""

    name: str = Field(pattern=SLUG)
    metric: Literal["imports_from_supplier", "imports_total", "price_ratio"]
    tolerance: float = Field(default=0.0, ge=0, le=1, description="the check passes when the "
                             "observed figure is inside [P5, P95] widened by this fraction")
    commodity: str = Field(pattern=SLUG)
    importer: str = Field(pattern=ISO3)
    supplier: str | None = Field(default=None, pattern=r"^([A-Z]{3}|OTHER)$")
    period: str = Field(description="'YYYY' or 'YYYY-MM'")
    observed: DataRef
    observed_base: DataRef | None = Field(default=None, description="denominator for "
                                          "price_ratio")
    used_for_estimation: bool = Field(
        default=False, description="the figure was used to estimate a parameter of the study; "
        "it is shown but not scored (in-sample)")

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
    world_markets: list[WorldMarket] = Field(default_factory=list)
    joint_production: list[JointProduction] = Field(default_factory=list)

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
        commodities = {m.commodity for m in self.markets} | {
            m.element_of for m in self.markets if m.element_of is not None}
        for e in self.events:
            if e.commodity not in commodities:
                raise ValueError(f"event '{e.name}' names commodity '{e.commodity}' that has "
                                 f"no market; markets: {sorted(commodities)}")
        _check_world(self, keys)
        for e in self.events:
            named = e.element_filter()
            have = {m.commodity for m in self.markets if m.element_of == e.commodity}
            if named is not None and not named & have:
                raise ValueError(f"event '{e.name}' names elements {sorted(named)} of "
                                 f"'{e.commodity}' but no market is one of them (markets with "
                                 f"element_of = '{e.commodity}': {sorted(have)})")
        for lv in self.levers:
            if isinstance(lv, Agreement):
                continue
            if isinstance(lv, StockRelease):
                if lv.commodity not in {w.commodity for w in self.world_markets}:
                    raise ValueError(f"stock-release '{lv.name}' names commodity "
                                     f"'{lv.commodity}' with no [[disruption.world_markets]]")
                continue
            if isinstance(lv, Diversification | Stockpile) and lv.elements is not None:
                what = ("a stockpile holds element" if isinstance(lv, Stockpile)
                        else "a diversification lever delivers element")
                for el in lv.elements:
                    if not any(m.commodity == el and m.element_of == lv.commodity
                               and m.importer == lv.importer for m in self.markets):
                        raise ValueError(f"{what} '{el}' of '{lv.commodity}' for "
                                         f"{lv.importer}, but no market has commodity = "
                                         f"'{el}', element_of = '{lv.commodity}', importer = "
                                         f"'{lv.importer}'")
                if isinstance(lv, Stockpile):
                    continue
            if (lv.commodity, lv.importer) not in keys:
                raise ValueError(f"a '{lv.kind}' lever names market ({lv.commodity}, "
                                 f"{lv.importer}) that is not declared in 'markets'")
        return self


def _check_world(cfg: DisruptionConfig, keys: list[tuple[str, str]]) -> None:
    """World markets name declared markets, once per commodity; joint groups name elements."""
    seen: set[str] = set()
    for w in cfg.world_markets:
        if w.commodity in seen:
            raise ValueError(f"world market '{w.commodity}' is declared twice")
        seen.add(w.commodity)
        missing = [i for i in w.importers if (w.commodity, i) not in keys]
        if missing:
            raise ValueError(f"world market '{w.commodity}' names importers {missing} with no "
                             f"market of commodity '{w.commodity}'")
    for jp in cfg.joint_production:
        if not any(m.element_of == jp.parent and m.commodity in seen for m in cfg.markets):
            raise ValueError(f"joint_production of '{jp.parent}' needs world markets of its "
                             f"elements (markets with element_of = '{jp.parent}')")


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
