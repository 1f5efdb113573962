"""Compile a ``[disruption]`` section into arrays: the runtime model.

Definition (:mod:`shigen.disruption.config`) apart from runtime: everything that
does not depend on the random draws is resolved here once — the time grid,
baseline demand paths, supplier shares, quota depths, lever paths — so the
Monte Carlo kernel only combines arrays.
"""

from __future__ import annotations

import math
import zlib
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from shigen.datasets.units import factor
from shigen.disruption import data
from shigen.disruption.config import (
    Agreement,
    DemandRestraint,
    DisruptionConfig,
    Diversification,
    Event,
    RecyclingLever,
    Stockpile,
    StockRelease,
    Substitution,
    decimal_year,
)
from shigen.disruption.world import (
    JointGroup,
    WorldGroup,
    compile_joint,
    compile_world,
    rest_of_world_share,
)
from shigen.distributions import Distribution, Fixed
from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class TimeGrid:
    """Steps of one year or one month from ``start`` to the end of ``end``."""

    start: int
    end: int
    per_year: int

    @property
    def n(self) -> int:
        return (self.end - self.start + 1) * self.per_year

    @property
    def dt(self) -> float:
        """Step length in years."""
        return 1.0 / self.per_year

    @property
    def edges(self) -> np.ndarray:
        """Step boundaries in decimal years, length ``n + 1``."""
        return self.start + np.arange(self.n + 1) / self.per_year

    @property
    def year_of_step(self) -> np.ndarray:
        return self.start + np.arange(self.n) // self.per_year

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.start, self.end + 1)

    def labels(self) -> list[str]:
        if self.per_year == 1:
            return [str(y) for y in self.years]
        return [f"{self.start + k // 12}-{k % 12 + 1:02d}" for k in range(self.n)]

    def step_range(self, period: str) -> tuple[int, int]:
        """Steps ``[a, b)`` of a period 'YYYY' or 'YYYY-MM'."""
        year = int(period[:4])
        if not self.start <= year <= self.end:
            raise ValueError(f"period {period} is outside {self.start}-{self.end}")
        a = (year - self.start) * self.per_year
        if len(period) == 4:
            return a, a + self.per_year
        if self.per_year == 1:
            raise ValueError(f"monthly period {period} needs resolution = 'month'")
        a += int(period[5:7]) - 1
        return a, a + 1


@dataclass
class EventChannel:
    """How one event touches one market.

    The share of supply it can cut (``weight``),
    or the share of demand it adds (fleet outage), and the agreement factors.
    """

    market: int
    weight: float
    channel: int                       # index into Model.channels; -1 for demand
    probability_factor: float = 1.0
    depth_factor: float = 1.0
    agreement_start: float = math.inf


@dataclass
class CompiledEvent:
    name: str
    key: int
    kind: str
    onset_fixed: float | None
    onset_dist: Distribution | None
    annual_probability: float | None
    window_start: float
    duration_days: Distribution
    depth: Distribution | None
    depth_by_step: np.ndarray | None
    touches: list[EventChannel] = field(default_factory=list)
    quota_leak: Distribution | None = None        # uncertain unrecorded exports (quota)
    backlog_release: Distribution | None = None   # share of a held flow delivered later
    backlog_years: float = 0.0
    backlog_key: int = 0                          # own random stream: the event's five
    #                                               uniforms stay as they were
    diversion: Distribution | None = None         # share of the withheld flow re-sold
    diversion_key: int = 0                        # (world markets), own random stream


@dataclass
class HistorySpec:
    """An observed figure and where the model's counterpart lives."""

    name: str
    metric: str
    market: int
    supplier: str | None
    channel: int            # channel index for imports_from_supplier, -1 if untouched
    share: float            # baseline share of the supplier
    steps: tuple[int, int]
    year_index: int
    period: str
    observed: float
    used_for_estimation: bool = False
    tolerance: float = 0.0


