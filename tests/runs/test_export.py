"""Exports: IAMC (read back with pyam), Excel, CSV, Parquet and NetCDF."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import xarray as xr

# a small supply-only study keeps these tests fast; the flagship's own run is tested elsewhere
PROBE = """\
[study]
name = "export-probe"
title = "Rare earths and uranium for Japan, 2009-2010"

[supply]
commodities = ["rare-earths", "uranium"]
importer = "JPN"
years = [2009, 2010]
"""


@pytest.fixture
def run_id(cli, tmp_path: Path) -> str:
    study = tmp_path / "probe.toml"
    study.write_text(PROBE, "utf-8")
    res = cli("run", study, "--json")
    assert res.exit_code == 0, res.stderr
    return str(res.json()["run_id"])


def test_iamc_export_reads_back_with_pyam(cli, run_id: str, tmp_path: Path) -> None:
    import pyam  # a dev dependency: a broken install must fail here, not skip
    out = tmp_path / "japan.csv"
    res = cli("runs", "export", run_id, "--format", "iamc", "-o", out, "--json")
    assert res.exit_code == 0, res.stderr
    assert res.json() == {"run_id": run_id, "format": "iamc", "path": str(out)}
    df = pyam.IamDataFrame(str(out))
    assert df.model == ["shigen"] and df.scenario == ["export-probe"]
    assert "shigen|Supply Share|rare-earths|mining" in df.variable
    assert "shigen|Supply Risk|import_hhi|rare-earths" in df.variable
    # regions are the IAMC common-definitions country names, not ISO3 codes
    assert {"China", "Japan", "Kazakhstan", "Russian Federation"} <= set(df.region)
    assert not any(len(r) == 3 and r.isupper() for r in df.region)
    chn = df.filter(variable="shigen|Supply Share|rare-earths|mining", region="China",
                    year=2009)
    assert chn.timeseries().iloc[0, 0] == pytest.approx(129_000 / 133_000)
    # supply shares of each variable and year sum to one over regions
    shares = df.filter(variable="shigen|Supply Share|*").timeseries()
    total = shares.groupby(level="variable").sum(min_count=1)
    assert ((total - 1).abs().fillna(0) < 1e-9).all().all()
    assert total.notna().sum().sum() >= 5   # at least REE and U mining 2009-10, enrichment


def test_iamc_columns_are_the_wide_iamc_layout(cli, run_id: str, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    assert cli("runs", "export", run_id, "-o", out).exit_code == 0
    frame = pd.read_csv(out)
    assert list(frame.columns[:5]) == ["model", "scenario", "region", "variable", "unit"]
    assert all(c.isdigit() for c in frame.columns[5:])


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_table_exports(cli, run_id: str, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"run-{fmt}"
    res = cli("runs", "export", run_id, "--format", fmt, "-o", out)
    assert res.exit_code == 0, res.stderr
    assert (out / "manifest.json").is_file()
    path = out / "supply" / f"share.{fmt}"
    frame = pd.read_csv(path) if fmt == "csv" else pd.read_parquet(path)
    assert list(frame.columns) == ["commodity", "stage", "year", "country", "share"]
    sums = frame.dropna().groupby(["commodity", "stage", "year"])["share"].sum()
    assert ((sums - 1).abs() < 1e-9).all()
    # re-exporting over an existing folder replaces it; nothing else is left beside it
    assert cli("runs", "export", run_id, "--format", fmt, "-o", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, "probe.toml"])


def test_netcdf_export(cli, run_id: str, tmp_path: Path) -> None:
    out = tmp_path / "run.nc"
    assert cli("runs", "export", "latest", "--format", "netcdf", "-o", out).exit_code == 0
    with xr.open_dataset(out, engine="h5netcdf") as ds:
        assert ds.attrs["run_id"] == run_id
        share = ds["supply__share"]
        assert share.dims == ("supply_commodity", "supply_stage", "supply_year",
                              "supply_country")
        v = float(share.sel(supply_commodity="rare-earths", supply_stage="mining",
                            supply_year=2009, supply_country="CHN"))
        assert v == pytest.approx(129_000 / 133_000)


def test_xlsx_export_has_provenance_and_the_parquet_values(cli, run_id: str, home: Path,
                                                          tmp_path: Path) -> None:
    import openpyxl

    from shigen.runs import RunStore

    out = tmp_path / "x.xlsx"
    res = cli("runs", "export", "latest", "--format", "xlsx", "-o", out, "--json")
    assert res.exit_code == 0, res.stderr
    assert res.json() == {"run_id": run_id, "format": "xlsx", "path": str(out)}
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["README", "provenance", "warnings", "variables", "supply"]
    prov = {r[0]: r for r in book["provenance"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert prov["study"][1] == "export-probe" and prov["run id"][1] == run_id
    assert prov["data overrides"][1] == "none"
    datasets = [r for r in book["provenance"].iter_rows(values_only=True) if r[0] == "dataset"]
    header = next(book["provenance"].iter_rows(values_only=True))
    store = RunStore(home)
    used = store.manifest(run_id)["data"]
    assert sorted(r[1] for r in datasets) == sorted(used)
    row = dict(zip(header, datasets[0], strict=True))
    assert row["sha256"] == used[row["value"]]["sha256"] and row["source"] and row["license"]
    # the supply sheet is the long table of every Parquet table, values and units included
    rows = list(book["supply"].iter_rows(values_only=True))
    sheet = pd.DataFrame(rows[1:], columns=rows[0])
    assert list(sheet.columns[:2]) == ["variable", "label"] and list(sheet.columns[-2:]) == [
        "value", "unit"]
    assert set(sheet.loc[sheet["variable"] == "share", "label"]) == {"Production share"}
    share = sheet[sheet["variable"] == "share"].dropna(subset=["value"])
    parquet = store.table(run_id, "supply", "share").dropna(subset=["share"])
    assert len(share) == len(parquet)
    merged = share.merge(parquet, on=["commodity", "stage", "year", "country"])
    assert len(merged) == len(parquet)
    assert (merged["value"] - merged["share"]).abs().max() < 1e-12
    assert set(share["unit"]) == {"fraction"}
    readme = [r[0] for r in book["README"].iter_rows(min_row=2, values_only=True)]
    assert readme == ["README", "provenance", "warnings", "variables", "supply"]
    # the variables sheet names every stage variable with the registry's label and unit
    rows = list(book["variables"].iter_rows(values_only=True))
    labels = pd.DataFrame(rows[1:], columns=rows[0]).set_index("variable")
    assert labels.loc["import_hhi", "label"] == "Import HHI"
    assert labels.loc["import_hhi", "unit"] == "fraction"
    assert list(next(book["warnings"].iter_rows(values_only=True))) == [
        "code", "stage", "severity", "message", "where"]


def test_xlsx_sheets_split_at_excels_row_limit() -> None:
    from shigen.runs.workbook import EXCEL_MAX_ROWS, sheet_chunks

    frame = pd.DataFrame({"value": range(EXCEL_MAX_ROWS + 5)})
    pieces = list(sheet_chunks("materials", frame))
    assert [name for name, _ in pieces] == ["materials", "materials-2"]
    assert [len(rows) for _, rows in pieces] == [EXCEL_MAX_ROWS - 1, 6]  # header row each


def test_iamc_region_names() -> None:
    from shigen.runs.export import iamc_region

    assert [iamc_region(c) for c in ("WORLD", "JPN", "USA", "KOR", "RUS", "TUR", "OTHER")] == [
        "World", "Japan", "United States", "South Korea", "Russian Federation", "Turkey",
        "Other countries"]


def test_export_bad_arguments(cli, run_id: str, tmp_path: Path) -> None:
    res = cli("runs", "export", run_id, "--format", "xls")
    assert res.exit_code == 2 and "unknown format" in res.stderr
    res = cli("runs", "export", run_id, "-o", "/proc/no/such/x.csv")  # a folder not makeable
    assert res.exit_code == 2 and "cannot create folder" in res.stderr
    made = tmp_path / "new" / "folder" / "x.csv"  # a missing folder that can be made is made
    assert cli("runs", "export", run_id, "-o", made).exit_code == 0 and made.exists()
    res = cli("runs", "export", run_id, "-o", tmp_path)
    assert res.exit_code == 2 and "is a folder" in res.stderr
