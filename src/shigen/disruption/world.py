"""World markets shared by importers, and elements mined together (joint production).

A world market pools the study's importers of one commodity with the rest of the
world. In each step and draw its net loss is::

    L = sum of the members' gaps after their own stocks and restraint
        + world demand x sum_c r_c (1 - m_c)          supply lost to the rest of the world
        - sum_c d_c W_c                                 withheld flow re-sold to third buyers
        - spare capacity - stocks released by other holders (``release``)
        - the stocks of other holders (``stock_days``), while they last; with
          ``restock_days_per_year`` they rebuild them from a later surplus

where ``W_c`` is the flow a restriction aimed at one member (embargo, sanction, a quota
naming its importer) withholds on channel ``c`` and ``d_c`` the share of it the supplier
re-sells to third buyers of the same market (trade diversion, :class:`Diverted`): they
then need that much less of the other suppliers' output, which the member can buy, so
the world loses only ``(1 - d) W`` of it. A quota on all exports is not diverted: what
it cuts is lost to the world (its rest-of-world part is the ``r_c`` term).

The world clears at one price ratio ``p``: with ``x = max(L, 0) / Q`` (cover ``1 - x``)::

    (1 - x) p^es + by-products / Q = p^ed

Without by-products ``p = (1 - x)^(1 / (ed - es))``. With joint production the
by-products of deposit ``k`` are ``B_k,e (basket_k^es_k - 1)``, where ``basket_k`` is the
value-weighted price ratio of deposit ``k``'s mix; the prices of the elements of one
parent then depend on each other and are found by a damped fixed point in log price.

Every member importer then consumes ``D p^e`` at the world price (``e`` its own
elasticity), so its shortfall is ``D (1 - p^e)``: what it could not bid away from the
others, whoever lost the physical barrels.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from shigen.datasets.units import factor
from shigen.disruption import data
from shigen.disruption.config import DisruptionConfig, JointProduction, StockRelease
from shigen.disruption.sampling import event_uniforms
from shigen.distributions import Distribution, Fixed, quantile
from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

JOINT_ITERATIONS = 60
JOINT_TOLERANCE = 1e-4      # in log price: prices agree to 0.01 %


@dataclass
class WorldGroup:
    """One compiled world market."""

    commodity: str
    members: list[int]                  # market indices
    demand: np.ndarray                  # (T,) world demand rate, market unit / yr
    demand_elasticity: Distribution
    supply_elasticity: Distribution
    key: int                            # random stream of the elasticity draws
    spare: float                        # fraction of world demand
    release: np.ndarray                 # (T,) stock released by other holders, rate
    max_price_ratio: float
    shares: dict[str, float]            # world supply shares by origin ({} if not given)
    route_shares: dict[str, float]
    rest_channels: list[tuple[int, float]] = field(default_factory=list)  # (channel, r_c)
    stock_days: Distribution | None = None   # stocks of other holders, days of demand
    restock: Distribution | None = None      # their restocking pace, days of demand a year


@dataclass
class JointGroup:
    """Deposits whose output answers the value of their mix."""

    parent: str
    groups: list[int]                   # world group index of each element
    elements: list[str]
    byproduct: np.ndarray               # (K, E) base output of element e from deposit k
    weights: np.ndarray                 # (K, E) value weight of element e in basket k
    elasticity: list[Distribution]      # (K,)
    keys: list[int]


def _draw(dist: Distribution, key: int, column: int, seed: int, first: int,
          last: int) -> np.ndarray:
    """Per-draw values of an uncertain parameter (a constant column when fixed)."""
    if isinstance(dist, Fixed):
        return np.full(last - first, dist.value)
    u = event_uniforms(seed, key, first, last)[:, column]
    return np.asarray(quantile(dist, u), dtype=float)


def compile_world(cfg: DisruptionConfig, cat: Catalogue, markets: list[tuple[str, str]],
                  demand: np.ndarray, growth: np.ndarray, eps: np.ndarray,
                  edges: np.ndarray, years_from_start: np.ndarray,
                  units: list[str] | None = None) -> list[WorldGroup]:
    """Resolve the world markets of a study (their rest-of-world channels come later).

    World demand read from a dataset is converted to the unit of the members' markets
    (``units``, one per market) when the two differ (kg of gallium against t).
    """
    out = []
    for g, w in enumerate(cfg.world_markets):
        f = f"disruption.world_markets.{g}"
        members = [markets.index((w.commodity, i)) for i in w.importers]
        if isinstance(w.world_demand, int | float):
            q0 = float(w.world_demand)
        else:
            q0 = data.scalar(cat, w.world_demand, f"{f}.world_demand", sum_rows=True)
            if units is not None:
                q0 *= _to_market_unit(data.unit_of(cat, w.world_demand), units[members[0]],
                                      f"{f}.world_demand")
        q0 *= w.world_demand_share
        d_members = sum(demand[0, j] for j in members)
        if q0 < d_members:
            raise InputError(f"world demand of {w.commodity} ({q0:g}) is below its importers' "
                             f"demand ({d_members:g})", Location(field=f"{f}.world_demand"),
                             "give world demand in the unit of the importers' markets")
        path = q0 * (1.0 + growth[members[0]]) ** years_from_start
        release = np.zeros(len(years_from_start))
        for lv in cfg.levers:
            if isinstance(lv, StockRelease) and lv.commodity == w.commodity:
                release += _release_rate(lv, edges)
        ed = (Fixed(value=float(eps[members[0]])) if w.demand_elasticity is None else
              data.resolve_range(cat, w.demand_elasticity, f"{f}.demand_elasticity",
                                 -5.0, -1e-9))
        es = data.resolve_range(cat, w.supply_elasticity, f"{f}.supply_elasticity", 0.0, 5.0)
        shares = ({} if w.world_suppliers is None
                  else data.shares(cat, w.world_suppliers, f"{f}.world_suppliers"))
        out.append(WorldGroup(
            commodity=w.commodity, members=members, demand=path, demand_elasticity=ed,
            supply_elasticity=es,
            key=zlib.crc32(f"world:{w.commodity}".encode()), spare=w.spare_capacity_share,
            release=release, max_price_ratio=w.max_price_ratio, shares=shares,
            route_shares=dict(w.route_shares),
            stock_days=(None if w.stock_days is None else
                        data.resolve_range(cat, w.stock_days, f"{f}.stock_days", 0.0, 3650.0)),
            restock=(None if w.restock_days_per_year is None else
                     data.resolve_range(cat, w.restock_days_per_year,
                                        f"{f}.restock_days_per_year", 0.0, 3650.0))))
    return out


def _to_market_unit(unit: str, market_unit: str, field: str) -> float:
    """Factor from a world-demand dataset's unit to the members' market unit."""
    try:
        return factor(unit, market_unit)
    except ValueError as exc:  # units.factor: unknown or unrelated units
        raise InputError(f"world demand is in '{unit}', which does not convert to the "
                         f"importers' market unit '{market_unit}'", Location(field=field),
                         "select world demand in the unit of the importers' markets") from exc


def _release_rate(lv: StockRelease, edges: np.ndarray) -> np.ndarray:
    """A volume spread evenly over its days, as a rate (unit/yr) averaged within each step."""
    from shigen.disruption.config import decimal_year

    start = decimal_year(lv.start)
    end = start + lv.duration_days / 365.0
    lo, hi = edges[:-1], edges[1:]
    overlap = np.clip(np.minimum(hi, end) - np.maximum(lo, start), 0.0, None)
    return lv.volume / (end - start) * overlap / (hi - lo)


def release_world_stocks(group: WorldGroup, loss: np.ndarray, seed: int, first: int,
                         last: int, dt: float) -> np.ndarray:
    """The world's net loss ``(T, n)`` (rate) after the stocks of other holders.

    Holders outside the study's importers start with ``stock_days / 365`` of a year's
    world demand (drawn per draw from column 2 of the market's stream, so the elasticity
    draws do not move) and sell from it whenever the world is short, as much as the
    shortage needs, until it is empty. With ``restock`` (days of world demand a year,
    column 3 of the same stream) they rebuild it from a surplus, at most at that pace and
    never above the stock they started with; without it a second disruption finds what
    the first one left. Without ``stock_days`` the loss is returned unchanged (the same
    array).
    """
    if group.stock_days is None:
        return loss
    stock = _draw(group.stock_days, group.key, 2, seed, first, last) / 365.0 * group.demand[0]
    pace = None
    if group.restock is not None:
        days = _draw(group.restock, group.key, 3, seed, first, last)         # (n,)
        pace = days[None, :] / 365.0 * group.demand[:, None] * dt            # (T, n) volume
    return draw_down(loss, stock, dt, pace)


def draw_down(loss: np.ndarray, stock: np.ndarray, dt: float,
              pace: np.ndarray | None = None) -> np.ndarray:
    """Loss rates ``(T, n)`` less what stocks ``(n,)`` (volume) cover, step by step.

    In each step the stock covers the positive loss up to what is left of it: without
    ``pace`` the volume released, summed over steps, is ``min(stock, sum of positive loss
    x dt)``. With ``pace`` ``(T, n)`` (volume a step may restock) a surplus (negative
    loss) refills the stock, at most ``pace`` and the room below the starting stock; the
    refilled volume is taken out of that surplus (the loss rises towards zero by it), so
    restocking never makes the world short and every tonne restocked is a tonne of
    surplus supply that nobody else took.
    """
    start = np.asarray(stock, dtype=float)
    left = start.copy()
    out = np.array(loss, dtype=float)
    for t in range(out.shape[0]):
        used = np.minimum(np.clip(out[t], 0.0, None) * dt, left)
        out[t] -= used / dt
        left -= used
        if pace is not None:
            refill = np.minimum(np.minimum(np.clip(-out[t], 0.0, None) * dt, pace[t]),
                                start - left)
            out[t] += refill / dt
            left += refill
    return out


def rest_of_world_share(group: WorldGroup, kind: str, supplier: str | None,
                        chokepoint: str | None, member_flows: float,
                        importer: str | None = None) -> float:
    """Share of world demand an event cuts outside the study's importers.

    Events aimed at one importer (embargo, sanction, a quota naming its importer) cut
    nothing outside it (what the supplier does with the withheld flow is the event's
    ``diversion``). ``member_flows`` is the members' exposed flow as a fraction of world
    demand; what lies beyond it belongs to the rest of the world.
    """
    if kind in {"quota-cut", "capacity-loss"} and supplier is not None and importer is None:
        world = group.shares.get(supplier, 0.0)
    elif kind == "chokepoint" and chokepoint is not None:
        world = group.route_shares.get(chokepoint, 0.0)
    else:
        return 0.0
    return max(0.0, world - member_flows)


@dataclass
class Diverted:
    """Flow that targeted restrictions withhold and their supplier re-sells, for one chunk.

    Per channel (a member market and its supplier) that a diverting event touches, as
    ``(T, n)`` shares of the channel's baseline flow. Events act on a channel as the
    product of their multipliers ``1 - cut``; the diverting events re-sell ``d`` of the
    flow each removes from what the earlier ones left (``resold``), and the other events
    (a quota on all exports) count first: ``share = resold x other``, so the re-sold flow
    never exceeds what the channel lost and a cut on all exports is never re-sold.
    """

    watched: frozenset[int]
    resold: dict[int, np.ndarray] = field(default_factory=dict)
    kept: dict[int, np.ndarray] = field(default_factory=dict)    # product of diverting 1 - cut
    other: dict[int, np.ndarray] = field(default_factory=dict)   # product of other 1 - cut

    def add(self, channel: int, cut: np.ndarray, share: np.ndarray | None) -> None:
        """Record one event's cut of a watched channel.

        ``cut`` is ``(T, n)`` or ``(T, 1)``; ``share`` (n,) of it is re-sold, or None for
        an event that re-sells nothing.
        """
        if share is None:
            prev = self.other.get(channel)
            self.other[channel] = (1.0 - cut) if prev is None else prev * (1.0 - cut)
            return
        kept = self.kept.get(channel)
        removed = cut if kept is None else kept * cut
        prev = self.resold.get(channel)
        self.resold[channel] = share[None, :] * removed + (0.0 if prev is None else prev)
        self.kept[channel] = (1.0 - cut) if kept is None else kept * (1.0 - cut)

    def share(self, channel: int) -> np.ndarray | float:
        """Re-sold flow as a share of the channel's baseline flow (0.0 if none)."""
        resold = self.resold.get(channel)
        if resold is None:
            return 0.0
        other = self.other.get(channel)
        return resold if other is None else resold * other


