"""How an uncertainty run is shown: the spread of the headline figures and what drives it.

The ``uncertainty`` object of a run (:mod:`shigen.policy.data_uncertainty`) mirrors the
stages' summaries: each numeric figure holds ``value`` (the run's own), ``p5``, ``p50``,
``p95`` and ``influence`` (datasets in decreasing order). The headline figures shown here
are the scalars and the last year of every year series; the terminal, the HTML report
and the dashboard read them from :func:`headline`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from shigen.report.tables import Table
from shigen.variables import describe_path

if TYPE_CHECKING:
    from rich.console import RenderableType

    from shigen.report.figures import Figure

DRIVERS = 5
"""Datasets shown as the assumptions that drive the headline figures."""
PER_STAGE = 8
"""Headline figures shown per stage: those that move most (P5–P95 against the value)."""


@dataclass(frozen=True)
class Headline:
    """One headline figure's statistics."""

    stage: str
    path: str
    value: float
    p5: float
    p50: float
    p95: float
    influence: tuple[tuple[str, float, str], ...]  # dataset, index, direction

    @property
    def relative_spread(self) -> float:
        """(P95 − P5) / |value|: how much the figure moves with the data (0 if value is 0)."""
        return (self.p95 - self.p5) / abs(self.value) if self.value else 0.0


def _is_stats(node: Any) -> bool:
    return isinstance(node, Mapping) and "p50" in node and "influence" in node


