"""Rich tables for ``shigen run`` (terminal summary of the disruption stage)."""

from __future__ import annotations

from typing import Any

from rich.table import Table


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.4g}" if abs(v) < 1e4 else f"{v:,.0f}"
    return str(v)


def render(summary: dict[str, Any]) -> list[Table]:
    """One table of outcomes per market, and one model-versus-history table per backtest."""
    t = Table(title="disruption: shortfall after levers (Monte Carlo)")
    for col in ("commodity", "importer", "mean short t", "P95 short t", "P(>10%)",
                "cover days", "peak price x"):
        left = col in ("commodity", "importer")
        t.add_column(col, justify="left" if left else "right", min_width=11 if
                     col == "commodity" else 8, overflow="fold")
    tables = [t]
    for c, by_imp in summary.items():
        for i, e in by_imp.items():
            t.add_row(c, i, _fmt(e["expected_shortfall_t"]), _fmt(e["p95_shortfall_t"]),
                      _fmt(e["prob_shortfall_gt_10pct"]), _fmt(e["days_of_cover"]),
                      _fmt(e["peak_price_ratio"]))
            if e.get("backtest"):
                b = Table(title=f"backtest {c} / {i}: model against history")
                for col in ("check", "period", "unit", "history", "model P5", "model P50",
                            "model P95"):
                    left = col in ("check", "period", "unit")
                    b.add_column(col, justify="left" if left else "right",
                                 min_width={"check": 18, "unit": 4, "period": 7}.get(col, 7),
                                 overflow="fold")
                for row in e["backtest"]:
                    b.add_row(row["check"], row["period"], row["unit"], _fmt(row["history"]),
                              _fmt(row["model_p5"]), _fmt(row["model_p50"]),
                              _fmt(row["model_p95"]))
                tables.append(b)
    return tables
