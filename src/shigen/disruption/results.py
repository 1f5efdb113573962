"""Turn per-draw outcomes into the stage's labelled dataset, JSON summary and IAMC rows."""

from __future__ import annotations

import json
from typing import Any, Protocol

import numpy as np
import pandas as pd
import xarray as xr

from shigen.disruption.montecarlo import Simulation
from shigen.disruption.quantiles import draw_quantiles

QUANTILES = (0.05, 0.5, 0.95)
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


class _Builder:
    """Variables of the stage's dataset, collected and then built into one ``xr.Dataset``.

    One constructor call merges every variable and coordinate once; assigning variables
    one by one re-aligned the growing dataset at each step (a third of the statistics
    time for one market).
    """

    def __init__(self, sim: Simulation) -> None:
        m = sim.model
        self.sim = sim
        self.coords: dict[str, Any] = {"commodity": m.commodities, "importer": m.importers}
        self.data_vars: dict[str, Any] = {}
        self.attrs: dict[str, Any] = {}
        # where each market sits on the (commodity, importer) grid
        self.at = [(m.commodities.index(c), m.importers.index(i)) for c, i in m.markets]

    def scatter(self, values: np.ndarray, extra_dims: tuple[str, ...] = (),
             extra_coords: dict[str, Any] | None = None
             ) -> tuple[tuple[str, ...], np.ndarray]:
        """Scatter ``(..., M)`` market values onto a (commodity, importer, ...) grid."""
        m = self.sim.model
        out = np.full((len(m.commodities), len(m.importers), *values.shape[:-1]), np.nan)
        for j, (ci, ii) in enumerate(self.at):
            out[ci, ii] = values[..., j]
        self.coords.update(extra_coords or {})
        return ("commodity", "importer", *extra_dims), out

    def put(self, name: str, var: tuple[Any, ...], units: str, description: str) -> None:
        self.data_vars[name] = (*var, {"units": units, "description": description})

    def dataset(self) -> xr.Dataset:
        ds = xr.Dataset(self.data_vars, coords=self.coords)
        ds.attrs.update(self.attrs)
        return ds

    # the Grids protocol: what the summary reads, before the dataset is built
    def has(self, name: str) -> bool:
        return name in self.data_vars

    def has_dim(self, name: str) -> bool:
        return name in self.coords

    def grid(self, name: str, *extra: str) -> np.ndarray:
        # put() stores every (commodity, importer, ...) variable in this order
        dims, values = self.data_vars[name][:2]
        assert tuple(dims) == ("commodity", "importer", *extra), (name, dims)
        return np.asarray(values)

    def values(self, name: str) -> np.ndarray:
        if name in self.data_vars:
            return np.asarray(self.data_vars[name][1])
        c = self.coords[name]
        return np.asarray(c[1] if isinstance(c, tuple) else c)

    def attr(self, name: str, default: Any = None) -> Any:
        return self.attrs.get(name, default)


class Grids(Protocol):
    """Labelled arrays the summary reads: a built dataset or the variables before it.

    ``grid`` gives a variable as a (commodity, importer, *extra) array; ``values`` a
    one-dimensional variable or coordinate. The summary of a simulation is the same
    whichever it reads, because the dataset holds the very arrays the builder collected.
    """

    def has(self, name: str) -> bool: ...
    def has_dim(self, name: str) -> bool: ...
    def grid(self, name: str, *extra: str) -> np.ndarray: ...
    def values(self, name: str) -> np.ndarray: ...
    def attr(self, name: str, default: Any = None) -> Any: ...


class DatasetGrids:
    """:class:`Grids` over a built dataset (e.g. a stored run's)."""

    def __init__(self, ds: xr.Dataset) -> None:
        self.ds = ds

    def has(self, name: str) -> bool:
        return name in self.ds

    def has_dim(self, name: str) -> bool:
        return name in self.ds.dims

    def grid(self, name: str, *extra: str) -> np.ndarray:
        # one transpose, then indexing: a .sel per market and variable cost more than
        # the rest of the summary
        return self.ds[name].transpose("commodity", "importer", *extra).values

    def values(self, name: str) -> np.ndarray:
        return self.ds[name].values

    def attr(self, name: str, default: Any = None) -> Any:
        return self.ds.attrs.get(name, default)


def to_dataset(sim: Simulation) -> xr.Dataset:
    """The stage's result: statistics by commodity and importer, fan charts, backtest."""
    return build(sim).dataset()


