"""The dataset catalogue, and lazy, validated loading.

The catalogue holds the metadata (title, source, edition, license, unit,
dimensions, status) of every bundled and user dataset.

A catalogue is a TOML file with one ``[datasets.<name>]`` table per dataset, beside
the CSV files it describes. User folders (``--data DIR`` / ``SHIGEN_DATA``) hold
their own ``catalogue.toml``; a user dataset with a bundled name overrides it.

Examples
--------
>>> from shigen.datasets import Catalogue
>>> cat = Catalogue.bundled()
>>> "ree-mine-production" in cat
True
>>> cat.meta("ree-mine-production").unit
't'
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import xarray as xr
from pydantic import ValidationError

from shigen.datasets import as_of as known
from shigen.datasets.commodities import CommodityDecl
from shigen.datasets.commodities import load as load_commodities
from shigen.datasets.meta import DatasetMeta, effective_range
from shigen.datasets.overrides import AppliedOverride, DataOverride, scale_by_range, select_rows
from shigen.datasets.overrides import apply as apply_overrides
from shigen.datasets.validate import read_dataset
from shigen.errors import InputError, InputErrors, Location
from shigen.input_errors import input_errors
from shigen.tomlfile import find_line, read_toml

BUNDLED_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Dataset:
    """A loaded, validated dataset: metadata plus a long-format frame.

    The frame has the dimension columns, ``value`` (in ``meta.unit``) and, when
    the file has them, per-row ``status`` and ``note``. ``lines[i]`` is the file line
    of frame row ``i`` (blank lines and quoted line breaks counted), for located messages.
    """

    meta: DatasetMeta
    frame: pd.DataFrame
    path: Path
    sha256: str
    lines: tuple[int, ...] = ()

    def to_xarray(self) -> xr.DataArray:
        """The values as a labelled array over the dataset's dimensions."""
        da = self.frame.set_index(self.meta.dimensions)["value"].to_xarray()
        da.name = self.meta.name
        da.attrs.update(units=self.meta.unit, source=self.meta.source,
                        edition=self.meta.edition, status=self.meta.status)
        return da


def _read_catalogue_file(path: Path, origin: str) -> dict[str, DatasetMeta]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the catalogue ({exc.strerror})", Location(str(path)),
                         "check the file's permissions") from None
    doc, text = read_toml(raw, str(path), "catalogue")
    unknown = set(doc) - {"datasets"}
    if unknown:
        key = sorted(unknown)[0]
        raise InputError(f"unknown top-level key(s) {sorted(unknown)}",
                         Location(str(path), find_line(text, (key,)), field=key),
                         "a catalogue holds only [datasets.<name>] tables")
    entries = doc.get("datasets", {})
    if not isinstance(entries, dict) or not entries:
        raise InputError("catalogue declares no datasets",
                         Location(str(path), find_line(text, ("datasets",)), field="datasets"),
                         "add one [datasets.<name>] table per CSV file")
    metas: dict[str, DatasetMeta] = {}
    problems: list[InputError] = []
    for name, entry in entries.items():
        if not isinstance(entry, dict):
            problems.append(InputError(
                f"datasets.{name} must be a table",
                Location(str(path), find_line(text, ("datasets", name)), field=f"datasets.{name}"),
                f"write it as a [datasets.{name}] table"))
            continue
        reserved = sorted({"name", "origin"} & set(entry))
        if reserved:
            problems.append(InputError(
                f"dataset '{name}': key '{reserved[0]}' is set by shigen",
                Location(str(path), find_line(text, ("datasets", name, reserved[0])),
                         field=f"datasets.{name}.{reserved[0]}"),
                "remove the key; the table name is the dataset name"))
            continue
        try:
            metas[name] = DatasetMeta(**{**entry, "name": name, "origin": origin})
        except ValidationError as exc:
            problems += input_errors(
                exc, file=str(path), text=text, prefix=("datasets", name),
                subject=f"dataset '{name}': ",
                fix=f"see `shigen data show {name}` or docs/data.md for well-formed entries",
            ).problems
    if problems:
        raise InputErrors(problems)
    return metas


def _check_override(old: DatasetMeta, new: DatasetMeta, path: Path) -> None:
    """A dataset that overrides another keeps its dimensions and unit, so stages can use it."""
    where = Location(str(path), find_line(path.read_text("utf-8"), ("datasets", new.name)),
                     field=f"datasets.{new.name}")
    if set(old.dimensions) != set(new.dimensions):
        raise InputError(f"dataset '{new.name}' overrides one with dimensions {old.dimensions} "
                         f"but declares {new.dimensions}", where,
                         f"use dimensions {old.dimensions} or another dataset name")
    if new.unit != old.unit:
        raise InputError(f"dataset '{new.name}' overrides one in '{old.unit}' but declares "
                         f"unit '{new.unit}'", where,
                         f"declare unit = \"{old.unit}\" (rows may use any unit convertible "
                         "to it; they are converted at load)")


