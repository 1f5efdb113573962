"""The registry of supply chains (``chains.toml``).

Stages per commodity in chain order, the dataset behind each stage, and each
importer's supply datasets.

>>> [s.name for s in chain("uranium").stages]
['mining', 'conversion', 'enrichment', 'fabrication']
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from shigen.errors import InputError, Location


@dataclass(frozen=True)
class Stage:
    """One stage of a chain; ``dataset`` is None where no sourced data exists."""

    name: str
    dataset: str | None = None


@dataclass(frozen=True)
class Chain:
    """A commodity's chain: ordered stages and importer datasets keyed by stage."""

    commodity: str
    title: str
    stages: tuple[Stage, ...]
    imports: dict[str, dict[str, str]] = field(default_factory=dict)
    chokepoint: str | None = None

    @property
    def stage_names(self) -> list[str]:
        return [s.name for s in self.stages]

    def stage(self, name: str | None) -> Stage:
        """The named stage, or the first one (the chain's primary stage) when None."""
        if name is None:
            return self.stages[0]
        for s in self.stages:
            if s.name == name:
                return s
        raise InputError(f"commodity '{self.commodity}' has no stage '{name}'",
                         Location(field="stage"),
                         f"use one of: {', '.join(self.stage_names)}")

    def import_dataset(self, importer: str, stage: str) -> str | None:
        return self.imports.get(importer, {}).get(stage)


@lru_cache(maxsize=1)
def chains() -> dict[str, Chain]:
    doc = tomllib.loads((Path(__file__).parent / "chains.toml").read_text("utf-8"))
    out = {}
    for name, d in doc.items():
        stages = tuple(Stage(s["name"], s.get("dataset")) for s in d["stages"])
        out[name] = Chain(name, d["title"], stages,
                          {k: dict(v) for k, v in d.get("imports", {}).items()},
                          d.get("chokepoint"))
    return out


def commodities() -> list[str]:
    return sorted(chains())


def chain(commodity: str) -> Chain:
    """The chain of a commodity; unknown names raise ``InputError`` listing the known ones."""
    if commodity not in chains():
        raise InputError(f"unknown commodity '{commodity}'", Location(field="commodity"),
                         f"use one of: {', '.join(commodities())}")
    return chains()[commodity]
