"""Agreement with flodym (the peer dynamic-MFA library) on shared cases, to 1e-9.

flodym conventions matched: time first in flodym (last in shigen), ``inflow_at``
start/middle/end, lifetime parameters of the distribution itself.
"""

from __future__ import annotations

import warnings

import flodym as fd
import numpy as np
import pytest

from shigen.materials import cohort
from shigen.materials.lifetimes import Lifetime, LifetimeKind
from shigen.materials.testing import assert_agree

T = 60


def _dims(n_region: int):  # type: ignore[no-untyped-def]
    return fd.DimensionSet(dim_list=[
        fd.Dimension(letter="t", name="time", items=list(range(2000, 2000 + T))),
        fd.Dimension(letter="r", name="region", items=[f"r{i}" for i in range(n_region)]),
    ])


def _flodym_model(kind: str, values: np.ndarray, model, at: str, **prms):  # type: ignore[no-untyped-def]
    dims = _dims(values.shape[1])
    lifetime = model(dims=dims, inflow_at=at, **prms)
    dsm = (fd.InflowDrivenDSM if kind == "inflow" else fd.StockDrivenDSM)(
        dims=dims, lifetime_model=lifetime)
    (dsm.inflow if kind == "inflow" else dsm.stock).values[...] = values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # flodym's own deprecations are not ours
        dsm.compute()
    return dsm


CASES = [
    (Lifetime(LifetimeKind.NORMAL, mean=15, std=4), "NormalLifetime", {"mean": 15, "std": 4}),
    (Lifetime(LifetimeKind.NORMAL, mean=3.2, std=2.5), "NormalLifetime", {"mean": 3.2, "std": 2.5}),
    (Lifetime(LifetimeKind.LOGNORMAL, mean=9, std=5), "LogNormalLifetime", {"mean": 9, "std": 5}),
    (Lifetime(LifetimeKind.WEIBULL, shape=2.2, scale=11), "WeibullLifetime",
     {"weibull_shape": 2.2, "weibull_scale": 11}),
    (Lifetime(LifetimeKind.FIXED, mean=7), "FixedLifetime", {"mean": 7}),
]


@pytest.mark.parametrize("at", ["start", "middle", "end"])
@pytest.mark.parametrize(("ours", "theirs", "prms"), CASES, ids=lambda c: str(c)[:30])
def test_inflow_driven_agrees_with_flodym(ours: Lifetime, theirs: str, prms: dict, at: str) -> None:
    rng = np.random.default_rng(5)
    inflow = rng.random((T, 4)) * 100
    ref = _flodym_model("inflow", inflow, getattr(fd, theirs), at, **prms)
    got = cohort.inflow_driven(inflow.T[None], [ours], at)  # type: ignore[arg-type]
    assert_agree(got.stock[0].T, ref.stock.values, rtol=1e-9)
    assert_agree(got.outflow[0].T, ref.outflow.values, rtol=1e-9)


@pytest.mark.parametrize("at", ["start", "middle", "end"])
@pytest.mark.parametrize(("ours", "theirs", "prms"), CASES[:4], ids=lambda c: str(c)[:30])
def test_stock_driven_agrees_with_flodym(ours: Lifetime, theirs: str, prms: dict, at: str) -> None:
    rng = np.random.default_rng(6)
    stock = np.cumsum(rng.random((T, 3)) * 10, axis=0)
    ref = _flodym_model("stock", stock, getattr(fd, theirs), at, **prms)
    got = cohort.stock_driven(stock.T[None], [ours], at)  # type: ignore[arg-type]
    assert_agree(got.inflow[0].T, ref.inflow.values, rtol=1e-9)
    assert_agree(got.outflow[0].T, ref.outflow.values, rtol=1e-9)
