"""The ``[energy]`` section of a study: regions, periods, policy constraints, baseline.

Everything a user declares about an energy pathway lives here and is validated once,
when the study loads. The model itself (:mod:`shigen.energy.model`) never sees raw TOML.

Examples
--------
>>> from shigen.energy.config import EnergyConfig
>>> cfg = EnergyConfig.model_validate({"regions": ["WORLD"], "co2_cap_vs_2005": {"2050": 0.5}})
>>> cfg.periods()[:3], cfg.co2_cap_vs_2005
([2005, 2010, 2015], {2050: 0.5})
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    computed_field,
    field_validator,
    model_validator,
)

from shigen.checks import known_names

TECHNOLOGIES = ("coal", "coal_ccs", "gas_ccgt", "gas_ccs", "oil", "nuclear", "hydro",
                "wind_onshore", "wind_offshore", "solar_pv", "csp", "biomass", "biomass_ccs",
                "geothermal", "storage")
VEHICLES = ("ice", "hybrid", "phev", "bev", "fcev")
SHARE_KINDS = ("nuclear_power", "renewables_power", "oil_primary", "fossil_primary",
               "transport_oil")
Solver = Literal["auto", "dual", "primal", "ipm"]
CO2Sector = Literal["power", "industry", "buildings", "transport", "other"]


class ShareTarget(BaseModel):
    """A share constraint, e.g. nuclear share of power >= 0.3 in 2030."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["nuclear_power", "renewables_power", "oil_primary", "fossil_primary",
                  "transport_oil"] = Field(description="which share: numerator and denominator")
    years: list[int] = Field(min_length=1, description="model years the share applies to")
    min: float | None = Field(default=None, ge=0, le=1)
    max: float | None = Field(default=None, ge=0, le=1)

    @model_validator(mode="after")
    def _bounds(self) -> ShareTarget:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


def known_technology(name: str) -> str:
    """``name`` if the model knows the technology, else the ValueError listing them."""
    if name not in TECHNOLOGIES:
        raise ValueError(f"unknown technology '{name}'; use one of {list(TECHNOLOGIES)}")
    return name


class CapacityBound(BaseModel):
    """Minimum and/or maximum installed capacity of a technology in given years."""

    model_config = ConfigDict(extra="forbid")

    technology: str
    years: list[int] = Field(min_length=1)
    min_gw: float | None = Field(default=None, ge=0)
    max_gw: float | None = Field(default=None, ge=0)

    @field_validator("technology")
    @classmethod
    def _tech(cls, v: str) -> str:
        return known_technology(v)

    @model_validator(mode="after")
    def _bounds(self) -> CapacityBound:
        if self.min_gw is None and self.max_gw is None:
            raise ValueError("give min_gw, max_gw or both")
        if self.min_gw is not None and self.max_gw is not None and self.min_gw > self.max_gw:
            raise ValueError(f"min_gw {self.min_gw} is above max_gw {self.max_gw}")
        return self


class Outage(BaseModel):
    """A fleet partly or wholly offline in chosen years (e.g. reactors stopped after an accident).

    The technology's availability in the region is multiplied by ``availability`` in those
    years: 0 takes the whole fleet offline, 0.3 leaves 30 % of it running.
    """

    model_config = ConfigDict(extra="forbid")

    region: str = Field(description="ISO3 code or WORLD; one of the study's regions")
    technology: str
    years: list[int] = Field(min_length=1, description="model years the outage covers")
    availability: float = Field(ge=0, le=1, description="fraction of the fleet available")

    @field_validator("technology")
    @classmethod
    def _tech(cls, v: str) -> str:
        return known_technology(v)


class RollingHorizon(BaseModel):
    """Limited foresight: the model sees ``window`` periods ahead and commits the first."""

    model_config = ConfigDict(extra="forbid")

    window: int = Field(ge=1, le=50, description="periods the model sees in each solve")


class IntensityTarget(BaseModel):
    """Primary energy per unit of GDP at least ``reduction`` below its base-year level."""

    model_config = ConfigDict(extra="forbid")

    year: int
    reduction: float = Field(gt=0, lt=1, description="e.g. 0.3 for 30% better than 2005")


# plausible upper bounds of each policy path: a value beyond them is a typo (1e300), and
# refusing it here saves the solver's long failure on a badly scaled model
_PATH_MAX = {
    "co2_price": (10_000.0, "USD/t CO2"),
    "co2_cap_vs_2005": (10.0, "times the base year's CO2"),
    "co2_cap_gt": (1_000.0, "Gt CO2"),
    "sector_co2_cap_vs_2005": (10.0, "times the sector's base-year CO2"),
}


