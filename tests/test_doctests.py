"""The docstring examples of the foundation modules run and pass."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["shigen", "shigen.study", "shigen.tomlfile", "shigen.testing",
           "shigen.datasets.catalogue", "shigen.datasets.units", "shigen.supply.indicators"]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
