"""An outage's extra imports priced at what Japan paid, in USD and yen (issue 13 item 7).

The hand checks use the bundled price and exchange-rate rows; the stage checks solve a
small Japanese model (2005-2020 in 5-year steps) with and without a 2015 outage, well
under a second each.
"""

from __future__ import annotations

import pytest
import xarray as xr

from shigen.datasets import Catalogue
from shigen.energy import bill, outage_effect
from shigen.energy.config import EnergyConfig
from shigen.energy.imports import content_by_fuel
from shigen.energy.stage import solve_study
from shigen.errors import InputError

pytestmark = pytest.mark.xdist_group("energy-solves")

CAT = Catalogue.bundled()
CONTENT = content_by_fuel(CAT.frame("energy-fuel-physical-content"))


def _pj(fuel: str, year: int, value: float) -> xr.DataArray:
    return xr.DataArray([[[value]]], dims=("fuel", "region", "year"),
                        coords={"fuel": [fuel], "region": ["JPN"], "year": [year]})


def _bill(fuel: str, year: int, pj: float, model_price: float = 1.0) -> bill.Bill:
    observed = {"JPN": bill.usd_per_gj(CAT.frame(bill.PRICE_DATASET), "JPN", CONTENT)}
    rate = bill.units_per_usd(CAT.frame(bill.FX_DATASET), "JPY")
    return bill.price_bill(_pj(fuel, year, pj), _pj(fuel, year, model_price), observed, rate,
                           "JPY")


def test_coal_bill_is_megatonnes_times_price_times_exchange_rate() -> None:
    # 1 Mt of steam coal = 25.7 PJ; 2012: 133.61 USD/t (BP, Japan steam coal CIF),
    # 79.82 JPY/USD (Fed G.5A) -> 1e6 t x 133.61 = 0.13361 bn USD = 10.665 bn JPY
    b = _bill("coal", 2012, 25.7)
    assert float(b.usd_bn.sum()) == pytest.approx(0.13361, rel=1e-9)
    assert float(b.local_bn.sum()) == pytest.approx(0.13361 * 79.82, rel=1e-9)
    assert bool(b.historical.all())


def test_lng_bill_converts_mmbtu_by_definition() -> None:
    # 1,000 PJ of LNG = 1e9 GJ / 1.055056 GJ per MMBtu = 947.8 million MMBtu;
    # 2013: 16.17 USD/MMBtu, 97.60 JPY/USD
    b = _bill("gas", 2013, 1000.0)
    usd = 1000.0 / 1.055056 * 16.17 * 1e-3
    assert float(b.usd_bn.sum()) == pytest.approx(usd, rel=1e-9)  # 15.33 bn USD
    assert float(b.local_bn.sum()) == pytest.approx(usd * 97.60, rel=1e-9)


def test_a_year_without_an_observed_price_keeps_the_model_price() -> None:
    b = _bill("gas", 2030, 100.0, model_price=9.0)  # no 2030 price is observed yet
    assert not bool(b.historical.any())
    assert float(b.usd_bn.sum()) == pytest.approx(100.0 * 9.0 * 1e-3)


def test_a_currency_without_rates_is_refused_at_the_study_field() -> None:
    with pytest.raises(InputError) as exc:
        bill.units_per_usd(CAT.frame(bill.FX_DATASET), "XAU")
    assert exc.value.where is not None and exc.value.where.field == "energy.currency"


def _japan(**kw: object) -> EnergyConfig:
    base = {"regions": ["JPN"], "last_year": 2020, "efficiency_measures": False}
    return EnergyConfig.model_validate({**base, **kw})


@pytest.fixture(scope="module")
def effect() -> tuple[xr.Dataset, dict]:  # type: ignore[type-arg]
    outage = [{"region": "JPN", "technology": "nuclear", "years": [2015], "availability": 0.0}]
    cfg = _japan(outage=outage, currency="JPY")
    ds = outage_effect.attach(solve_study(cfg, CAT), solve_study(_japan(), CAT), CAT, "JPY")
    summary = outage_effect.summary(ds)
    assert summary is not None
    return ds, summary


def test_the_outage_imports_more_lng_and_the_bill_follows_volume_price_rate(effect) -> None:  # type: ignore[no-untyped-def]
    ds, s = effect
    gas_pj = s["extra_imports_pj"]["gas"]["2015"]
    assert gas_pj > 0  # the lost nuclear output comes back partly as LNG
    # physical units: PJ / 51.6 GJ per t of LNG
    assert s["extra_imports_physical"]["gas"]["series"]["2015"] == pytest.approx(
        gas_pj / 51.6, abs=2e-3)
    # 2015: 10.27 USD/MMBtu (BP Japan LNG CIF), 121.05 JPY/USD
    usd = gas_pj / 1.055056 * 10.27 * 1e-3
    assert s["extra_bill_usd_bn"]["gas"]["2015"] == pytest.approx(usd, abs=0.01)
    assert s["extra_bill_local_bn"]["gas"]["2015"] == pytest.approx(usd * 121.05, abs=0.2)
    assert s["price_basis"]["gas"]["2015"] == "historical"
    assert s["currency"] == "JPY"
    # no outage, no difference: the years before it import the same
    assert all(abs(v) < 1e-6 for y, v in s["extra_imports_pj"]["gas"].items() if y < "2015")


def test_the_total_bill_is_the_sum_of_the_fuels(effect) -> None:  # type: ignore[no-untyped-def]
    _, s = effect
    for y, total in s["total_extra_bill_usd_bn"].items():
        assert total == pytest.approx(sum(s["extra_bill_usd_bn"][f][y]
                                          for f in ("coal", "gas", "oil")), abs=0.02)


def test_data_as_of_before_the_prices_falls_back_to_the_model_price(effect) -> None:  # type: ignore[no-untyped-def]
    ds, _ = effect
    view = CAT.with_overrides([], as_of=2008)  # a 2008 study could not know 2015 prices
    without = ds.drop_vars([v for v in ds.data_vars if str(v).startswith("outage_")])
    base = solve_study(_japan(), CAT)
    s = outage_effect.summary(outage_effect.attach(without, base, view, "JPY"))
    assert s is not None
    assert "data_as_of" in s["historical_prices_refused"]
    assert set(s["price_basis"]["gas"].values()) == {"model"}
    assert s["extra_bill_usd_bn"]["gas"]["2015"] == pytest.approx(
        s["extra_bill_model_price_usd2005_bn"]["gas"]["2015"], abs=0.011)
