"""What the catalogue says about one dataset (the ``[datasets.<name>]`` table).

Apart from :mod:`shigen.datasets.catalogue` so that :mod:`shigen.datasets.validate`,
which reads a CSV as its metadata describes, needs no import of the catalogue.

Examples
--------
>>> from shigen.datasets.meta import DatasetMeta
>>> DatasetMeta(name="toy", title="Toy", file="toy.csv", source="me", edition="1",
...             license="CC0", unit="t", dimensions=["country"], status="estimate").unit
't'
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

NAME_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
Status = Literal["verified", "secondary", "estimate"]


class SumToOne(BaseModel):
    """Invariant: shares over one dimension sum to 1.

    Every group (each combination of the dataset's other dimensions) sums to 1 within
    ``tolerance``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["sum_to_one"]
    over: str = Field(min_length=1, description="the dimension the shares are spread over")
    tolerance: float = Field(default=0.01, gt=0, lt=1)


class CoversYears(BaseModel):
    """Invariant: every group has a row for each year from ``first`` to ``last``.

    A study that reads the dataset may then ask for any of those years (every ``step``
    years) in any group, and a revision that drops one is refused where it is loaded.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["covers_years"]
    over: str = Field(default="year", min_length=1, description="the year dimension")
    first: int = Field(ge=1800, le=2200)
    last: int = Field(ge=1800, le=2200)
    step: int = Field(default=1, ge=1, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> CoversYears:
        if self.first > self.last:
            raise ValueError(f"covers_years: first ({self.first}) is after last ({self.last})")
        return self

    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1, self.step))


Invariant = Annotated[SumToOne | CoversYears, Field(discriminator="kind")]


class DatasetMeta(BaseModel):
    """Metadata of one dataset: what it is, where its figures come from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=NAME_PATTERN)
    title: str = Field(min_length=1)
    file: str = Field(min_length=1, description="CSV file name, relative to the catalogue")
    source: str = Field(min_length=1, description="publication the figures come from")
    url: str | None = None
    edition: str = Field(min_length=1)
    license: str = Field(min_length=1)
    # before ``unit``: its validator reads the origin (bundled units are checked by the tests)
    origin: str = "bundled"
    unit: str = Field(min_length=1, description="canonical unit; rows are converted to it")
    dimensions: list[str] = Field(min_length=1)
    status: Status
    description: str = ""
    commodity: str | None = Field(default=None, pattern=NAME_PATTERN)
    min_value: float | None = 0.0
    max_value: float | None = None
    as_of: int | None = Field(
        default=None, ge=1800, le=2200,
        description="year the figures were known: publication year of a projection, "
                    "observation year of history (rows may give their own in an as_of column)")
    vintages: list[str] = Field(
        default_factory=list,
        description="datasets holding this one's figures as known earlier (each with its "
                    "own as_of); a study's data_as_of picks the latest known by then")
    # Checks, not content: excluded from dumps so the fingerprint (and run ids) move only
    # when a figure or its description does.
    invariants: list[Invariant] = Field(default_factory=list, exclude=True)

    @field_validator("dimensions")
    @classmethod
    def _dims_unique(cls, dims: list[str]) -> list[str]:
        reserved = {"value", "unit", "status", "note", "source"}
        for d in dims:
            if d in reserved:
                raise ValueError(f"'{d}' is a reserved column, not a dimension")
        if len(set(dims)) != len(dims):
            raise ValueError("dimension names must be unique")
        return dims

    @model_validator(mode="after")
    def _invariants_over_dimensions(self) -> DatasetMeta:
        for inv in self.invariants:
            if inv.over not in self.dimensions:
                raise ValueError(f"invariant {inv.kind} is over '{inv.over}', which is not one "
                                 f"of the dimensions {self.dimensions}")
        return self

    @field_validator("file")
    @classmethod
    def _file_inside(cls, file: str) -> str:
        p = PurePosixPath(file.replace("\\", "/"))
        if p.is_absolute() or ".." in p.parts or len(p.parts) != 1 or not file.endswith(".csv"):
            raise ValueError(f"file '{file}' must be a .csv file name in the catalogue's folder")
        return file

    @field_validator("unit")
    @classmethod
    def _unit_known(cls, unit: str, info: ValidationInfo) -> str:
        from shigen.datasets.units import AmbiguousUnit, parse, refuse_ambiguous

        try:
            refuse_ambiguous(unit)
        except AmbiguousUnit as exc:  # the catalogue's fix is generic; this one is specific
            raise ValueError(f"{exc}; {exc.fix}") from None
        # Parsing needs pint (~0.5 s at start-up); the bundled catalogue's units are parsed
        # by tests/datasets/test_units.py instead, a user's on every load.
        if info.data.get("origin") != "bundled":
            parse(unit)
        return unit
