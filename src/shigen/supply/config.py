"""The ``[supply]`` section of a study."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator


class SupplyConfig(BaseModel):
    """Which commodities, importer and years the supply stage analyses."""

    model_config = ConfigDict(extra="forbid")

    commodities: list[str] = Field(min_length=1, description="e.g. rare-earths, uranium")
    importer: str | None = Field(default=None, pattern=r"^[A-Z]{3}$",
                                 description="ISO 3166-1 alpha-3 code of the importer")
    years: list[int] = Field(min_length=1, description="years to analyse")
    interdependence: list[tuple[str, str]] = Field(
        default_factory=list,
        description="country pairs for bilateral measures, e.g. [[\"JPN\", \"CHN\"]]")

    @field_validator("commodities")
    @classmethod
    def _names(cls, v: list[str]) -> list[str]:
        # whether a name is declared depends on the data folders (bundled and --data), so
        # the stage checks it against the catalogue; here only the form and repeats
        bad = [c for c in v if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", c)]
        if bad:
            raise ValueError(f"commodity name {bad[0]!r} is not lowercase-with-hyphens "
                             "(e.g. rare-earths, cobalt)")
        twice = sorted({c for c in v if v.count(c) > 1})
        if twice:
            raise ValueError(f"commodities must not repeat: {twice[0]!r} is listed twice")
        return v

    @field_validator("years")
    @classmethod
    def _years(cls, v: list[int]) -> list[int]:
        bad = [y for y in v if not 1900 <= y <= 2100]
        if bad:
            raise ValueError(f"years {bad} are outside 1900-2100")
        return sorted(set(v))

    @field_validator("importer")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        from shigen.datasets.validate import is_country

        if v is not None and not is_country(v):
            raise ValueError(f"'{v}' is not an ISO 3166-1 alpha-3 country code")
        return v

    @field_validator("interdependence")
    @classmethod
    def _pairs(cls, v: list[tuple[str, str]]) -> list[tuple[str, str]]:
        from shigen.datasets.validate import iso3_codes

        for a, b in v:
            bad = [c for c in (a, b) if c not in iso3_codes()]
            if bad:
                raise ValueError(f"{bad} not ISO 3166-1 alpha-3 country codes")
            if a == b:
                raise ValueError(f"pair [{a}, {b}] names the same country twice")
        return v
