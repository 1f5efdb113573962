"""Every estimate carries a range (issue 19 item 2), and the range is well formed."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shigen.datasets import Catalogue
from shigen.datasets.meta import ValueRange


def _has_estimates(cat: Catalogue, name: str) -> bool:
    frame = cat.frame(name)
    return cat.meta(name).status == "estimate" or (
        "status" in frame and bool((frame["status"] == "estimate").any()))


def test_every_bundled_estimate_has_a_range_with_a_reason() -> None:
    cat = Catalogue.bundled()
    missing = [n for n in cat.names() if _has_estimates(cat, n) and cat.meta(n).range is None]
    assert missing == []
    for n in cat.names():
        r = cat.meta(n).range
        if r is not None:
            assert r.reason.strip() and 0 <= r.low < 1 < r.high


def test_range_is_shown_by_describe_and_listing() -> None:
    cat = Catalogue.bundled()
    d = cat.describe("energy-capital-cost")["range"]
    assert isinstance(d, dict)
    assert (d["low"], d["high"], d["rows"]) == (0.7, 1.3, "estimate")
    assert "no source gives a range" in d["reason"]
    row = next(r for r in cat.listing() if r["name"] == "energy-capital-cost")
    assert row["range"] == d


def test_range_does_not_move_the_fingerprint() -> None:
    # a single run reads values, not ranges: run ids of existing studies stay put
    cat = Catalogue.bundled()
    meta = cat.meta("energy-capital-cost")
    assert "range" not in meta.model_dump()


@pytest.mark.parametrize("factor, message", [
    ({"dist": "fixed", "value": 1.0}, "spread"),
    ({"dist": "uniform", "low": -0.1, "high": 1.2}, "negative"),
    ({"dist": "normal", "mean": 1.0, "sd": 0.1}, "lognormal"),
])
def test_bad_ranges_are_refused(factor: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ValueRange(factor=factor, reason="x")  # type: ignore[arg-type]


def test_lognormal_range_bounds_are_its_tails() -> None:
    r = ValueRange(factor={"dist": "lognormal", "median": 1.0, "sigma": 0.1},  # type: ignore[arg-type]
                   reason="x")
    assert r.low == pytest.approx(0.773, abs=1e-3) and r.high == pytest.approx(1.294, abs=1e-3)
