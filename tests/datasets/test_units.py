"""Unit conversion with pint: hand-checked factors and round trips."""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shigen.datasets import units

# factor(a, b) = how many b in one a; each checked by hand against the definition
FACTORS = [
    ("kt", "t", 1e3),
    ("Mt", "t", 1e6),
    ("Gt", "Mt", 1e3),
    ("t", "kg", 1e3),
    ("tU", "kg", 1e3),            # tonne of uranium
    ("tREO", "t", 1.0),           # tonne of rare-earth oxide
    ("tSWU", "SWU", 1e3),         # thousand separative work units
    ("MSWU", "tSWU", 1e3),
    ("toe", "GJ", 41.868),        # IEA tonne of oil equivalent
    ("Mtoe", "PJ", 41.868),
    ("EJ", "TWh", 1e18 / 3.6e15),  # 1 TWh = 3.6e15 J
    ("TWh", "PJ", 3.6),
    ("GW", "MW", 1e3),
    ("percent", "fraction", 0.01),
    ("percent_share", "fraction", 0.01),
    ("USD/kg", "USD/t", 1e3),
    ("day", "hour", 24.0),
    ("mb", "oil_barrel", 1e6),
]


@pytest.mark.parametrize(("src", "dst", "expected"), FACTORS)
def test_factor_by_hand(src: str, dst: str, expected: float) -> None:
    assert units.factor(src, dst) == pytest.approx(expected, rel=1e-12)


def test_kt_is_kilotonne_not_knot() -> None:
    assert units.parse("kt").dimensionality == units.parse("t").dimensionality


@pytest.mark.parametrize(("src", "dst"), [("t", "TWh"), ("USD", "JPY"), ("tU", "SWU")])
def test_incompatible_units_raise_value_error(src: str, dst: str) -> None:
    with pytest.raises(ValueError, match="cannot be converted"):
        units.factor(src, dst)


@pytest.mark.parametrize("bad", ["", "  ", "tonnes of stuff", "t/", "**", "kg^^2", "1/0",
                                 "m)", "x" * 500])
def test_malformed_units_raise_value_error(bad: str) -> None:
    with pytest.raises(ValueError):
        units.parse(bad)


@given(st.text(max_size=30))
def test_parse_never_raises_anything_but_value_error(text: str) -> None:
    with contextlib.suppress(ValueError):
        units.parse(text)


COMPATIBLE = [["t", "kt", "Mt", "Gt", "kg", "tU", "tREO"], ["TWh", "EJ", "PJ", "toe", "Mtoe"],
              ["SWU", "tSWU", "MSWU"], ["fraction", "percent", "percent_share"]]


@given(st.sampled_from(COMPATIBLE).flatmap(
    lambda group: st.tuples(st.sampled_from(group), st.sampled_from(group))),
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_round_trip_is_identity(pair: tuple[str, str], value: float) -> None:
    a, b = pair
    back = value * units.factor(a, b) * units.factor(b, a)
    assert math.isclose(back, value, rel_tol=1e-12, abs_tol=1e-12)


@given(st.sampled_from(COMPATIBLE).flatmap(
    lambda group: st.tuples(*(st.sampled_from(group) for _ in range(3)))))
def test_factors_compose(triple: tuple[str, str, str]) -> None:
    a, b, c = triple
    assert math.isclose(units.factor(a, b) * units.factor(b, c), units.factor(a, c),
                        rel_tol=1e-12)


def test_every_bundled_catalogue_unit_parses() -> None:
    """The bundled catalogue skips pint at load (start-up); its units are parsed here instead."""
    from shigen.datasets import Catalogue

    cat = Catalogue.bundled()
    for name in cat.names():
        units.parse(cat.meta(name).unit)


@pytest.mark.parametrize(("unit", "fix"), [
    ("ton", "'t'"), ("tons", "'t'"), ("kiloton", "'kt'"), ("kilotons", "'kt'"),
    ("Mtons", "'Mt'"), ("USD/ton", "'USD/t'"), ("tonne/ton", "'tonne/t'")])
def test_ambiguous_tons_are_refused_with_the_metric_spelling(unit: str, fix: str) -> None:
    with pytest.raises(units.AmbiguousUnit) as exc:
        units.parse(unit)
    assert f"write {fix} for metric tonnes" in exc.value.fix


def test_pint_reads_kilotons_as_short_tons() -> None:
    """Why they are refused: 8.8 kilotons would load as 7,983 t, not 8,800 t."""
    registry = units.registry()
    assert registry.Quantity(8.8, "kilotons").to("t").magnitude == pytest.approx(7983.2, abs=0.1)


@pytest.mark.parametrize("unit", ["t", "tonne", "kt", "metric_ton", "short_ton", "long_ton",
                                  "USD/t", "t/GJ", "kilotonne"])
def test_unambiguous_masses_are_accepted(unit: str) -> None:
    units.parse(unit)


def test_loading_the_bundled_catalogue_does_not_import_pint() -> None:
    """Start-up: pint (~0.5 s import, ~1 s registry) loads only when a unit must be converted."""
    import subprocess
    import sys

    code = ("import sys; from shigen.datasets import Catalogue; c = Catalogue.bundled(); "
            "c.get('ree-mine-production'); c.get('japan-ree-imports'); "
            "print('pint' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