def _leaves(node: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for k, v in node.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if _is_stats(v):
            yield path, v
        elif isinstance(v, Mapping):
            yield from _leaves(v, path)


def _year(key: str) -> int | None:
    return int(key) if key.isdigit() and len(key) == 4 else None


def headline(unc: Mapping[str, Any]) -> list[Headline]:
    """Scalars and the last year of each year series, stage by stage, in summary order."""
    out: list[Headline] = []
    for stage, tree in unc.get("stages", {}).items():
        leaves = list(_leaves(tree))
        last: dict[str, int] = {}
        for path, _ in leaves:
            head, _, tail = path.rpartition(".")
            year = _year(tail)
            if year is not None:
                last[head] = max(last.get(head, year), year)
        for path, s in leaves:
            head, _, tail = path.rpartition(".")
            year = _year(tail)
            if year is not None and year != last[head]:
                continue
            out.append(Headline(stage, path, s["value"], s["p5"], s["p50"], s["p95"],
                                tuple((i["dataset"], i["index"], i["direction"])
                                      for i in s["influence"])))
    return out


def drivers(unc: Mapping[str, Any], n: int = DRIVERS) -> list[tuple[str, float]]:
    """The ``n`` datasets with the largest mean influence over the moving headline figures."""
    moving = [h for h in headline(unc) if h.p95 > h.p5]
    total: dict[str, float] = {}
    for h in moving:
        for name, index, _ in h.influence:
            total[name] = total.get(name, 0.0) + index
    ranked = sorted(total.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    return [(name, v / max(len(moving), 1)) for name, v in ranked]


def _method(unc: Mapping[str, Any]) -> str:
    names = {"rank-regression": "squared standardised rank-regression coefficients (SRRC²)",
             "rank-correlation": "squared Spearman rank correlations",
             "sobol-total": "Sobol total indices (SALib)"}
    return (f"{unc['samples']} samples ({unc['method']}, seed {unc['seed']}) of "
            f"{len(unc['parameters'])} datasets' ranges; influence: "
            f"{names.get(unc['influence_method'], unc['influence_method'])}"
            + (f"; {unc['failed']} samples failed and are left out" if unc.get("failed") else "")
            + _solved(unc))


def _solved(unc: Mapping[str, Any]) -> str:
    """How the stages with a fast path solved the samples (re-solved or rebuilt, and why)."""
    parts = []
    for stage, s in (unc.get("solve") or {}).items():
        counts = ", ".join(f"{n} {how}" for how, n in s.get("samples", {}).items())
        why = f" ({s['reason']})" if s.get("reason") else ""
        parts.append(f"{stage}: {counts or 'no sample'}{why}")
    return "; " + "; ".join(parts) if parts else ""


def moving_by_stage(unc: Mapping[str, Any], per_stage: int = PER_STAGE
                    ) -> tuple[dict[str, list[Headline]], list[str]]:
    """Per stage its headline figures that move, widest spread first; the stages none move."""
    moving: dict[str, list[Headline]] = {}
    still: list[str] = []
    for stage in unc.get("stages", {}):
        rows = [h for h in headline({"stages": {stage: unc["stages"][stage]}}) if h.p95 > h.p5]
        if rows:
            moving[stage] = sorted(rows, key=lambda h: -h.relative_spread)[:per_stage]
        else:
            still.append(stage)
    return moving, still


def tables(unc: Mapping[str, Any]) -> list[Table]:
    """The five driving assumptions, and each stage's headline figures that move."""
    moving, still = moving_by_stage(unc)
    caption = _method(unc) + (
        f". Not moved by the sampled datasets: {', '.join(still)} (their figures are the "
        "run's own)" if still else "")
    spread = Table("uncertainty-headline", "Spread of the headline answers over the data ranges",
                   ["stage", "figure", "unit", "value", "P5", "P50", "P95", "driven by"],
                   caption=caption)
    for rows in moving.values():
        for h in rows:
            top = ", ".join(f"{d} ({i:.2f} {'↑' if s == 'up' else '↓'})"
                            for d, i, s in h.influence[:3])
            label, unit = describe_path(h.stage, h.path)
            spread.add(h.stage, label, unit, h.value, h.p5, h.p50, h.p95, top or "–",
                       fmt={3: ".4g", 4: ".4g", 5: ".4g", 6: ".4g"})
    params = {p["dataset"]: p for p in unc.get("parameters", [])}
    five = Table("uncertainty-drivers", f"The {DRIVERS} assumptions that drive the answers",
                 ["dataset", "mean influence (0-1)", "range", "rows", "why this range"],
                 caption="mean influence over the headline figures that move")
    for name, v in drivers(unc):
        p = params.get(name, {})
        five.add(name, v, f"×{p.get('low', 0):g}–{p.get('high', 0):g}", p.get("rows", ""),
                 p.get("reason", ""), fmt={1: ".3f"})
    return [five, spread]


def figures(unc: Mapping[str, Any]) -> list[Figure]:
    """A tornado of the headline figures' P5–P95 and a bar chart of the five drivers.

    The tornado shows P5–P95 as percent of the run's own value, the 15 widest first.
    """
    import plotly.graph_objects as go

    from shigen.report.figures import Figure, layout

    rows = [h for h in sorted(headline(unc), key=lambda h: -h.relative_spread)
            if h.value][:15][::-1]
    tornado = go.Figure()
    labels = [f"{h.stage}.{h.path}" for h in rows]
    low = [100 * (h.p5 / h.value - 1) for h in rows]
    high = [100 * (h.p95 / h.value - 1) for h in rows]
    tornado.add_bar(y=labels, x=[hi - lo for lo, hi in zip(low, high, strict=True)], base=low,
                    orientation="h", name="P5–P95",
                    customdata=[[h.p5, h.p95] for h in rows],
                    hovertemplate="%{y}: P5 %{customdata[0]:.4g}, P95 %{customdata[1]:.4g}"
                                  "<extra></extra>")
    tornado.add_scatter(y=labels, x=[100 * (h.p50 / h.value - 1) for h in rows], mode="markers",
                        name="P50", marker={"color": "#000000", "symbol": "line-ns-open",
                                            "size": 14})
    layout(tornado, "How far the headline figures move with the data",
           xaxis="% of the run's value (P5 to P95)", height=max(300, 28 * len(rows) + 120))
    five = drivers(unc)
    bars = go.Figure(go.Bar(x=[v for _, v in five][::-1], y=[n for n, _ in five][::-1],
                            orientation="h", name="mean influence"))
    layout(bars, f"The {DRIVERS} assumptions that drive the answers", xaxis="mean influence",
           height=300)
    caption = _method(unc)
    return [Figure("uncertainty-tornado", "uncertainty", "Spread of the headline figures",
                   tornado, caption),
            Figure("uncertainty-drivers", "uncertainty", "Driving assumptions", bars, caption)]


def render(unc: Mapping[str, Any]) -> list[RenderableType]:
    """Terminal tables of an uncertainty run (``shigen run --uncertainty N``)."""
    from rich.table import Table as RichTable

    out: list[RenderableType] = []
    for t in tables(unc):
        rt = RichTable(title=t.title, caption=t.caption or None, title_justify="left")
        for i, c in enumerate(t.columns):
            rt.add_column(c, justify="right" if 0 < i < 5 and t.id.endswith("headline")
                          else "left")
        for row in t.rows[:40]:
            rt.add_row(*(c.text for c in row))
        out.append(rt)
    return out
