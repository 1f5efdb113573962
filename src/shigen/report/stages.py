"""The one lookup from a stage's name to how it is shown.

Each stage with a presentation module ``shigen.report.<stage>`` (energy, materials,
supply, disruption, policy) provides three functions: ``figures(ds, summary)`` (its own
plotly figures), ``tables(summary)`` (its HTML tables) and ``render(summary)`` (its rich
tables for ``shigen run``). :func:`presentation` returns a :class:`Presentation` that
adds what every stage shares: a generic figure for each variable its own figures do not
draw, and generic tables and a key/value terminal table for a stage without a module.

Examples
--------
>>> import xarray as xr
>>> ds = xr.Dataset({"x": ("year", [1.0, 2.0])}, coords={"year": [2009, 2010]})
>>> [f.title for f in presentation("unknown-stage").figures(ds, {})]
['unknown-stage: x']
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:  # plotting and rich load with the first figure or table, not at import
    import xarray as xr
    from rich.table import Table as RichTable

    from shigen.report.figures import Figure, Summary
    from shigen.report.tables import Table

#: Stages that have a presentation module ``shigen.report.<stage>``.
PRESENTED = ("energy", "materials", "supply", "disruption", "policy")


class StagePresenter(Protocol):
    """What a presentation module ``shigen.report.<stage>`` provides."""

    def figures(self, ds: xr.Dataset, summary: Summary) -> list[Figure]: ...

    def tables(self, summary: Summary) -> list[Table]: ...

    def render(self, summary: dict[str, Any]) -> list[RichTable]: ...


@dataclass(frozen=True)
class Presentation:
    """How one stage is shown: figures and tables for reports and the web, rich tables too.

    ``module`` is the stage's presentation module (None: only the generic parts).
    """

    stage: str
    module: StagePresenter | None = None

    def figures(self, ds: xr.Dataset, summary: Summary) -> list[Figure]:
        """The stage's own figures, then a generic one for each variable they do not draw."""
        from shigen.report.figures import generic_figure

        own = self.module.figures(ds, summary) if self.module else []
        drawn = {v for f in own for v in f.variables}
        generic = (generic_figure(self.stage, ds[v]) for v in ds.data_vars if str(v) not in drawn)
        return own + [f for f in generic if f is not None]

    def tables(self, summary: Summary) -> list[Table]:
        """The stage's HTML tables (the generic tables of its summary without a module)."""
        from shigen.report.tables import generic_tables, relabel

        if not self.module:
            return generic_tables(self.stage, summary)
        return [relabel(self.stage, t, summary) for t in self.module.tables(summary)]

    def render(self, summary: dict[str, Any]) -> list[RichTable]:
        """Rich tables for ``shigen run`` (one key/value table without a module)."""
        if self.module:
            return self.module.render(summary)
        from rich.table import Table as RichTable

        from shigen.report.tables import flatten
        from shigen.variables import describe_path, fmt

        t = RichTable(title=self.stage)
        for col in ("figure", "value", "unit"):
            t.add_column(col, justify="right" if col == "value" else "left")
        for path, value in flatten(summary):
            label, unit = describe_path(self.stage, path)
            t.add_row(label, fmt(value), unit)
        return [t]


def presentation(stage: str) -> Presentation:
    """How ``stage`` is shown: its presentation module's, or the generic one."""
    if stage not in PRESENTED:
        return Presentation(stage)
    module: StagePresenter = importlib.import_module(f"shigen.report.{stage}")
    return Presentation(stage, module)
