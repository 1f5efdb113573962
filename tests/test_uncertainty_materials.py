"""The numpy materials summary of an uncertainty sample equals the full stage's (issue 19).

An uncertainty sample of BLUE (energy → materials) needs only the materials stage's
summary; :mod:`shigen.materials.headline` computes it without the result dataset. Every
figure must equal ``summarize(run(...))`` on the same energy result and data, to 1e-9
relative: on BLUE's own pathway, on pathways with more wind and electric cars, and on
data with the materials datasets moved within their ranges (which a default uncertainty
run samples), one after the other in one process (a kept plan must never serve a sample
whose data differ).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import xarray as xr

from shigen.datasets import Catalogue
from shigen.energy.results import results
from shigen.materials import headline, stage
from shigen.policy.data_uncertainty import figures
from shigen.study import load_study

pytestmark = pytest.mark.xdist_group("energy-solves")

MATERIALS_DATA = {"product-lifetimes": 1.25, "ndfeb-magnet-mass": 0.8,
                  "ndfeb-composition": 1.1, "ree-end-use-demand": 0.75,
                  "ree-end-use-composition": 1.2, "ree-deposit-composition": 0.85,
                  "ree-residue-radionuclides": 1.3}


@pytest.fixture(scope="module")
def blue(solved_energy: Any) -> dict[str, Any]:
    study = load_study("studies/etp2008-blue.toml")
    cat = Catalogue.bundled().with_overrides(study.data_overrides(), as_of=study.data_as_of())
    energy = results(solved_energy("etp2008-blue"))[["capacity", "vehicle_stock"]]
    return {"study": study, "cat": cat, "energy": energy}


def _more(energy: xr.Dataset, wind: float, cars: float) -> xr.Dataset:
    """The pathway with ``wind`` × the wind capacity and ``cars`` × the electric cars."""
    out = energy.copy(deep=True)
    cap = out["capacity"]
    out["capacity"] = cap.where(~cap["technology"].isin(["wind_onshore", "wind_offshore"]),
                                cap * wind)
    stock = out["vehicle_stock"]
    out["vehicle_stock"] = stock.where(~stock["vehicle"].isin(["bev", "phev"]), stock * cars)
    for k in ("capacity", "vehicle_stock"):
        out[k].attrs = energy[k].attrs
    return out


def _compare(study: Any, cat: Any, energy: xr.Dataset) -> int:
    cfg = study.materials
    full = figures({"materials": stage.summarize(stage.run(cfg, study, cat, {"energy": energy}))})
    lean = figures({"materials": headline.lean_summary(cfg, cat, {"energy": energy}) or {}})
    assert set(lean) == set(full)
    far = {k: (lean[k], full[k]) for k in full
           if not math.isclose(lean[k], full[k], rel_tol=1e-9, abs_tol=1e-300)}
    assert not far
    return len(full)


def test_the_numpy_summary_equals_the_full_stage(blue: dict[str, Any]) -> None:
    study, cat, energy = blue["study"], blue["cat"], blue["energy"]
    assert headline.plan(study.materials, cat).covered
    cases = [(cat, energy), (cat, _more(energy, 1.3, 0.7)), (cat, _more(energy, 0.6, 1.4)),
             (cat.with_factors(MATERIALS_DATA), energy),
             (cat.with_factors({n: 2 - f for n, f in MATERIALS_DATA.items()}),
              _more(energy, 1.2, 1.2)),
             (cat, energy)]  # back to the first data: its kept plan, not the last one's
    counts = [_compare(study, c, e) for c, e in cases]
    # every element, rare earth, nuclide and REO series: thousands of figures each time
    assert min(counts) > 6000


def test_moved_data_move_the_figures(blue: dict[str, Any]) -> None:
    # the comparison above would pass on a path that ignored the data: it does not
    study, cat, energy = blue["study"], blue["cat"], blue["energy"]
    cfg = study.materials
    base = stage.run_summary(cfg, study, cat, {"energy": energy})
    # the range of the other uses' demand covers all its rows: REO demand × 0.75
    less = stage.run_summary(cfg, study, cat.with_factors({"ree-end-use-demand": 0.75}),
                                {"energy": energy})
    reo = base["rare-earth-oxide"]["end_use_demand_t"]["2030"]
    assert less["rare-earth-oxide"]["end_use_demand_t"]["2030"] == pytest.approx(0.75 * reo,
                                                                               rel=1e-5)
    assert base["rare-earth-oxide"]["mined_t"] != less["rare-earth-oxide"]["mined_t"]


def test_the_caller_sees_every_dataset_the_stage_reads(blue: dict[str, Any]) -> None:
    # uncertainty runs key the reuse of a stage's result on what it read: a kept plan
    # must still show its datasets to the caller's recording view
    study, cat, energy = blue["study"], blue["cat"], blue["energy"]
    full, lean = cat.recording(), cat.recording()
    stage.run(study.materials, study, full, {"energy": energy})
    stage.run_summary(study.materials, study, cat, {"energy": energy})  # plan kept
    stage.run_summary(study.materials, study, lean, {"energy": energy})
    assert lean.reads() == full.reads()


def test_a_section_the_path_does_not_follow_takes_the_full_stage(
        blue: dict[str, Any]) -> None:
    # Monte Carlo draws of magnet masses: the summary has P5/P95 over draws
    study, cat, energy = blue["study"], blue["cat"], blue["energy"]
    cfg = study.materials.model_copy(update={"draws": 20})
    assert headline.lean_summary(cfg, cat, {"energy": energy}) is None
    got = stage.run_summary(cfg, study, cat, {"energy": energy})
    assert got == stage.summarize(stage.run(cfg, study, cat, {"energy": energy}))
    assert "demand_t_p95" in got["neodymium"]
