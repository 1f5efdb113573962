"""Supply-risk assessment of one commodity stage for any years and importer.

The one entry point the CLI, the stage, the report and the web share:

>>> from shigen.datasets import Catalogue
>>> ds = risk(Catalogue.bundled(), "rare-earths", importer="JPN", years=[2009])
>>> str(ds["top_producer"].sel(year=2009).item())
'CHN'

``risk`` returns an ``xarray.Dataset`` over ``year`` (shares over ``country``,
``company``, ``origin``; the chain view over ``chain_stage``; chokepoints over
``chokepoint``); nulls carry their reason in ``attrs["notes"]`` (JSON, per year).
``risk_json`` turns it into the documents of ``shigen risk --json``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from shigen.errors import InputError, Location
from shigen.supply import data, indicators
from shigen.supply.chains import Chain, chain

if TYPE_CHECKING:
    from shigen.datasets import Catalogue

CHOKEPOINTS = ("hormuz", "malacca")
# years an importer's supply data may differ from the assessed year in chain exposure
VINTAGE_GAP = 1
SCALARS = ("production_hhi", "production_hhi_points", "top_producer_share", "import_reliance",
           "import_hhi", "top_supplier_share", "hhi_wgi_global", "hhi_wgi_sourcing",
           "supply_risk_upper", "eu_supply_risk", "economic_importance", "geopolrisk",
           "bottleneck_hhi", "bottleneck_exposure")
LABELS = ("top_producer", "top_supplier", "bottleneck_stage")
UNITS = {"production_hhi": "fraction", "production_hhi_points": "HHI points (0-10000)",
         "top_producer_share": "fraction", "import_reliance": "fraction",
         "import_hhi": "fraction", "top_supplier_share": "fraction",
         "hhi_wgi_global": "HHI x WGI (0-10)", "hhi_wgi_sourcing": "HHI x WGI (0-10)",
         "supply_risk_upper": "EU SR scale", "eu_supply_risk": "EU SR scale",
         "economic_importance": "EU EI scale (0-10)", "geopolrisk": "dimensionless",
         "bottleneck_hhi": "fraction", "bottleneck_exposure": "fraction",
         "share": "fraction", "company_share": "fraction", "import_share": "fraction",
         "chain_hhi": "fraction", "chain_top_share": "fraction",
         "chokepoint_share": "fraction"}


def resolve_years(cat: Catalogue, commodity: str, stage: str | None,
                  years: Sequence[int] | None) -> list[int]:
    """The years to assess: those asked for that the stage has data for (default: the latest).

    Raises ``InputError`` listing the available years when none of the asked years has data.
    """
    ch = chain(cat, commodity)
    st = ch.stage(stage)
    available = data.years_of(cat, st.dataset)
    if not available:
        raise InputError(f"no sourced data for {commodity} stage '{st.name}'",
                         Location(field="stage"),
                         "choose a stage with data: " + ", ".join(
                             f"{s.name} ({_span(data.years_of(cat, s.dataset))})"
                             for s in ch.stages if data.years_of(cat, s.dataset)))
    if not years:
        return [available[-1]]
    chosen = [y for y in years if y in available]
    if not chosen:
        asked = str(years[0]) if len(years) == 1 else f"{min(years)}-{max(years)}"
        raise InputError(f"{commodity} stage '{st.name}' has no data for {asked}",
                         Location(field="year"), f"choose among years {available}")
    return chosen


def _span(years: list[int]) -> str:
    return ", ".join(str(y) for y in years) if len(years) <= 6 else f"{years[0]}-{years[-1]}"


def _round(v: float | None, nd: int = 6) -> float | None:
    return None if v is None else round(float(v), nd)


def _stage_line(cat: Catalogue, ch: Chain, year: int) -> list[dict[str, Any]]:
    """Each stage of the chain, in chain order: HHI and top producer (null if no data)."""
    out: list[dict[str, Any]] = []
    for st in ch.stages:
        sh = data.country_shares(cat, st, year)
        if sh is None:
            out.append({"stage": st.name, "production_hhi": None, "top_producer": None,
                        "top_producer_share": None})
            continue
        k, v = indicators.top(sh)
        out.append({"stage": st.name, "production_hhi": _round(indicators.hhi(sh)),
                    "top_producer": k, "top_producer_share": _round(v)})
    return out


def _importer_block(cat: Catalogue, ch: Chain, stage: str, importer: str, year: int,
                    notes: list[str], sources: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"import_share": None, "import_reliance": None, "import_hhi": None,
                           "top_supplier": None, "top_supplier_share": None}
    ref = ch.import_ref(importer, stage)
    if ref is None:
        stages = sorted(ch.imports.get(importer, {}))
        notes.append(f"no import data for {importer} at stage '{stage}'"
                     + (f" (available stages: {', '.join(stages)})" if stages else ""))
    else:
        ds_name = ref.dataset
        sh = data.origin_shares(cat, ref, year)
        if sh is None:
            notes.append(f"{ds_name} has no data for {year} "
                         f"(years: {data.ref_years(cat, ref)})")
        else:
            sources.append(ds_name)
            k, v = indicators.top(sh)
            out.update(import_share=sh, import_hhi=indicators.hhi(sh), top_supplier=k,
                       top_supplier_share=v)
            rest = sh.get(indicators.AGGREGATE, 0.0)
            if rest > 0:
                notes.append(f"import_hhi is over named origins: {rest:.3f} of {importer}'s "
                             "supply is an unsplit remainder (OTHER) — a lower bound"
                             + ("; top_supplier is the largest named origin, the remainder "
                                "could hide a larger one" if v is not None and rest > v
                                else ""))
    ir = data.import_reliance(cat, ch, importer, stage, year)
    if ir is None:
        notes.append(f"import_reliance: no sourced domestic production / consumption for "
                     f"{importer} {ch.commodity} {stage}")
    else:
        out["import_reliance"] = ir[0]
        sources.append(ir[2])
        if ir[2] != data.RELIANCE_DATASET and ir[1]:
            notes.append(f"import_reliance: {ir[1]}")
    return out


def _assess_year(cat: Catalogue, ch: Chain, stage: str, importer: str | None,
                 year: int) -> dict[str, Any]:
    notes: list[str] = []
    st = ch.stage(stage)
    sources = [st.dataset] if st.dataset else []
    sh = data.country_shares(cat, st, year) or {}
    k, v = indicators.top(sh)
    rec: dict[str, Any] = {
        "commodity": ch.commodity, "stage": st.name, "year": year, "importer": importer,
        "shares": sh, "company_shares": data.company_shares(cat, st, year),
        "production_hhi": indicators.hhi(sh), "production_hhi_points": indicators.hhi_points(sh),
        "top_producer": k, "top_producer_share": v,
        "import_share": None, "import_reliance": None, "import_hhi": None,
        "top_supplier": None, "top_supplier_share": None,
        "hhi_wgi_global": None, "hhi_wgi_sourcing": None, "supply_risk_upper": None,
        "eu_supply_risk": None, "economic_importance": None, "geopolrisk": None,
        "chain": _stage_line(cat, ch, year), "bottleneck_stage": None, "bottleneck_hhi": None,
        "bottleneck_exposure": None, "chokepoints": {}, "notes": notes, "sources": sources}
    if sh.get(indicators.AGGREGATE):
        notes.append(f"{sh[indicators.AGGREGATE]:.3f} of {st.name} output is OTHER "
                     "(unnamed producers), excluded from HHI")
    for line in rec["chain"]:
        if line["production_hhi"] is None:
            ds_name = ch.stage(line["stage"]).dataset
            notes.append(f"chain stage '{line['stage']}': "
                         + (f"{ds_name} has no data for {year} (years: "
                            f"{_span(data.years_of(cat, ds_name))})" if ds_name
                            else "no sourced capacity or output data"))
    _bottleneck(cat, ch, importer, year, rec)
    wgi, instab, used = data.governance(cat, year)
    if wgi:
        sources.append(data.WGI_DATASET)
        hw, cov = indicators.hhi_wgi(sh, wgi)
        rec["hhi_wgi_global"] = hw
        named = sum(indicators.named(sh).values())
        if named and cov < named - 1e-9:
            notes.append(f"hhi_wgi_global: producers with {named - cov:.3f} of output lack "
                         "WGI scores (left out)")
        wgi_years = sorted({used[c] for c in indicators.named(sh) if c in used})
        if wgi_years and wgi_years != [year]:
            notes.append(f"WGI from the nearest bundled year(s) {wgi_years}")
    else:
        notes.append("no WGI dataset: governance-weighted indicators are null")
    if importer is None:
        notes.append("no importer: import reliance, import HHI, EU supply risk and "
                     "GeoPolRisk need --importer")
        return rec
    rec.update(_importer_block(cat, ch, st.name, importer, year, notes, sources))
    imp, ir = rec["import_share"], rec["import_reliance"]
    if imp is not None and ir is not None and wgi:
        sourcing = {c: s * ir for c, s in imp.items()}
        sourcing[importer] = sourcing.get(importer, 0.0) + (1.0 - ir)
        rec["hhi_wgi_sourcing"], _ = indicators.hhi_wgi(sourcing, wgi)
        rec["supply_risk_upper"] = indicators.eu_supply_risk(rec["hhi_wgi_global"],
                                                             rec["hhi_wgi_sourcing"], ir)
        eu = data.eu_inputs(cat, ch.commodity)
        if {"eol_rir", "si_sr"} <= set(eu):
            sources.append(data.EU_INPUTS_DATASET)
            rec["eu_supply_risk"] = indicators.eu_supply_risk(
                rec["hhi_wgi_global"], rec["hhi_wgi_sourcing"], ir, eu["eol_rir"], eu["si_sr"])
        else:
            notes.append("eu_supply_risk: end-of-life recycling input rate and substitution "
                         "index (SI_SR) are not in the data (supply a 'eu-crm-inputs' dataset "
                         "with --data); supply_risk_upper uses EoL-RIR = 0, SI_SR = 1")
        if "ei" in eu:
            rec["economic_importance"] = eu["ei"]
    else:
        notes.append("eu_supply_risk: needs import shares, import reliance and WGI for "
                     f"{importer} in {year}")
    if "ei" not in data.eu_inputs(cat, ch.commodity):
        notes.append("economic_importance: sector value added and end-use shares are not in "
                     "the data")
    if imp is not None and ir is not None and instab:
        g, cov = indicators.geopolrisk(rec["production_hhi"], imp, instab, ir)
        rec["geopolrisk"] = g
        if cov < sum(indicators.named(imp).values()) or imp.get(indicators.AGGREGATE):
            notes.append("geopolrisk: origins without a political-stability score (incl. "
                         "OTHER) left out — a lower bound")
    else:
        notes.append(f"geopolrisk: needs import shares and import reliance for {importer} "
                     f"in {year}")
    cp, cp_years = data.chokepoints(cat, importer, ch.chokepoint, year)
    rec["chokepoints"] = {c: cp.get(c) for c in CHOKEPOINTS}
    for c in CHOKEPOINTS:
        if c not in cp:
            notes.append(f"chokepoint {c}: no sourced route share for {importer} "
                         f"{ch.commodity} in {year}" + (f" (years: {cp_years})" if cp_years
                                                        else ""))
    if cp:
        sources.append(data.CHOKEPOINT_DATASET)
    rec["sources"] = sorted(set(sources))
    return rec


def _bottleneck(cat: Catalogue, ch: Chain, importer: str | None, year: int,
                rec: dict[str, Any]) -> None:
    """Chain exposure: the most concentrated stage and the importer's exposure there."""
    lines = [x for x in rec["chain"] if x["production_hhi"] is not None]
    if not lines:
        return
    worst = max(lines, key=lambda x: x["production_hhi"])
    rec["bottleneck_stage"], rec["bottleneck_hhi"] = worst["stage"], worst["production_hhi"]
    if importer is None:
        return
    ref = ch.import_ref(importer, worst["stage"])
    ds_name = None if ref is None else ref.dataset
    near = [y for y in data.ref_years(cat, ref) if abs(y - year) <= VINTAGE_GAP]
    if ref is None or ds_name is None or not near:
        rec["notes"].append(f"bottleneck_exposure: no {importer} supply data for stage "
                            f"'{worst['stage']}' within {VINTAGE_GAP} year of {year}")
        return
    y = min(near, key=lambda v: (abs(v - year), v))
    sh = data.origin_shares(cat, ref, y) or {}
    s = sh.get(worst["top_producer"], 0.0)
    ir = data.import_reliance(cat, ch, importer, worst["stage"], year)
    rec["bottleneck_exposure"] = s * ir[0] if ir else s
    rec["sources"].append(ds_name)
    rec["notes"].append(
        f"bottleneck_exposure: share of {importer}'s {worst['stage']} supply from "
        f"{worst['top_producer']} ({ds_name}, {y})"
        + ("" if ir else "; on an imports basis (import reliance not sourced)"))