@dataclass
class Model:
    """Everything the kernel needs, as arrays over (step, market)."""

    grid: TimeGrid
    commodities: list[str]
    importers: list[str]
    markets: list[tuple[str, str]]
    units: list[str]
    to_tonnes: np.ndarray                # (M,)
    demand: np.ndarray                   # (T, M) baseline demand rate, unit/yr
    substitution: np.ndarray             # (T, M) fraction of demand substituted
    extra_supply: np.ndarray             # (T, M) levers' supply not tied to a supplier
    surge: np.ndarray                    # (M,) fraction of demand
    elasticity: np.ndarray               # (M,)
    max_price_ratio: np.ndarray          # (M,)
    restraint: np.ndarray                # (M,)
    stock0: np.ndarray                   # (M,) unit
    stock_days: np.ndarray               # (M,)
    max_release: np.ndarray              # (M,) fraction of demand
    refill: np.ndarray                   # (M,) unit/yr
    channels: list[tuple[int, str, float]]            # (market, channel, baseline share)
    channel_supply: list[tuple[int, np.ndarray]]      # (channel index, (T,) rate) new supply
    events: list[CompiledEvent]
    shares: list[dict[str, float]]
    history: list[HistorySpec] = field(default_factory=list)
    value_per_unit: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (M,) USD/unit
    world: list[WorldGroup] = field(default_factory=list)
    joint: list[JointGroup] = field(default_factory=list)
    diverting: dict[int, int] = field(default_factory=dict)  # channel -> world group whose
    #                                                          net loss its re-sold flow cuts

    @property
    def n_markets(self) -> int:
        return len(self.markets)


def _dist(value: float | Distribution) -> Distribution:
    if isinstance(value, int | float):
        return Fixed(value=float(value))
    return value


def _ramp(grid: TimeGrid, start: float, length: float) -> np.ndarray:
    """Fraction in force in each step of a linear ramp.

    The ramp runs from ``start`` over ``length``
    years (a step function when ``length`` is under a minute), averaged within the step.
    """
    edges = grid.edges
    if length < 2e-6:
        lo, hi = edges[:-1], edges[1:]
        # divide by the step's own width so that a step fully in force is exactly 1
        return np.clip((hi - np.maximum(lo, start)) / (hi - lo), 0.0, 1.0)
    t = edges[:-1, None] + np.linspace(0, 1, 9)[None, :] * grid.dt
    return np.asarray(np.clip((t - start) / length, 0.0, 1.0).mean(axis=1))


def _tonnes_factor(cat: Catalogue, m_unit: str, ref: data.DataRef | None, field: str) -> float:
    if ref is not None:
        return data.scalar(cat, ref, field)
    try:
        return factor(m_unit, "t")
    except ValueError as exc:
        raise InputError(f"demand is in '{m_unit}', which is not a mass",
                         Location(field=field),
                         "add 'to_tonnes' (a dataset of tonnes per unit)") from exc


def _usd_per_unit(cat: Catalogue, ref: data.DataRef, unit: str, field: str) -> float:
    """A reference price converted to USD per unit of the market's demand."""
    from shigen.datasets.units import registry

    price = data.scalar(cat, ref, field)
    p_unit = data.unit_of(cat, ref)
    ureg = registry()
    try:
        k = (ureg.Quantity(1.0, p_unit) * ureg.Quantity(1.0, unit)).to("USD").magnitude
    except Exception as exc:  # pint raises several kinds for incompatible units
        raise InputError(f"price unit '{p_unit}' times demand unit '{unit}' is not USD",
                         Location(field=field), "use a price in USD per unit of demand "
                         "(e.g. USD/kg for demand in t)") from exc
    return price * float(k)


def _secondary_from_materials(upstream: Mapping[str, xr.Dataset], elements: list[str],
                              importer: str, grid: TimeGrid, field: str) -> np.ndarray:
    """Secondary supply of the materials stage as a (T,) path in t/yr.

    ``secondary_supply`` is summed over ``elements``, taken for ``importer`` when it has a
    region dimension, and read defensively: any other dims are summed.
    """
    ds = upstream.get("materials")
    fix = "run the materials stage in the same study, or use source = \"rate\""
    if ds is None or "secondary_supply" not in ds:
        raise InputError("recycling from 'materials' needs the materials stage's "
                         "'secondary_supply'", Location(field=field), fix)
    da = ds["secondary_supply"]
    if "year" not in da.dims or "element" not in da.dims:
        raise InputError(f"materials 'secondary_supply' has dims {list(da.dims)}, not "
                         "element and year", Location(field=field), fix)
    have = [str(e) for e in da["element"].values]
    missing = [e for e in elements if e not in have]
    if missing:
        raise InputError(f"materials 'secondary_supply' has no element "
                         f"{', '.join(repr(m) for m in missing)}",
                         Location(field=f"{field}.element"), f"choose among {have}")
    da = da.sel(element=elements).sum("element")
    for dim in ("region", "country", "importer"):
        if dim in da.dims:
            vals = [str(v) for v in da[dim].values]
            da = da.sel({dim: importer}) if importer in vals else da.sum(dim)
    others = [d for d in da.dims if d != "year"]
    if others:
        da = da.sum(others)
    unit = str(ds["secondary_supply"].attrs.get("units") or "t/yr")
    mass = unit[:-3] if unit.endswith("/yr") else unit
    try:
        k = factor(mass, "t")
    except ValueError as exc:
        raise InputError(f"materials 'secondary_supply' is in '{unit}', not a mass per year",
                         Location(field=field), fix) from exc
    years = np.asarray(da["year"].values, dtype=float)
    vals = np.nan_to_num(np.asarray(da.values, dtype=float)) * k
    order = np.argsort(years)
    return np.interp(grid.year_of_step + 0.5, years[order] + 0.5, vals[order])


