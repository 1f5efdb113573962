"""Fossil imports in physical units beside energy units: Mt of coal, Mt of LNG, barrels a day.

The LP counts imports in PJ (``imports``); :func:`physical_imports` divides them by the
energy content of one physical unit (dataset ``energy-fuel-physical-content``, GJ per
tonne of coal, per tonne of LNG, per barrel of crude oil). Reporting only: nothing in the
LP reads the factors.

Examples
--------
>>> import xarray as xr
>>> pj = xr.DataArray([[[51.6]]], dims=("fuel", "region", "year"),
...                   coords={"fuel": ["gas"], "region": ["JPN"], "year": [2010]})
>>> content = {"gas": ("tonne_lng", 51.6)}
>>> float(physical_imports(pj, content).sel(traded_fuel="gas").item())
1.0
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import xarray as xr

#: how each physical unit is reported, and the factor from (PJ / GJ per unit) to it:
#: PJ / (GJ/t) = 1e6 t = Mt; barrels: PJ / (GJ/bbl) = 1e6 bbl a year -> / 365 a day
REPORTED = {"tonne": ("Mt/yr", 1.0), "tonne_lng": ("Mt LNG/yr", 1.0),
            "barrel": ("million barrels/day", 1.0 / 365.0)}


def content_by_fuel(frame: pd.DataFrame) -> dict[str, tuple[str, float]]:
    """{fuel: (physical unit, GJ per unit)} from the dataset's rows."""
    return {str(r.fuel): (str(r.physical_unit), float(r.value))
            for r in frame.itertuples(index=False)}


def physical_imports(imports_pj: xr.DataArray,
                     content: Mapping[str, tuple[str, float]]) -> xr.DataArray:
    """Imports of the fuels with a physical content, in their reported unit.

    The result is over ``traded_fuel`` (the fuels with a factor; its own dimension, so a
    result dataset does not widen it to every fuel) with a ``physical_unit`` coordinate
    along it (``Mt/yr``, ``Mt LNG/yr``, ``million barrels/day``).
    """
    fuels = [f for f in imports_pj.fuel.values if str(f) in content]
    per = [content[str(f)][1] for f in fuels]
    scale = [REPORTED[content[str(f)][0]][1] for f in fuels]
    factor = xr.DataArray([s / g for s, g in zip(scale, per, strict=True)], dims="fuel",
                          coords={"fuel": fuels})
    out = (imports_pj.sel(fuel=fuels) * factor).rename(fuel="traded_fuel")
    units = [REPORTED[content[str(f)][0]][0] for f in fuels]
    return out.assign_coords(physical_unit=("traded_fuel", units))