def risk(cat: Catalogue, commodity: str, stage: str | None = None,
         importer: str | None = None, years: Sequence[int] | None = None) -> xr.Dataset:
    """Assess a commodity stage for an importer over years (see module docstring)."""
    ch = chain(cat, commodity)
    if importer is not None:
        _check_country(importer, hint=f"importers with supply data for {commodity}: "
                       + ", ".join(sorted(ch.imports)))
    st = ch.stage(stage)
    chosen = resolve_years(cat, commodity, st.name, years)
    return to_dataset([_assess_year(cat, ch, st.name, importer, y) for y in chosen], ch)


def _check_country(code: str, field: str = "importer", hint: str = "") -> None:
    from shigen.datasets.validate import iso3_codes

    if code not in iso3_codes():
        raise InputError(f"'{code}' is not an ISO 3166-1 alpha-3 country code",
                         Location(field=field), hint or "use codes like JPN, CHN, USA")


def _frame(records: list[dict[str, Any]], key: str, dim: str) -> xr.DataArray:
    rows = [(r["year"], k, v) for r in records for k, v in (r.get(key) or {}).items()
            if v is not None]
    if not rows:
        return xr.DataArray(np.zeros((len(records), 0)), dims=("year", dim),
                            coords={"year": [r["year"] for r in records], dim: []})
    s = pd.DataFrame(rows, columns=["year", dim, "v"]).set_index(["year", dim])["v"]
    return s.to_xarray().reindex(year=[r["year"] for r in records])


