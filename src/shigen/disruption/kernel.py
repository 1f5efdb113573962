"""The Monte Carlo kernel for one chunk of draws.

Events → supply and demand paths → levers and the stockpile recursion → shortfall
and price paths.

Shapes: ``n`` draws × ``T`` steps × ``M`` markets. Everything is vectorised over
draws and markets; only the stockpile recursion steps through time.

Supply available to a market in a step (rate, unit/yr)::

    A = D * (1 - sum_c w_c * (1 - prod_e (1 - depth_e * active_e)))   baseline suppliers
        + sum_c new_c * prod_e (1 - depth_e * active_e)                new suppliers
        + surge * D + recycling + alternative supply

where channel ``c`` is a (market, supplier-or-strait) pair with baseline share
``w_c``. Demand is ``D_eff = D * (1 - substitution) + fleet-outage demand``. The gap
``max(0, D_eff - A)`` is first cut by demand restraint, then covered from the
stockpile; what remains is the shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shigen.disruption.model import DAYS_PER_YEAR, CompiledEvent, Model
from shigen.disruption.sampling import event_uniforms
from shigen.disruption.world import Diverted, diversion_draws, release_world_stocks, world_prices
from shigen.distributions import Fixed, quantile


@dataclass
class ChunkResult:
    """Per-draw outcomes of one chunk.

    Draws run along axis 0, except in the annual arrays, which are year-major (draws
    along axis 1). Those two are views of ``(Y, M, n)`` arrays (:func:`_draws_last`):
    the statistics take quantiles over draws for each year and market, and read each
    as one contiguous row.
    """

    total_shortfall: np.ndarray      # (n, M) unit
    annual_shortfall: np.ndarray     # (Y, n, M) unit, float32, stored draws-last
    exceeds_10pct: np.ndarray        # (n, M) some year short by more than 10% of demand
    annual_price: np.ndarray         # (Y, n, M) mean price ratio, float32, stored draws-last
    peak_price: np.ndarray           # (n, M)
    min_cover_days: np.ndarray       # (n, M)
    history: np.ndarray              # (n, H)
    shortfall_at_price: np.ndarray   # (n, M) sum over years of shortfall x price ratio
    imports: np.ndarray              # (n, T, M) imports in each step (draw-major), float32;
    #                                  (n, T, 0) when nothing reports them
    capped: np.ndarray               # (n, M) some step's price reached the choke price
    unconverged: np.ndarray          # (n,) steps where joint prices did not settle


def _deterministic(ev: CompiledEvent) -> bool:
    """Scheduled, with fixed duration and depth, and no agreement thinning its draws."""
    return (ev.annual_probability is None and ev.onset_fixed is not None
            and isinstance(ev.duration_days, Fixed)
            and ev.quota_leak is None and ev.backlog_release is None
            and (ev.depth_by_step is not None or isinstance(ev.depth, Fixed))
            and all(t.probability_factor == 1.0 or ev.onset_fixed < t.agreement_start
                    for t in ev.touches))


def _events(model: Model, seed: int, first: int, last: int,
            diverted: Diverted | None = None
            ) -> tuple[dict[int, np.ndarray], np.ndarray | None]:
    """Channel multipliers and fleet-outage demand of one chunk.

    Multipliers ``(T, n)`` of the channels events touch (others stay at one) and
    fleet-outage demand ``(T, n, M)`` or None.

    Arrays are time-major so that the recursion reads contiguous slices. ``diverted``
    (world markets with trade diversion) records the cuts of the channels it watches.
    """
    grid = model.grid
    n, T = last - first, grid.n
    lo_edge, hi_edge = grid.edges[:-1, None], grid.edges[1:, None]
    # random events work in step units: step k spans [k, k + 1), so a step fully in
    # force has activity exactly 1
    k_lo = np.arange(T, dtype=float)[:, None]
    k_hi = k_lo + 1.0
    mult: dict[int, np.ndarray] = {}     # only channels some event touches
    dadd: np.ndarray | None = None
    horizon_end = float(grid.end + 1)
    scratch = np.empty((T, n))
    for ev in model.events:
        if not ev.touches:
            continue
        share = None if diverted is None else diversion_draws(
            ev.diversion, ev.diversion_key, seed, first, last)
        if _deterministic(ev):
            # same path in every draw: one (T, 1) column instead of (T, n)
            onset0 = float(ev.onset_fixed)  # type: ignore[arg-type]
            end0 = onset0 + max(ev.duration_days.value, 0.0) / DAYS_PER_YEAR  # type: ignore[union-attr]
            col = np.clip(np.minimum(end0, hi_edge) - np.maximum(onset0, lo_edge), 0.0, None)
            col *= grid.per_year
            np.minimum(col, 1.0, out=col)       # rounding: a full step is exactly 1
            col *= ev.depth_by_step[:, None] if ev.depth_by_step is not None else min(
                max(ev.depth.value, 0.0), 1.0)  # type: ignore[union-attr]
            for touch in ev.touches:
                factor = touch.depth_factor if onset0 >= touch.agreement_start else 1.0
                eff = col * factor
                if diverted is not None and touch.channel in diverted.watched:
                    diverted.add(touch.channel, eff, share)
                if touch.channel < 0:
                    if dadd is None:
                        dadd = np.zeros((T, n, model.n_markets))
                    dadd[:, :, touch.market] += touch.weight * eff * model.demand[
                        :, touch.market, None]
                else:
                    prev = mult.get(touch.channel)
                    if prev is not None and prev.shape == (T, n):
                        prev *= 1.0 - eff
                    else:
                        mult[touch.channel] = (1.0 if prev is None else prev) * (1.0 - eff)
            continue
        u = event_uniforms(seed, ev.key, first, last)
        if ev.annual_probability is not None:
            p = ev.annual_probability
            k = np.floor(np.log1p(-u[:, 0]) / np.log1p(-p)) if p < 1 else np.zeros(n)
            onset = ev.window_start + k + u[:, 1]
            occurs = onset < horizon_end
        elif ev.onset_dist is not None:
            onset = quantile(ev.onset_dist, u[:, 0])
            occurs = np.ones(n, dtype=bool)
        else:
            onset = np.full(n, ev.onset_fixed)
            occurs = np.ones(n, dtype=bool)
        end = onset + np.clip(quantile(ev.duration_days, u[:, 2]), 0.0, np.inf) / DAYS_PER_YEAR
        # fraction of each step the event is on: overlap of [onset, end) with the step
        onset_s = (onset - grid.start) * grid.per_year
        end_s = (end - grid.start) * grid.per_year
        # np.clip against a broadcast column: the values of np.minimum / np.maximum,
        # about three times faster in numpy 2
        active = np.clip(end_s[None, :], -np.inf, k_hi)
        np.subtract(active, np.clip(onset_s[None, :], k_lo, np.inf), out=active)
        np.clip(active, 0.0, np.inf, out=active)
        if ev.depth_by_step is not None:
            active *= ev.depth_by_step[:, None]
            # exports outside the quota do not follow it: the cut reaches 1 / (1 + leak)
            depth = np.ones(n) if ev.quota_leak is None else 1.0 / (1.0 + np.maximum(
                quantile(ev.quota_leak, u[:, 3]), 0.0))
        else:
            depth = np.clip(quantile(ev.depth, u[:, 3]), 0.0, 1.0)  # type: ignore[arg-type]
        for touch in ev.touches:
            bound = onset >= touch.agreement_start
            keep = occurs & ~(bound & (u[:, 4] >= touch.probability_factor))
            d = np.where(bound, depth * touch.depth_factor, depth) * keep
            # both factors are <= 1, so the cut never exceeds the flow
            np.multiply(active, d[None, :], out=scratch)
            if ev.backlog_release is not None:
                _release_backlog(ev, scratch, end_s, k_lo, k_hi, grid.per_year, seed,
                                 first, last)
            if diverted is not None and touch.channel in diverted.watched:
                diverted.add(touch.channel, scratch, share)
            if touch.channel < 0:
                if dadd is None:
                    dadd = np.zeros((T, n, model.n_markets))
                dadd[:, :, touch.market] += touch.weight * scratch * model.demand[
                    :, touch.market, None]
            else:
                np.subtract(1.0, scratch, out=scratch)
                prev = mult.get(touch.channel)
                if prev is not None and prev.shape == scratch.shape:
                    prev *= scratch
                else:   # hand the scratch array over instead of copying it
                    if prev is not None:
                        scratch *= prev
                    mult[touch.channel] = scratch
                    scratch = np.empty((T, n))
    return mult, dadd


def _release_backlog(ev: CompiledEvent, cut: np.ndarray, end_s: np.ndarray,
                     k_lo: np.ndarray, k_hi: np.ndarray, per_year: int, seed: int,
                     first: int, last: int) -> None:
    """Deliver a share of what an embargo withheld after it ends (in place on ``cut``).

    ``cut`` (T, n) is the fraction of the flow cut in each step; the withheld volume is
    its sum in years of flow, and ``share`` of it arrives at an even rate over
    ``backlog_years`` from the end, as a negative cut (the flow runs above its path).
    """
    share = np.clip(quantile(ev.backlog_release,  # type: ignore[arg-type]
                             event_uniforms(seed, ev.backlog_key, first, last)[:, 0]), 0, 1)
    withheld = cut.sum(axis=0) / per_year                          # (n,) years of flow
    span = ev.backlog_years * per_year                             # in steps
    on = np.clip(np.minimum(end_s[None, :] + span, k_hi) - np.maximum(end_s[None, :], k_lo),
                 0.0, None)                                        # (T, n) step fraction
    cut -= on * (share * withheld / ev.backlog_years)[None, :]


def run_chunk(model: Model, seed: int, first: int, last: int) -> ChunkResult:
    """Simulate draws ``[first, last)``."""
    grid = model.grid
    n, T, M, P = last - first, grid.n, model.n_markets, grid.per_year
    Y = T // P
    dt = grid.dt
    D = model.demand                                        # (T, M)
    diverted = Diverted(frozenset(model.diverting)) if model.diverting else None
    mult, dadd = _events(model, seed, first, last, diverted)

    supply = np.empty((T, n, M))
    base = D * (1.0 + model.surge) + model.extra_supply    # (T, M)
    filled = np.zeros(M, dtype=bool)
    for c, mc in mult.items():
        j, _name, w = model.channels[c]
        if w and j < M:     # j >= M: a world market's rest-of-world channel
            cut = w * D[:, j, None] * (1.0 - mc)
            if filled[j]:
                supply[:, :, j] -= cut
            else:           # the market's first cut: base - cut in one pass
                np.subtract(base[:, j, None], cut, out=supply[:, :, j])
                filled[j] = True
    for k in np.flatnonzero(~filled):
        supply[:, :, k] = base[:, k, None]
    for c, path in model.channel_supply:
        supply[:, :, model.channels[c][0]] += path[:, None] * mult.get(c, 1.0)
    d_sub = D * (1.0 - model.substitution)                  # (T, M)
    demand = np.broadcast_to(d_sub[:, None, :], (T, n, M)) if dadd is None else \
        d_sub[:, None, :] + dadd

    gap, cover, min_stock = _stockpile(model, supply, demand, d_sub)
    members = sorted({j for g in model.world for j in g.members})
    member_gap = gap[:, :, members] if members else None
    annual_short = _by_year(gap, P)         # gap itself when steps are years
    if dt != 1.0:
        annual_short *= dt
        min_stock *= dt
    if dadd is None:
        annual_demand = (d_sub * dt).reshape(Y, P, M).sum(axis=1)[:, None, :]
    else:
        annual_demand = _by_year(demand, P) * dt
    # cover: share of demand delivered (supply plus stock released), in [0, 1]
    # (np.clip rather than np.maximum / np.minimum against a number: the same values,
    # several times faster in numpy 2)
    if dadd is None:
        with np.errstate(divide="ignore"):
            inv_d = np.where(d_sub > 0, 1.0 / d_sub, np.inf)   # (T, M)
        with np.errstate(invalid="ignore"):   # 0 x inf: no demand, no supply
            np.multiply(cover, inv_d[:, None, :], out=cover)
        np.clip(cover, 0.0, 1.0, out=cover)     # -0.0 x inf = -inf -> 0
        t_no, j_no = np.nonzero(~(d_sub > 0))
        if t_no.size:       # no demand and nothing delivered (0 x inf = NaN): covered
            nd = cover[t_no, :, j_no]
            cover[t_no, :, j_no] = np.where(np.isnan(nd), 1.0, nd)
    else:
        with np.errstate(over="ignore"):   # no demand left: cover 1
            np.divide(cover, np.clip(demand, np.finfo(float).tiny, np.inf), out=cover)
        np.clip(cover, 0.0, 1.0, out=cover)

    price = _price(model, cover)
    unconverged = np.zeros(n, dtype=np.int64)
    if model.world:
        unconverged = _world(model, seed, first, last, mult, member_gap, members, demand,
                             price, annual_short, diverted)
    cap = model.max_price_ratio.copy()     # a world market's members take its choke price
    for grp in model.world:
        cap[grp.members] = grp.max_price_ratio
    cap32 = cap.astype(np.float32)
    peak = price.max(axis=0)
    capped = np.asarray(peak >= cap32)      # some step's price reached the cap
    np.clip(peak, np.float32(-np.inf), cap32, out=peak)   # the peak of the capped path
    np.clip(price, np.float32(-np.inf), cap32, out=price)
    total = annual_short.sum(axis=0)
    hist = np.empty((n, len(model.history)))
    for h_i, h in enumerate(model.history):
        a0, a1 = h.steps
        j = h.market
        if h.metric == "price_ratio":
            hist[:, h_i] = price[a0:a1, :, j].mean(axis=0)
        elif h.metric == "imports_from_supplier":
            m = mult[h.channel][a0:a1] if h.channel in mult else 1.0
            m = np.broadcast_to(m, (a1 - a0, n)) if h.channel in mult else m
            hist[:, h_i] = (h.share * D[a0:a1, j, None] * m * dt).sum(axis=0)
        else:
            hist[:, h_i] = (np.minimum(supply[a0:a1, :, j], demand[a0:a1, :, j]) * dt).sum(0)
    d0 = D[0] / DAYS_PER_YEAR
    annual_price = price if P == 1 else price.reshape(Y, P, n, M).mean(axis=1)
    # imports by step are kept only where they are reported (beside backtest history)
    imports = (np.minimum(supply, demand) * dt if model.history
               else np.empty((T, n, 0)))
    return ChunkResult(
        total_shortfall=total,
        annual_shortfall=_draws_last(annual_short, np.float32),
        exceeds_10pct=np.asarray((annual_short > 0.1 * annual_demand).any(axis=0)),
        annual_price=_draws_last(annual_price, np.float32),
        peak_price=peak,
        min_cover_days=min_stock / d0,
        history=hist,
        shortfall_at_price=_sum_of_products(annual_short, annual_price),
        imports=np.ascontiguousarray(imports.transpose(1, 0, 2), dtype=np.float32), capped=capped,
        unconverged=unconverged)


def _stockpile(model: Model, supply: np.ndarray, demand: np.ndarray, d_sub: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Demand restraint and the stockpile recursion over ``(T, n, M)`` supply and demand.

    Returns the gap left after restraint and releases (rate, unit/yr), what was delivered
    (supply plus releases; a fresh array the caller may overwrite) and the lowest stock
    of each draw (rate x one step).

    Everything that does not depend on the stock (the raw gap, restraint, the surplus
    available for refilling, the release cap) is computed for all steps at once; only
    the few operations that carry the stock from one step to the next loop over time.
    """
    T, n, M = supply.shape
    dt = model.grid.dt
    # np.clip: np.maximum / np.minimum against a number or a broadcast row take a slow
    # path in numpy 2 (several times slower for the same values)
    gap = np.subtract(demand, supply)       # > 0: gap, < 0: surplus
    if np.any(model.restraint > 0):
        # restraint R cuts the gap g to g - min(g, R) = max(g - R, 0), the same numbers
        gap -= (model.restraint * d_sub)[:, None, :]
    np.clip(gap, 0.0, np.inf, out=gap)
    # the recursion runs in rates (unit/yr); stocks are held as rate x one step, so a
    # release of `stock` covers a gap of the same size for one step
    stock = np.broadcast_to(model.stock0 / dt, (n, M)).copy()
    min_stock = stock.copy()
    if not (np.any(model.stock0 > 0) or np.any(model.refill > 0)):
        return gap, supply.copy(), min_stock
    stock_cap = model.stock0 / dt
    surplus = np.subtract(supply, demand)   # refills come from surplus supply only
    np.clip(surplus, 0.0, model.refill, out=surplus)
    cap = (model.max_release * demand if np.any(model.max_release < 1.0) else None)
    release = np.empty((T, n, M))
    room = np.empty((n, M))
    for t in range(T):
        r = release[t]
        np.minimum(gap[t], stock, out=r)
        if cap is not None:
            np.minimum(r, cap[t], out=r)
        stock -= r
        # refill never above the initial stock
        np.subtract(stock_cap, stock, out=room)
        np.minimum(surplus[t], room, out=room)
        stock += room
        np.minimum(min_stock, stock, out=min_stock)
        # while the step's rows are in cache: the gap left and what was delivered
        gap[t] -= r
        r += supply[t]
    return gap, release, min_stock


