"""The disruption stage's hook into :mod:`shigen.economy`: loss and lever costs by market.

For each market whose importer has an input-output table (``io-table-<iso3>`` and
``io-entry-<iso3>``) and a unit value (the market's ``reference_price`` or the
``import-unit-values`` dataset), the per-draw annual shortfalls and price ratios become
an economic loss (:func:`shigen.economy.market_impact`), and the market's levers become
yearly cash flows (:func:`shigen.economy.lever_costs`). Markets without either are left
out of the economy variables (and their summary has no ``economy`` block).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import xarray as xr

from shigen import economy
from shigen.disruption.config import (
    Agreement,
    DisruptionConfig,
    Diversification,
    RecyclingLever,
    Stockpile,
    StockRelease,
    decimal_year,
)
from shigen.disruption.model import _ramp
from shigen.disruption.results import DatasetGrids, Grids
from shigen.economy import data as edata

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.disruption.montecarlo import Simulation

TOP = 5
T = TypeVar("T")


def _yearly(sim: Simulation, rate: np.ndarray) -> np.ndarray:
    """(T,) rate a year on the step grid → (Y,) mean rate of each year."""
    g = sim.model.grid
    return np.asarray(rate).reshape(len(g.years), g.per_year).mean(axis=1)


def _lever_specs(cfg: DisruptionConfig, sim: Simulation, j: int) -> list[economy.LeverSpec]:
    """The levers of market ``j`` (and the agreements that belong to it)."""
    m = sim.model
    c, imp = m.markets[j]
    t = float(m.to_tonnes[j])
    specs: list[economy.LeverSpec] = []
    alt = np.zeros(m.grid.n)
    suppliers = {e.supplier for e in cfg.events if getattr(e, "commodity", None) == c}
    for i, lv in enumerate(cfg.levers):
        f = f"disruption.levers.{i}"
        if isinstance(lv, Agreement):
            mine = (lv.commodity == c if lv.commodity is not None else
                    bool(suppliers & set(lv.parties)))
            if imp in lv.parties and lv.alternative_supply_share > 0 and lv.commodity == c:
                alt += lv.alternative_supply_share * m.demand[:, j] * _ramp(
                    m.grid, decimal_year(lv.start) + lv.lead_time_years, 0.0)
            if imp in lv.parties and mine:
                specs.append(economy.LeverSpec("agreement", lv.commodity, imp, lv.name, f,
                                               decimal_year(lv.start)))
            continue
        if isinstance(lv, StockRelease):
            # stocks several holders release into a world market: their refill is not one
            # importer's lever cost here (left for the world-market appraisal)
            continue
        if (lv.commodity, lv.importer) != (c, imp):
            continue
        if isinstance(lv, Stockpile):
            # all stockpile levers of a market share one stock (the model adds their days)
            if not any(s.kind == "stockpile" for s in specs):
                specs.append(economy.LeverSpec("stockpile", c, imp, "stockpile", f,
                                               float(cfg.start),
                                               tonnes_held=float(m.stock0[j]) * t))
        elif isinstance(lv, Diversification):
            path = lv.capacity_t_per_year * lv.offtake_share * _ramp(
                m.grid, decimal_year(lv.start) + lv.lead_time_years, lv.ramp_years)
            specs.append(economy.LeverSpec("diversification", c, imp, lv.supplier, f,
                                           decimal_year(lv.start),
                                           tonnes_by_year=_yearly(sim, path)))
        elif isinstance(lv, RecyclingLever):
            start = decimal_year(lv.start) if lv.start is not None else float(cfg.start)
            specs.append(economy.LeverSpec("recycling", c, imp, "recycling", f, start))
        else:
            specs.append(economy.LeverSpec(lv.kind, c, imp, lv.kind, f, float(cfg.start)))
    # recycled tonnes: the market's extra supply less agreements' alternative supply
    recycled = np.clip(_yearly(sim, (m.extra_supply[:, j] - alt) * t), 0.0, None)
    return [economy.LeverSpec(s.kind, s.commodity, s.importer, s.name, s.field, s.start_year,
                              tonnes_by_year=recycled) if s.kind == "recycling" else s
            for s in specs]


class _DataMemo:
    """Results of functions of datasets alone, kept while those datasets stay the same.

    A policy ensemble runs this stage for every package of every sample on the same
    datasets; converting the input-output table and looking up unit values each time
    cost as much as the simulation. An entry holds the datasets its function read (as
    loaded objects: a case's overrides or range factors give new objects) and is used
    only while the catalogue gives those very objects; a hit reads them through the
    catalogue again, so a recording view sees the same reads as without the memo.
    """

    def __init__(self, size: int = 64) -> None:
        self.size = size
        self._memo: OrderedDict[tuple[Any, ...], tuple[list[str], list[Any], Any]] = (
            OrderedDict())

    def get(self, cat: Catalogue, key: tuple[Any, ...], fn: Callable[[Catalogue], T]) -> T:
        entry = self._memo.get(key)
        if entry is not None:
            names, held, value = entry
            if all(cat.get(n) is d for n, d in zip(names, held, strict=True)):
                with suppress(KeyError):  # another thread may have dropped it meanwhile
                    self._memo.move_to_end(key)
                return cast("T", value)
        recording = cat.recording()
        value = fn(recording)
        names = recording.reads()
        self._memo[key] = (names, [cat.get(n) for n in names], value)
        while len(self._memo) > self.size:
            self._memo.popitem(last=False)
        return value


_DATA = _DataMemo()


def _impact_data(cat: Catalogue, importer: str, commodity: str
                 ) -> tuple[economy.IOTable, np.ndarray, float]:
    """The importer's table, the commodity's entry shares and its criticality."""
    table = edata.load_table(cat, importer)
    return (table, edata.entry_shares(cat, importer, commodity, table),
            edata.criticality(cat, commodity))


def _unit_value(sim: Simulation, cat: Catalogue, j: int) -> float:
    m = sim.model
    v = float(m.value_per_unit[j]) / float(m.to_tonnes[j]) if m.value_per_unit.size else np.nan
    if np.isfinite(v):
        return v
    c, imp = m.markets[j]
    return _DATA.get(cat, ("unit_value", imp, c), lambda view: edata.unit_value(view, imp, c))


def economy_dataset(cfg: DisruptionConfig, sim: Simulation, cat: Catalogue) -> xr.Dataset:
    """Economy variables by (commodity, importer); empty when no market can be valued."""
    built = economy_build(cfg, sim, cat)
    return xr.Dataset() if built is None else built.dataset()


def economy_build(cfg: DisruptionConfig, sim: Simulation, cat: Catalogue) -> EconomyBuilder | None:
    """The variables of :func:`economy_dataset`, not yet built; None when nothing is valued."""
    m, r = sim.model, sim.draws
    years = [int(y) for y in m.grid.years]
    per_year = m.grid.per_year
    rows: list[tuple[str, str, economy.MarketImpact, list[economy.LeverCost], float]] = []
    for j, (c, imp) in enumerate(m.markets):
        if not edata.has_table(cat, imp):
            continue
        price = _unit_value(sim, cat, j)
        if not np.isfinite(price):
            continue
        table, entry, crit = _DATA.get(cat, ("impact", imp, c),
                                       partial(_impact_data, importer=imp, commodity=c))
        t = float(m.to_tonnes[j])
        short_t = r.annual_shortfall[:, :, j].astype(float) * t            # (Y, N)
        demand_t = (m.demand[:, j] * m.grid.dt).reshape(len(years), per_year).sum(axis=1) * t
        got_t = np.clip(demand_t[:, None] - short_t, 0.0, None)
        ratio = r.annual_price[:, :, j].astype(float)
        impact = economy.market_impact(table, entry, crit, short_t * price,
                                       (ratio - 1.0) * price * got_t)
        costs = economy.lever_costs(_lever_specs(cfg, sim, j), years, cat, {(c, imp): price})
        rows.append((c, imp, impact, costs, price))
    if not rows:
        return None
    return EconomyBuilder(rows, sim, years)


class EconomyBuilder:
    """The economy variables as arrays; :meth:`dataset` labels them, the summary reads them.

    Implements :class:`shigen.disruption.results.Grids`, so the ``economy`` blocks of a
    summary come from the same arrays whether or not the dataset is built.
    """

    def __init__(self, rows: list[tuple[str, str, economy.MarketImpact,
                                        list[economy.LeverCost], float]],
                 sim: Simulation, years: list[int]) -> None:
        m = sim.model
        industries = sorted({k for _, _, imp, _, _ in rows for k in imp.industries})
        shape = (len(m.commodities), len(m.importers))
        by_draw = np.full((*shape, sim.n_draws), np.nan)
        gdp, price_cost, mult, unit = (np.full(shape, np.nan) for _ in range(4))
        ind = np.full((*shape, len(industries)), np.nan)
        flows = np.full((*shape, len(years)), np.nan)
        lever_rows: list[dict[str, Any]] = []
        for c, imp, impact, costs, price in rows:
            a, b = m.commodities.index(c), m.importers.index(imp)
            by_draw[a, b] = impact.annual_loss_by_draw
            gdp[a, b] = impact.value_added_by_draw.mean()
            price_cost[a, b] = impact.price_cost_by_draw.mean()
            mult[a, b], unit[a, b] = impact.multiplier, price
            ind[a, b] = 0.0
            for k, name in enumerate(impact.industries):
                ind[a, b, industries.index(name)] = impact.expected_value_added_by_industry[k]
            flows[a, b] = sum((lc.cash_flow for lc in costs), np.zeros(len(years)))
            lever_rows += [{"commodity": c, "importer": imp, "kind": lc.spec.kind,
                            "name": lc.spec.name, "total": lc.total} for lc in costs]
        self.coords: dict[str, Any] = {
            "commodity": m.commodities, "importer": m.importers,
            "draw": np.arange(sim.n_draws), "industry": industries, "year": years}
        # name → (extra dims, values, units, description)
        self.vars: dict[str, tuple[tuple[str, ...], np.ndarray, str, str]] = {
            "econ_loss_by_draw": (("draw",), by_draw, "USD/yr",
                                  "mean annual economic loss of each draw (value added lost "
                                  "+ extra import bill)"),
            "econ_gdp_loss": ((), gdp, "USD/yr", "expected annual value added (GDP) lost"),
            "econ_price_cost": ((), price_cost, "USD/yr",
                                "expected annual extra import bill of the supply received "
                                "(price rise x tonnes)"),
            "econ_multiplier": ((), mult, "1", "GDP lost per USD of missing input (Ghosh)"),
            "econ_unit_value": ((), unit, "USD/t", "import unit value used"),
            "econ_industry_loss": (("industry",), ind, "USD/yr",
                                   "expected annual value added lost by industry"),
            "econ_lever_cash_flow": (("year",), flows, "USD",
                                     "levers' cash flow by year (positive = spent)"),
        }
        self.levers = {
            "econ_lever_total": np.array([row["total"] for row in lever_rows], dtype=float),
            **{f"lever_{k}": np.asarray([row[k] for row in lever_rows])
               for k in ("kind", "name", "commodity", "importer")}}
        self.lever_rows = lever_rows

    def dataset(self) -> xr.Dataset:
        cm = {"commodity": self.coords["commodity"], "importer": self.coords["importer"]}
        dims = ("commodity", "importer")
        out = {}
        for name, (extra, values, units, desc) in self.vars.items():
            coords = {d: self.coords[d] for d in extra}
            out[name] = xr.DataArray(values, dims=(*dims, *extra), coords={**cm, **coords},
                                     attrs={"units": units, "description": desc})
        ds = xr.Dataset(out)
        rows = self.lever_rows
        ds["econ_lever_total"] = xr.DataArray(
            np.array([row["total"] for row in rows], dtype=float), dims=("lever",),
            coords={"lever": np.arange(len(rows)),
                    "lever_kind": ("lever", [row["kind"] for row in rows]),
                    "lever_name": ("lever", [row["name"] for row in rows]),
                    "lever_commodity": ("lever", [row["commodity"] for row in rows]),
                    "lever_importer": ("lever", [row["importer"] for row in rows])},
            attrs={"units": "USD", "description": "undiscounted total cash flow of each lever"})
        return ds

    def has(self, name: str) -> bool:
        return name in self.vars or name in self.levers

    def has_dim(self, name: str) -> bool:
        return name in self.coords

    def grid(self, name: str, *extra: str) -> np.ndarray:
        dims, values = self.vars[name][:2]
        assert dims == extra, (name, dims)
        return values

    def values(self, name: str) -> np.ndarray:
        return self.levers[name] if name in self.levers else np.asarray(self.coords[name])

    def attr(self, name: str, default: Any = None) -> Any:
        return default


def _r(x: float, nd: int = 0) -> float | None:
    return None if not np.isfinite(x) else round(float(x), nd)


def summarize_economy(ds: xr.Dataset, c: str, i: str) -> dict[str, Any] | None:
    """The ``economy`` block of market (c, i) in the stage summary, or None."""
    return economy_blocks(ds).get((str(c), str(i)))


def economy_blocks(ds: xr.Dataset | Grids | None) -> dict[tuple[str, str], dict[str, Any]]:
    """The ``economy`` block of every valued market, by (commodity, importer).

    From the stage's dataset or the :class:`EconomyBuilder` before it is built: each
    variable is read once as a (commodity, importer, ...) array and indexed per market (a
    ``.sel`` per market and variable cost more than the figures themselves).
    """
    g = DatasetGrids(ds) if isinstance(ds, xr.Dataset) else ds
    if g is None or not g.has("econ_loss_by_draw"):
        return {}
    by_draw = g.grid("econ_loss_by_draw", "draw")
    industry = g.grid("econ_industry_loss", "industry")
    industries = g.values("industry")
    flows = g.grid("econ_lever_cash_flow", "year")
    years = g.values("year")
    gdp, price_cost = g.grid("econ_gdp_loss"), g.grid("econ_price_cost")
    mult, unit = g.grid("econ_multiplier"), g.grid("econ_unit_value")
    totals = g.values("econ_lever_total")
    kinds, names = g.values("lever_kind"), g.values("lever_name")
    on_c, on_i = g.values("lever_commodity"), g.values("lever_importer")
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for a, c in enumerate(g.values("commodity")):
        for b, i in enumerate(g.values("importer")):
            loss = by_draw[a, b]
            # markets valued are those with a table and a unit value (element markets
            # may not be)
            if not np.isfinite(loss).all():
                continue
            q = np.quantile(loss, (0.05, 0.5, 0.95))
            # largest first, ties in table order (as pandas' stable descending sort)
            have = np.flatnonzero(~np.isnan(industry[a, b]))
            top = have[np.argsort(-industry[a, b][have], kind="stable")][:TOP]
            out[str(c), str(i)] = {
                "currency": "USD",
                "expected_annual_loss_usd": _r(loss.mean()),
                "p5_annual_loss_usd": _r(q[0]),
                "p50_annual_loss_usd": _r(q[1]),
                "p95_annual_loss_usd": _r(q[2]),
                "expected_gdp_loss_usd": _r(float(gdp[a, b])),
                "expected_price_cost_usd": _r(float(price_cost[a, b])),
                "gdp_loss_per_usd_missing": _r(float(mult[a, b]), 4),
                "unit_value_usd_per_t": _r(float(unit[a, b]), 2),
                "top_industries": [{"industry": str(industries[k]),
                                    "expected_annual_loss_usd": _r(industry[a, b, k])}
                                   for k in top],
                "lever_cash_flows_usd": {str(int(y)): _r(float(v)) for y, v in
                                         zip(years, flows[a, b], strict=True)},
                "levers": [{"kind": str(kinds[k]), "name": str(names[k]),
                            "total_usd": _r(float(totals[k]))}
                           for k in np.flatnonzero((on_c == c) & (on_i == i))],
            }
    return out