def to_dataset(records: list[dict[str, Any]], ch: Chain) -> xr.Dataset:
    """Per-year assessment records → one labelled dataset."""
    years = [r["year"] for r in records]
    stages = ch.stage_names
    arrays: dict[str, Any] = {}
    for name in SCALARS:
        arrays[name] = ("year", np.array([np.nan if r[name] is None else r[name]
                                          for r in records], dtype=float))
    for name in LABELS:
        arrays[name] = ("year", np.array([r[name] or "" for r in records], dtype=object))
    for var, key in (("chain_hhi", "production_hhi"),
                     ("chain_top_share", "top_producer_share")):
        arrays[var] = (("year", "chain_stage"), np.array(
            [[np.nan if x[key] is None else x[key] for x in r["chain"]] for r in records],
            dtype=float))
    arrays["chain_top_producer"] = (("year", "chain_stage"), np.array(
        [[x["top_producer"] or "" for x in r["chain"]] for r in records], dtype=object))
    arrays["share"] = _frame(records, "shares", "country")
    arrays["company_share"] = _frame(records, "company_shares", "company")
    arrays["import_share"] = _frame(records, "import_share", "origin")
    arrays["chokepoint_share"] = _frame(records, "chokepoints", "chokepoint").reindex(
        chokepoint=list(CHOKEPOINTS))
    ds = xr.Dataset(arrays, coords={"year": years, "chain_stage": stages})
    for vname, da in ds.data_vars.items():
        if str(vname) in UNITS:
            da.attrs["units"] = UNITS[str(vname)]
    first = records[0]
    ds.attrs.update(commodity=ch.commodity, stage=first["stage"],
                    importer=first["importer"] or "",
                    sources=json.dumps(sorted({s for r in records for s in r["sources"]})),
                    notes=json.dumps({str(r["year"]): r["notes"] for r in records}))
    return ds