def _by_year(x: np.ndarray, P: int) -> np.ndarray:
    """Sum of ``(T, ...)`` steps into ``(T // P, ...)`` years, adding the steps in order.

    ``x`` itself when ``P`` is 1.

    An explicit loop rather than ``reshape(...).sum(axis=1)``: numpy may sum a reduced
    axis pairwise, and the per-draw results must not depend on how the sum is ordered.
    """
    if P == 1:
        return x
    out = x[0::P].copy()
    for p in range(1, P):
        out += x[p::P]
    return out


def _sum_of_products(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``(a * b).sum(axis=0)``, year by year.

    The same sums in the same order (axis 0 is added row after row), without a
    full-size float64 temporary of float64 x float32 products.
    """
    out = a[0] * b[0]
    row = np.empty_like(out)
    for k in range(1, a.shape[0]):
        np.multiply(a[k], b[k], out=row)
        out += row
    return out


def _draws_last(x: np.ndarray, dtype: type) -> np.ndarray:
    """``x`` ``(Y, n, M)`` as ``dtype``, indexed the same, with the draws last in memory.

    A view of a C-contiguous ``(Y, M, n)`` array: one pass casts and transposes it while
    the chunk is in cache, instead of a transposed copy of the whole run later.
    """
    return np.ascontiguousarray(x.transpose(0, 2, 1), dtype=dtype).transpose(0, 2, 1)


def _trailing_year(x: np.ndarray, P: int) -> np.ndarray:
    """Mean over the trailing year of monthly values (axis 0); a cover of 1 before the start.

    Prices answer the trailing annual balance because elasticities are annual.
    """
    if P == 1:
        return x
    T = x.shape[0]
    csum = np.cumsum(x, axis=0)
    window = csum.copy()
    window[P:] -= csum[:-P]
    filled = np.minimum(np.arange(1, T + 1), P).reshape((T,) + (1,) * (x.ndim - 1))
    return (window + (P - filled)) / P


def _price(model: Model, cover: np.ndarray) -> np.ndarray:
    """Inverse demand ``P/P0 = cover^(1/e)`` of each market (float32), before any cap.

    Float32 is ample for a price ratio, and a cover of exactly 1 gives exactly 1.
    """
    # clip, then cast: the same float32 values as cast, then clip (rounding is monotone),
    # in one pass
    price = np.empty(cover.shape, dtype=np.float32)
    np.clip(_trailing_year(cover, model.grid.per_year), 1e-12, np.inf, out=price,
            casting="same_kind")
    np.power(price, (1.0 / model.elasticity).astype(np.float32), out=price)
    return price


def _world(model: Model, seed: int, first: int, last: int, mult: dict[int, np.ndarray],
           member_gap: np.ndarray | None, members: list[int], demand: np.ndarray,
           price: np.ndarray, annual_short: np.ndarray,
           diverted: Diverted | None = None) -> np.ndarray:
    """World prices for the members of world markets; their shortfall at that price.

    Overwrites the members' ``price`` (T, n, M) and ``annual_short`` (Y, n, M) in place;
    returns, per draw, the count of steps where joint prices did not settle.
    """
    grid = model.grid
    T, n, P, dt = grid.n, last - first, grid.per_year, grid.dt
    cover = np.empty((T, n, len(model.world)))
    col = {j: k for k, j in enumerate(members)}
    for g, grp in enumerate(model.world):
        loss = member_gap[:, :, [col[j] for j in grp.members]].sum(axis=-1)  # type: ignore[index]
        for ch, r in grp.rest_channels:
            if ch in mult:
                loss += grp.demand[:, None] * r * (1.0 - mult[ch])
        for ch, owner in model.diverting.items():    # withheld, re-sold to third buyers
            if owner == g and diverted is not None:
                j, _name, w = model.channels[ch]
                loss -= w * model.demand[:, j, None] * diverted.share(ch)
        loss -= (grp.spare * grp.demand + grp.release)[:, None]
        loss = release_world_stocks(grp, loss, seed, first, last, dt)
        cover[:, :, g] = 1.0 - np.clip(loss, 0.0, np.inf) / grp.demand[:, None]
    wp = world_prices(model.world, model.joint, _trailing_year(cover, P), seed, first, last)
    Y = T // P
    for g, grp in enumerate(model.world):
        p = wp.price[:, :, g]
        for j in grp.members:
            price[:, :, j] = p      # capped by the caller, which records the cap binding
            forgone = demand[:, :, j] * (
                1.0 - np.clip(p, -np.inf, grp.max_price_ratio) ** model.elasticity[j])
            annual_short[:, :, j] = forgone.reshape(Y, P, n).sum(axis=1) * dt
    return wp.unconverged