def diversion_draws(dist: Distribution | None, key: int, seed: int, first: int,
                    last: int) -> np.ndarray | None:
    """Per-draw diversion share of one event (its own random stream), or None."""
    if dist is None:
        return None
    return np.clip(_draw(dist, key, 0, seed, first, last), 0.0, 1.0)


def compile_joint(cfg: DisruptionConfig, cat: Catalogue, groups: list[WorldGroup]
                  ) -> list[JointGroup]:
    """Deposit mixes, by-product outputs and value weights of each joint-production group."""
    out = []
    by_commodity = {w.commodity: g for g, w in enumerate(groups)}
    for i, jp in enumerate(cfg.joint_production):
        f = f"disruption.joint_production.{i}"
        elements = [m.commodity for m in cfg.markets
                    if m.element_of == jp.parent and m.commodity in by_commodity]
        elements = list(dict.fromkeys(elements))
        deposits = list(jp.deposit_output)
        mix = _mix(cat, jp, deposits, f)
        prices = data.series(cat, jp.reference_prices, "element", f"{f}.reference_prices")
        missing = [e for e in elements if e not in prices]
        if missing:
            raise InputError(f"reference_prices have no price for {missing}",
                             Location(field=f"{f}.reference_prices"),
                             f"select a year with prices of {elements}")
        out_k = np.array([jp.deposit_output[k] for k in deposits])
        share = np.array([[mix[k].get(e, 0.0) for e in elements] for k in deposits])
        value = share * np.array([prices[e] for e in elements])[None, :]
        # the value of the rest of the mix (elements without a market) is held at price 1;
        # its weight is unknown without a price, so the basket counts only priced elements
        weights = value / np.maximum(value.sum(axis=1, keepdims=True), 1e-300)
        out.append(JointGroup(
            parent=jp.parent, groups=[by_commodity[e] for e in elements], elements=elements,
            byproduct=out_k[:, None] * share, weights=weights,
            elasticity=[data.resolve_range(cat, jp.supply_elasticity.get(k, Fixed(value=0.0)),
                                           f"{f}.supply_elasticity.{k}", 0.0, 5.0)
                        for k in deposits],
            keys=[zlib.crc32(f"joint:{jp.parent}:{k}".encode()) for k in deposits]))
    return out