def _num(da: xr.DataArray) -> float | None:
    v = float(da)
    return None if np.isnan(v) else round(v, 6)


def _label(da: xr.DataArray) -> str | None:
    return str(da.item()) or None


def _mapping(da: xr.DataArray, dim: str) -> dict[str, float]:
    s = da.to_series().dropna()
    return {str(k): round(float(v), 6) for k, v in sorted(
        s.items(), key=lambda kv: (kv[0] == indicators.AGGREGATE, -kv[1], kv[0]))}


def risk_json(ds: xr.Dataset) -> list[dict[str, Any]]:
    """The ``shigen risk --json`` documents, one per year, keys as in issue 3."""
    notes = json.loads(ds.attrs["notes"])
    out = []
    for year in ds.year.values:
        at = ds.sel(year=year)
        imp = ds.attrs["importer"] or None
        out.append({
            "commodity": ds.attrs["commodity"], "stage": ds.attrs["stage"], "year": int(year),
            "production_hhi": _num(at["production_hhi"]),
            "top_producer": _label(at["top_producer"]),
            "top_producer_share": _num(at["top_producer_share"]),
            "shares": _mapping(at["share"], "country"),
            "importer": imp,
            "import_reliance": _num(at["import_reliance"]),
            "import_hhi": _num(at["import_hhi"]),
            "top_supplier": _label(at["top_supplier"]),
            "top_supplier_share": _num(at["top_supplier_share"]),
            "eu_supply_risk": _num(at["eu_supply_risk"]),
            "geopolrisk": _num(at["geopolrisk"]),
            "chain": [{"stage": str(s), "production_hhi": _num(at["chain_hhi"].sel(chain_stage=s)),
                       "top_producer": _label(at["chain_top_producer"].sel(chain_stage=s)),
                       "top_producer_share": _num(at["chain_top_share"].sel(chain_stage=s))}
                      for s in ds.chain_stage.values],
            "sources": json.loads(ds.attrs["sources"]),
            "notes": notes[str(int(year))],
        })
    return out