def build(sim: Simulation, summary_only: bool = False) -> _Builder:
    """The variables of :func:`to_dataset`, not yet built into a dataset.

    ``summary_only`` leaves out what :func:`summarize` does not read (fan charts, the
    peak price's quantiles, the per-draw shortfall, demand); the rest is the same.
    """
    m, r = sim.model, sim.draws
    tonnes = m.to_tonnes
    total_t = r.total_shortfall * tonnes
    b = _Builder(sim)
    grid, put = b.scatter, b.put
    # most draws share a value (no shortfall, the path price): quantiles set them aside
    total_q = draw_quantiles(total_t, QUANTILES, axis=0)
    paths = bool(m.history or m.world)
    fan_p = (draw_quantiles(r.annual_price, FAN_QUANTILES, axis=1)  # (5, Y, M)
             if paths or not summary_only else None)

    put("expected_shortfall", grid(total_t.mean(axis=0)), "t",
        "expected cumulative shortfall over the horizon")
    put("shortfall_quantile", grid(total_q, ("quantile",), {"quantile": list(QUANTILES)}),
        "t", "quantiles of the cumulative shortfall over draws")
    put("expected_shortfall_cost", grid((r.shortfall_at_price * m.value_per_unit)
                                        .mean(axis=0)), "USD",
        "expected value of the shortfall at the crisis price (reference price x price "
        "ratio, by year); NaN without a reference price")
    put("prob_shortfall_gt_10pct", grid(r.exceeds_10pct.mean(axis=0)), "fraction",
        "probability that in some year the shortfall exceeds 10% of that year's demand")
    put("days_of_cover", grid(m.stock_days.astype(float)), "day",
        "stockpile held at the start, in days of baseline consumption")
    if not summary_only:
        put("min_days_of_cover_p5", grid(np.quantile(r.min_cover_days, 0.05, axis=0)), "day",
            "5th percentile over draws of the lowest stock reached, in days of consumption")
    put("peak_price_ratio", grid(r.peak_price.mean(axis=0)), "fraction",
        "expected peak of price / path price")
    if not summary_only:
        assert fan_p is not None
        _distributions(sim, b, fan_p)
    if paths:
        assert fan_p is not None
        # the fan's 5th, 50th and 95th percentiles are the path's: the same numbers
        _paths(sim, b, fan_p[[FAN_QUANTILES.index(q) for q in QUANTILES]])
    if m.history:
        _history(sim, b)
    b.attrs["warnings"] = json.dumps(warnings(sim))
    b.attrs.update(draws=sim.n_draws, seed=sim.seed, resolution=(
        "month" if m.grid.per_year == 12 else "year"), start=int(m.grid.start),
        end=int(m.grid.end), elasticities=";".join(
            f"{c}/{i}={e:.4f}" for (c, i), e in zip(m.markets, m.elasticity, strict=True)))
    return b


def _distributions(sim: Simulation, b: _Builder, fan_p: np.ndarray) -> None:
    """The peak price's quantiles, the fan charts, demand and the per-draw shortfall."""
    m, r = sim.model, sim.draws
    tonnes, years = m.to_tonnes, m.grid.years
    grid, put = b.scatter, b.put
    peak_q = draw_quantiles(r.peak_price, QUANTILES, axis=0)
    fan_s = draw_quantiles(r.annual_shortfall, FAN_QUANTILES, axis=1) * tonnes
    put("peak_price_ratio_quantile", grid(peak_q, ("quantile",), {"quantile": list(QUANTILES)}),
        "fraction", "quantiles over draws of the peak price ratio")
    fan_coords = {"year": years, "fan_quantile": list(FAN_QUANTILES)}
    put("shortfall_fan", grid(np.moveaxis(fan_s, 0, 1), ("year", "fan_quantile"), fan_coords),
        "t", "quantiles over draws of the shortfall in each year (fan chart)")
    put("price_ratio_fan", grid(np.moveaxis(fan_p, 0, 1), ("year", "fan_quantile"),
                                fan_coords),
        "fraction", "quantiles over draws of the mean price ratio in each year (fan chart)")
    demand_y = (m.demand * m.grid.dt).reshape(len(years), m.grid.per_year, -1).sum(axis=1)
    put("demand", grid(demand_y * tonnes, ("year",), {"year": years}), "t",
        "baseline demand per year")
    total_t = r.total_shortfall * tonnes
    put("shortfall_by_draw", grid(total_t, ("draw",), {"draw": np.arange(sim.n_draws)}),
        "t", "cumulative shortfall in each draw (common random numbers across studies)")


