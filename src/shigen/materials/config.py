"""The ``[materials]`` section of a study.

Deployment comes from the energy stage (``from_energy`` maps its technologies to
products) and/or from trajectories (``[[materials.deployment]]``: sales or stock of
a product in a region, given at some years and interpolated linearly). End-of-life
rates are trajectories too (e.g. collection 1% in 2009 rising to 30% by 2030).

Example:
-------
>>> cfg = MaterialsConfig.model_validate({
...     "start_year": 2000, "end_year": 2030,
...     "deployment": [{"product": "ev-traction-motor", "region": "JPN",
...                     "values": {2000: 0, 2030: 1000}}]})
>>> cfg.elements
['neodymium', 'praseodymium', 'dysprosium', 'terbium']
"""

from __future__ import annotations

from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from shigen.checks import known_names
from shigen.materials.registry import DEPOSITS, MAGNET_ELEMENTS, RARE_EARTHS, products

Trajectory = dict[int, float]


def _check_trajectory(v: Trajectory, *, share: bool) -> Trajectory:
    if not v:
        raise ValueError("give at least one year = value pair")
    for year, value in v.items():
        if not 1900 <= year <= 2200:
            raise ValueError(f"year {year} is outside 1900-2200")
        if value != value or value < 0:
            raise ValueError(f"value {value} for {year} must be a number >= 0")
        if share and value > 1:
            raise ValueError(f"value {value} for {year} is a share and must be <= 1")
    return dict(sorted(v.items()))


def _known_product(name: str) -> str:
    if name not in products():
        raise ValueError(f"unknown product '{name}'; available: {sorted(products())}")
    return name