def chain_view(cat: Catalogue, commodity: str, years: Sequence[int] | None = None) -> xr.Dataset:
    """Shares by ``stage`` (in chain order) × ``year`` × ``country`` (and ``company``).

    The data behind a chain figure: ``share``, ``company_share``, ``production_hhi``
    and ``top_producer_share``; stages without sourced data are all-NaN.

    >>> from shigen.datasets import Catalogue
    >>> list(chain_view(Catalogue.bundled(), "uranium", [2010]).stage.values)
    ['mining', 'conversion', 'enrichment', 'fabrication']
    """
    ch = chain(cat, commodity)
    found = sorted({y for st in ch.stages for y in data.years_of(cat, st.dataset)})
    chosen = sorted(set(years)) if years else found
    rows: list[tuple[str, int, str, float]] = []
    crow: list[tuple[str, int, str, float]] = []
    for st in ch.stages:
        for y in chosen:
            rows += [(st.name, y, c, s) for c, s in (data.country_shares(cat, st, y) or {}).items()]
            crow += [(st.name, y, c, s) for c, s in (data.company_shares(cat, st, y) or {}).items()]
    if not rows:
        raise InputError(f"no {commodity} chain data for {chosen}", Location(field="year"),
                         f"choose among years {found}")

    def cube(r: list[tuple[str, int, str, float]], dim: str) -> xr.DataArray:
        if not r:
            return xr.DataArray(np.full((len(ch.stages), len(chosen), 0), np.nan),
                                dims=("stage", "year", dim),
                                coords={"stage": ch.stage_names, "year": chosen, dim: []})
        s = pd.DataFrame(r, columns=["stage", "year", dim, "v"]).set_index(
            ["stage", "year", dim])["v"]
        return s.to_xarray().reindex(stage=ch.stage_names, year=chosen)

    share = cube(rows, "country")
    named = share.drop_sel(country=[c for c in [indicators.AGGREGATE]
                                    if c in share.country.values])
    ds = xr.Dataset({"share": share, "company_share": cube(crow, "company"),
                     "production_hhi": indicators.hhi_along(share, "country"),
                     "top_producer_share": named.max("country")})
    for v in ds.data_vars.values():
        v.attrs["units"] = "fraction"
    ds.attrs.update(commodity=commodity, title=ch.title)
    return ds