# An ensemble package's cases share one materials result (the policy evaluator reuses the
# object): its recycled paths are read from it once per worker, not once per case.
_SECONDARY: OrderedDict[tuple[Any, ...], tuple[xr.Dataset, np.ndarray]] = OrderedDict()


def _secondary_kept(upstream: Mapping[str, xr.Dataset], elements: list[str], importer: str,
                    grid: TimeGrid, field: str) -> np.ndarray:
    """:func:`_secondary_from_materials`, kept while the materials result is the same object."""
    ds = upstream.get("materials")
    key = (id(ds), tuple(elements), importer, grid, field)
    hit = _SECONDARY.get(key)
    if hit is not None and hit[0] is ds:
        return hit[1]
    path = _secondary_from_materials(upstream, elements, importer, grid, field)
    if ds is not None:
        path.setflags(write=False)  # shared between cases
        _SECONDARY[key] = (ds, path)
        while len(_SECONDARY) > 16:
            _SECONDARY.popitem(last=False)
    return path


def compile_model(cfg: DisruptionConfig, cat: Catalogue,
                  upstream: Mapping[str, xr.Dataset] | None = None) -> Model:
    """Resolve data references and lever mechanisms into a :class:`Model`."""
    upstream = upstream or {}
    grid = TimeGrid(cfg.start, cfg.end, 12 if cfg.resolution == "month" else 1)
    markets = [(m.commodity, m.importer) for m in cfg.markets]
    M, T = len(markets), grid.n
    years_from_start = (grid.edges[:-1] + grid.dt / 2) - cfg.start
    demand = np.zeros((T, M))
    units, tonnes, eps, cap, surge, shares = [], np.ones(M), np.zeros(M), np.zeros(M), \
        np.zeros(M), []
    value = np.full(M, np.nan)
    for j, m in enumerate(cfg.markets):
        f = f"disruption.markets.{j}"
        d0 = data.scalar(cat, m.demand, f"{f}.demand") * (
            m.demand_share if isinstance(m.demand_share, int | float)
            else data.scalar(cat, m.demand_share, f"{f}.demand_share"))
        if d0 <= 0:
            raise InputError(f"baseline demand of {m.commodity} for {m.importer} is {d0}",
                             Location(field=f"{f}.demand"), "select a positive demand")
        unit = data.unit_of(cat, m.demand)
        units.append(unit)
        tonnes[j] = _tonnes_factor(cat, unit, m.to_tonnes, f"{f}.to_tonnes")
        demand[:, j] = d0 * (1.0 + m.growth) ** years_from_start
        shares.append(data.shares(cat, m.suppliers, f"{f}.suppliers"))
        eps[j] = data.elasticity(cat, m.elasticity, f"{f}.elasticity")
        cap[j] = m.max_price_ratio
        surge[j] = m.surge_share
        value[j] = (np.nan if m.reference_price is None else _usd_per_unit(
            cat, m.reference_price, unit, f"{f}.reference_price"))

    index = {k: i for i, k in enumerate(markets)}
    substitution = np.zeros((T, M))
    extra = np.zeros((T, M))
    restraint = np.zeros(M)
    stock_days, max_release, refill_days = np.zeros(M), np.ones(M), np.zeros(M)
    channel_ix: dict[tuple[int, str], int] = {}
    channels: list[tuple[int, str, float]] = []

    def channel(mi: int, name: str, share: float) -> int:
        key = (mi, name)
        if key not in channel_ix:
            channel_ix[key] = len(channels)
            channels.append((mi, name, share))
        return channel_ix[key]

    agreements = [lv for lv in cfg.levers if isinstance(lv, Agreement)]
    recycling_uplift = np.ones((T, M))
    for a in agreements:
        for j, (c, imp) in enumerate(markets):
            if imp in a.parties and a.recycling_uplift > 0:
                recycling_uplift[:, j] *= 1.0 + a.recycling_uplift * _ramp(
                    grid, decimal_year(a.start), 0.0)
            if a.alternative_supply_share > 0 and c == a.commodity and imp in a.parties:
                extra[:, j] += a.alternative_supply_share * demand[:, j] * _ramp(
                    grid, decimal_year(a.start) + a.lead_time_years, 0.0)

    channel_supply: list[tuple[int, np.ndarray]] = []
    for i, lv in enumerate(cfg.levers):
        f = f"disruption.levers.{i}"
        if isinstance(lv, Agreement | StockRelease):    # stock releases act on world markets
            continue
        if isinstance(lv, Stockpile) and lv.elements is not None:
            for el in lv.elements:      # the same days of each named element
                _stockpile(index[(el, lv.importer)], lv, cat, f, stock_days, max_release,
                           refill_days)
            continue
        j = index[(lv.commodity, lv.importer)]
        if isinstance(lv, Stockpile):
            _stockpile(j, lv, cat, f, stock_days, max_release, refill_days)
        elif isinstance(lv, Diversification):
            ramp = lv.capacity_t_per_year * lv.offtake_share * _ramp(
                grid, decimal_year(lv.start) + lv.lead_time_years, lv.ramp_years)
            ci = channel(j, lv.supplier, shares[j].get(lv.supplier, 0.0))
            channel_supply.append((ci, ramp / tonnes[j]))
            # a new mine yields its mix: each named element market gets its share, through
            # its own channel of the same supplier (events on the supplier hit it too)
            mix = {} if lv.mix is None else data.series(cat, lv.mix, "element", f"{f}.mix")
            for el in lv.elements or []:
                k = index[(el, lv.importer)]
                ck = channel(k, lv.supplier, shares[k].get(lv.supplier, 0.0))
                channel_supply.append((ck, ramp * mix.get(el, 0.0) / tonnes[k]))
        elif isinstance(lv, RecyclingLever):
            start = decimal_year(lv.start) if lv.start is not None else float(cfg.start)
            ramp = _ramp(grid, start, lv.ramp_years)
            if lv.source == "materials":
                elements = lv.element if isinstance(lv.element, list) else [
                    lv.element or lv.commodity]
                sec = _secondary_kept(upstream, elements, lv.importer, grid, f)
                path = sec / tonnes[j] * ramp
            else:
                path = (lv.rate or 0.0) * demand[:, j] * ramp
            extra[:, j] += path * recycling_uplift[:, j]
        elif isinstance(lv, Substitution):
            substitution[:, j] = 1.0 - (1.0 - substitution[:, j]) * (
                1.0 - lv.share * _ramp(grid, decimal_year(lv.start), lv.lag_years))
        elif isinstance(lv, DemandRestraint):
            restraint[j] = 1.0 - (1.0 - restraint[j]) * (1.0 - lv.share)

    growth = np.array([m.growth for m in cfg.markets])
    world = compile_world(cfg, cat, markets, demand, growth, eps, grid.edges,
                          years_from_start, units)
    element_of = [m.element_of for m in cfg.markets]
    events = [_compile_event(cfg, cat, e, k, markets, shares, grid, agreements, channel,
                             element_of, world, demand[0])
              for k, e in enumerate(cfg.events)]
    streams: dict[int, str] = {}
    for e in cfg.events:
        owner = e.same_draws_as or e.name
        if streams.setdefault(zlib.crc32(owner.encode()), owner) != owner:
            raise InputError(f"events '{owner}' and '{streams[zlib.crc32(owner.encode())]}' "
                             "would share random numbers (their names hash alike)",
                             Location(field="disruption.events"), "rename one of them")
    member_of = {j: g for g, grp in enumerate(world) for j in grp.members}
    diverting = {t.channel: member_of[t.market] for ev in events if ev.diversion is not None
                 for t in ev.touches if t.channel >= 0 and t.market < M}
    d_start = demand[0]
    history = [_compile_history(cfg, cat, h, k, index, shares, units, grid, channel_ix)
               for k, h in enumerate(cfg.history)]
    return Model(history=history, value_per_unit=value,

        grid=grid, commodities=sorted({c for c, _ in markets}),
        importers=sorted({i for _, i in markets}), markets=markets, units=units,
        to_tonnes=tonnes, demand=demand, substitution=substitution, extra_supply=extra,
        surge=surge, elasticity=eps, max_price_ratio=cap, restraint=restraint,
        stock0=stock_days / DAYS_PER_YEAR * d_start, stock_days=stock_days,
        max_release=max_release, refill=refill_days / DAYS_PER_YEAR * d_start,
        channels=channels, channel_supply=channel_supply, events=events, shares=shares,
        world=world, joint=compile_joint(cfg, cat, world), diverting=diverting)


