"""Exports of a stored run: IAMC (the wide table pyam reads), Excel, CSV, Parquet, NetCDF.

IAMC names (variables, regions, scenarios) are documented in ``docs/iamc.md``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Literal

import pandas as pd
import xarray as xr

from shigen.errors import InputError, Location, RunFailed
from shigen.files import atomic_path
from shigen.runs.store import RunStore
from shigen.stages import get_stage

Format = Literal["iamc", "xlsx", "csv", "parquet", "netcdf"]
MODEL = "shigen"

#: ISO3 codes whose IAMC common-definitions name is not pycountry's ``name``: the
#: shortened names of the IAMC ``nomenclature`` package (its ``PYCOUNTRY_NAME_OVERRIDE``)
IAMC_COUNTRY_NAMES = {
    "BOL": "Bolivia", "VAT": "Vatican", "FSM": "Micronesia",
    "COD": "Democratic Republic of the Congo", "IRN": "Iran", "KOR": "South Korea",
    "PRK": "North Korea", "LAO": "Laos", "SYR": "Syria", "MDA": "Moldova",
    "TZA": "Tanzania", "VEN": "Venezuela", "PSE": "Palestine", "TWN": "Taiwan",
    "TUR": "Turkey", "VGB": "British Virgin Islands", "VIR": "United States Virgin Islands",
}
#: shigen's aggregates: ``World`` is the IAMC name; the residual of named suppliers has no
#: common-definitions region, so it keeps a name that says what it is
IAMC_AGGREGATES = {"WORLD": "World", "OTHER": "Other countries"}


def iamc_region(code: str) -> str:
    """The IAMC common-definitions name of a shigen region (ISO3 code or aggregate).

    >>> iamc_region("JPN"), iamc_region("KOR"), iamc_region("WORLD")
    ('Japan', 'South Korea', 'World')
    """
    import pycountry

    if code in IAMC_AGGREGATES:
        return IAMC_AGGREGATES[code]
    if code in IAMC_COUNTRY_NAMES:
        return IAMC_COUNTRY_NAMES[code]
    country = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
    return str(country.name) if country is not None else code


def _horizon_end(rows: list[pd.DataFrame]) -> int | None:
    years = [int(r["year"].max()) for r in rows if "year" in r and r["year"].notna().any()]
    return max(years) if years else None


def _with_criterion_units(ds: xr.Dataset, summary: object) -> xr.Dataset:
    """Restore the policy criteria's units, which the stage's summary records.

    Parquet tables keep dimension coordinates only, so the ``criterion_unit`` coordinate
    of the policy stage is gone from a stored run; its IAMC rows need it.
    """
    criteria = summary.get("criteria") if isinstance(summary, dict) else None
    if "criterion" not in ds.dims or not criteria or "criterion_unit" in ds.coords:
        return ds
    units = [str(criteria.get(str(c), {}).get("unit", "")) for c in ds.criterion.values]
    return ds.assign_coords(criterion_unit=("criterion", units))


def iamc_frame(store: RunStore, run_id: str) -> pd.DataFrame:
    """The run as an IAMC table: model, scenario, region, variable, unit, <years>.

    The scenario is the study's name; rows a stage marks with a ``scenario`` suffix (a
    policy package, an uncertainty percentile) go to ``<study>|<suffix>``. Rows without a
    year (the policy appraisal's criteria, which summarise the horizon) are reported in the
    horizon's last year.
    """
    manifest = store.manifest(run_id)
    study = manifest["study"]["study"]["name"]
    parts = []
    for stage in manifest["stages"]:
        spec = get_stage(stage)
        if spec.iamc is None:
            continue
        ds = _with_criterion_units(store.load_stage(run_id, stage),
                                   manifest["stages"][stage].get("summary"))
        rows = spec.iamc(ds)
        if not rows.empty:
            parts.append(rows)
    if not parts:
        raise InputError(f"run {run_id} has no results with an IAMC mapping",
                         fix="export with --format csv or parquet instead")
    end = _horizon_end(parts)
    long = pd.concat(parts, ignore_index=True)
    if end is None:
        raise InputError(f"run {run_id} has no yearly results to export in IAMC form",
                         fix="export with --format xlsx or csv instead")
    long["year"] = long["year"].fillna(end).astype(int)
    suffix = long["scenario"] if "scenario" in long else pd.Series(None, index=long.index)
    long["scenario"] = [study if pd.isna(x) else f"{study}|{x}" for x in suffix]
    long["region"] = long["region"].astype(str).map(iamc_region)
    long["model"] = MODEL
    wide = long.pivot_table(index=["model", "scenario", "region", "variable", "unit"],
                            columns="year", values="value", aggfunc="first").reset_index()
    wide.columns = [str(c) for c in wide.columns]
    return wide


def export_run(store: RunStore, run_id: str, fmt: Format, out: Path) -> Path:
    """Write the run in ``fmt`` to ``out`` (a file for iamc/xlsx/netcdf, a folder otherwise).

    Written under a temporary name and renamed, so nothing half-written is left.
    """
    out = Path(out)
    if out.exists() and out.is_dir() and fmt in ("iamc", "xlsx", "netcdf"):
        raise InputError(f"'{out}' is a folder", fix="give a file path for this format")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"folder '{parent}' does not exist", Location(str(parent)),
                         "create it or choose another path")
    manifest = store.manifest(run_id)
    with atomic_path(out) as tmp:
        if fmt == "iamc":
            iamc_frame(store, run_id).to_csv(tmp, index=False)
        elif fmt == "xlsx":
            from shigen.runs.workbook import write_workbook

            write_workbook(store, run_id, tmp)
        elif fmt == "netcdf":
            groups = {stage: store.load_stage(run_id, stage) for stage in manifest["stages"]}
            merged = xr.Dataset()
            for stage, ds in groups.items():
                for var in ds.data_vars:
                    da = ds[var]
                    da = da.rename({d: f"{stage}_{d}" for d in da.dims})
                    merged[f"{stage}__{var}"] = da
            merged.attrs["run_id"] = run_id
            try:
                merged.to_netcdf(tmp, engine="h5netcdf", invalid_netcdf=True)
            except ImportError as exc:
                raise RunFailed(f"NetCDF export needs h5netcdf and h5py ({exc})",
                                fix="pip install 'shigen[netcdf]'") from None
        else:
            tmp.mkdir()
            for stage in manifest["stages"]:
                (tmp / stage).mkdir()
                for var in manifest["stages"][stage]["variables"]:
                    frame = store.table(run_id, stage, var)
                    if fmt == "csv":
                        frame.to_csv(tmp / stage / f"{var}.csv", index=False)
                    else:
                        frame.to_parquet(tmp / stage / f"{var}.parquet", index=False)
            shutil.copy(store.path(run_id) / "manifest.json", tmp / "manifest.json")
    return out


def compare_runs(store: RunStore, run_ids: list[str]) -> pd.DataFrame:
    """Side-by-side values of every shared variable, queried with DuckDB over Parquet.

    Runs without stages give an empty table (the columns only), not an error.
    """
    import duckdb

    con = duckdb.connect()
    frames = []
    for rid in run_ids:
        manifest = store.manifest(rid)
        for stage, info in manifest["stages"].items():
            for var, meta in info["variables"].items():
                path = store.path(rid) / stage / f"{var}.parquet"
                dims = meta["dims"]
                key = (" || '|' || ".join(f"CAST(\"{d}\" AS VARCHAR)" for d in dims)
                       if dims else "''")
                q = (f"SELECT '{rid}' AS run_id, '{stage}' AS stage, '{var}' AS variable, "
                     f"{key} AS key, CAST(\"{var}\" AS DOUBLE) AS value "
                     f"FROM read_parquet(?) WHERE \"{var}\" IS NOT NULL")
                frames.append(con.execute(q, [str(path)]).df())
    long = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if long.empty:  # runs with no stage (or only empty tables): nothing to set side by side
        return pd.DataFrame(columns=["stage", "variable", "key", *dict.fromkeys(run_ids)])
    wide = long.pivot_table(index=["stage", "variable", "key"], columns="run_id",
                            values="value", aggfunc="first").reset_index()
    return wide