def _history(sim: Simulation, b: _Builder) -> None:
    """Backtest checks: the observed figure beside the model's P5, P50 and P95."""
    m = sim.model
    q = np.quantile(sim.draws.history, QUANTILES, axis=0)
    b.coords.update({
        "check": [s.name for s in m.history],
        "metric": ("check", [s.metric for s in m.history]),
        "period": ("check", [s.period for s in m.history]),
        "market_commodity": ("check", [m.markets[s.market][0] for s in m.history]),
        "market_importer": ("check", [m.markets[s.market][1] for s in m.history]),
        "market_unit": ("check", [m.units[s.market] if s.metric != "price_ratio"
                                  else "fraction" for s in m.history])})
    for name, vals, desc in (
            ("history_observed", [s.observed for s in m.history], "observed figure"),
            ("model_p5", q[0], "model, 5th percentile"),
            ("model_p50", q[1], "model, median"),
            ("model_p95", q[2], "model, 95th percentile")):
        b.put(name, (("check",), np.asarray(vals, dtype=float)), "see market_unit", desc)
    for name, vals, desc in (
            ("used_for_estimation", [s.used_for_estimation for s in m.history],
             "the figure was used to estimate a parameter (in-sample, not scored)"),
            ("check_tolerance", [s.tolerance for s in m.history],
             "the check passes inside [P5, P95] widened by this fraction")):
        b.put(name, (("check",), np.asarray(vals)), "fraction", desc)


def _paths(sim: Simulation, b: _Builder, pq: np.ndarray) -> None:
    """Price ratio by year and imports by step and by year, P5/P50/P95 over draws.

    ``pq``: the annual price ratio's P5, P50 and P95, ``(3, Y, M)``.
    """
    m, r = sim.model, sim.draws
    years = m.grid.years
    q = list(QUANTILES)
    b.put("price_path", b.scatter(np.moveaxis(pq, 0, 1), ("year", "quantile"),
                               {"year": years, "quantile": q}),
          "fraction", "price ratio to the path price in each year, quantiles over draws")
    if not m.history:     # imports paths are reported beside history (backtests) only
        return
    steps = m.grid.labels()
    iq = np.quantile(r.imports, q, axis=0)                          # (3, T, M)
    b.put("imports_path", b.scatter(np.moveaxis(iq, 0, 1), ("step", "quantile"),
                                 {"step": steps, "quantile": q}),
          "see market unit", "imports received in each step, quantiles over draws")
    per = m.grid.per_year
    yearly = r.imports.reshape(r.imports.shape[0], len(years), per, -1).sum(axis=2)
    yq = np.quantile(yearly, q, axis=0)
    b.put("imports_annual", b.scatter(np.moveaxis(yq, 0, 1), ("year", "quantile"),
                                   {"year": years, "quantile": q}),
          "see market unit", "imports received in each year, quantiles over draws")


def warnings(sim: Simulation) -> list[dict[str, Any]]:
    """Warning records (code, stage, message, where, severity) of a simulation.

    A price at its choke price means the cap, not the market, set it; joint prices that
    did not settle mean the by-product fixed point needs a look.
    """
    m, r = sim.model, sim.draws
    out: list[dict[str, Any]] = []
    caps = m.max_price_ratio.copy()
    for grp in m.world:
        caps[grp.members] = grp.max_price_ratio
    share = r.capped.mean(axis=0)
    for j, (c, i) in enumerate(m.markets):
        if share[j] > 0:
            out.append({"code": "price-at-choke", "stage": "disruption", "severity": "warning",
                        "message": f"the price of {c} for {i} reached its choke price "
                                   f"({caps[j]:g} x the path price) in {share[j]:.1%} of draws: "
                                   "the cap, not the market, set it there; the shortfall "
                                   "is understated",
                        "where": {"commodity": c, "importer": i, "share_of_draws":
                                  round(float(share[j]), 6), "max_price_ratio": float(caps[j])}})
    bad = int((r.unconverged > 0).sum())
    if bad:
        out.append({"code": "joint-prices-unsettled", "stage": "disruption",
                    "severity": "warning",
                    "message": f"joint-production prices did not settle in {bad} draws",
                    "where": {"draws": bad}})
    return out


def _r(x: float, nd: int = 6) -> float | None:
    return None if not np.isfinite(x) else round(float(x), nd)