def _stockpile(j: int, lv: Stockpile, cat: Catalogue, f: str, stock_days: np.ndarray,
               max_release: np.ndarray, refill_days: np.ndarray) -> None:
    days = lv.days if lv.days is not None else data.scalar(
        cat, lv.days_from, f"{f}.days_from", sum_rows=True)  # type: ignore[arg-type]
    stock_days[j] += days
    max_release[j] = lv.max_release_share
    refill_days[j] += lv.refill_days_per_year


def touches_market(e: Event, commodity: str, element_of: str | None) -> bool:
    """Whether an event reaches a market: its commodity, or an element of it it names."""
    named = e.element_filter()
    if commodity == e.commodity:
        return named is None
    return element_of == e.commodity and (named is None or commodity in named)


def _agreement_factors(e: Event, importer: str,
                       agreements: list[Agreement]) -> tuple[float, float, float]:
    """Probability and depth factors of the agreements binding an event's two parties."""
    pf, df, start = 1.0, 1.0, math.inf
    if e.supplier is None:
        return pf, df, start
    for a in agreements:
        if e.supplier in a.parties and importer in a.parties:
            pf *= a.probability_factor
            df *= a.depth_factor
            start = min(start, decimal_year(a.start))
    return pf, df, start


def _compile_event(cfg: DisruptionConfig, cat: Catalogue, e: Event, k: int,
                   markets: list[tuple[str, str]], shares: list[dict[str, float]],
                   grid: TimeGrid, agreements: list[Agreement], channel,  # type: ignore[no-untyped-def]
                   element_of: list[str | None], world: list[WorldGroup],
                   demand0: np.ndarray) -> CompiledEvent:
    f = f"disruption.events.{k}"
    depth_by_step = None
    quota_leak = None
    if e.quota is not None:
        by_half = data.quota_depths(cat, e.quota, f"{f}.quota")
        # each step takes the mean depth of the half-years it spans (a year: both halves)
        mid = grid.edges[:-1] + grid.dt / 2
        halves = [((int(y), 1), (int(y), 2)) if grid.per_year == 1
                  else ((int(y), 1 if t - y < 0.5 else 2),)
                  for y, t in zip(grid.year_of_step, mid, strict=True)]
        depth_by_step = np.array([np.mean([by_half.get(h, 0.0) for h in hs])
                                  for hs in halves])
        leak = e.quota.unrecorded_exports
        if isinstance(leak, Fixed):         # the cut reaches the recorded part only
            depth_by_step = depth_by_step / (1.0 + leak.value)
        else:
            quota_leak = leak
    onset_fixed = onset_dist = None
    if isinstance(e.onset, str | int | float):
        onset_fixed = decimal_year(e.onset)
    elif e.onset is not None:
        onset_dist = e.onset
    ce = CompiledEvent(
        name=e.name, key=zlib.crc32((e.same_draws_as or e.name).encode()), kind=e.kind,
        onset_fixed=onset_fixed,
        onset_dist=onset_dist, annual_probability=e.annual_probability,
        window_start=e.window_start if e.window_start is not None else float(cfg.start),
        duration_days=_dist(e.duration_days),
        depth=None if e.depth is None else _dist(e.depth), depth_by_step=depth_by_step,
        quota_leak=quota_leak,
        backlog_release=None if e.backlog_release is None else _dist(e.backlog_release),
        backlog_years=e.backlog_days / DAYS_PER_YEAR,
        backlog_key=zlib.crc32(f"backlog:{e.name}".encode()),
        diversion=None if e.diversion is None else data.resolve_range(
            cat, e.diversion, f"{f}.diversion", 0.0, 1.0),
        diversion_key=zlib.crc32(f"diversion:{e.name}".encode()))
    member_flow: dict[int, float] = {}     # market -> flow the event can cut, unit/yr
    for j, (c, imp) in enumerate(markets):
        if not touches_market(e, c, element_of[j]) or (
                e.importer is not None and imp != e.importer):
            continue
        pf, df, start = _agreement_factors(e, imp, agreements)
        if e.kind == "chokepoint":
            ref = e.route_share.model_copy(update={"select": {  # type: ignore[union-attr]
                **e.route_share.select, "importer": imp, "commodity": c,  # type: ignore[union-attr]
                "chokepoint": e.chokepoint}})
            if not data.has_rows(cat, ref, f"{f}.route_share"):
                continue  # the importer has no route through this strait in the data
            w = data.scalar(cat, ref, f"{f}.route_share")
            name = f"route:{e.chokepoint}"
        elif e.kind == "fleet-outage":
            w, name = float(e.demand_increase or 0.0), "demand"
        else:
            w = shares[j].get(str(e.supplier), 0.0)
            name = str(e.supplier)
            if w == 0.0:
                continue
        ch = channel(j, name, w) if e.kind != "fleet-outage" else -1
        ce.touches.append(EventChannel(j, w, ch, pf, df, start))
        member_flow[j] = w * float(demand0[j])
    M = len(markets)
    if ce.diversion is not None:
        members = {j for grp in world for j in grp.members}
        lone = [markets[t.market] for t in ce.touches if t.market not in members]
        if lone:
            c, imp = lone[0]
            raise InputError(f"event '{e.name}' re-sells withheld {c} to third buyers "
                             f"('diversion'), but {imp}'s {c} market is not in a world "
                             "market", Location(field=f"{f}.diversion"),
                             f"declare a [[disruption.world_markets]] of {c} with importers "
                             f"= [\"{imp}\"], or drop 'diversion'")
    for g, grp in enumerate(world):
        if not any(touches_market(e, c, element_of[j]) for j, (c, _i) in enumerate(markets)
                   if j in grp.members):
            continue
        exposed = sum(member_flow.get(j, 0.0) for j in grp.members) / float(grp.demand[0])
        r = rest_of_world_share(grp, e.kind, e.supplier, e.chokepoint, exposed, e.importer)
        if r > 0:
            ch = channel(M + g, f"world:{e.name}", r)
            grp.rest_channels.append((ch, r))
            ce.touches.append(EventChannel(M + g, r, ch))
    return ce