def _range_json(meta: DatasetMeta) -> dict[str, Any] | None:
    """A dataset's range as JSON: the factor, its low/high, the rows it covers, the reason."""
    r = meta.range
    if r is None:
        return None
    return {"factor": r.factor.model_dump(mode="json"), "low": round(r.low, 6),
            "high": round(r.high, 6), "rows": r.rows, "from_year": r.from_year,
            "sample": r.sample, "reason": r.reason}


def _selects(used: Dataset | None, latest: Dataset, o: DataOverride) -> bool:
    """Whether override ``o`` selects rows of ``used``, a vintage read instead of ``latest``."""
    if used is None or used is latest:
        return False
    try:
        return bool(select_rows(used.frame, used.meta, o, "").any())
    except InputError:  # e.g. a year the vintage does not have
        return False


class Catalogue:
    """Bundled datasets plus user folders, later folders overriding earlier ones."""

    def __init__(self, dirs: list[Path] | None = None, include_bundled: bool = True):
        self._metas: dict[str, DatasetMeta] = {}
        self._dirs: dict[str, Path] = {}
        self._cache: dict[str, Dataset] = {}  # the files as read; shared with views
        # a view (``with_overrides``): its overrides, the datasets they change, what they did
        self._overrides: tuple[DataOverride, ...] = ()
        self._changed: dict[str, Dataset] = {}
        self._applied: tuple[AppliedOverride, ...] = ()
        self._commodities: dict[str, Any] | None = None  # read on first use
        # a view for a study with ``data_as_of``: figures known later are refused
        self._as_of: int | None = None
        # a view's range factors (``with_factors``) and, when recording, the names read
        self._factors: tuple[tuple[str, float], ...] = ()
        self._log: set[str] | None = None
        folders: list[tuple[Path, str]] = []
        if include_bundled:
            folders.append((BUNDLED_DIR, "bundled"))
        for d in dirs or []:
            folders.append((Path(d), str(d)))
        self._folders = tuple(folders)
        for folder, origin in folders:
            if not folder.is_dir():
                what = "is not a folder" if folder.exists() else "does not exist"
                raise InputError(f"data folder '{folder}' {what}", Location(str(folder)),
                                 "pass an existing folder with --data or SHIGEN_DATA")
            cat = folder / "catalogue.toml"
            if not cat.is_file():
                raise InputError(f"data folder '{folder}' has no catalogue.toml",
                                 Location(str(folder)),
                                 "add a catalogue.toml with one [datasets.<name>] table per CSV")
            for name, meta in _read_catalogue_file(cat, origin).items():
                if name in self._metas:
                    _check_override(self._metas[name], meta, cat)
                    if not meta.invariants:  # new figures, same shape: the rules still hold
                        meta = meta.model_copy(update={"invariants": self._metas[name].invariants})
                self._metas[name] = meta
                self._dirs[name] = folder

    def commodities(self) -> dict[str, CommodityDecl]:
        """The commodity declarations of every folder (``commodities.toml``), checked once."""
        if self._commodities is None:
            self._commodities = load_commodities(self._folders, self.names())
        return self._commodities

    @classmethod
    def bundled(cls) -> Catalogue:
        return cls()

    def __contains__(self, name: object) -> bool:
        return name in self._metas

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._metas))

    def names(self) -> list[str]:
        return sorted(self._metas)

    def meta(self, name: str) -> DatasetMeta:
        if name not in self._metas:
            raise InputError(f"unknown dataset '{name}'",
                             fix=f"use one of: {', '.join(self.names())}")
        return self._metas[name]

    def path(self, name: str) -> Path:
        return self._dirs[name] / self.meta(name).file

    def get(self, name: str) -> Dataset:
        """Load and validate one dataset (cached), with this view's overrides applied."""
        if self._log is not None:
            self._log.add(name)
        if name in self._changed:
            return self._changed[name]
        return self._known(name)

    def _known(self, name: str) -> Dataset:
        """The dataset as known by this view's ``data_as_of``: itself, a vintage, or refused."""
        raw = self._read(name)
        year = self._as_of
        if year is None:
            return raw
        late = known.late_rows(raw.frame, raw.meta, year)
        if not late.any():  # known in time; a newer edition known by then is preferred
            newer = known.newer_vintages(self._metas, name, year,
                                         known.latest_known(raw.frame, raw.meta))
            for vintage in newer:
                new = self._read(vintage)
                if not known.late_rows(new.frame, new.meta, year).any():
                    return self._changed.get(vintage, new)  # a study may override a vintage
            return raw
        for vintage in known.pick_vintage(self._metas, name, year):
            old = self._read(vintage)
            if not known.late_rows(old.frame, old.meta, year).any():
                return self._changed.get(vintage, old)
        raise known.hindsight(raw, name, year, late)

    def _read(self, name: str) -> Dataset:
        """The dataset as its file says (cached, the cache shared by every view)."""
        if name not in self._cache:
            meta = self.meta(name)
            path = self.path(name)
            frame, digest, lines = read_dataset(path, meta)
            self._cache[name] = Dataset(meta, frame, path, digest, lines)
        return self._cache[name]

    def with_overrides(self, overrides: Sequence[DataOverride], *,
                       where: str = "data.override", as_of: int | None = None) -> Catalogue:
        """A view of this catalogue whose datasets have ``overrides`` applied.

        Stages use the view like any catalogue and never see the overrides. The overrides
        are checked and applied now (``InputError`` at ``{where}.{i}``, e.g. a selection
        that matches no row); on a cell two overrides select, the later wins (see
        :mod:`shigen.datasets.overrides`). A view's overrides *replace* those of the
        catalogue it is made from: the base is always the files.

        Examples
        --------
        >>> from shigen.datasets.overrides import DataOverride
        >>> cat = Catalogue.bundled()
        >>> o = DataOverride(dataset="energy-build-limit", value=28.0,
        ...                  select={"region": "WORLD", "technology": "nuclear", "year": 2030})
        >>> view = cat.with_overrides([o])
        >>> f = view.frame("energy-build-limit").set_index(["region", "technology", "year"])
        >>> float(f.loc[("WORLD", "nuclear", 2030), "value"])
        28.0
        >>> [a.rows for a in view.applied()]
        [1]
        """
        view = copy.copy(self)
        view._overrides = tuple(overrides)
        view._changed = {}
        view._as_of = as_of
        view._factors = ()
        applied: list[tuple[int, AppliedOverride]] = []
        by_dataset: dict[str, list[int]] = {}
        for i, o in enumerate(view._overrides):
            by_dataset.setdefault(o.dataset, []).append(i)
        for name, indices in by_dataset.items():
            if name not in self._metas:
                close = difflib.get_close_matches(name, self.names(), n=3)
                raise InputError(f"unknown dataset '{name}' in a data override",
                                 Location(field=f"{where}.{indices[0]}.dataset"),
                                 (f"did you mean {', '.join(close)}? " if close else "")
                                 + "name a dataset of `shigen data list`")
            if as_of is not None:
                latest = self._read(name)
                try:  # the edition the study reads: an override changes its rows
                    used: Dataset | None = view._known(name)
                except InputError:
                    used = None
                for i in indices:
                    late = known.late_rows(latest.frame, latest.meta, as_of) & select_rows(
                        latest.frame, latest.meta, view._overrides[i], f"{where}.{i}")
                    if late.any() and _selects(used, latest, view._overrides[i]):
                        continue  # it selects rows of the vintage known by then
                    if late.any():
                        exc = known.hindsight(latest, name, as_of, late)
                        raise InputError(exc.what, Location(field=f"{where}.{i}.select"),
                                         exc.fix)
            raw = view._known(name)
            frame, done = apply_overrides(
                raw.frame, raw.meta, [(f"{where}.{i}", view._overrides[i]) for i in indices])
            view._changed[name] = Dataset(raw.meta, frame, raw.path, raw.sha256, raw.lines)
            applied += zip(indices, done, strict=True)
        view._applied = tuple(a for _, a in sorted(applied, key=lambda x: x[0]))
        return view

    def with_factors(self, factors: Mapping[str, float]) -> Catalogue:
        """A view whose datasets' ranged rows are multiplied by ``factors`` (name → factor).

        The factor applies to the rows each dataset's ``range`` covers, on top of this
        view's overrides; values stay within the dataset's bounds and shares that sum to
        one are renormalised (:func:`shigen.datasets.overrides.scale_by_range`). A dataset
        without a range takes the stated default (:func:`shigen.datasets.meta.effective_range`).

        Examples
        --------
        >>> cat = Catalogue.bundled()
        >>> view = cat.with_factors({"energy-ccs-cost": 1.2})
        >>> a, b = cat.frame("energy-ccs-cost")["value"], view.frame("energy-ccs-cost")["value"]
        >>> bool(((b / a).round(9) == 1.2).all())
        True
        """
        view = copy.copy(self)
        view._changed = dict(self._changed)
        view._factors = tuple(sorted((*self._factors, *((n, float(f)) for n, f in
                                                          factors.items()))))
        for name, factor in sorted(factors.items()):
            base = self.get(name)
            rng = effective_range(base.meta)
            if rng is None:
                raise InputError(f"dataset '{name}' has no range and no estimate rows",
                                 fix="give it a range in its catalogue entry")
            frame = scale_by_range(base.frame, base.meta, rng, float(factor))
            view._changed[name] = Dataset(base.meta, frame, base.path, base.sha256, base.lines)
        return view

    def recording(self) -> Catalogue:
        """A view that records the names of the datasets read through it (:meth:`reads`)."""
        view = copy.copy(self)
        view._log = set()
        return view

    def reads(self) -> list[str]:
        """Datasets read through this recording view (and views made from it), sorted."""
        return sorted(self._log or ())

    def applied(self) -> list[AppliedOverride]:
        """What this view's overrides changed, in the order they were given."""
        return list(self._applied)

    def frame(self, name: str) -> pd.DataFrame:
        return self.get(name).frame

    def array(self, name: str) -> xr.DataArray:
        return self.get(name).to_xarray()

    def check(self, names: list[str] | None = None) -> list[InputError]:
        """Load every dataset (or those named); return all problems found (empty when clean)."""
        problems: list[InputError] = []
        for name in self.names() if names is None else names:
            try:
                self.get(name)
            except InputErrors as exc:
                problems.extend(exc.problems)
            except InputError as exc:
                problems.append(exc)
        try:  # the folders' commodity declarations (commodities.toml) too
            self.commodities()
        except InputErrors as exc:
            problems.extend(exc.problems)
        except InputError as exc:
            problems.append(exc)
        return problems

    def fingerprint(self) -> dict[str, str]:
        """Content hash of every dataset (file bytes and metadata), for run ids."""
        out = {}
        for name in self.names():
            meta = self.meta(name)
            h = hashlib.sha256()
            doc = meta.model_dump(exclude={"origin"})
            for key, unset in (("as_of", None), ("vintages", [])):
                if doc.get(key) == unset:  # entries without them hash as they did before
                    doc.pop(key, None)
            h.update(json.dumps(doc, sort_keys=True).encode())
            try:
                h.update(self.path(name).read_bytes())
            except OSError as exc:
                raise InputError(f"cannot read dataset file ({exc.strerror})",
                                 Location(str(self.path(name))),
                                 "add the CSV or remove its catalogue entry") from exc
            # a user folder's commodity declarations decide which datasets a stage reads:
            # they enter the hash of the folder's datasets (bundled: the package version)
            decl = self._dirs[name] / "commodities.toml"
            if meta.origin != "bundled" and decl.is_file():
                h.update(decl.read_bytes())
            # a view's changed dataset is other content: its overrides enter its hash
            # (stages key caches on the fingerprint, e.g. the energy baseline)
            touching = [o.model_dump(mode="json") for o in self._overrides if o.dataset == name]
            if touching:
                h.update(json.dumps(touching, sort_keys=True).encode())
            if self._as_of is not None:  # a vintage view reads other figures
                h.update(f"data_as_of={self._as_of}".encode())
            scaled = [f for n, f in self._factors if n == name]
            if scaled:
                h.update(json.dumps({"range_factors": scaled}).encode())
            out[name] = h.hexdigest()
        return out

    def files_fingerprint(self) -> dict[str, str]:
        """Content hash of every dataset file and entry, without this view's overrides.

        Nor ``data_as_of``: both are part of the study, hashed with it.
        """
        plain = not self._overrides and self._as_of is None and not self._factors
        return self.fingerprint() if plain else self.with_overrides([]).fingerprint()

    def listing(self) -> list[dict[str, Any]]:
        """One row of provenance per dataset (``shigen data list --json``, web catalogue)."""
        rows: list[dict[str, Any]] = []
        for name in self.names():
            m = self.meta(name)
            rows.append({"name": name, "title": m.title, "source": m.source, "url": m.url,
                         "edition": m.edition, "license": m.license, "status": m.status,
                         "unit": m.unit, "dimensions": m.dimensions, "origin": m.origin,
                         "range": _range_json(m)})
        return rows

    def describe(self, name: str) -> dict[str, object]:
        meta = self.meta(name)
        d = meta.model_dump()
        d["path"] = str(self.path(name))
        d["range"] = _range_json(meta)
        return d
