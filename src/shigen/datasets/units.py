"""The unit registry.

Units are checked and converted once, when a dataset loads; arrays then carry the
unit string in ``attrs["units"]`` (never pint quantities).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pint costs ~0.5 s to import; it loads only when a unit must be parsed
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


# pint reads ``ton`` as the US short ton (907.18 kg) and prefixes it (``kiloton`` = 907.18 t),
# while in trade statistics "ton" and "kt" mean metric tonnes: a figure in ``8.8 kilotons``
# would silently become 7,983 t. ``short_ton``, ``long_ton``, ``metric_ton``, ``tonne`` are
# unambiguous and allowed.
_AMBIGUOUS_TON = re.compile(r"^(?P<prefix>kilo|mega|giga|k|M|G)?tons?$")
_NAME = re.compile(r"[A-Za-z_]+")
_METRIC_FIX = {None: "t", "kilo": "kt", "k": "kt", "mega": "Mt", "M": "Mt", "giga": "Gt", "G": "Gt"}


class AmbiguousUnit(ValueError):
    """A unit string pint would read differently from what a reader of the data means."""

    def __init__(self, unit: str, name: str, fix: str):
        super().__init__(f"ambiguous unit '{unit}': pint reads '{name}' as US short tons "
                         "(1 ton = 0.907 t)")
        self.fix = fix


def refuse_ambiguous(unit: str) -> None:
    """Raise :class:`AmbiguousUnit` when ``unit`` names a ton that pint reads as a short ton.

    >>> refuse_ambiguous("kt")
    >>> try:
    ...     refuse_ambiguous("kilotons")
    ... except AmbiguousUnit as exc:
    ...     print(exc.fix)
    write 'kt' for metric tonnes (or spell 'short_ton' if you really mean US short tons)
    """
    for name in _NAME.findall(unit):
        match = _AMBIGUOUS_TON.match(name)
        if match:
            metric = re.sub(rf"(?<![A-Za-z_]){name}(?![A-Za-z_])",
                            _METRIC_FIX[match.group("prefix")], unit)
            raise AmbiguousUnit(unit, name, f"write '{metric}' for metric tonnes (or spell "
                                "'short_ton' if you really mean US short tons)")


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The shared pint registry with shigen's extra units (currency, SWU, tU, ...)."""
    import pint

    ureg: pint.UnitRegistry = pint.UnitRegistry(on_redefinition="ignore")
    for line in _DEFINITIONS.strip().splitlines():
        ureg.define(line.strip())
    return ureg


def parse(unit: str) -> pint.Unit:
    """Parse a unit string; raises ``ValueError`` with pint's reason when unknown."""
    if not isinstance(unit, str) or not unit.strip():
        raise ValueError("empty unit")
    refuse_ambiguous(unit)
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
    import pint

    ureg = registry()
    source, target = parse(from_unit), parse(to_unit)
    try:
        return float(ureg.Quantity(1.0, source).to(target).magnitude)
    except pint.errors.DimensionalityError:
        raise ValueError(f"unit '{from_unit}' cannot be converted to '{to_unit}'") from None
