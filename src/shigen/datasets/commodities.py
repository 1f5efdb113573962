"""Commodity declarations: a commodity's chain of stages and the datasets behind each.

A data folder (the bundled one, or a user's ``--data DIR`` / ``SHIGEN_DATA``) may hold a
``commodities.toml`` beside its ``catalogue.toml``, with one ``[commodities.<name>]``
table per commodity::

    [commodities.cobalt]
    title = "Cobalt"
    unit = "t"
    reserves = "cobalt-reserves"
    stages = [
      { name = "mining", dataset = "cobalt-mine-production" },
      { name = "refining", dataset = "cobalt-refinery-production" },
    ]
    [commodities.cobalt.imports.USA]
    refining = { dataset = "us-import-sources", select = { commodity = "cobalt" } }
    [commodities.cobalt.reliance.USA]
    refining = { dataset = "us-net-import-reliance", select = { commodity = "cobalt" } }

Stages are listed in chain order; a stage without a ``dataset`` has no sourced data (its
indicators are null with a reason). ``imports.<ISO3>.<stage>`` names the importer's
supply-by-origin dataset for a stage (a name, or a table with ``select`` filters);
``reliance.<ISO3>.<stage>`` its net import reliance (default: the ``import-reliance``
rows of the commodity and stage). A later folder's declaration of a name replaces an
earlier one, as datasets do. Every problem is located (file, line, field) with a fix.

Examples
--------
>>> decls = read_commodities_text('''
... [commodities.tin]
... title = "Tin"
... stages = [{ name = "mining", dataset = "tin-mine" }]
... ''', "commodities.toml", "user")
>>> [s.name for s in decls["tin"].stages]
['mining']
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shigen.errors import InputError, InputErrors, Location
from shigen.input_errors import input_errors
from shigen.tomlfile import find_line, read_toml

FILE = "commodities.toml"
SLUG = r"^[a-z0-9][a-z0-9-]*$"
ISO3 = re.compile(r"^[A-Z]{3}$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageDecl(_Model):
    """One stage of a chain; ``dataset`` (shares by ``country``) is None where unsourced."""

    name: str = Field(pattern=SLUG, max_length=60, description="e.g. mining, refining")
    dataset: str | None = Field(default=None, min_length=1,
                                description="dataset with country (and year) dimensions")


class DatasetRef(_Model):
    """Rows of a dataset: ``select`` filters by dimension value (e.g. commodity, product)."""

    dataset: str = Field(min_length=1)
    select: dict[str, str | int] = Field(default_factory=dict)


def _as_ref(v: object) -> object:
    return {"dataset": v} if isinstance(v, str) else v


class CommodityDecl(_Model):
    """A commodity: its chain in order, importer data by stage, reserves."""

    name: str = Field(pattern=SLUG, max_length=60)
    origin: str = Field(description="the folder that declared it ('bundled' or a path)")
    title: str = Field(min_length=1, max_length=200)
    unit: str | None = Field(default=None, description="unit of the stage datasets (info)")
    chokepoint: str | None = Field(default=None, pattern=SLUG,
                                   description="commodity key of chokepoint-shares")
    reserves: str | None = Field(default=None, description="reserves by country dataset")
    stages: tuple[StageDecl, ...] = Field(min_length=1)
    imports: dict[str, dict[str, DatasetRef]] = Field(default_factory=dict)
    reliance: dict[str, dict[str, DatasetRef]] = Field(default_factory=dict)

    @field_validator("imports", "reliance", mode="before")
    @classmethod
    def _refs(cls, v: object) -> object:
        if isinstance(v, dict):
            return {k: ({s: _as_ref(r) for s, r in d.items()} if isinstance(d, dict) else d)
                    for k, d in v.items()}
        return v

    @model_validator(mode="after")
    def _consistent(self) -> CommodityDecl:
        names = [s.name for s in self.stages]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"stage {twice[0]!r} is listed twice; stage names are unique")
        for key in ("imports", "reliance"):
            for importer, by_stage in getattr(self, key).items():
                if not ISO3.match(importer):
                    raise ValueError(f"{key}: '{importer}' is not an ISO 3166-1 alpha-3 code")
                bad = sorted(set(by_stage) - set(names))
                if bad:
                    raise ValueError(f"{key}.{importer}: stage {bad[0]!r} is not a stage of "
                                     f"'{self.name}' (stages: {', '.join(names)})")
        return self

    def datasets(self) -> Iterable[tuple[tuple[str, ...], str]]:
        """Every dataset the declaration names, with the field path that names it."""
        for i, s in enumerate(self.stages):
            if s.dataset is not None:
                yield ("stages", str(i), "dataset"), s.dataset
        if self.reserves is not None:
            yield ("reserves",), self.reserves
        for key in ("imports", "reliance"):
            for importer, by_stage in getattr(self, key).items():
                for stage, ref in by_stage.items():
                    yield (key, importer, stage), ref.dataset


def read_commodities_text(text: str, file: str, origin: str) -> dict[str, CommodityDecl]:
    """Parse one ``commodities.toml`` (its text) into declarations; located errors."""
    return read_commodities(text.encode("utf-8"), file, origin)


def read_commodities(raw: bytes, file: str, origin: str) -> dict[str, CommodityDecl]:
    """Parse one ``commodities.toml`` (its bytes) into declarations; located errors."""
    doc, text = read_toml(raw, file, "commodity declarations")
    unknown = sorted(set(doc) - {"commodities"})
    if unknown:
        raise InputError(f"unknown top-level key(s) {unknown}",
                         Location(file, find_line(text, (unknown[0],)), field=unknown[0]),
                         "a commodities.toml holds only [commodities.<name>] tables")
    entries = doc.get("commodities", {})
    if not isinstance(entries, dict) or not entries:
        raise InputError("commodities.toml declares no commodity",
                         Location(file, find_line(text, ("commodities",)), field="commodities"),
                         "add one [commodities.<name>] table with title and stages "
                         "(docs/howto/add-a-commodity.md)")
    out: dict[str, CommodityDecl] = {}
    problems: list[InputError] = []
    for name, entry in entries.items():
        where = ("commodities", name)
        if not isinstance(entry, dict):
            problems.append(InputError(f"commodities.{name} must be a table",
                                       Location(file, find_line(text, where),
                                                field=f"commodities.{name}"),
                                       f"write it as a [commodities.{name}] table"))
            continue
        reserved = sorted({"name", "origin"} & set(entry))
        if reserved:
            problems.append(InputError(
                f"commodity '{name}': key '{reserved[0]}' is set by shigen",
                Location(file, find_line(text, (*where, reserved[0])),
                         field=f"commodities.{name}.{reserved[0]}"),
                "remove the key; the table name is the commodity name"))
            continue
        try:
            out[name] = CommodityDecl(**{**entry, "name": name, "origin": origin})
        except ValidationError as exc:
            problems += input_errors(
                exc, file=file, text=text, root=CommodityDecl, prefix=where,
                subject=f"commodity '{name}': ",
                fix="see docs/howto/add-a-commodity.md for a well-formed declaration",
            ).problems
    if problems:
        raise InputErrors(problems)
    return out


def read_folder(folder: Path, origin: str) -> dict[str, CommodityDecl]:
    """The declarations of one data folder (none when it has no ``commodities.toml``)."""
    path = folder / FILE
    if not path.is_file():
        return {}
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the commodity declarations ({exc.strerror})",
                         Location(str(path)), "check the file's permissions") from None
    return read_commodities(raw, str(path), origin)


def check_datasets(decls: dict[str, CommodityDecl], files: dict[str, Path],
                   known: Iterable[str]) -> None:
    """Every dataset a declaration names must be in the catalogue (else a located error)."""
    have = set(known)
    problems: list[InputError] = []
    for name, decl in decls.items():
        for path, ds in decl.datasets():
            if ds in have:
                continue
            file = files.get(name)
            text = file.read_text("utf-8") if file is not None else ""
            loc = ("commodities", name, *[p for p in path if not p.isdigit()])
            close = difflib.get_close_matches(ds, sorted(have), n=3)
            problems.append(InputError(
                f"commodity '{name}' names dataset '{ds}' that no catalogue declares",
                Location(str(file) if file else None, find_line(text, loc) if file else None,
                         field=".".join(("commodities", name, *path))),
                (f"did you mean {', '.join(close)}? " if close else "")
                + "add the dataset to the folder's catalogue.toml or name one of "
                "`shigen data list`"))
    if problems:
        raise InputErrors(problems)


def load(folders: Iterable[tuple[Path, str]], known: Iterable[str]) -> dict[str, CommodityDecl]:
    """All folders' declarations, later folders replacing earlier names; datasets checked."""
    decls: dict[str, CommodityDecl] = {}
    files: dict[str, Path] = {}
    for folder, origin in folders:
        for name, decl in read_folder(folder, origin).items():
            decls[name] = decl
            files[name] = folder / FILE
    check_datasets(decls, files, known)
    return dict(sorted(decls.items()))
