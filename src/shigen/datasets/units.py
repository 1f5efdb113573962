"""The unit registry.

Units are checked and converted once, when a dataset loads; arrays then carry the
unit string in ``attrs["units"]`` (never pint quantities).
"""

from __future__ import annotations

from functools import lru_cache

import pint

_DEFINITIONS = """
USD = [currency]
EUR = [currency_eur]
JPY = [currency_jpy]
fraction = [] = share
percent_share = 0.01 fraction
unit = [] = units
SWU = [separative_work]
tSWU = 1000 * SWU
MSWU = 1e6 * SWU
tU = tonne
tHM = tonne
tREO = tonne
mb = 1e6 * oil_barrel
toe = 41.868 * gigajoule
Mtoe = 1e6 * toe
vehicle = [] = vehicles
kt = 1000 * tonne
Mt = 1e6 * tonne
Gt = 1e9 * tonne
"""


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The shared pint registry with shigen's extra units (currency, SWU, tU, ...)."""
    ureg: pint.UnitRegistry = pint.UnitRegistry(on_redefinition="ignore")
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line.strip())
    return ureg


def parse(unit: str) -> pint.Unit:
    """Parse a unit string; raises ``ValueError`` with pint's reason when unknown."""
    if not isinstance(unit, str) or not unit.strip():
        raise ValueError("empty unit")
    try:
        return registry().Unit(unit)
    except Exception as exc:  # pint's parser raises many types on malformed text
        reason = str(exc) or type(exc).__name__
        raise ValueError(f"unknown unit '{unit}' ({reason})") from None


def factor(from_unit: str, to_unit: str) -> float:
    """Multiplier that converts a value in ``from_unit`` to ``to_unit``.

    >>> factor("kt", "t")
    1000.0
    """
    if from_unit == to_unit:
        return 1.0
    ureg = registry()
    source, target = parse(from_unit), parse(to_unit)
    try:
        return float(ureg.Quantity(1.0, source).to(target).magnitude)
    except pint.errors.DimensionalityError:
        raise ValueError(f"unit '{from_unit}' cannot be converted to '{to_unit}'") from None
