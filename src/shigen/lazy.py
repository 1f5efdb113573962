"""Public names of a package that load on first use (PEP 562).

A package lists its public names and the submodule each lives in; importing the package
(or a light submodule of it, such as a stage config) then loads none of them until one is
asked for: ``__getattr__ = lazy.exports(__name__, {"RunStore": "shigen.runs.store"})``.

Examples
--------
>>> get = exports("pkg", {"sqrt": "math"})
>>> get("sqrt")(4.0)
2.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def exports(package: str, names: Mapping[str, str]) -> Callable[[str], Any]:
    """The module ``__getattr__`` of ``package``: each name imported from its submodule."""
    def __getattr__(name: str) -> Any:
        if name in names:
            return getattr(import_module(names[name]), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return __getattr__
