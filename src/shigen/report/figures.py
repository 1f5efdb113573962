"""What every stage's figures share: the record, the house layout, the generic figure.

:class:`Figure` is one figure of a run; :func:`layout` gives it the house look;
:func:`generic_figure` draws a variable that the stage's own figures do not draw.

A stage's own figures live in its presentation module (``shigen.report.<stage>``);
:func:`shigen.report.stages.presentation` puts the two together.

Examples
--------
>>> import xarray as xr
>>> da = xr.DataArray([1.0, 2.0], dims="year", coords={"year": [2009, 2010]}, name="x")
>>> generic_figure("unknown-stage", da).title
'unknown-stage: x'
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio
import xarray as xr

Summary = Mapping[str, Any]

#: Colours for categories, stable across figures (Okabe–Ito, colour-blind safe, then grey).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000", "#999999", "#7F3C8D", "#11A579", "#3969AC")
MAX_SERIES = 12
GRID = "#EBF0F8"
# A small template of our own: plotly's named templates cost ~50 ms per figure to apply.
pio.templates["shigen"] = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "hovermode": "closest",
    "xaxis": {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True},
    "yaxis": {"gridcolor": GRID, "linecolor": GRID, "zerolinecolor": GRID, "automargin": True},
})


@dataclass
class Figure:
    """One figure of a run: a stable id, a title, a caption and the plotly figure."""

    id: str
    stage: str
    title: str
    figure: go.Figure
    caption: str = ""
    variables: tuple[str, ...] = ()
    generic: bool = False

    def to_json(self) -> str:
        """The plotly JSON (``data`` and ``layout``) the page hands to ``Plotly.newPlot``."""
        return str(self.figure.to_json())

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "stage": self.stage, "title": self.title,
                "caption": self.caption, "variables": list(self.variables),
                "generic": self.generic, "figure": json.loads(self.to_json())}


def layout(fig: go.Figure, title: str, *, yaxis: str = "", xaxis: str = "",
           height: int = 380) -> go.Figure:
    """The house layout: title at the left, our template and palette, axis titles."""
    fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left"}, height=height,
                      margin={"l": 60, "r": 20, "t": 50, "b": 50}, template="shigen",
                      legend={"orientation": "v", "x": 1.02, "y": 1, "yanchor": "top"},
                      font={"size": 12},
                      colorway=list(PALETTE))
    if yaxis:
        fig.update_yaxes(title_text=yaxis)
    if xaxis:
        fig.update_xaxes(title_text=xaxis)
    if xaxis == "year":
        fig.update_xaxes(tickformat="d")
    return fig


def slug(*parts: object) -> str:
    """A figure id from its parts: lowercase, every non-alphanumeric character a hyphen."""
    text = "-".join(str(p) for p in parts)
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def units(da: xr.DataArray) -> str:
    return str(da.attrs.get("units", ""))


def _series_label(index: tuple[Any, ...] | Any, dims: list[str]) -> str:
    if not isinstance(index, tuple):
        index = (index,)
    return " · ".join(str(v) for v in index) if dims else ""


def generic_figure(stage: str, da: xr.DataArray) -> Figure | None:
    """A figure for any variable: lines over ``year`` if it has one, else bars by key.

    Scalars get no figure (they appear in the run's tables). At most
    ``MAX_SERIES`` series are drawn, the largest by absolute total.
    """
    var = str(da.name)
    if da.ndim == 0 or da.size == 0:
        return None
    unit = units(da)
    title = f"{stage}: {var}"
    frame = da.to_series().dropna()
    if frame.empty:
        return None
    fig = go.Figure()
    if "year" in da.dims:
        others = [str(d) for d in da.dims if d != "year"]
        if others:
            wide = frame.unstack("year")
            order = wide.abs().sum(axis=1).sort_values(ascending=False).index[:MAX_SERIES]
            for key in order:
                row = wide.loc[key].dropna()
                fig.add_trace(go.Scatter(x=[int(y) for y in row.index], y=row.to_numpy(),
                                         mode="lines+markers", name=_series_label(key, others)))
        else:
            fig.add_trace(go.Scatter(x=[int(y) for y in frame.index], y=frame.to_numpy(),
                                     mode="lines+markers", name=var))
        layout(fig, title, yaxis=unit, xaxis="year")
    else:
        dims = [str(d) for d in da.dims]
        top = frame.abs().sort_values(ascending=False).index[:30]
        sel = frame.loc[top]
        fig.add_trace(go.Bar(x=[_series_label(k, dims) for k in sel.index], y=sel.to_numpy(),
                             name=var))
        layout(fig, title, yaxis=unit)
    return Figure(slug(stage, var), stage, title, fig,
                  caption=f"{var} ({unit or 'no unit'}) by {', '.join(map(str, da.dims))}.",
                  variables=(var,), generic=True)
