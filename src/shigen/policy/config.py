"""The ``[policy]`` section of a study: packages, criteria, uncertain parameters."""

from __future__ import annotations

import re
import warnings
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictInt,
    StrictStr,
    field_validator,
    model_serializer,
    model_validator,
)

from shigen.distributions import Distribution, Fixed, LogNormal, Normal, Triangular, Uniform

NAME = r"^[a-z0-9][a-z0-9-]*$"
PATH = r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_=-]+)*$"


def check_path(path: str) -> str:
    """A dotted path a package may set: well formed, outside ``study`` and ``policy``."""
    if not re.match(PATH, path):
        raise ValueError(f"'{path}' is not a dotted path like 'section.field.sub'")
    head = path.split(".")[0]
    if head in {"policy", "study"}:
        raise ValueError(f"'{path}' cannot be overridden (the {head} section is the same "
                         "for every package and sample)")
    return path


def _check_paths(v: dict[str, Any]) -> dict[str, Any]:
    for path in v:
        check_path(path)
    return v


PathMap = Annotated[dict[str, Any], AfterValidator(_check_paths)]
PathItems = Annotated[dict[str, list[Any]], AfterValidator(_check_paths)]
"""Dotted study path → value (``PathMap``) or items to append (``PathItems``), every path
checked by :func:`check_path`."""


class Package(BaseModel):
    """A named policy package: overrides of study fields by dotted path.

    ``overrides = {"disruption.levers.stockpile.days" = 60}`` sets that field on a
    copy of the study; the copy is validated again with the study model.
    """

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=5_000)
    overrides: PathMap = Field(
        default_factory=dict,
        description="study field (dotted path, e.g. materials.recycling.collection_2030) "
                    "→ value for this package")
    append: PathItems = Field(
        default_factory=dict,
        description="list field (dotted path, e.g. disruption.levers) → items this package "
                    "adds to it (applied before the overrides)")



