"""Fan charts of the disruption stage (plotly), for reports and the web app."""

from __future__ import annotations

from typing import Literal

import plotly.graph_objects as go
import xarray as xr

Variable = Literal["shortfall_fan", "price_ratio_fan"]
_TITLES = {"shortfall_fan": "shortfall (t/yr)", "price_ratio_fan": "price / path price"}


def fan_chart(ds: xr.Dataset, commodity: str, importer: str,
              variable: Variable = "shortfall_fan") -> go.Figure:
    """Median line inside P25-P75 and P5-P95 bands, by year.

    Parameters
    ----------
    ds
        The dataset returned by the disruption stage's ``run``.
    commodity, importer
        The market to draw.
    variable
        ``"shortfall_fan"`` (t per year) or ``"price_ratio_fan"``.
    """
    da = ds[variable].sel(commodity=commodity, importer=importer)
    years = [int(y) for y in da["year"].values]
    fig = go.Figure()
    for lo, hi, alpha in ((0.05, 0.95, 0.15), (0.25, 0.75, 0.3)):
        fig.add_trace(go.Scatter(x=years, y=da.sel(fan_quantile=hi).values.tolist(),
                                 mode="lines", line={"width": 0}, showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=years, y=da.sel(fan_quantile=lo).values.tolist(),
                                 mode="lines", line={"width": 0}, fill="tonexty",
                                 fillcolor=f"rgba(31,119,180,{alpha})",
                                 name=f"P{int(lo * 100)}-P{int(hi * 100)}"))
    fig.add_trace(go.Scatter(x=years, y=da.sel(fan_quantile=0.5).values.tolist(), mode="lines",
                             line={"color": "rgb(31,119,180)"}, name="median"))
    fig.update_layout(title=f"{commodity} / {importer}: {_TITLES[variable]}",
                      xaxis_title="year", yaxis_title=_TITLES[variable])
    return fig
