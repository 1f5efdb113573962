"""The flagship run carries economic losses per market and a cost–benefit per package."""

from __future__ import annotations

import pytest

MARKETS = ("rare-earths", "uranium", "crude-oil", "lng")


def test_each_market_has_its_economic_loss(flagship_store) -> None:
    dis = flagship_store.summary["disruption"]
    for c in MARKETS:
        e = dis[c]["JPN"]["economy"]
        assert e["currency"] == "USD"
        assert 0 <= e["p5_annual_loss_usd"] <= e["p50_annual_loss_usd"] <= e[
            "p95_annual_loss_usd"]
        assert e["expected_annual_loss_usd"] == pytest.approx(
            e["expected_gdp_loss_usd"] + e["expected_price_cost_usd"], abs=2)
        assert len(e["top_industries"]) == 5
        top = [r["expected_annual_loss_usd"] for r in e["top_industries"]]
        assert top == sorted(top, reverse=True)
        # every industry's loss is part of the GDP loss
        assert sum(top) <= e["expected_gdp_loss_usd"] + 5
        # Ghosh from one entering sector: GDP lost per USD missing lies in (0, 1]: value
        # added per output is below one in every sector
        assert 0 < e["gdp_loss_per_usd_missing"] <= 1.0
    # rare earths enter through manufacturing, LNG through electricity and gas
    assert dis["rare-earths"]["JPN"]["economy"]["top_industries"][0]["industry"] == \
        "03-manufacturing"
    assert dis["lng"]["JPN"]["economy"]["top_industries"][0]["industry"] == \
        "05-electricity-gas-and-water-supply"


def test_each_package_has_cost_benefit(flagship_store) -> None:
    pol = flagship_store.summary["policy"]
    cb = pol["cost_benefit"]
    assert cb["reference"] == "status-quo" and cb["discount_rate"] == 0.04
    pk = cb["packages"]
    assert pk["status-quo"]["npv_usd"] == 0 and pk["status-quo"]["bcr"] is None
    for name, p in pk.items():
        assert p["npv_usd"] == pytest.approx(p["benefit_usd"] - p["incremental_cost_usd"],
                                             abs=2), name
        if p["incremental_cost_usd"] > 0:
            # the summary rounds bcr to 4 decimals: a small ratio needs the absolute bound
            assert p["bcr"] == pytest.approx(p["benefit_usd"] / p["incremental_cost_usd"],
                                             rel=1e-3, abs=5e-5)
    # agreements are never free: every proposal costs more than the status quo
    assert all(pk[n]["incremental_cost_usd"] > 0 for n in ("proposal-1", "proposal-2", "both"))
    assert set(cb["ranking_by_discount_rate"]) == {"0.0", "0.02", "0.04", "0.07"}
    assert set(cb["ranking_by_probability_scale"]) == {"0.5", "1.0", "2.0"}
    assert {"lever-cost", "economic-loss"} <= set(pol["criteria"])
