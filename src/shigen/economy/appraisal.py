"""Discounting and cost–benefit figures of policy packages.

A package's discounted cost is the present value of its levers' cash flows; its
benefit is the present value of the fall in expected annual loss against a reference
package (and the same for the tail, the P95 annual loss). Year 0 of the horizon is
not discounted.

>>> round(annuity_factor(0.04, 3), 6)     # 1 + 1/1.04 + 1/1.04^2
2.886095
>>> cb = cost_benefit(cost=[10.0, 30.0], loss=[100.0, 80.0], tail=[500.0, 300.0],
...                   reference=0, annuity=10.0)
>>> cb.npv.tolist(), cb.bcr.tolist()
([0.0, 180.0], [nan, 10.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def discount_factors(rate: float, n: int) -> np.ndarray:
    """``1 / (1 + rate)^t`` for t = 0 .. n-1."""
    return np.asarray((1.0 + rate) ** -np.arange(n, dtype=float))


def annuity_factor(rate: float, n: int) -> float:
    """Present value of 1 a year for ``n`` years, the first undiscounted."""
    return float(discount_factors(rate, n).sum())


def present_value(flows: np.ndarray, rate: float) -> np.ndarray:
    """PV over the last axis of yearly ``flows`` (year 0 first)."""
    flows = np.asarray(flows, dtype=float)
    return np.asarray(flows @ discount_factors(rate, flows.shape[-1]))


@dataclass(frozen=True)
class CostBenefit:
    """Per package, against the reference package (all present values)."""

    cost: np.ndarray            # discounted lever cost
    loss: np.ndarray            # discounted expected loss
    incremental_cost: np.ndarray
    benefit: np.ndarray         # reference loss - package loss
    tail_benefit: np.ndarray    # same for the P95 annual loss
    npv: np.ndarray             # benefit - incremental cost
    bcr: np.ndarray             # benefit / incremental cost (NaN when that is <= 0)


def cost_benefit(cost: Sequence[float] | np.ndarray, loss: Sequence[float] | np.ndarray,
                 tail: Sequence[float] | np.ndarray, reference: int,
                 annuity: float) -> CostBenefit:
    """Cost–benefit of packages from discounted ``cost`` and annual ``loss`` / ``tail``."""
    c = np.asarray(cost, dtype=float)
    loss_pv = np.asarray(loss, dtype=float) * annuity
    tail_pv = np.asarray(tail, dtype=float) * annuity
    dc = c - c[reference]
    benefit = loss_pv[reference] - loss_pv
    bcr = np.divide(benefit, dc, out=np.full_like(dc, np.nan), where=dc > 0)
    return CostBenefit(c, loss_pv, dc, benefit, tail_pv[reference] - tail_pv,
                       benefit - dc, bcr)


FIGURES = ("expected_annual_loss_usd", "p95_annual_loss_usd", "discounted_cost_usd",
           "discounted_loss_usd", "discounted_tail_loss_usd", "total_cost_usd")
"""What a criterion path ``economy.<figure>`` may name (one package, no reference)."""


def package_figure(figure: str, loss: float, tail: float, flows: np.ndarray,
                   rate: float) -> float:
    """One package's economic figure at discount ``rate``.

    ``loss``/``tail``: expected and P95 annual loss; ``flows``: yearly lever cash flows.
    ``total_cost_usd`` = discounted lever cost + discounted expected loss: the package
    with the lowest total has the highest NPV against any reference.
    """
    a = annuity_factor(rate, len(flows))
    cost = float(present_value(flows, rate))
    values = {"expected_annual_loss_usd": loss, "p95_annual_loss_usd": tail,
              "discounted_cost_usd": cost, "discounted_loss_usd": loss * a,
              "discounted_tail_loss_usd": tail * a, "total_cost_usd": cost + loss * a}
    return float(values[figure])
