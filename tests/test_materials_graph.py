"""The material-flow graph (shigen.materials.graph) and what is derived from it."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from shigen.materials import eol, graph
from shigen.materials.config import Recycling
from shigen.materials.sankey import sankey


def test_the_graph_is_well_formed() -> None:
    names = {p.name for p in graph.PROCESSES}
    assert len(names) == len(graph.PROCESSES)
    for f in graph.FLOWS:
        assert {f.source, f.target} <= names, f
        assert graph.process(f.source).kind != "sink" and graph.process(f.target).kind != "source"
        if f.rate:  # a yield step: exactly one other (loss) flow leaves its source, to a sink
            losses = [g for g in graph.FLOWS if g.source == f.source and g != f]
            assert len(losses) == 1 and graph.process(losses[0].target).kind == "sink", f
    variables = [f.variable for f in graph.FLOWS]
    assert len(set(variables)) == len(variables)


def _system(outflow: float = 100.0, demand: float = 80.0) -> xr.Dataset:
    """One element, product, region and year through the whole graph, by hand-checkable rates."""
    coords = {"product": ["motor"], "year": [2030]}
    out = xr.DataArray([[outflow]], dims=("product", "year"), coords=coords)
    r = xr.Dataset({"collection": ("year", [0.5]), "preprocessing": ("year", [0.8]),
                    "recovery": ("year", [0.9])}, coords={"year": [2030]})
    end = eol.end_of_life(out, r)
    use_in = xr.DataArray([[demand]], dims=("product", "year"), coords=coords)
    loop = eol.closed_loop(use_in.sum("product"), end["secondary_supply"].sum("product"))
    return xr.Dataset({"demand": use_in, **end.data_vars, **loop.data_vars})


def test_end_of_life_walks_the_declared_yield_steps() -> None:
    ds = _system()
    # 100 t retired: 50 collected, 40 pre-processed, 36 recovered
    assert float(ds["collected"].sum()) == 50.0
    assert float(ds["not_collected"].sum()) == 50.0
    assert float(ds["preprocessing_loss"].sum()) == pytest.approx(10.0, abs=1e-12)
    assert float(ds["recovery_loss"].sum()) == pytest.approx(4.0, abs=1e-12)
    assert float(ds["secondary_supply"].sum()) == pytest.approx(36.0, abs=1e-12)
    assert list(eol.end_of_life(ds["eol_outflow"], eol.rates(
        Recycling(), np.array([2030]))).data_vars) == [
        "eol_outflow", "collected", "not_collected", "preprocessing_loss", "recovery_loss",
        "secondary_supply"]


@pytest.mark.parametrize("demand", [80.0, 20.0])  # recycled supply below / above demand
def test_every_transfer_process_balances(demand: float) -> None:
    bal = graph.balance_by_process(_system(demand=demand))  # one product: sums are its own
    assert set(bal.data_vars) == {"secondary supply", "fabrication", "end of life",
                                  "collection", "recovery"}
    for name in bal.data_vars:
        assert float(abs(bal[name]).max()) < 1e-12, name
    # a broken flow shows up in its processes' balance
    broken = _system(demand=demand)
    broken["recovery_loss"] = broken["recovery_loss"] + 1.0
    assert float(graph.balance_by_process(broken)["recovery"].sum()) == pytest.approx(-1.0)


def test_unstored_flows_are_closed_by_their_source() -> None:
    ds = _system()
    to_recovery = next(f for f in graph.FLOWS if f.target == "recovery")
    assert not to_recovery.stored
    assert float(graph.flow_value(ds, to_recovery).sum()) == pytest.approx(40.0)
    to_stock = next(f for f in graph.FLOWS if f.target == "net addition to stock")
    assert float(graph.flow_value(ds, to_stock).sum()) == pytest.approx(80.0 - 100.0)


def test_sankey_and_series_follow_the_graph() -> None:
    ds = _system().expand_dims(element=["neodymium"], region=["JPN"], draw=[0])
    s = sankey(ds)
    links = {(s.nodes[k["source"]], s.nodes[k["target"]]): k["value"] for k in s.links}
    assert links[("fabrication", "use: motor")] == 80.0
    assert links[("use: motor", "end of life")] == 100.0
    assert links[("collection", "recovery")] == pytest.approx(40.0)
    assert ("use: motor", "net addition to stock") not in links  # negative: stock falls
    ser = graph.series(ds)
    assert list(ser.data_vars)[0] == "primary supply -> fabrication"
    assert float(ser["recovery -> secondary supply"].sel(element="neodymium", year=2030)) == \
        pytest.approx(36.0)
