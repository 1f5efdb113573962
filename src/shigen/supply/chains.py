"""The registry of supply chains (``chains.toml``): stages per commodity and the
datasets behind each stage and each importer's imports."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from shigen.errors import InputError


@dataclass(frozen=True)
class Chain:
    commodity: str
    title: str
    stages: tuple[str, ...]
    datasets: dict[str, str] = field(default_factory=dict)
    imports: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=1)
def chains() -> dict[str, Chain]:
    doc = tomllib.loads((Path(__file__).parent / "chains.toml").read_text("utf-8"))
    return {name: Chain(name, d["title"], tuple(d["stages"]), dict(d.get("datasets", {})),
                        dict(d.get("imports", {}))) for name, d in doc.items()}


def commodities() -> list[str]:
    return sorted(chains())


def chain(commodity: str) -> Chain:
    if commodity not in chains():
        raise InputError(f"unknown commodity '{commodity}'",
                         fix=f"use one of: {', '.join(commodities())}")
    return chains()[commodity]