class Deployment(BaseModel):
    """Sales (``kind = "inflow"``) or in-use stock (``kind = "stock"``) of a product."""

    model_config = ConfigDict(extra="forbid")

    product: str = Field(description="a product of shigen/materials/products.toml")
    region: str = Field(default="WORLD", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    kind: Literal["inflow", "stock"] = "inflow"
    values: Trajectory = Field(description="year = units (vehicles, MW or devices) per year "
                                           "(inflow) or in use (stock); linear in between")
    source: str = Field(default="", description="where the trajectory comes from")

    @field_validator("product")
    @classmethod
    def _product(cls, v: str) -> str:
        return _known_product(v)

    @field_validator("values")
    @classmethod
    def _values(cls, v: Trajectory) -> Trajectory:
        return _check_trajectory(v, share=False)


class LifetimeOverride(BaseModel):
    """A study's own lifetime for a product (years)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["fixed", "normal", "lognormal", "weibull"]
    mean: float | None = Field(default=None, gt=0, le=500)
    std: float | None = Field(default=None, gt=0, le=500)
    shape: float | None = Field(default=None, gt=0, le=100)
    scale: float | None = Field(default=None, gt=0, le=500)

    @model_validator(mode="after")
    def _params(self) -> LifetimeOverride:
        need = {"fixed": ("mean",), "normal": ("mean", "std"), "lognormal": ("mean", "std"),
                "weibull": ("shape", "scale")}[self.kind]
        missing = [p for p in need if getattr(self, p) is None]
        if missing:
            raise ValueError(f"a {self.kind} lifetime needs {missing}")
        return self


class Recycling(BaseModel):
    """End-of-life yields as trajectories (shares, linear between years, flat outside)."""

    model_config = ConfigDict(extra="forbid")

    collection: Trajectory = Field(default_factory=lambda: {2000: 0.0},
                                   description="share of end-of-life products collected")
    preprocessing: Trajectory = Field(default_factory=lambda: {2000: 1.0},
                                      description="share of collected magnet material that "
                                                  "survives dismantling/pre-processing")
    recovery: Trajectory = Field(default_factory=lambda: {2000: 1.0},
                                 description="share of pre-processed element recovered")

    @field_validator("collection", "preprocessing", "recovery")
    @classmethod
    def _shares(cls, v: Trajectory) -> Trajectory:
        return _check_trajectory(v, share=True)


class Mining(BaseModel):
    """Where primary rare earths come from: the mix of deposit types (shares of REO mined)."""

    model_config = ConfigDict(extra="forbid")

    deposit_mix: dict[str, float] = Field(description="deposit type = share of REO mined")
    sized_by: str = Field(default="max", description="element whose primary demand sets the "
                                                     "tonnage mined, or 'max' (no shortage)")

    @field_validator("deposit_mix")
    @classmethod
    def _mix(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k in v if k not in DEPOSITS]
        if bad:
            raise ValueError(f"unknown deposit type {bad}; available: {list(DEPOSITS)}")
        if any(x < 0 for x in v.values()) or abs(sum(v.values()) - 1.0) > 1e-6:
            raise ValueError(f"shares must be >= 0 and sum to 1 (they sum to {sum(v.values()):g})")
        return v

    @field_validator("sized_by")
    @classmethod
    def _sized_by(cls, v: str) -> str:
        if v != "max" and v not in RARE_EARTHS:
            raise ValueError(f"'{v}' is neither 'max' nor a rare earth {list(RARE_EARTHS)}")
        return v


class EndUses(BaseModel):
    """Rare-earth demand from the uses the energy pathway does not deploy (world, t REO/yr)."""

    model_config = ConfigDict(extra="forbid")

    uses: list[str] = Field(default_factory=list,
                            description="end uses of dataset `ree-end-use-demand` (empty: all)")
    bound: Literal["central", "low", "high"] = Field(
        default="central", description="which bound of the demand estimates to use")
    region: str = Field(default="WORLD", pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$",
                        description="WORLD, or JPN: the world's uses scaled to Japan's "
                                    "sourced total demand (`japan-ree-demand`)")


class MaterialsConfig(BaseModel):
    """Deployment → element demand → in-use stock → end of life → recycling → mining."""

    model_config = ConfigDict(extra="forbid")

    start_year: int = Field(ge=1900, le=2200, description="first year of the cohort model")
    end_year: int = Field(ge=1900, le=2200, description="last year")
    elements: list[str] = Field(
        default_factory=lambda: ["neodymium", "praseodymium", "dysprosium", "terbium"],
        min_length=1, description="magnet elements to report")
    deployment: list[Deployment] = Field(default_factory=list)
    from_energy: dict[str, dict[str, float]] = Field(
        default_factory=dict,
        description="energy technology = {product = share of its additions}")
    lifetimes: dict[str, LifetimeOverride] = Field(default_factory=dict)
    recycling: Recycling = Field(default_factory=Recycling)
    mining: Mining | None = None
    end_uses: EndUses | None = Field(
        default=None, description="add demand from catalysts, polishing, glass, metallurgy, "
                                  "batteries, phosphors, ceramics and non-energy magnets")
    energy_basis: Literal["stock", "additions"] = Field(
        default="stock",
        description="deploy from the energy stage's in-use stocks (new plus replacements, "
                    "annual) or from its additions per period (the pre-2026-12 behaviour)")
    thrifting: bool = Field(
        default=True,
        description="follow the Dy-thrifting path of `ndfeb-composition` (else its first year)")
    inflow_at: Literal["start", "middle", "end"] = "middle"
    draws: int = Field(default=0, ge=0, le=10_000,
                       description="Monte Carlo draws over intensity ranges (0: central only)")
    sankey_year: int | None = Field(default=None, ge=1900, le=2200)

    @field_validator("elements")
    @classmethod
    def _elements(cls, v: list[str]) -> list[str]:
        return known_names(v, MAGNET_ELEMENTS, "elements")

    @field_validator("deployment")
    @classmethod
    def _covered(cls, v: list[Deployment], info: ValidationInfo) -> list[Deployment]:
        start, end = info.data.get("start_year"), info.data.get("end_year")
        for i, d in enumerate(v):
            first, last = min(d.values), max(d.values)
            if start is not None and end is not None and (first > start or last < end):
                raise ValueError(
                    f"trajectory {i} ({d.product}, {d.region}) covers {first}-{last} but the "
                    f"model runs {start}-{end}; give values for {start} and {end}")
        return v

    @field_validator("lifetimes")
    @classmethod
    def _lifetime_products(cls, v: dict[str, LifetimeOverride]) -> dict[str, LifetimeOverride]:
        for k in v:
            _known_product(k)
        return v

    @field_validator("from_energy")
    @classmethod
    def _from_energy(cls, v: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
        for tech, split in v.items():
            for p, share in split.items():
                _known_product(p)
                if not 0 <= share <= 1:
                    raise ValueError(f"share {share} of {tech} going to {p} must be in [0, 1]")
            if sum(split.values()) > 1 + 1e-9:
                raise ValueError(f"shares of {tech} sum to {sum(split.values()):g} > 1")
        return v

    @model_validator(mode="after")
    def _years(self) -> MaterialsConfig:
        if self.end_year <= self.start_year:
            raise ValueError(f"end_year {self.end_year} must be after start_year {self.start_year}")
        if self.end_year - self.start_year > 400:
            raise ValueError("the cohort model spans at most 400 years")
        year = self.sankey_year
        if year is not None and not self.start_year <= year <= self.end_year:
            raise ValueError(f"sankey_year {self.sankey_year} is outside "
                             f"{self.start_year}-{self.end_year}")
        if not self.deployment and not self.from_energy:
            raise ValueError("no deployment: add materials.deployment trajectories or map "
                             "energy technologies to products in materials.from_energy")
        if self.mining and self.mining.sized_by not in ("max", *self.elements):
            raise ValueError(f"mining is sized by {self.mining.sized_by}, which is not among "
                             f"the elements {self.elements}; add it or use sized_by = \"max\"")
        seen = set()
        for d in self.deployment:
            key = (d.product, d.region)
            if key in seen:
                raise ValueError(f"two deployment trajectories for {d.product} in {d.region}")
            seen.add(key)
        return self