def _compile_history(cfg: DisruptionConfig, cat: Catalogue, h, k: int,  # type: ignore[no-untyped-def]
                     index: dict[tuple[str, str], int], shares: list[dict[str, float]],
                     units: list[str], grid: TimeGrid,
                     channel_ix: dict[tuple[int, str], int]) -> HistorySpec:
    f = f"disruption.history.{k}"
    if (h.commodity, h.importer) not in index:
        raise InputError(f"history '{h.name}' names market ({h.commodity}, {h.importer}) that "
                         "is not declared", Location(field=f"{f}.commodity"),
                         "declare the market in 'markets'")
    j = index[(h.commodity, h.importer)]
    try:
        steps = grid.step_range(h.period)
    except ValueError as exc:
        raise InputError(str(exc), Location(field=f"{f}.period"),
                         "choose a period inside the horizon at the study's resolution") from exc
    observed = data.scalar(cat, h.observed, f"{f}.observed")
    if h.metric == "price_ratio":
        if h.observed_base is None:
            raise InputError("a price_ratio history needs 'observed_base'",
                             Location(field=f"{f}.observed_base"), "add the base-year price")
        if len(h.period) != 4:
            raise InputError("price_ratio history is annual", Location(field=f"{f}.period"),
                             "give the period as 'YYYY'")
        observed /= data.scalar(cat, h.observed_base, f"{f}.observed_base")
    else:
        try:
            observed *= factor(data.unit_of(cat, h.observed), units[j])
        except ValueError as exc:
            raise InputError(f"history '{h.name}' is in '{data.unit_of(cat, h.observed)}', "
                             f"not convertible to the market unit '{units[j]}'",
                             Location(field=f"{f}.observed"), "use a dataset in the same unit"
                             ) from exc
    if h.metric == "imports_from_supplier" and h.supplier is None:
        raise InputError("imports_from_supplier needs 'supplier'",
                         Location(field=f"{f}.supplier"), "name the supplier, e.g. CHN")
    sup = h.supplier
    ch = channel_ix.get((j, sup), -1) if sup else -1
    return HistorySpec(h.name, h.metric, j, sup, ch, shares[j].get(sup or "", 0.0), steps,
                       int(h.period[:4]) - grid.start, h.period, observed,
                       h.used_for_estimation, h.tolerance)
