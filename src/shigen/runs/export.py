"""Exports of a stored run: IAMC (the wide table pyam reads), CSV, Parquet, NetCDF."""

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

Format = Literal["iamc", "csv", "parquet", "netcdf"]
MODEL = "shigen"


def iamc_frame(store: RunStore, run_id: str) -> pd.DataFrame:
    """The run as an IAMC table: model, scenario, region, variable, unit, <years>."""
    manifest = store.manifest(run_id)
    scenario = manifest["study"]["study"]["name"]
    parts = []
    for stage in manifest["stages"]:
        spec = get_stage(stage)
        if spec.iamc is None:
            continue
        rows = spec.iamc(store.load_stage(run_id, stage))
        if not rows.empty:
            parts.append(rows)
    if not parts:
        raise InputError(f"run {run_id} has no results with an IAMC mapping",
                         fix="export with --format csv or parquet instead")
    long = pd.concat(parts, ignore_index=True)
    long["model"] = MODEL
    long["scenario"] = scenario
    long["year"] = long["year"].astype(int)
    wide = long.pivot_table(index=["model", "scenario", "region", "variable", "unit"],
                            columns="year", values="value", aggfunc="first").reset_index()
    wide.columns = [str(c) for c in wide.columns]
    return wide


def export_run(store: RunStore, run_id: str, fmt: Format, out: Path) -> Path:
    """Write the run in ``fmt`` to ``out`` (a file for iamc/netcdf, a folder otherwise).

    Written under a temporary name and renamed, so nothing half-written is left.
    """
    out = Path(out)
    if out.exists() and out.is_dir() and fmt in ("iamc", "netcdf"):
        raise InputError(f"'{out}' is a folder", fix="give a file path for this format")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"folder '{parent}' does not exist", Location(str(parent)),
                         "create it or choose another path")
    manifest = store.manifest(run_id)
    with atomic_path(out) as tmp:
        if fmt == "iamc":
            iamc_frame(store, run_id).to_csv(tmp, index=False)
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
