"""CO2 and fuel imports in the hindcast: the run's figure beside the observed one (issue 13.8)."""

from __future__ import annotations

import pandas as pd
import pytest
import xarray as xr

from shigen.datasets import Catalogue
from shigen.energy.validation import hindcast_co2, hindcast_imports


def _run() -> xr.Dataset:
    co2 = xr.DataArray([[[400.0], [600.0]]], dims=("region", "sector", "year"),
                       coords={"region": ["JPN"], "sector": ["power", "industry"],
                               "year": [2015]})
    phys = xr.DataArray([[[61.0]], [[3.0]]], dims=("traded_fuel", "region", "year"),
                        coords={"traded_fuel": ["gas", "oil"], "region": ["JPN"],
                                "year": [2015]})
    phys = phys.assign_coords(physical_unit=("traded_fuel", ["Mt LNG/yr",
                                                             "million barrels/day"]))
    return xr.Dataset({"co2": co2, "imports_physical": phys})


def test_co2_sums_the_sectors_and_compares_with_the_observed_row() -> None:
    obs = pd.DataFrame({"region": ["JPN", "JPN"], "year": [2015, 2030],
                        "value": [1188.4, 900.0]})
    rows = hindcast_co2(_run(), obs)
    assert [(r.year, r.model, r.unit) for r in rows] == [(2015, 1000.0, "Mt")]  # no 2030
    assert rows[0].gap == pytest.approx(1000.0 / 1188.4 - 1)


def test_imports_compare_only_rows_in_the_runs_unit() -> None:
    obs = pd.DataFrame({"region": ["JPN"] * 3, "fuel": ["gas", "oil", "oil"],
                        "physical_unit": ["Mt LNG/yr", "million barrels/day", "kb/d"],
                        "year": [2015] * 3, "value": [84.59, 4.332, 4332.0]})
    rows = {r.variable: r for r in hindcast_imports(_run(), obs)}
    assert set(rows) == {"gas_imports", "oil_imports"}  # the kb/d row is another unit
    assert rows["gas_imports"].gap == pytest.approx(61.0 / 84.59 - 1)
    assert rows["oil_imports"].observed == pytest.approx(4.332)


def test_the_bundled_observations_use_the_units_the_run_reports() -> None:
    from shigen.energy.imports import REPORTED, content_by_fuel

    cat = Catalogue.bundled()
    units = {f: REPORTED[u][0] for f, (u, _) in
             content_by_fuel(cat.frame("energy-fuel-physical-content")).items()}
    obs = cat.frame("energy-hindcast-imports")
    assert all(units[str(r.fuel)] == str(r.physical_unit) for r in obs.itertuples())
    # 2012 LNG: 119.805 bcm x 0.73 Mt per bcm (BP conversion)
    row = obs[(obs["fuel"] == "gas") & (obs["year"] == 2012)]
    assert float(row["value"].iloc[0]) == pytest.approx(119.805 * 0.73, abs=0.01)
