"""The registry of result variables: label, unit, significant figures and description.

Every figure a stage produces — a variable of its dataset or a key of its summary (the
stage's object of ``shigen run --json``) — has one entry in ``variables.toml`` beside this
module. The CLI tables, the report, the web pages, notebooks and the exports read labels
and units from here, so a figure is called the same everywhere and no reader sees a raw
JSON key. ``tests/test_variables.py`` fails when a stage emits a dataset variable that the
registry lacks, or in another unit.

Examples
--------
>>> lookup("energy", "co2_gt").unit
'Gt CO2/year'
>>> fmt(6.75621e-09)
'6.76×10⁻⁹'
>>> fmt(17591.4)
'17,600'
>>> describe_path("energy", "co2_by_sector_gt.buildings")
('CO2 emissions by sector · buildings', 'Gt CO2/year')
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

REGISTRY_FILE = Path(__file__).with_name("variables.toml")
DEFAULT_SIG = 3
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
# unit suffixes of summary keys (``co2_gt``, ``nuclear_gw``): the unit is in the header
_UNIT_SUFFIX = re.compile(r"_(gw|gt|mt|twh|ej|pj|t|usd_bn|usd_trillion|usd_per_t|s|bn)$")
_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Variable:
    """One result variable: what it is called, in what unit, with how many figures."""

    stage: str
    name: str
    label: str
    unit: str
    description: str = ""
    sig: int = DEFAULT_SIG
    dataset: bool = False

    @property
    def header(self) -> str:
        """``Label (unit)`` for a table header; the label alone when there is no unit."""
        # a pure number's unit, short enough for a narrow column
        unit = "index" if self.unit in ("1", "dimensionless") else self.unit
        return f"{self.label} ({unit})" if unit else self.label

    def format(self, value: Any) -> str:
        return fmt(value, self.sig)


@lru_cache(maxsize=1)
def registry() -> dict[tuple[str, str], Variable]:
    """Every registered variable by (stage, name)."""
    doc = tomllib.loads(REGISTRY_FILE.read_text("utf-8"))
    return {(stage, name): Variable(stage, name, e["label"], e.get("unit", ""),
                                    e.get("description", ""), int(e.get("sig", DEFAULT_SIG)),
                                    bool(e.get("dataset", False)))
            for stage, entries in doc.items() for name, e in entries.items()}


def lookup(stage: str, name: str) -> Variable | None:
    """The entry of ``name`` in ``stage`` (None when the registry lacks it)."""
    return registry().get((stage, name))


def stage_variables(stage: str) -> list[Variable]:
    return [v for (s, _), v in registry().items() if s == stage]


def humanize(key: str) -> str:
    """A coordinate or key as a reader sees it: ``nuclear_power`` → ``nuclear power``.

    Codes that are names already (ISO3 ``JPN``, ``rare-earths``, years) stay as they are.
    """
    key = _UNIT_SUFFIX.sub("", key)
    return key.replace("_", " ")


def describe_path(stage: str, path: str) -> tuple[str, str]:
    """Label and unit of a flattened summary path (``a.b[0].c``).

    The first registered part with a unit gives the label and unit; the other parts qualify
    it (a sector, an element, a commodity, a year); registered containers without a unit
    (``commodities``) are left out. An unregistered path is humanized, with no
    unit; the registry test keeps that from happening for shipped stages.
    """
    parts = [p for p in _INDEX.sub("", path).split(".") if p]
    found = [(i, v) for i, p in enumerate(parts) if (v := lookup(stage, p)) is not None]
    if not found:
        return " · ".join(humanize(p) for p in parts), ""
    # the first part with a unit is the figure (``shares.transport_oil`` is a share);
    # entries without a unit are containers (``commodities``) unless nothing else matches
    with_unit = [(i, v) for i, v in found if v.unit]
    at, main = with_unit[0] if with_unit else found[-1]
    containers = {i for i, v in found if not v.unit and i != at}
    quals = [humanize(p) for i, p in enumerate(parts) if i != at and i not in containers]
    return " · ".join([main.label, *quals]), main.unit


def fmt(value: Any, sig: int = DEFAULT_SIG) -> str:
    """A number to ``sig`` significant figures, as a person writes it.

    Thousands separated; no exponent between 10⁻³ and 10¹², ``a×10⁻ⁿ`` outside; integers
    that fit are not padded (``2050``); None is an en dash. The JSON keeps every digit.

    >>> fmt(0.0073318), fmt(143.557), fmt(2050), fmt(None), fmt(0.0), fmt(-1234567.0)
    ('0.00733', '144', '2050', '–', '0', '-1,230,000')
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) and abs(value) < 10 ** sig * 10:
        return str(value) if 1900 <= value <= 2200 else f"{value:,}"
    x = float(value)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x == 0:
        return "0"
    mag = math.floor(math.log10(abs(x)))
    if mag < -3 or mag >= 12:
        # Python's own scientific notation rounds mantissa and exponent together, also for
        # subnormal numbers, where 10 ** mag would underflow to 0
        mant_text, exp_text = f"{x:.{sig - 1}e}".split("e")
        return f"{_trim(mant_text)}×10{str(int(exp_text)).translate(_SUPERSCRIPT)}"
    decimals = max(sig - 1 - mag, 0)
    # round to the significant figures first (12,345.678 → 12,300), then print
    return _trim(f"{round(x, sig - 1 - mag):,.{decimals}f}")


def _trim(text: str) -> str:
    """``0.500`` → ``0.5``, ``1.00`` → ``1``: trailing zeros carry no information here."""
    return text.rstrip("0").rstrip(".") if "." in text else text