def summarize(ds: xr.Dataset | Grids) -> dict[str, Any]:
    """``{commodity: {importer: {expected_shortfall_t, p95_shortfall_t, ...}}}``.

    From the stage's dataset or from its variables before the dataset is built
    (:func:`build`): the same numbers either way.
    """
    g = DatasetGrids(ds) if isinstance(ds, xr.Dataset) else ds
    out: dict[str, Any] = {}
    qs = [float(q) for q in g.values("quantile")]
    at = [qs.index(q) for q in QUANTILES]  # the P5, P50, P95 columns, as .sel finds them
    expected = g.grid("expected_shortfall")
    quantile = g.grid("shortfall_quantile", "quantile")
    prob = g.grid("prob_shortfall_gt_10pct")
    cover = g.grid("days_of_cover")
    peak = g.grid("peak_price_ratio")
    cost = g.grid("expected_shortfall_cost") if g.has("expected_shortfall_cost") else None
    checks = g.has_dim("check")
    if checks:
        on_c, on_i = g.values("market_commodity"), g.values("market_importer")
    paths = {key: (g.grid(var, dim, "quantile")[..., at], g.values(dim), nd)
             for key, var, dim, nd in (("price_path", "price_path", "year", 4),
                                       ("imports_annual", "imports_annual", "year", 1),
                                       ("imports_monthly", "imports_path", "step", 1))
             if g.has(var) and (key != "imports_monthly"
                                or g.attr("resolution") == "month")}
    for a, c in enumerate(g.values("commodity")):
        for b, i in enumerate(g.values("importer")):
            es = float(expected[a, b])
            if not np.isfinite(es):
                continue
            q = quantile[a, b]
            entry: dict[str, Any] = {
                "expected_shortfall_t": _r(es, 3),
                "p5_shortfall_t": _r(float(q[at[0]]), 3),
                "p50_shortfall_t": _r(float(q[at[1]]), 3),
                "p95_shortfall_t": _r(float(q[at[2]]), 3),
                "prob_shortfall_gt_10pct": _r(float(prob[a, b])),
                "days_of_cover": _r(float(cover[a, b]), 3),
                "peak_price_ratio": _r(float(peak[a, b]), 4),
            }
            if cost is not None and np.isfinite(float(cost[a, b])):
                entry["expected_shortfall_cost_usd"] = _r(float(cost[a, b]), 0)
            if checks:
                rows = []
                for k in np.flatnonzero((on_c == c) & (on_i == i)):
                    rows.append({"check": str(g.values("check")[k]),
                                 "metric": str(g.values("metric")[k]),
                                 "period": str(g.values("period")[k]),
                                 "unit": str(g.values("market_unit")[k]),
                                 "history": _r(float(g.values("history_observed")[k]), 4),
                                 "model_p5": _r(float(g.values("model_p5")[k]), 4),
                                 "model_p50": _r(float(g.values("model_p50")[k]), 4),
                                 "model_p95": _r(float(g.values("model_p95")[k]), 4)})
                if rows:
                    entry["backtest"] = rows
            for key, (values, labels, nd) in paths.items():
                entry[key] = _path(values[a, b], labels, nd)
            out.setdefault(str(c), {})[str(i)] = entry
    if checks:
        out["backtest_score"] = score(g)
    found = json.loads(str(g.attr("warnings", "[]")))
    if found:
        out["warnings"] = found
    return out


def _path(values: np.ndarray, labels: np.ndarray, nd: int) -> dict[str, dict[str, float | None]]:
    """``{label: {p5, p50, p95}}`` from a (label, quantile) array of P5, P50, P95."""
    names = [f"p{round(q * 100)}" for q in QUANTILES]
    return {str(k): {n: _r(float(v), nd) for n, v in zip(names, row, strict=True)}
            for k, row in zip(labels, values, strict=True)}


def score(ds: xr.Dataset | Grids) -> dict[str, Any]:
    """Checks whose history lies inside the model's [P5, P95] (widened by their tolerance).

    Only out-of-sample checks count: a figure used to estimate a parameter is listed
    but never scored.
    """
    g = DatasetGrids(ds) if isinstance(ds, xr.Dataset) else ds
    inside, scored, in_sample = [], [], []
    for k, name in enumerate(g.values("check")):
        if bool(g.values("used_for_estimation")[k]):
            in_sample.append(str(name))
            continue
        tol = float(g.values("check_tolerance")[k])
        lo = float(g.values("model_p5")[k]) * (1 - tol)
        hi = float(g.values("model_p95")[k]) * (1 + tol)
        scored.append(str(name))
        if lo <= float(g.values("history_observed")[k]) <= hi:
            inside.append(str(name))
    return {"inside_p5_p95": len(inside), "out_of_sample_checks": len(scored),
            "passed": inside, "failed": [c for c in scored if c not in inside],
            "used_for_estimation": in_sample}


def iamc(ds: xr.Dataset) -> pd.DataFrame:
    """IAMC rows: shortfall and price ratio by year, one scenario per percentile.

    The Monte Carlo's P5, P50 and P95 go to the scenarios ``<study>|P5`` ... (column
    ``scenario`` holds the suffix); the variables are ``shigen|Disruption|...`` because the
    IAMC common definitions have none for supply disruptions (docs/iamc.md).
    """
    rows = []
    for q in (0.05, 0.5, 0.95):
        for var, name, unit in (("shortfall_fan", "Shortfall", "t"),
                                ("price_ratio_fan", "Price Ratio", "1")):
            s = ds[var].sel(fan_quantile=q).to_series().dropna().reset_index()
            s["variable"] = f"shigen|Disruption|{name}|" + s["commodity"].astype(str)
            s["unit"] = unit
            s["scenario"] = f"P{round(q * 100)}"
            s = s.rename(columns={"importer": "region", var: "value"})
            rows.append(s[["region", "variable", "unit", "year", "value", "scenario"]])
    return pd.concat(rows, ignore_index=True)
