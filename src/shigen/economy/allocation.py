"""A USGS-style constrained allocation of a commodity shortage across industries.

The USGS (Open-File Report 2025-1047) lets the economy decide which industries go
without: a shortage is allocated across industries by an optimisation that loses as
little GDP as possible. This module is the linear counterpart on shigen's tables:

- each industry *j* uses ``u[j]`` (currency a year) of the commodity and cannot replace
  it within the year (fixed proportions: no substitution), so withholding ``d[j]`` of it
  stops ``d[j] / u[j]`` of the part of its output that needs it, ``s[j] x[j]``
  (``s`` the dependent share, 1 = the whole industry: an upper bound at a coarse table);
- the output an industry loses is lost to its buyers too (forward, Ghosh): one unit of
  output lost at *j* costs ``m[j] = (G (v / x))[j]`` of value added economy-wide;
- the shortage ``S`` is allocated by a linear programme (SciPy's HiGHS):
  ``min sum_j w[j] d[j]`` with ``w[j] = m[j] s[j] x[j] / u[j]``, ``sum_j d[j] = S``,
  ``0 <= d[j] <= u[j]`` — the industries that make the least value per unit of the
  commodity go without first.

Compared with the value-proportional Ghosh model (:func:`shigen.economy.market_impact`,
loss ~ value of the missing input), this bound is what a missing input costs when
nothing can replace it: for a cheap essential input (gallium in chips) it is orders of
magnitude larger. The truth lies between; docs/methods/economy.md says which is used.

>>> import numpy as np
>>> from shigen.economy.iotable import IOTable
>>> t = IOTable(["a", "b"], np.zeros((2, 2)), np.array([100.0, 100.0]),
...             np.array([50.0, 80.0]), "USD")
>>> constrained_allocation(t, np.array([10.0, 10.0]), 5.0).value_added_loss.tolist()
[25.0, 0.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from shigen.economy.iotable import IOTable, ghosh_inverse
from shigen.errors import InputError, Location, RunFailed


@dataclass(frozen=True)
class Allocation:
    """Where a shortage lands: by industry, in the table's currency a year."""

    industries: list[str]
    withheld: np.ndarray            # (K,) value of the commodity each industry goes without
    output_loss: np.ndarray         # (K,) output lost, direct and forward
    value_added_loss: np.ndarray    # (K,)

    @property
    def total(self) -> float:
        return float(self.value_added_loss.sum())


def value_added_per_output(table: IOTable) -> np.ndarray:
    """``m = G (v / x)``: value added lost economy-wide per unit of output lost at *j*."""
    return np.asarray(ghosh_inverse(table.b) @ table.value_added_coefficients)


def constrained_allocation(table: IOTable, use: np.ndarray, shortfall: float,
                           dependent_share: np.ndarray | float = 1.0) -> Allocation:
    """Allocate ``shortfall`` (currency) of a commodity over the industries that ``use`` it.

    ``use`` (K,) value of the commodity each industry uses a year; a shortfall above the
    total use is capped at it (nothing more can go missing).
    """
    use = np.asarray(use, dtype=float)
    share = np.broadcast_to(np.asarray(dependent_share, dtype=float), use.shape)
    if use.shape != table.x.shape or (use < 0).any() or not 0 <= shortfall < np.inf:
        raise InputError("the constrained allocation needs a non-negative use per industry "
                         "and a finite shortfall", Location(field="allocation"),
                         "give one non-negative value per industry of the table")
    k = len(use)
    cut = np.zeros(k)
    users = np.flatnonzero(use > 0)
    target = min(float(shortfall), float(use.sum()))
    if target >= float(use.sum()):
        # every user goes without all of it: the only feasible point, which HiGHS may call
        # infeasible when the equality meets the sum of the bounds in floating point
        cut = use.copy()
    elif target > 0:
        w = _loss_per_unit(table, use, share, users)
        res = linprog(w, A_eq=np.ones((1, len(users))), b_eq=[target],
                      bounds=list(zip(np.zeros(len(users)), use[users], strict=True)),
                      method="highs")
        if res.status != 0:   # a solver failure: the box and one equality are feasible
            raise RunFailed(f"the allocation's linear programme failed: {res.message}",
                            Location(field="allocation"), "report this as a bug")
        cut[users] = res.x
    direct = np.divide(cut * share * table.x, use, out=np.zeros(k), where=use > 0)
    dx = ghosh_inverse(table.b).T @ direct
    return Allocation(list(table.industries), cut, dx, table.value_added_coefficients * dx)


def _loss_per_unit(table: IOTable, use: np.ndarray, share: np.ndarray,
                   users: np.ndarray) -> np.ndarray:
    """``w`` of the users: value added lost economy-wide per unit of the commodity withheld."""
    return np.asarray(value_added_per_output(table)[users] * share[users] * table.x[users]
                      / use[users])


def expected_allocation(table: IOTable, use: np.ndarray, shortfalls: np.ndarray,
                        dependent_share: np.ndarray | float = 1.0) -> Allocation:
    """The mean of :func:`constrained_allocation` over ``shortfalls`` (one per draw), exact.

    The programme's optimum withholds from the users in order of ``w``, cheapest first, so
    every industry's withheld value (and, through the linear Ghosh step, its output and
    value added lost) is piecewise linear in the shortfall, with a kink where one user
    runs out. Solving at the kinks and interpolating gives each draw's allocation without
    one programme per draw. The allocation of the mean shortfall would understate the mean
    loss: the cost is convex in the shortfall (dearer industries go without last).

    >>> import numpy as np
    >>> from shigen.economy.iotable import IOTable
    >>> t = IOTable(["a", "b"], np.zeros((2, 2)), np.array([100.0, 100.0]),
    ...             np.array([50.0, 80.0]), "USD")
    >>> float(expected_allocation(t, np.array([10.0, 10.0]), np.array([5.0, 15.0])).total)
    57.5
    """
    use = np.asarray(use, dtype=float)
    draws = np.asarray(shortfalls, dtype=float).ravel()
    if draws.size == 0 or not np.isfinite(draws).all() or (draws < 0).any():
        raise InputError("the expected allocation needs at least one finite, non-negative "
                         "shortfall", Location(field="allocation"),
                         "give the shortfall of each draw in the currency of the table")
    share = np.broadcast_to(np.asarray(dependent_share, dtype=float), use.shape)
    users = np.flatnonzero(use > 0)
    order = users[np.argsort(_loss_per_unit(table, use, share, users), kind="stable")]
    kinks = np.concatenate([[0.0], np.cumsum(use[order])])
    at = [constrained_allocation(table, use, float(s), share) for s in kinks]

    def mean(values: np.ndarray) -> np.ndarray:   # (kinks, K) -> (K,): mean over draws
        return np.array([np.interp(draws, kinks, values[:, i]).mean()
                         for i in range(values.shape[1])])

    return Allocation(list(table.industries),
                      mean(np.array([a.withheld for a in at])),
                      mean(np.array([a.output_loss for a in at])),
                      mean(np.array([a.value_added_loss for a in at])))
