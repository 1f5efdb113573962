"""How the economy is shown: cost–benefit of policy packages and where the ranking changes.

Reads the policy summary's ``cost_benefit`` block (the numbers of ``shigen run --json``).
"""

from __future__ import annotations

from typing import Any

from rich.table import Table as RichTable

from shigen.report.figures import Summary
from shigen.report.tables import Table

COLUMNS = ("discounted_cost_usd", "incremental_cost_usd", "expected_annual_loss_usd",
           "benefit_usd", "tail_benefit_usd", "npv_usd", "bcr")
HEADERS = ("discounted cost (USD)", "incremental cost (USD)", "expected annual loss (USD)",
           "benefit (USD)", "tail benefit (USD)", "NPV (USD)", "benefit-cost ratio (×)")


def _orders(cb: dict[str, Any]) -> list[tuple[str, list[str]]]:
    rows = [("NPV (cost-benefit alone)", list(cb.get("ranking_by_npv") or []))]
    rows += [(f"discount rate {float(r):.0%}", list(o))
             for r, o in (cb.get("ranking_by_discount_rate") or {}).items()]
    rows += [(f"event probabilities x{float(k):g}", list(o))
             for k, o in (cb.get("ranking_by_probability_scale") or {}).items()]
    return rows


def cost_benefit_tables(summary: Summary) -> list[Table]:
    """Cost–benefit by package (in the summary's ranking order) and alternative rankings."""
    cb = summary.get("cost_benefit")
    if not cb:
        return []
    packages = list(summary.get("ranking") or cb["packages"])
    t = Table("policy-cost-benefit",
              f"Cost and benefit against '{cb['reference']}' (discount rate "
              f"{cb['discount_rate']:.0%}, present values)", ["package", *HEADERS],
              caption="Benefit: discounted fall in expected annual economic loss (GDP lost + "
                      "extra import bill) against the reference; tail benefit: the same for "
                      "the P95 annual loss; NPV = benefit - incremental cost.")
    for p in packages:
        row = cb["packages"][p]
        t.add(p, *(row.get(c) for c in COLUMNS), fmt={7: ".3g"})
    alt = Table("policy-ranking-alternatives", "Where the ranking changes",
                ["ranked by", *[f"#{i}" for i in range(1, len(packages) + 1)]],
                caption="The multi-criteria ranking recomputed at other discount rates and "
                        "with every event's probability scaled (expected losses scale with "
                        "it); the first row ranks by NPV alone. Weights: see rank stability.")
    for label, order in _orders(cb):
        alt.add(label, *order)
    return [t, alt]


def render_cost_benefit(summary: dict[str, Any]) -> list[RichTable]:
    """Rich tables for ``shigen run``: cost–benefit and the alternative rankings."""
    cb = summary.get("cost_benefit")
    if not cb:
        return []
    t = RichTable(title=f"cost-benefit against '{cb['reference']}' (discount rate "
                        f"{cb['discount_rate']:.0%}; USD, present values)")
    t.add_column("package")
    for h in ("incremental cost", "benefit", "tail benefit", "NPV", "B/C"):
        t.add_column(h, justify="right")
    for p in summary.get("ranking") or cb["packages"]:
        r = cb["packages"][p]

        def money(v: Any) -> str:
            return "–" if v is None else f"{v / 1e6:,.0f} M"

        t.add_row(p, money(r["incremental_cost_usd"]), money(r["benefit_usd"]),
                  money(r["tail_benefit_usd"]), money(r["npv_usd"]),
                  "–" if r["bcr"] is None else f"{r['bcr']:.2f}")
    a = RichTable(title="where the ranking changes")
    a.add_column("ranked by")
    a.add_column("order (best first)")
    for label, order in _orders(cb):
        a.add_row(label, " > ".join(order))
    return [t, a]
