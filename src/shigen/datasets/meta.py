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
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from shigen.distributions import Distribution, Fixed

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

DEFAULT_SPREAD = 0.3
"""The stated default range of an estimate no source gives a range for: a factor 1 ± 0.3."""


class ValueRange(BaseModel):
    """How far a dataset's values may be off: a factor on them, and why that factor.

    ``factor`` is a distribution in the study-wide syntax (:mod:`shigen.distributions`),
    e.g. ``{ dist = "uniform", low = 0.7, high = 1.3 }``; an uncertainty run draws one
    factor per dataset and sample and multiplies the rows the range covers (``rows``:
    those whose status is ``estimate``, or ``all``). Values stay within the dataset's
    bounds, and shares that sum to one are renormalised after the draw.

    Examples
    --------
    >>> r = ValueRange(factor={"dist": "uniform", "low": 0.7, "high": 1.3},
    ...                reason="no source gives a range: default ±30% stated")
    >>> (r.low, r.high)
    (0.7, 1.3)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    factor: Distribution = Field(description="factor on the values ({ dist = ... } syntax)")
    reason: str = Field(min_length=1, max_length=2_000,
                        description="the source of the range, or that none gives one and "
                                    "the default stated")
    rows: Literal["estimate", "all"] = Field(
        default="estimate", description="rows the range covers: status estimate, or all")
    from_year: int | None = Field(
        default=None, ge=1900, le=2200,
        description="cover only rows of this year and later (earlier rows calibrate the "
                    "base year to recorded history)")
    sample: bool = Field(
        default=True, description="false: uncertainty runs do not draw this range unless "
                                  "named (the reason says why)")

    @field_validator("factor")
    @classmethod
    def _positive_spread(cls, v: Any) -> Any:
        if isinstance(v, Fixed):
            raise ValueError("a range needs a spread, not a fixed factor")
        low = getattr(v, "low", None)
        if low is not None and low < 0:
            raise ValueError("a factor on values cannot be negative (low < 0)")
        if getattr(v, "dist", "") == "normal":
            raise ValueError("a normal factor can turn values negative; use a triangular, "
                             "uniform or lognormal factor")
        return v

    @property
    def low(self) -> float:
        """The smallest factor (P0.5 of an unbounded lognormal)."""
        return _bounds(self.factor)[0]

    @property
    def high(self) -> float:
        """The largest factor (P99.5 of an unbounded lognormal)."""
        return _bounds(self.factor)[1]

    def describe(self) -> str:
        """``×0.7–1.3 (uniform)``, for tables."""
        years = f", years ≥ {self.from_year}" if self.from_year is not None else ""
        return f"×{self.low:.3g}–{self.high:.3g} ({self.factor.dist}{years})"


def effective_range(meta: DatasetMeta) -> ValueRange | None:
    """The dataset's range; for an ``estimate`` dataset without one, the stated default.

    A user's estimate dataset that gives no range is still sampled by uncertainty runs,
    with the default factor and a reason that says so.
    """
    if meta.range is not None:
        return meta.range
    if meta.status != "estimate":
        return None
    return ValueRange(factor={"dist": "uniform", "low": 1 - DEFAULT_SPREAD,  # type: ignore[arg-type]
                              "high": 1 + DEFAULT_SPREAD},
                      reason=f"the catalogue gives no range: default ±{DEFAULT_SPREAD:.0%} stated",
                      rows="all")


def _bounds(dist: Any) -> tuple[float, float]:
    if hasattr(dist, "low"):
        return float(dist.low), float(dist.high)
    import numpy as np

    from shigen.distributions import quantile

    lo, hi = quantile(dist, np.array([0.005, 0.995]))
    return float(lo), float(hi)


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
    # What an uncertainty run draws from, not what a single run reads: excluded from the
    # fingerprint like the invariants; an uncertainty run hashes the ranges it used itself.
    range: ValueRange | None = Field(default=None, exclude=True,
                                     description="how far the values may be off, and why")

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