def _mix(cat: Catalogue, jp: JointProduction, deposits: list[str], field: str
         ) -> dict[str, dict[str, float]]:
    """Element shares of each deposit type, one selection per deposit."""
    mix = {}
    for k in deposits:
        ref = jp.mix.model_copy(update={"select": {**jp.mix.select, "deposit": k}})
        mix[k] = data.series(cat, ref, "element", f"{field}.mix")
    return mix


@dataclass
class WorldPrices:
    """Prices of the world markets of one chunk."""

    price: np.ndarray                   # (T, n, G) price ratio, before the choke cap
    unconverged: np.ndarray             # (n,) steps where the joint fixed point did not settle


def world_prices(groups: list[WorldGroup], joints: list[JointGroup], cover: np.ndarray,
                 seed: int, first: int, last: int) -> WorldPrices:
    """Price ratios ``(T, n, G)`` from world covers ``(T, n, G)`` (1 - net loss share)."""
    n = last - first
    ed = np.stack([_draw(g.demand_elasticity, g.key, 0, seed, first, last) for g in groups],
                  axis=-1)                                           # (n, G)
    es = np.stack([_draw(g.supply_elasticity, g.key, 1, seed, first, last) for g in groups],
                  axis=-1)
    cover = np.clip(cover, 1e-9, None)
    log_cover = np.log(cover)
    log_p = log_cover / (ed - es)[None, :, :]                         # closed form
    unconverged = np.zeros(n, dtype=np.int64)
    for jg in joints:
        idx = np.array(jg.groups)
        es_k = np.stack([_draw(d, k, 0, seed, first, last)
                         for d, k in zip(jg.elasticity, jg.keys, strict=True)], axis=-1)  # (n, K)
        q = np.stack([groups[g].demand for g in jg.groups], axis=-1)  # (T, E)
        byp = jg.byproduct[None, :, :] / q[:, None, :]                 # (T, K, E) share of Q_e
        c = cover[:, :, idx]
        # only cells where some element is short move: with every cover at 1 the prices
        # stay at exactly 1 (basket 1, no extra output), so the fixed point runs on the
        # disrupted (step, draw) cells alone, a small part of most runs
        ti, ni = np.nonzero((c < 1.0).any(axis=-1))                     # (A,) each
        if ti.size == 0:
            continue
        lp = log_p[ti, ni][:, idx]                                    # (A, E)
        c_a, byp_a, es_a = c[ti, ni], byp[ti], es_k[ni]               # (A, E) (A, K, E) (A, K)
        e_d, e_s = ed[ni][:, idx], es[ni][:, idx]
        step = np.zeros_like(lp)
        for _ in range(JOINT_ITERATIONS):
            basket = np.exp(lp) @ jg.weights.T                         # (A, K)
            extra = np.einsum("ak,ake->ae", basket ** es_a - 1.0, byp_a)
            supply = np.clip(c_a * np.exp(e_s * lp) + extra, 1e-9, None)
            step = np.log(supply) / e_d - lp
            lp = lp + 0.5 * step
            if float(np.abs(step).max(initial=0.0)) < JOINT_TOLERANCE:
                break
        unsettled = (np.abs(step) >= JOINT_TOLERANCE).any(axis=-1)
        unconverged += np.bincount(ni[unsettled], minlength=n)
        log_p[ti[:, None], ni[:, None], idx[None, :]] = lp
    return WorldPrices(price=np.exp(log_p), unconverged=unconverged)