def _year_path(v: dict[int, float], field: str = "co2_price") -> dict[int, float]:
    """A policy path (year -> value): at least one year, values in a plausible range, sorted."""
    if not v:
        raise ValueError("give at least one year = value")
    bad = [y for y, x in v.items() if x < 0]
    if bad:
        raise ValueError(f"negative values for years {bad}")
    top, unit = _PATH_MAX[field]
    huge = [y for y, x in v.items() if x > top]
    if huge:
        raise ValueError(f"values for years {huge} are beyond the plausible range "
                         f"0 to {top:g} ({unit})")
    return dict(sorted(v.items()))


class EnergyConfig(BaseModel):
    """Regions, periods and policies of a least-cost energy pathway."""

    model_config = ConfigDict(extra="forbid")

    regions: list[str] = Field(default_factory=lambda: ["WORLD"], min_length=1,
                               description="ISO3 codes or WORLD; data must exist for each")
    first_year: int = Field(default=2005, ge=1990, le=2100,
                            description="base year, calibrated to statistics")
    last_year: int = Field(default=2050, ge=1995, le=2150)
    step: int = Field(default=5, ge=1, le=10, description="years per period")
    baseline: str | None = Field(default=None, description="study file of the baseline, "
                                 "relative to this study (for additional cost)")
    co2_cap_vs_2005: dict[int, float] | None = Field(
        default=None, description="energy CO2 cap as a fraction of the base year, by year "
        "(linear between given years)")
    co2_cap_gt: dict[int, float] | None = Field(default=None,
                                                 description="energy CO2 cap in Gt, by year")
    co2_price: dict[int, float] | None = Field(default=None,
                                               description="carbon price in USD/t CO2, by year")
    sector_co2_cap_vs_2005: dict[CO2Sector, dict[int, float]] = Field(
        default_factory=dict, description="CO2 cap of one sector (power, industry, buildings, "
        "transport, other) as a fraction of its base-year CO2, by year (linear between given "
        "years), e.g. transport = { 2050 = 0.75 }")
    sector_co2_cap_from: int | None = Field(
        default=None, description="a year from which every sector cap follows a path: the "
        "sector's base-year CO2 (fraction 1.0) in that year, then linear to the first year "
        "given, so a 2050-only cap does not bind in 2050 alone (end-of-horizon jumps)")
    shares: list[ShareTarget] = Field(default_factory=list)
    capacity: list[CapacityBound] = Field(default_factory=list)
    energy_intensity: list[IntensityTarget] = Field(default_factory=list)
    banned: list[str] = Field(default_factory=list, description="technologies not built")
    efficiency_measures: bool = Field(
        default=True, description="offer the end-use efficiency cost curves; false for a "
        "baseline whose demand path already holds the trend's efficiency gains")
    build_limits: Literal["growth", "absolute"] = Field(
        default="growth", description="how new capacity per period is bounded: 'growth' "
        "(new capacity at most the previous period's grown at a rate, plus a start-up "
        "increment; datasets energy-growth-limit and energy-build-increment) or 'absolute' "
        "(GW per year, dataset energy-build-limit)")
    outage: list[Outage] = Field(default_factory=list, description="fleets offline in "
                                 "chosen years, e.g. region='JPN' technology='nuclear'")
    foresight: Literal["perfect"] | RollingHorizon = Field(
        default="perfect", description="'perfect' (one solve over all periods) or "
        "{ window = N } (rolling horizon: solve N periods at a time, fix the past)")
    currency: str | None = Field(
        default=None, pattern=r"^[A-Z]{3}$", description="ISO 4217 code of the study's "
        "currency (a currency of dataset exchange-rates, e.g. JPY): an outage's extra "
        "import bill is also reported in it")
    investment_reference: str | None = Field(
        default=None, description="a scenario of the dataset energy-investment-reference "
        "(e.g. 'etp2008-blue') whose published additional investment the run sets beside its "
        "own, line by line (needs a baseline)")
    solver: Solver = Field(default="auto", description="HiGHS algorithm; auto = the fastest "
                           "measured by benchmarks/bench_energy.py")

    _baseline_cfg: EnergyConfig | None = PrivateAttr(default=None)
    _baseline_digest: str | None = PrivateAttr(default=None)

    @field_validator("regions")
    @classmethod
    def _regions(cls, v: list[str]) -> list[str]:
        from shigen.datasets.validate import is_country

        bad = [r for r in v if not is_country(r) or r == "OTHER"]
        if bad:
            raise ValueError(f"{bad} are not ISO3 codes or WORLD")
        if len(set(v)) != len(v):
            raise ValueError("regions must not repeat")
        return v

    @field_validator("foresight", mode="before")
    @classmethod
    def _foresight(cls, v: object) -> object:
        """One message for a bad value (the union would report each of its members)."""
        if v == "perfect" or isinstance(v, RollingHorizon):
            return v
        if isinstance(v, dict) and set(v) == {"window"}:
            w = v["window"]
            if isinstance(w, int) and not isinstance(w, bool) and 1 <= w <= 50:
                return RollingHorizon(window=w)
            raise ValueError(f"window must be a whole number of periods from 1 to 50, not {w!r}")
        raise ValueError(f"foresight is \"perfect\" or {{ window = N }} (N periods seen per "
                         f"solve), not {v!r}")

    @field_validator("banned")
    @classmethod
    def _banned(cls, v: list[str]) -> list[str]:
        return known_names(v, TECHNOLOGIES, "technologies", unique=False)

    @field_validator("co2_cap_vs_2005", "co2_cap_gt", "co2_price")
    @classmethod
    def _paths(cls, v: dict[int, float] | None,
               info: ValidationInfo) -> dict[int, float] | None:
        return None if v is None else _year_path(v, str(info.field_name))

    @field_validator("sector_co2_cap_vs_2005")
    @classmethod
    def _sector_paths(cls, v: dict[str, dict[int, float]]) -> dict[str, dict[int, float]]:
        return {k: _year_path(path, "sector_co2_cap_vs_2005") for k, path in v.items()}

    @model_validator(mode="after")
    def _consistent(self) -> EnergyConfig:
        if self.last_year <= self.first_year:
            raise ValueError("last_year must be after first_year")
        if (self.last_year - self.first_year) % self.step:
            raise ValueError("last_year - first_year must be a multiple of step")
        if self.co2_cap_vs_2005 is not None and self.co2_cap_gt is not None:
            raise ValueError("give co2_cap_vs_2005 or co2_cap_gt, not both")
        periods = set(self.periods())
        years = [y for s in self.shares for y in s.years] + [
            y for c in self.capacity for y in c.years] + [t.year for t in self.energy_intensity] + [
            y for o in self.outage for y in o.years]
        for path in (self.co2_cap_vs_2005, self.co2_cap_gt, self.co2_price,
                     *self.sector_co2_cap_vs_2005.values()):
            years += list(path or {})
        if self.sector_co2_cap_from is not None:
            years.append(self.sector_co2_cap_from)
            late = [s for s, path in self.sector_co2_cap_vs_2005.items()
                    if min(path) <= self.sector_co2_cap_from]
            if late:
                raise ValueError(f"sector_co2_cap_from {self.sector_co2_cap_from} must be "
                                 f"before the first year of the caps of {late}")
        bad = sorted({y for y in years if y not in periods})
        if bad:
            raise ValueError(f"years {bad} are not model periods {sorted(periods)}")
        stray = sorted({o.region for o in self.outage} - set(self.regions))
        if stray:
            raise ValueError(f"outage regions {stray} are not among the study's regions "
                             f"{self.regions}")
        if any(self.first_year in o.years for o in self.outage):
            raise ValueError(f"an outage cannot cover the base year {self.first_year}, "
                             "which is calibrated to statistics")
        if self.investment_reference is not None and self.baseline is None:
            raise ValueError("investment_reference compares additional investment, which needs "
                             "a baseline: name one (baseline = \"...toml\") or remove it")
        return self

    def attach_baseline(self, baseline: EnergyConfig) -> None:
        """Keep the baseline study's energy section; its digest enters this section's JSON.

        The study loader reads the baseline file (:func:`shigen.study.resolve_baseline`),
        so this model stays free of file access.
        """
        self._baseline_cfg = baseline
        self._baseline_digest = hashlib.sha256(
            baseline.model_dump_json().encode()).hexdigest()[:16]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def baseline_digest(self) -> str | None:
        """Hash of the baseline's energy section, so a changed baseline changes the run id."""
        return self._baseline_digest

    @property
    def baseline_config(self) -> EnergyConfig | None:
        """The baseline study's energy section, loaded with this study by the study loader."""
        return self._baseline_cfg

    def sector_cap_path(self, sector: str) -> dict[int, float]:
        """A sector's cap path, starting at 1.0 in ``sector_co2_cap_from`` when it is set."""
        path = dict(self.sector_co2_cap_vs_2005[sector])  # type: ignore[index]
        if self.sector_co2_cap_from is not None:
            path = {self.sector_co2_cap_from: 1.0, **path}
        return path

    def periods(self) -> list[int]:
        """Model years: first_year, first_year + step, ..., last_year."""
        return list(range(self.first_year, self.last_year + 1, self.step))