class Criterion(BaseModel):
    """One appraisal criterion, read from a stage's summary JSON by dotted path."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME)
    path: str = Field(pattern=PATH, description="e.g. disruption.rare-earths.JPN."
                      "expected_shortfall_t; list items by index or key=value")
    sense: Literal["min", "max"] = Field(description="min: less is better; max: more is better")
    weight: float = Field(gt=0, le=1e6, description="relative weight (normalised to sum 1)")
    unit: str = Field(default="", max_length=40)


# The parameters each distribution took in the old spelling (``distribution = "normal"``
# with ``mean``/``sd`` beside it in the [[policy.uncertain]] table).
_OLD_PARAMETERS = {"uniform": ("low", "high"), "normal": ("mean", "sd"),
                   "triangular": ("low", "mode", "high"), "lognormal": ("mean", "sd")}


def _toml_value(v: Any) -> str:
    return repr(v) if isinstance(v, int | float) and not isinstance(v, bool) else f'"{v}"'


def _from_old_spelling(data: dict[str, Any]) -> dict[str, Any]:
    """``distribution = "uniform"``, ``low``, ``high`` → ``distribution = {dist = "uniform", ...}``.

    Studies written before the one distribution syntax still validate, with a
    ``FutureWarning`` (shown to people running ``shigen``, unlike a DeprecationWarning)
    that gives the line to write instead.
    """
    kind = data["distribution"]
    if kind not in _OLD_PARAMETERS:
        return data  # the union's own error names the valid spellings
    out = {k: v for k, v in data.items() if k not in ("low", "high", "mode", "mean", "sd")}
    given = {k: data[k] for k in ("low", "high", "mode", "mean", "sd") if data.get(k) is not None}
    needed = _OLD_PARAMETERS[kind]
    missing = [k for k in needed if k not in given]
    if missing:
        raise ValueError(f"a {kind} distribution needs {', '.join(needed)}; "
                         f"missing {', '.join(missing)}")
    extra = [k for k in given if k not in needed]
    if extra:
        raise ValueError(f"a {kind} distribution does not take {', '.join(extra)}")
    if kind == "lognormal":  # the old parameters were those of the underlying normal
        mean = given["mean"]
        if not isinstance(mean, int | float) or isinstance(mean, bool):
            raise ValueError("mean must be a number")
        # np.exp, as scipy applied it to the old scale parameter: the same median bit for bit
        dist = {"dist": "lognormal", "median": float(np.exp(mean)), "sigma": given["sd"]}
    else:
        dist = {"dist": kind, **given}
    out["distribution"] = dist
    spelled = ", ".join(f"{k} = {_toml_value(v)}" for k, v in dist.items())
    warnings.warn(f"policy.uncertain '{data.get('name', '?')}': `distribution = \"{kind}\"` with "
                  f"{', '.join(needed)} beside it is deprecated; write "
                  f"`distribution = {{ {spelled} }}`", FutureWarning, stacklevel=2)
    return out


class Uncertain(BaseModel):
    """An uncertain study field, or dataset cells, and its distribution.

    A study field is named by ``path`` (dotted, as in a package's overrides). Dataset
    values are named by ``dataset`` and ``select`` (as in a ``[[data.override]]`` entry)
    and each draw becomes a data override of the sample: ``change = "value"`` sets the
    selected cells to the draw, ``change = "scale"`` multiplies them by it, e.g.::

        [[policy.uncertain]]
        name = "nuclear-capital-cost"
        dataset = "energy-capital-cost"
        select = { technology = "nuclear" }
        change = "scale"
        distribution = { dist = "uniform", low = 0.8, high = 1.3 }

    ``distribution`` is a distribution in the study-wide syntax of
    :mod:`shigen.distributions`, e.g. ``{ dist = "uniform", low = 30, high = 180 }``,
    ``{ dist = "normal", mean = 1, sd = 0.1 }``, ``{ dist = "triangular", low, mode, high }``
    or ``{ dist = "lognormal", median, sigma }``. ``integer = true`` rounds the draw
    (e.g. a number of days).
    """

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=NAME)
    path: str | None = Field(default=None, pattern=PATH,
                             description="study field (dotted path); or give dataset/select")
    dataset: str | None = Field(default=None, pattern=NAME,
                                description="dataset whose cells the draw sets or scales")
    select: dict[str, StrictStr | StrictInt | list[StrictStr | StrictInt]] = Field(
        default_factory=dict, description="dimension column → label(s) of the cells "
                                          "(with dataset; as in [[data.override]])")
    change: Literal["value", "scale"] = Field(
        default="value", description="with dataset: the draw is the cells' value, or a "
                                     "factor on their own value")
    distribution: Distribution
    integer: bool = False

    @model_validator(mode="before")
    @classmethod
    def _old_spelling(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("distribution"), str):
            return _from_old_spelling(data)
        return data

    @field_validator("path")
    @classmethod
    def _path(cls, v: str | None) -> str | None:
        return None if v is None else check_path(v)

    @model_validator(mode="after")
    def _one_target(self) -> Uncertain:
        if (self.path is None) == (self.dataset is None):
            raise ValueError("give either 'path' (a study field) or 'dataset' with 'select' "
                             "(dataset cells), not both or neither")
        if self.path is not None and (self.select or self.change != "value"):
            raise ValueError("'select' and 'change' go with 'dataset', not with 'path'")
        return self

    @model_serializer(mode="wrap")
    def _dump(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # a study-field parameter dumps as it did before dataset parameters existed, so
        # the study's canonical JSON (its run id) is unchanged
        out: dict[str, Any] = handler(self)
        if self.dataset is None:
            for key in ("dataset", "select", "change"):
                out.pop(key, None)
        return out

    @property
    def target(self) -> str:
        """What the parameter sets: its path, or ``data:dataset[dim=label,...]`` (labels)."""
        if self.path is not None:
            return self.path
        sel = ",".join(f"{k}={'|'.join(map(str, v)) if isinstance(v, list) else v}"
                       for k, v in self.select.items())
        return f"data:{self.dataset}[{sel}]" + (" (scale)" if self.change == "scale" else "")

    def data_override(self, draw: float) -> dict[str, Any]:
        """The ``[[data.override]]`` entry of one draw of a dataset parameter."""
        return {"dataset": self.dataset, "select": dict(self.select), self.change: draw,
                "reason": f"policy.uncertain '{self.name}'"}

    @field_validator("distribution")
    @classmethod
    def _spread(cls, v: Fixed | Uniform | Triangular | Normal | LogNormal) -> Any:
        # a parameter that cannot vary has no place in a sensitivity or ensemble design
        if isinstance(v, Fixed):
            raise ValueError("an uncertain parameter needs a distribution with a spread, "
                             "not a fixed value")
        if isinstance(v, Uniform | Triangular) and not v.low < v.high:
            raise ValueError("low must be less than high")
        return v


class Stability(BaseModel):
    """Rank stability: Dirichlet-sampled weight vectors (uniform on the simplex)."""

    model_config = ConfigDict(extra="forbid")

    samples: int = Field(default=4000, ge=10, le=1_000_000)


class CostBenefit(BaseModel):
    """Cost–benefit appraisal of packages (issue 15; docs/methods/economy.md).

    ``discount_rate`` discounts lever costs and expected losses (year 0 undiscounted);
    ``reference`` is the package the others are compared with (default: the first);
    ``discount_rates`` and ``probability_scales`` are the alternatives the report ranks
    the packages under.
    """

    model_config = ConfigDict(extra="forbid")

    discount_rate: float = Field(default=0.04, ge=0.0, le=0.3)
    reference: str | None = None
    discount_rates: list[float] = Field(default_factory=lambda: [0.0, 0.02, 0.04, 0.07],
                                        min_length=1)
    probability_scales: list[float] = Field(default_factory=lambda: [0.5, 1.0, 2.0],
                                            min_length=1)

    @field_validator("discount_rates")
    @classmethod
    def _rates(cls, v: list[float]) -> list[float]:
        if any(not 0.0 <= r <= 0.3 for r in v):
            raise ValueError(f"discount rates {v} must lie between 0 and 0.3")
        return v

    @field_validator("probability_scales")
    @classmethod
    def _scales(cls, v: list[float]) -> list[float]:
        if any(k <= 0 for k in v):
            raise ValueError(f"probability scales {v} must be positive")
        return v


class Sensitivity(BaseModel):
    """Sobol indices of each criterion to the uncertain parameters, for one package."""

    model_config = ConfigDict(extra="forbid")

    package: str | None = Field(default=None, description="default: the first package")
    samples: int = Field(default=64, ge=8, le=65_536,
                         description="Saltelli base sample N (a power of 2); "
                                     "N·(D+2) evaluations")

    overrides: PathMap = Field(
        default_factory=dict,
        description="extra overrides for the Sobol evaluations only (e.g. fewer Monte Carlo "
                    "draws per evaluation)")

    @field_validator("samples")
    @classmethod
    def _pow2(cls, v: int) -> int:
        if v & (v - 1):
            raise ValueError(f"{v} is not a power of 2 (Sobol sequences need one, e.g. 64)")
        return v


class Ensemble(BaseModel):
    """Defaults of ``shigen ensemble`` for this study."""

    model_config = ConfigDict(extra="forbid")

    samples: int = Field(default=200, ge=1, le=1_000_000)
    overrides: PathMap = Field(
        default_factory=dict,
        description="extra overrides for ensemble samples only (e.g. fewer Monte Carlo draws "
                    "per sample)")


class PolicyConfig(BaseModel):
    """Packages compared on criteria, ranked, with stability and optional sensitivity."""

    model_config = ConfigDict(extra="forbid")

    method: Literal["topsis", "weighted-sum"] = "topsis"
    packages: dict[str, Package] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    uncertain: list[Uncertain] = Field(default_factory=list)
    stability: Stability = Field(default_factory=Stability)
    sensitivity: Sensitivity | None = None
    ensemble: Ensemble = Field(default_factory=Ensemble)
    cost_benefit: CostBenefit = Field(default_factory=CostBenefit)

    @field_validator("packages")
    @classmethod
    def _names(cls, v: dict[str, Package]) -> dict[str, Package]:
        bad = [k for k in v if not re.match(NAME, k)]
        if bad:
            raise ValueError(f"package names {bad} must be lowercase-with-hyphens")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> PolicyConfig:
        names = [c.name for c in self.criteria]
        if len(set(names)) != len(names):
            raise ValueError(f"criterion names repeat: {names}")
        unames = [u.name for u in self.uncertain]
        if len(set(unames)) != len(unames):
            raise ValueError(f"uncertain parameter names repeat: {unames}")
        if self.sensitivity is not None:
            if not self.uncertain:
                raise ValueError("sensitivity needs at least one uncertain parameter "
                                 "(a policy.uncertain entry)")
            pkg = self.sensitivity.package
            if pkg is not None and pkg not in self.packages:
                raise ValueError(f"sensitivity.package '{pkg}' is not a declared package "
                                 f"({', '.join(self.packages)})")
        ref = self.cost_benefit.reference
        if ref is not None and ref not in self.packages:
            raise ValueError(f"cost_benefit.reference '{ref}' is not a declared package "
                             f"({', '.join(self.packages)})")
        return self

    def sensitivity_package(self) -> str:
        if self.sensitivity is not None and self.sensitivity.package:
            return self.sensitivity.package
        return next(iter(self.packages))


class UncertaintyConfig(BaseModel):
    """The ``[uncertainty]`` section: sample the datasets' ranges and report the spread.

    ``shigen run STUDY --uncertainty N`` sets ``samples``. Every dataset the study's stages
    read that has a range (``shigen data show NAME``) is one parameter; each sample draws
    one factor per dataset (Latin hypercube or scrambled Sobol points, seeded) and re-runs
    the stages that read a sampled dataset (docs/methods/uncertainty.md).
    """

    model_config = ConfigDict(extra="forbid")

    samples: int = Field(default=200, ge=4, le=100_000, description="number of samples")
    method: Literal["lhs", "sobol"] = Field(
        default="lhs", description="lhs: Latin hypercube; sobol: scrambled Sobol points")
    seed: int | None = Field(default=None, ge=0, le=2**32 - 1,
                             description="seed of the design (default: the study's seed)")
    datasets: list[str] | None = Field(
        default=None, description="sample only these datasets (default: every ranged "
                                  "dataset the stages read)")
    top: int = Field(default=10, ge=1, le=100,
                     description="influential datasets listed per headline figure")

    @field_validator("datasets")
    @classmethod
    def _names(cls, v: list[str] | None) -> list[str] | None:
        if v is not None:
            bad = [n for n in v if not re.match(NAME, n)]
            if bad:
                raise ValueError(f"dataset names {bad} must be lowercase-with-hyphens")
            if len(set(v)) != len(v):
                raise ValueError("dataset names repeat")
        return v
