"""Supply chains, from the commodity declarations of the catalogue (``commodities.toml``).

Stages per commodity in chain order, the dataset behind each stage, and each
importer's supply and reliance data by stage. The bundled data folder declares the
rare earths, uranium, oil, LNG, coal and the critical minerals; a user data folder
(``--data DIR``) adds or replaces commodities the same way.

>>> from shigen.datasets import Catalogue
>>> [s.name for s in chain(Catalogue.bundled(), "uranium").stages]
['mining', 'conversion', 'enrichment', 'fabrication']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.datasets.commodities import CommodityDecl, DatasetRef


@dataclass(frozen=True)
class Stage:
    """One stage of a chain; ``dataset`` is None where no sourced data exists."""

    name: str
    dataset: str | None = None


@dataclass(frozen=True)
class DataRef:
    """Rows of a dataset selected by dimension values (empty ``select``: all rows)."""

    dataset: str
    select: tuple[tuple[str, str | int], ...] = ()


@dataclass(frozen=True)
class Chain:
    """A commodity's chain: ordered stages and importer datasets keyed by stage."""

    commodity: str
    title: str
    stages: tuple[Stage, ...]
    imports: dict[str, dict[str, DataRef]] = field(default_factory=dict)
    chokepoint: str | None = None
    reliance: dict[str, dict[str, DataRef]] = field(default_factory=dict)
    unit: str | None = None
    reserves: str | None = None

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

    def import_ref(self, importer: str, stage: str) -> DataRef | None:
        return self.imports.get(importer, {}).get(stage)

    def import_dataset(self, importer: str, stage: str) -> str | None:
        ref = self.import_ref(importer, stage)
        return None if ref is None else ref.dataset

    def reliance_ref(self, importer: str, stage: str) -> DataRef | None:
        return self.reliance.get(importer, {}).get(stage)


def _refs(d: dict[str, dict[str, DatasetRef]]) -> dict[str, dict[str, DataRef]]:
    return {imp: {st: DataRef(r.dataset, tuple(sorted(r.select.items())))
                  for st, r in by.items()} for imp, by in d.items()}


def from_declaration(decl: CommodityDecl) -> Chain:
    """The computing chain of one validated declaration."""
    return Chain(decl.name, decl.title, tuple(Stage(s.name, s.dataset) for s in decl.stages),
                 _refs(decl.imports), decl.chokepoint, _refs(decl.reliance), decl.unit,
                 decl.reserves)


def chains(cat: Catalogue) -> dict[str, Chain]:
    """Every declared commodity's chain, by name (sorted)."""
    return {name: from_declaration(d) for name, d in cat.commodities().items()}


def commodities(cat: Catalogue) -> list[str]:
    return sorted(cat.commodities())


def chain(cat: Catalogue, commodity: str, field_name: str = "commodity") -> Chain:
    """The chain of a commodity; unknown names raise ``InputError`` listing the known ones."""
    decls = cat.commodities()
    if commodity not in decls:
        raise InputError(f"unknown commodity '{commodity}'", Location(field=field_name),
                         f"use one of: {', '.join(sorted(decls))}; or declare it in a data "
                         "folder's commodities.toml (docs/howto/add-a-commodity.md)")
    return from_declaration(decls[commodity])
