"""``shigen fan``: write the fan chart of one market of a stored run to HTML.

Registered on the main app by ``register(app)`` (see ``shigen.cli``). No
``from __future__ import annotations`` here: typer reads the annotations at runtime.
"""


from pathlib import Path
from typing import Annotated, Literal

import typer

from shigen.errors import InputError, Location


def register(app: typer.Typer) -> None:
    """Add the disruption commands to the ``shigen`` app."""
    from shigen import cli as main

    @app.command()
    @main.handle_errors
    def fan(
        run_id: Annotated[str, typer.Argument(
            help="run id, a unique prefix, latest, or a study file")],
        commodity: Annotated[str, typer.Option("--commodity", help="e.g. rare-earths")],
        importer: Annotated[str, typer.Option("--importer", help="ISO3, e.g. JPN")] = "JPN",
        variable: Annotated[str, typer.Option(
            "--variable", help="shortfall or price")] = "shortfall",
        output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write")] = Path(
            "fan.html"),
        as_json: main.JsonOpt = False,
    ) -> None:
        """Fan chart (P5-P95, P25-P75, median by year) of shortfall or price of a run."""
        from shigen.report.disruption import market_fan

        st = main.store()
        rid = main.resolve_run(st, run_id)
        if "disruption" not in st.manifest(rid)["stages"]:
            raise InputError(f"run {rid} has no disruption stage", Location(field="run_id"),
                             "pick a run of a study with a [disruption] section")
        ds = st.load_stage(rid, "disruption")
        var: Literal["shortfall_fan", "price_ratio_fan"]
        if variable == "shortfall":
            var = "shortfall_fan"
        elif variable == "price":
            var = "price_ratio_fan"
        else:
            raise InputError(f"unknown variable '{variable}'", Location(field="--variable"),
                             "use shortfall or price")
        have = {(str(c), str(i)) for c in ds.commodity.values for i in ds.importer.values
                if bool(ds[var].sel(commodity=c, importer=i).notnull().any())}
        if (commodity, importer) not in have:
            raise InputError(f"run {rid} has no market ({commodity}, {importer})",
                             Location(field="--commodity"), f"choose among {sorted(have)}")
        market_fan(ds, commodity, importer, var).write_html(output, include_plotlyjs="cdn")
        if as_json:
            main.emit_json({"run_id": rid, "output": str(output)})
        else:
            main.out.print(f"wrote {output}")
