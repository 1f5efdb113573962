"""What the materials stage knows about products and elements.

From ``products.toml`` and ``elements.toml``: names, deployment basis,
composition class, oxide formulae.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).parent
RARE_EARTHS = ("lanthanum", "cerium", "praseodymium", "neodymium", "samarium", "europium",
               "gadolinium", "terbium", "dysprosium", "yttrium")
MAGNET_ELEMENTS = ("neodymium", "praseodymium", "dysprosium", "terbium", "boron", "iron")
DEPOSITS = ("bastnasite", "monazite", "ion-adsorption-clay")


@dataclass(frozen=True)
class Product:
    name: str
    title: str
    basis: str
    application: str
    lifetime: str


@lru_cache(maxsize=1)
def products() -> dict[str, Product]:
    doc = tomllib.loads((HERE / "products.toml").read_text("utf-8"))
    return {k: Product(k, v["title"], v["basis"], v["application"], v["lifetime"])
            for k, v in doc.items()}


@lru_cache(maxsize=1)
def oxide_formulae() -> dict[str, tuple[int, int]]:
    doc = tomllib.loads((HERE / "elements.toml").read_text("utf-8"))
    return {k: (int(v[0]), int(v[1])) for k, v in doc.items()}
