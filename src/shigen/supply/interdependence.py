"""Bilateral interdependence (docs/methods/supply.md).

Keohane–Nye sensitivity per issue area, Barbieri trade salience/symmetry,
asymmetry and the reciprocity score.

>>> from shigen.datasets import Catalogue
>>> ds = interdependence(Catalogue.bundled(), "JPN", "CHN", 2009)
>>> round(float(ds["salience"]), 3)
0.146
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xarray as xr

from shigen.errors import InputError, Location
from shigen.supply import data, indicators
from shigen.supply.chains import chain
from shigen.supply.risk import _check_country

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

STATED = "trade-partner-shares"
VALUE_DATASETS = ("trade-flows-usd", "trade-flows-jpy")
MIRROR = {"exports": "imports", "imports": "exports", "total": "total"}
VULNERABILITY_REASON = ("Keohane-Nye vulnerability needs stocks, alternative suppliers' spare "
                        "capacity and domestic ramp-up for the issue area (not in the data)")


@dataclass(frozen=True)
class IssueArea:
    """One issue area: ``dependent`` relies on ``on``, measured as ``kind`` says."""

    pair: frozenset[str]
    name: str
    dependent: str
    on: str
    kind: str
    commodity: str | None = None
    stage: str | None = None
    flow: str | None = None
    note: str = ""
    reason: str = ""


@lru_cache(maxsize=1)
def issue_areas() -> tuple[IssueArea, ...]:
    doc = tomllib.loads((Path(__file__).parent / "issue_areas.toml").read_text("utf-8"))
    return tuple(IssueArea(frozenset(a.pop("pair")), **a) for a in doc["area"])


def pairs() -> list[str]:
    return sorted({"-".join(sorted(a.pair)) for a in issue_areas()})


@lru_cache(maxsize=16)
def _table(cat: Catalogue, name: str) -> dict[tuple[str, str, str, int], float]:
    f = cat.frame(name)
    return {(str(r), str(p), str(fl), int(y)): float(v) for r, p, fl, y, v in zip(
        f["reporter"], f["partner"], f["flow"], f["year"], f["value"], strict=True)}


def _rows(cat: Catalogue, name: str, reporter: str, partner: str, flow: str,
          year: int) -> float | None:
    if name not in cat:
        return None
    return _table(cat, name).get((reporter, partner, flow, year))


def _flow(cat: Catalogue, name: str, reporter: str, partner: str, flow: str,
          year: int) -> float | None:
    v = _rows(cat, name, reporter, partner, flow, year)
    if v is None and flow == "total":
        x = _rows(cat, name, reporter, partner, "exports", year)
        m = _rows(cat, name, reporter, partner, "imports", year)
        v = None if x is None or m is None else x + m
    return v


def trade_share(cat: Catalogue, reporter: str, partner: str, flow: str,
                year: int) -> tuple[float, str] | None:
    """Share of ``partner`` in ``reporter``'s trade flow, with how it was obtained.

    Order: a share stated by the source; the reporter's own values (same currency);
    the partner's mirror flow over the reporter's total (both in US dollars).
    """
    stated = _rows(cat, STATED, reporter, partner, flow, year)
    if stated is not None:
        return stated, f"{STATED} (stated)"
    for name in VALUE_DATASETS:
        bi = _flow(cat, name, reporter, partner, flow, year)
        tot = _flow(cat, name, reporter, "WORLD", flow, year)
        if bi is not None and tot is not None:
            return indicators.trade_share(bi, tot), f"{name} ({reporter}-reported)"
    mirror = _flow(cat, VALUE_DATASETS[0], partner, reporter, MIRROR[flow], year)
    tot = _flow(cat, VALUE_DATASETS[0], reporter, "WORLD", flow, year)
    if mirror is not None and tot is not None:
        return indicators.trade_share(mirror, tot), f"{VALUE_DATASETS[0]} (mirror: " \
            f"{partner}-reported {MIRROR[flow]})"
    return None


def _area_value(cat: Catalogue, area: IssueArea, year: int) -> tuple[float | None, str, str]:
    """(dependence, basis, note) of one issue area in one year."""
    if area.kind == "unsourced":
        return None, "", area.reason
    if area.kind == "trade":
        got = trade_share(cat, area.dependent, area.on, area.flow or "total", year)
        if got is None:
            return None, "", f"no {area.flow} trade data for {area.dependent}-{area.on} in {year}"
        return got[0], got[1], area.note
    ch = chain(cat, area.commodity or "")
    ref = ch.import_ref(area.dependent, area.stage or "")
    ds_name = None if ref is None else ref.dataset
    sh = data.origin_shares(cat, ref, year) if ref else None
    if sh is None:
        return None, "", (f"no {area.dependent} {area.commodity} {area.stage} supply data for "
                          f"{year} (years: {data.ref_years(cat, ref)})")
    s = sh.get(area.on, 0.0)
    ir = data.import_reliance(cat, ch, area.dependent, area.stage or "", year)
    if ir is None:
        return s, ds_name or "", "import share basis (import reliance not sourced)"
    return s * ir[0], f"{ds_name} x {ir[2]}", "import share x import reliance"


def available_years(cat: Catalogue, a: str, b: str) -> list[int]:
    """Years in which any issue area or trade share of the pair has data."""
    areas = [x for x in issue_areas() if x.pair == frozenset((a, b))]
    candidates: set[int] = set()
    for name in (STATED, *VALUE_DATASETS):
        candidates.update(data.years_of(cat, name))
    for x in areas:
        if x.kind == "supply":
            candidates.update(data.ref_years(cat, chain(cat, x.commodity or "").import_ref(
                x.dependent, x.stage or "")))
    years = []
    for y in sorted(candidates):
        if any(_area_value(cat, x, y)[0] is not None for x in areas) or (
                trade_share(cat, a, b, "total", y) and trade_share(cat, b, a, "total", y)):
            years.append(y)
    return years


def interdependence(cat: Catalogue, a: str, b: str, year: int | None = None) -> xr.Dataset:
    """Bilateral measures for countries ``a`` and ``b`` in ``year`` (default: latest with data)."""
    _check_country(a, "country")
    _check_country(b, "country")
    if a == b:
        raise InputError("the two countries must differ", Location(field="country"),
                         "pass two different ISO3 codes, e.g. JPN CHN")
    years = available_years(cat, a, b)
    if not years:
        raise InputError(f"no bilateral data for {a}-{b}", Location(field="country"),
                         f"pairs with data: {', '.join(pairs())}")
    if year is None:
        both = [y for y in years if trade_share(cat, a, b, "total", y)
                and trade_share(cat, b, a, "total", y)]
        year = (both or years)[-1]
    elif year not in years:
        raise InputError(f"no bilateral data for {a}-{b} in {year}", Location(field="year"),
                         f"choose among years {years}")
    notes: list[str] = []
    sources: set[str] = set()
    areas = [x for x in issue_areas() if x.pair == frozenset((a, b))]
    values = []
    for area in areas:
        v, basis, note = _area_value(cat, area, year)
        values.append(np.nan if v is None else v)
        if basis:
            sources.update(p.split(" ")[0] for p in basis.split(" x "))
        notes.append(f"{area.name} ({area.dependent} on {area.on}): "
                     + (f"{v:.4f} from {basis}" if v is not None else "null")
                     + (f" — {note}" if note else ""))
    dep = {c: float(np.nansum([v for x, v in zip(areas, values, strict=True)
                               if x.dependent == c])) for c in (a, b)}
    measured = {c: any(x.dependent == c and not np.isnan(v)
                       for x, v in zip(areas, values, strict=True)) for c in (a, b)}
    ts = {}
    for i, j in ((a, b), (b, a)):
        got = trade_share(cat, i, j, "total", year)
        ts[i] = None if got is None else got[0]
        if got is None:
            notes.append(f"trade share of {j} in {i}'s total trade: no data for {year}")
        else:
            sources.add(got[1].split(" ")[0])
            notes.append(f"trade share of {j} in {i}'s total trade {got[0]:.4f} from {got[1]}")
    sal = sym = inter = None
    if ts[a] is not None and ts[b] is not None:
        ta, tb = float(ts[a]), float(ts[b])  # type: ignore[arg-type]
        sal = indicators.salience(ta, tb)
        sym = indicators.symmetry(ta, tb)
        inter = sal * sym
    else:
        notes.append("salience, symmetry, interdependence: need both sides' trade shares")
    rec = asy = None
    if measured[a] and measured[b]:
        rec = indicators.reciprocity(dep[a], dep[b])
        asy = indicators.asymmetry(dep[a], dep[b])
    else:
        notes.append("reciprocity, asymmetry: need a measured dependence on each side in "
                     f"{year}")
    notes.append(f"vulnerability: {VULNERABILITY_REASON}")
    ds = xr.Dataset(
        {"dependence": ("issue_area", np.array(values, dtype=float)),
         "vulnerability": ("issue_area", np.full(len(areas), np.nan))},
        coords={"issue_area": [x.name for x in areas],
                "dependent": ("issue_area", [x.dependent for x in areas]),
                "on": ("issue_area", [x.on for x in areas])})
    scalars = {"trade_share_a": ts[a], "trade_share_b": ts[b], "salience": sal,
               "symmetry": sym, "barbieri_interdependence": inter,
               "sensitivity_a": dep[a] if measured[a] else None,
               "sensitivity_b": dep[b] if measured[b] else None,
               "reciprocity": rec, "asymmetry": asy}
    for k, v in scalars.items():
        ds[k] = np.nan if v is None else float(v)
    for k in ("dependence", "vulnerability", "trade_share_a", "trade_share_b",
              "sensitivity_a", "sensitivity_b"):
        ds[k].attrs["units"] = "fraction"
    for k in ("salience", "symmetry", "barbieri_interdependence", "reciprocity", "asymmetry"):
        ds[k].attrs["units"] = "dimensionless"
    ds.attrs.update(a=a, b=b, year=int(year), notes=json.dumps(notes),
                    sources=json.dumps(sorted(sources)))
    return ds


def _n(da: xr.DataArray) -> float | None:
    v = float(da)
    return None if np.isnan(v) else round(v, 6)


def interdependence_json(ds: xr.Dataset) -> dict[str, Any]:
    """The ``shigen interdependence --json`` document."""
    a, b = ds.attrs["a"], ds.attrs["b"]
    return {
        "countries": [a, b], "year": ds.attrs["year"],
        "trade_share": {a: _n(ds["trade_share_a"]), b: _n(ds["trade_share_b"])},
        "salience": _n(ds["salience"]), "symmetry": _n(ds["symmetry"]),
        "interdependence": _n(ds["barbieri_interdependence"]),
        "sensitivity": {a: _n(ds["sensitivity_a"]), b: _n(ds["sensitivity_b"])},
        "vulnerability": {a: None, b: None},
        "asymmetry": _n(ds["asymmetry"]), "reciprocity": _n(ds["reciprocity"]),
        "issue_areas": [{"area": str(n), "dependent": str(ds["dependent"].sel(issue_area=n).item()),
                         "on": str(ds["on"].sel(issue_area=n).item()),
                         "sensitivity": _n(ds["dependence"].sel(issue_area=n)),
                         "vulnerability": None} for n in ds.issue_area.values],
        "sources": json.loads(ds.attrs["sources"]),
        "notes": json.loads(ds.attrs["notes"]),
    }
