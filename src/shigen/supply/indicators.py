"""Supply-risk indicators as pure functions on share vectors (formulas: docs/methods/supply.md).

Shares are fractions keyed by ISO3 code (or company); ``OTHER`` is the residual of
many small suppliers. Concentration indices exclude ``OTHER`` (it is not one
supplier), so they are computed over named suppliers — the convention of the
USGS-based worked examples in the reference notes.

>>> hhi({"CHN": 0.5, "USA": 0.5})
0.5
>>> round(salience(0.205, 0.1036), 4)
0.1457
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import xarray as xr

AGGREGATE = "OTHER"


def shares(volumes: Mapping[str, float]) -> dict[str, float]:
    """Shares of a total; the ``OTHER`` residual counts in the denominator.

    >>> shares({"CHN": 3.0, "OTHER": 1.0})
    {'CHN': 0.75, 'OTHER': 0.25}
    """
    total = sum(v for v in volumes.values() if v > 0)
    if total <= 0:
        return {}
    return {k: v / total for k, v in volumes.items() if v > 0}


def named(share: Mapping[str, float],
          exclude: Collection[str] = (AGGREGATE,)) -> dict[str, float]:
    """The shares of named suppliers (``OTHER`` and any other aggregate in ``exclude`` dropped)."""
    return {k: float(v) for k, v in share.items() if k not in exclude}


def hhi(share: Mapping[str, float], exclude: Collection[str] = (AGGREGATE,)) -> float:
    """Herfindahl–Hirschman index HHI = Σ s_i² on the 0–1 scale, over named suppliers.

    The one implementation of the index: :func:`shigen.testing.hhi` applies it along
    a dimension of an array.
    """
    return float(sum(s * s for s in named(share, exclude).values()))


def hhi_along(shares: xr.DataArray, dim: str,
              exclude: Collection[str] = (AGGREGATE,)) -> xr.DataArray:
    """:func:`hhi` of every slice of ``shares`` along ``dim`` (e.g. per stage and year).

    Missing shares count as absent; a slice with no share at all is NaN.
    """
    import numpy as np
    import xarray as xr  # here, not at the top: the scalar indicators serve fast commands

    labels = [str(c) for c in shares[dim].values]

    def along(values: np.ndarray) -> float:
        given = {k: float(v) for k, v in zip(labels, values, strict=True) if not np.isnan(v)}
        return hhi(given, exclude) if given else np.nan

    out: xr.DataArray = xr.apply_ufunc(along, shares.astype(float), input_core_dims=[[dim]],
                                       vectorize=True, output_dtypes=[float])
    return out


def hhi_points(share: Mapping[str, float]) -> float:
    """HHI on the 0–10,000 scale (shares in percent), as in the merger guidelines."""
    return 10_000.0 * hhi(share)


def top(share: Mapping[str, float]) -> tuple[str | None, float | None]:
    """Largest named supplier and its share (ties broken by code, deterministic)."""
    n = named(share)
    if not n:
        return None, None
    k = max(n, key=lambda c: (n[c], c))
    return k, n[k]


def import_reliance(production: float, imports: float, exports: float = 0.0) -> float:
    """Net import reliance IR = (M − X) / (P + M − X), clipped to [0, 1] (EU CRM 2017).

    >>> import_reliance(0.0, 10.0)
    1.0
    """
    apparent = production + imports - exports
    if apparent <= 0:
        raise ValueError("apparent consumption P + M - X must be positive")
    return min(1.0, max(0.0, (imports - exports) / apparent))


def wgi_scaled(estimates: Mapping[str, float]) -> float:
    """EU CRM 2017 governance score on 0–10 (10 = worst): (2.5 − mean of the 6 WGI) × 2.

    >>> wgi_scaled({"va": 2.5, "pv": 2.5, "ge": 2.5, "rq": 2.5, "rl": 2.5, "cc": 2.5})
    0.0
    """
    if len(estimates) != 6:
        raise ValueError(f"need the six WGI dimensions, got {sorted(estimates)}")
    mean = sum(estimates.values()) / 6.0
    return min(10.0, max(0.0, (2.5 - mean) * 2.0))


def political_instability(pv: float) -> float:
    """GeoPolRisk g: WGI political stability (−2.5..2.5) rescaled to 0 (stable) .. 1 (unstable)."""
    return min(1.0, max(0.0, (2.5 - pv) / 5.0))


def hhi_wgi(share: Mapping[str, float], wgi: Mapping[str, float],
            trade: Mapping[str, float] | None = None) -> tuple[float, float]:
    """Governance-weighted HHI Σ S_c² · WGI_c · t_c (EU CRM 2017) over named suppliers.

    Returns ``(value, covered)`` where ``covered`` is the share of named suppliers
    that have a WGI score; suppliers without one are left out (a lower bound).
    """
    total = 0.0
    covered = 0.0
    for c, s in named(share).items():
        if c in wgi:
            total += s * s * wgi[c] * (trade or {}).get(c, 1.0)
            covered += s
    return total, covered


def eu_supply_risk(hhi_wgi_global: float, hhi_wgi_sourcing: float, ir: float,
                   eol_rir: float = 0.0, si_sr: float = 1.0) -> float:
    """EU CRM 2017 supply risk.

    SR = [HHI_WGI,GS · IR/2 + HHI_WGI,sourcing · (1 − IR/2)] · (1 − EoL_RIR) · SI_SR.
    With ``eol_rir=0`` and ``si_sr=1`` this is the upper bound reported when the
    recycling and substitution inputs are not in the data.
    """
    return (hhi_wgi_global * ir / 2.0 + hhi_wgi_sourcing * (1.0 - ir / 2.0)) \
        * (1.0 - eol_rir) * si_sr


def geopolrisk(production_hhi: float, import_share: Mapping[str, float],
               instability: Mapping[str, float], import_fraction: float) -> tuple[float, float]:
    """GeoPolRisk = HHI_A · Σ_i g_i · f_i / (p + F) (Gemechu et al. 2015; geopolrisk-py).

    With import shares s_i = f_i / F and ``import_fraction`` = F / (p + F) this is
    HHI · import_fraction · Σ_i g_i s_i. Returns ``(value, covered)``; origins without
    a g (including ``OTHER``) are left out, so the value is a lower bound.
    """
    total = 0.0
    covered = 0.0
    for c, s in named(import_share).items():
        if c in instability:
            total += instability[c] * s
            covered += s
    return production_hhi * import_fraction * total, covered


def trade_share(bilateral: float, total: float) -> float:
    """Barbieri trade share TS_ij = T_ij / T_i."""
    if total <= 0:
        raise ValueError("total trade must be positive")
    return bilateral / total


def salience(ts_ij: float, ts_ji: float) -> float:
    """Barbieri salience √(TS_ij · TS_ji)."""
    return math.sqrt(ts_ij * ts_ji)


def symmetry(ts_ij: float, ts_ji: float) -> float:
    """Barbieri symmetry 1 − |TS_ij − TS_ji|."""
    return 1.0 - abs(ts_ij - ts_ji)


def asymmetry(d_ij: float, d_ji: float) -> float:
    """Bounded asymmetric dependence (d_ij − d_ji) / (d_ij + d_ji) ∈ [−1, 1]; >0: i depends more."""
    if d_ij + d_ji == 0:
        return 0.0
    return (d_ij - d_ji) / (d_ij + d_ji)


def reciprocity(d_ij: float, d_ji: float) -> float:
    """Reciprocity min(D_ij, D_ji) / max(D_ij, D_ji) ∈ [0, 1]; 1 = mutual hostage.

    >>> reciprocity(0.2, 0.1) == reciprocity(0.1, 0.2) == 0.5
    True
    """
    hi = max(d_ij, d_ji)
    if hi <= 0:
        return 0.0
    return min(d_ij, d_ji) / hi
