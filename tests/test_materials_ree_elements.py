"""Rare earths element by element: joint production, end uses, smooth energy-driven demand,
Japan's imports today (issue 14 items 1, 4, 5). Every expected value is worked by hand."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from shigen.datasets import Catalogue
from shigen.materials import deployment, end_uses, mining
from shigen.materials.config import EndUses, MaterialsConfig, Mining
from shigen.materials.lifetimes import Lifetime, LifetimeKind

CAT = Catalogue.bundled()
MIX = Mining(deposit_mix={"bastnasite": 0.55, "ion-adsorption-clay": 0.15, "monazite": 0.30},
             sized_by="neodymium")


def _nd_demand(tonnes: float) -> xr.DataArray:
    return xr.DataArray([[tonnes]], dims=("element", "year"),
                        coords={"element": ["neodymium"], "year": [2030]})


def test_doubling_neodymium_mining_doubles_the_cerium_and_lanthanum_it_brings() -> None:
    one = mining.joint_production(_nd_demand(1000.0), CAT, MIX)
    two = mining.joint_production(_nd_demand(2000.0), CAT, MIX)
    y = mining.yields(CAT, MIX)
    for e in ("cerium", "lanthanum"):
        a = float(one["primary_supply"].sel(ree=e, year=2030))
        b = float(two["primary_supply"].sel(ree=e, year=2030))
        assert b == pytest.approx(2 * a, rel=1e-12)
        # by hand: REO mined = 1000 t Nd / (t Nd per t REO); each element = REO x its yield
        reo = 1000.0 / float(y.sel(element="neodymium"))
        assert a == pytest.approx(reo * float(y.sel(element=e)), rel=1e-12)
    # the mix: cerium 0.55*0.500 + 0.15*0.004 + 0.30*0.485 = 0.4211 of REO (oxide basis)
    ce_oxide = 0.55 * 0.500 + 0.15 * 0.004 + 0.30 * 0.485
    assert float(y.sel(element="cerium")) == pytest.approx(
        ce_oxide * mining.metal_fraction(CAT, "cerium"), rel=1e-9)


def test_oxide_to_metal_fractions_by_hand() -> None:
    # Nd2O3: 2*144.242 / (2*144.242 + 3*15.999) = 288.484 / 336.481 = 0.857356
    assert mining.metal_fraction(CAT, "neodymium") == pytest.approx(0.857356, abs=1e-6)
    # CeO2: 140.116 / (140.116 + 2*15.999) = 140.116 / 172.114 = 0.814088
    assert mining.metal_fraction(CAT, "cerium") == pytest.approx(0.814088, abs=1e-6)


def test_end_use_demand_is_reo_times_split_times_metal_fraction() -> None:
    years = np.array([2010, 2015, 2020, 2030])
    da = end_uses.demand(CAT, EndUses(uses=["phosphors", "catalysts"]), years)
    y_phos = float(da.sel(use="phosphors", ree="yttrium", year=2010))
    # 8 700 t REO x 0.69 Y2O3 x (2*88.90584 / (2*88.90584 + 3*15.999)) = 4 727 t Y
    assert y_phos == pytest.approx(8700 * 0.69 * 0.787401, rel=1e-4)
    # linear between the 2010 and 2020 anchors, held after 2020
    la = da.sel(use="catalysts", ree="lanthanum")
    assert float(la.sel(year=2015)) == pytest.approx(
        (float(la.sel(year=2010)) + float(la.sel(year=2020))) / 2, rel=1e-12)
    assert float(la.sel(year=2030)) == float(la.sel(year=2020))
    # mass: the elements plus 'other' make up each use's REO (oxide basis)
    reo = end_uses.reo_by_use(CAT, EndUses(), years)
    comp = CAT.array("ree-end-use-composition").fillna(0.0)
    assert np.allclose(comp.sum("element").values, 1.0, atol=1e-9)
    assert float(reo.sel(year=2010).sum()) == pytest.approx(121800.0)


def test_unknown_end_use_is_a_located_input_error() -> None:
    from shigen.errors import InputError

    with pytest.raises(InputError, match="no end-use demand for") as exc:
        end_uses.demand(CAT, EndUses(uses=["fireworks"]), np.array([2010]))
    assert exc.value.where is not None and exc.value.where.field == "materials.end_uses.uses"


def test_stock_driven_deployment_gives_new_plus_replacement_every_year() -> None:
    # 100 MW in use in 2010 and 2020, a fixed 10-year life: flat stock, so sales are pure
    # replacement, 10 MW a year, never zero between the periods. The stock already in use
    # in 2010 was built up evenly over one lifetime (2001-2010), so it retires evenly too
    # (inflow mid-year: a fixed 10-year life stays in the stock at 10 year-ends)
    cap = xr.DataArray(np.array([[[0.1]], [[0.1]]]), dims=("year", "region", "technology"),
                       coords={"year": [2010, 2020], "region": ["WORLD"],
                               "technology": ["wind_offshore"]}, attrs={"units": "GW"})
    cfg = MaterialsConfig.model_validate({
        "start_year": 2010, "end_year": 2020,
        "from_energy": {"wind_offshore": {"wind-direct-drive": 1.0}}})
    lts = {"wind-direct-drive": Lifetime(LifetimeKind.FIXED, mean=10)}
    units, err, negative = deployment.from_energy_stock(
        cfg, xr.Dataset({"capacity": cap}), np.arange(2010, 2021), lts)
    assert units is not None and err < 1e-9 and negative == 0
    assert units.sel(product="wind-direct-drive", region="WORLD").values == pytest.approx(
        [10.0] * 11, rel=1e-9)


def test_annual_stock_is_monotone_between_periods_and_grows_back_before_them() -> None:
    pts = xr.DataArray(np.array([[1.0], [2.0], [2.0]]), dims=("year", "region"),
                       coords={"year": [2010, 2015, 2020], "region": ["WORLD"]})
    s = deployment.annual_stock(pts, np.arange(2000, 2026)).sel(region="WORLD")
    assert float(s.sel(year=2015)) == 2.0 and float(s.sel(year=2025)) == 2.0
    assert np.all(np.diff(s.sel(year=slice(2010, 2020)).values) >= -1e-12)  # PCHIP: no overshoot
    # before 2010: the first period's growth (x2 in 5 years) carried back: 0.25 in 2000
    assert float(s.sel(year=2000)) == pytest.approx(0.25, rel=1e-12)


@pytest.mark.xdist_group("energy-solves")
def test_etp2008_blue_world_neodymium_demand_is_positive_and_smooth(shared_run) -> None:
    from pathlib import Path

    run = shared_run("etp2008-blue", Path(__file__).parents[1] / "studies" / "etp2008-blue.toml")
    nd = run.summary["materials"]["neodymium"]["demand_t"]
    series = [nd[str(y)] for y in range(2010, 2051)]
    assert min(series) > 0
    worst = min(b / a for a, b in zip(series, series[1:], strict=False))
    assert worst > 2 / 3, f"world Nd demand falls by {1 - worst:.0%} in one year"
    # every use is counted: the energy products are one part of several
    uses = run.summary["materials"]["neodymium"]["demand_by_use_t"]
    assert {"magnets-other", "catalysts", "energy-products"} <= set(uses)
    total_2030 = sum(u["2030"] for u in uses.values())
    assert total_2030 == pytest.approx(nd["2030"], rel=1e-5)


def test_risk_rare_earths_2023_japan_from_sourced_data(cli) -> None:
    res = cli("risk", "rare-earths", "--year", "2023", "--importer", "JPN", "--json")
    assert res.exit_code == 0, res.stderr
    d = res.json()
    d = d[0] if isinstance(d, list) else d
    assert d["import_reliance"] == 1.0
    assert d["top_supplier"] == "CHN" and d["top_supplier_share"] == pytest.approx(0.731)
    # only China is itemised for H1 2023, so the HHI over named origins is 0.731^2
    assert d["import_hhi"] == pytest.approx(0.731 ** 2, abs=1e-6)
    assert "japan-ree-imports" in d["sources"]


def test_japan_2009_2010_imports_follow_the_ministry_of_finance() -> None:
    vol = CAT.frame("japan-ree-imports-volume").set_index(["origin", "year"])["value"]
    share = CAT.frame("japan-ree-imports").set_index(["origin", "year"])["value"]
    # MoF via Reuters (Jan 2011): 23 310 t from China of 28 564 t; the share MoF gives
    # through China Rare Earth Online (81.61 %) is the same ratio
    assert vol[("WORLD", 2010)] == 28564
    assert vol[("CHN", 2010)] / vol[("WORLD", 2010)] == pytest.approx(share[("CHN", 2010)],
                                                                      abs=5e-5)
    # 2009: 2010 imports from China were 49 % above 2009 (Reuters on MoF data), not
    # "basically unchanged" (Ohata, whose 20 000 t was the January-November figure)
    assert vol[("CHN", 2009)] == pytest.approx(23310 / 1.49, abs=1)
    assert vol[("WORLD", 2009)] == pytest.approx(vol[("CHN", 2009)] / share[("CHN", 2009)],
                                                 abs=1)
    # a recession trough between 2008 and 2010
    assert vol[("WORLD", 2008)] > vol[("WORLD", 2010)] > vol[("WORLD", 2009)]


def test_japan_end_uses_are_the_world_mix_scaled_to_japan_total() -> None:
    years = np.array([2010, 2020, 2022, 2030])
    jpn = end_uses.reo_by_use(CAT, EndUses(region="JPN"), years)
    world = end_uses.reo_by_use(CAT, EndUses(), years)
    # Japan Society of Newer Metals: 17 401 t in 2020, 16 039 t in 2022; held outside
    # 2018-2024, so 2010 takes the 2018 total (18 550 t) and 2030 the 2024 one (18 835 t)
    assert jpn.sel(year=[2010, 2020, 2022, 2030]).sum("use").values == pytest.approx(
        [18550, 17401, 16039, 18835])
    share = float(jpn.sel(use="catalysts", year=2020) / world.sel(use="catalysts", year=2020))
    assert share == pytest.approx(17401 / 188000)
