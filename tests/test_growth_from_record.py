"""Growth rates from the historical record (scripts/growth_from_record.py).

The bundled rates must be what the script derives from the bundled record (anyone can
rerun it), and the derivation is checked by hand on the figures it rests on.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

from shigen.datasets import Catalogue

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "growth_from_record.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("growth_from_record", SCRIPT)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def _bundled(cat: Catalogue, name: str) -> dict[tuple[str, str], tuple[float, float]]:
    f = cat.frame(name).assign(known=lambda d: pd.to_numeric(d["as_of"], errors="coerce"))
    return {(r.region, r.technology): (float(r.value), float(r.known))
            for r in f.itertuples() if pd.notna(r.known)}


@pytest.mark.parametrize("name, known_by", [("energy-growth-limit", None),
                                            ("energy-growth-limit-2008", 2008)])
def test_bundled_rates_are_what_the_script_derives(script: ModuleType, name: str,
                                                   known_by: int | None) -> None:
    cat = Catalogue.bundled()
    derived = script.rates(cat, known_by)
    rows = _bundled(cat, name)
    assert {t for _, t in rows} == set(derived)
    for (_, tech), (value, as_of) in rows.items():
        assert value == pytest.approx(derived[tech].g, abs=5e-4)  # written to 3 decimals
        assert as_of == derived[tech].as_of


def test_nuclear_build_up_by_hand(script: ModuleType) -> None:
    """1965-1989 five-year blocks of the record; the fit lies inside its block-to-block range."""
    r = script.rates(Catalogue.bundled())["nuclear"]
    means = {b.first: round(b.mean_gw, 1) for b in r.points}
    assert means == {1965: 1.9, 1970: 8.1, 1975: 13.1, 1980: 16.2, 1985: 25.2}
    assert r.low < r.g < r.high
    # the two ends alone give the same order: (25.2 / 1.9)^(1/20) - 1 = 13.8 %/yr
    ends = (r.points[-1].mean_gw / r.points[0].mean_gw) ** (1 / 20) - 1
    assert ends == pytest.approx(0.138, abs=0.002) and abs(r.g - ends) < 0.02
    # after the peak the record falls: 25.2 -> 6.6 GW/yr in five years, -23.5 %/yr
    assert r.fall == pytest.approx((6.59 / 25.17) ** (1 / 5) - 1, abs=0.003)


def test_wind_known_by_2008_is_the_early_boom(script: ModuleType) -> None:
    """11.8 GW added in 2005, (94.1 - 59.0) / 2 = 17.55 GW/yr in 2006-2007 (1.5 years later)."""
    r = script.rates(Catalogue.bundled(), 2008)["wind_onshore"]
    assert [b.mean_gw for b in r.points] == pytest.approx([11.8, 17.55])
    assert r.g == pytest.approx(math.exp(math.log(17.55 / 11.8) / 1.5) - 1, rel=1e-9)
    assert "solar_pv" not in script.rates(Catalogue.bundled(), 2008)  # no build-up known


def test_a_record_without_a_build_up_has_no_rate(script: ModuleType) -> None:
    B = script.Block
    assert script.fit("x", [B(2000, 2004, 0.5), B(2005, 2009, 0.8)]) is None  # below START_GW
    assert script.fit("x", [B(2000, 2004, 5.0), B(2005, 2009, 2.0)]) is None  # peak first
