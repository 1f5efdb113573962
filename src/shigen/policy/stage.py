"""The ``policy`` stage: packages compared and ranked, with optional Sobol indices."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import xarray as xr

from shigen.policy.appraise import Comparison, Economics, compare, evaluator_for, sensitivity
from shigen.policy.config import PolicyConfig
from shigen.policy.executor import default_executor
from shigen.policy.sensitivity import SobolResult
from shigen.stages import StageSpec

if TYPE_CHECKING:
    from shigen.datasets import Catalogue
    from shigen.study import Study


def run(cfg: PolicyConfig, study: Study, cat: Catalogue,
        upstream: Mapping[str, xr.Dataset]) -> xr.Dataset:
    """Re-run the upstream stages for each package (same seed) and appraise the packages."""
    evaluator = evaluator_for(study, cat)
    evaluator.prime(upstream)  # the run's own results are the unchanged study's
    with default_executor() as ex:
        comp = compare(study, evaluator, ex)
        sob = sensitivity(study, evaluator, ex) if cfg.sensitivity is not None else None
    return appraisal_dataset(cfg, study, comp, sob)


def appraisal_dataset(cfg: PolicyConfig, study: Study, comp: Comparison,
                      sob: SobolResult | None) -> xr.Dataset:
    """The stage's dataset from a comparison and (optionally) Sobol indices."""
    crit = cfg.criteria
    coords = {"package": comp.packages, "criterion": comp.criteria}
    ds = xr.Dataset(
        {"criterion_value": (("package", "criterion"), comp.values,
                             {"units": "criterion unit (see criterion_unit)"}),
         "normalised": (("package", "criterion"), comp.normalised,
                        {"units": "1", "method": comp.method}),
         "score": (("package",), comp.score, {"units": "1", "method": comp.method}),
         "rank": (("package",), _ranks(comp.packages, comp.ranking), {"units": "1"}),
         "rank_stability": (("package",), comp.rank_stability, {"units": "fraction"})},
        coords={**coords,
                "criterion_unit": ("criterion", [c.unit for c in crit]),
                "criterion_path": ("criterion", [c.path for c in crit]),
                "criterion_sense": ("criterion", [c.sense for c in crit]),
                "criterion_weight": ("criterion", [c.weight for c in crit])})
    ds.attrs.update(method=comp.method, ranking_json=json.dumps(comp.ranking),
                    stability_samples=cfg.stability.samples, seed=study.study.seed)
    if comp.economics is not None:
        econ = _economics_dataset(comp.economics, comp.packages)
        ds = ds.merge(econ)
        ds.attrs.update(econ.attrs)  # merge keeps only the first dataset's attrs
    if sob is not None:
        ds = ds.merge(_sobol_dataset(sob, cfg))
        ds.attrs["sensitivity_package"] = cfg.sensitivity_package()
        ds.attrs["sensitivity_evaluations"] = sob.evaluations
    return ds


def _economics_dataset(e: Economics, packages: list[str]) -> xr.Dataset:
    """Cost–benefit by package and the rankings under other discount rates and odds."""
    r = e.result
    per_pkg = {"cb_cost": (r.cost, "USD", "discounted lever cost"),
               "cb_loss": (r.loss, "USD", "discounted expected economic loss"),
               "cb_incremental_cost": (r.incremental_cost, "USD",
                                       "discounted cost minus the reference package's"),
               "cb_benefit": (r.benefit, "USD",
                              "discounted fall in expected loss against the reference"),
               "cb_tail_benefit": (r.tail_benefit, "USD",
                                   "discounted fall in P95 annual loss against the reference"),
               "cb_npv": (r.npv, "USD", "benefit minus incremental cost"),
               "cb_bcr": (r.bcr, "1", "benefit / incremental cost (NaN if that is <= 0)"),
               "cb_expected_annual_loss": (e.loss, "USD/yr", "expected annual loss"),
               "cb_p95_annual_loss": (e.tail, "USD/yr", "sum of the markets' P95 annual loss")}
    ds = xr.Dataset({k: (("package",), v, {"units": u, "description": d})
                     for k, (v, u, d) in per_pkg.items()}, coords={"package": packages})
    ds["cb_cash_flow"] = xr.DataArray(e.flows, dims=("package", "cb_year"),
                                      coords={"package": packages, "cb_year": e.years},
                                      attrs={"units": "USD", "description": "lever cash flows"})
    ds["rank_by_discount_rate"] = xr.DataArray(
        np.array([_ranks(packages, e.rank_by_rate[k]) for k in e.rank_by_rate]),
        dims=("discount_rate", "package"),
        coords={"discount_rate": list(e.rank_by_rate), "package": packages},
        attrs={"units": "1"})
    ds["rank_by_probability_scale"] = xr.DataArray(
        np.array([_ranks(packages, e.rank_by_scale[k]) for k in e.rank_by_scale]),
        dims=("probability_scale", "package"),
        coords={"probability_scale": list(e.rank_by_scale), "package": packages},
        attrs={"units": "1"})
    ds.attrs.update(cb_reference=e.reference, cb_discount_rate=e.discount_rate)
    return ds


def _order(ranks: xr.DataArray) -> list[str]:
    return [str(p) for p in ranks.sortby(ranks).package.values]


def economics_summary(ds: xr.Dataset) -> dict[str, Any]:
    """``cost_benefit`` block of the summary: per package and the ranking alternatives."""
    def num(v: Any, nd: int = 0) -> float | None:
        return None if not np.isfinite(float(v)) else round(float(v), nd)

    return {
        "reference": ds.attrs.get("cb_reference"),
        "discount_rate": float(ds.attrs.get("cb_discount_rate", np.nan)),
        "currency": "USD",
        "packages": {str(p): {
            "discounted_cost_usd": num(ds["cb_cost"].sel(package=p)),
            "incremental_cost_usd": num(ds["cb_incremental_cost"].sel(package=p)),
            "expected_annual_loss_usd": num(ds["cb_expected_annual_loss"].sel(package=p)),
            "benefit_usd": num(ds["cb_benefit"].sel(package=p)),
            "tail_benefit_usd": num(ds["cb_tail_benefit"].sel(package=p)),
            "npv_usd": num(ds["cb_npv"].sel(package=p)),
            "bcr": num(ds["cb_bcr"].sel(package=p), 4)} for p in ds.package.values},
        "ranking_by_npv": [str(p) for p in ds["cb_npv"].sortby(
            -ds["cb_npv"]).package.values],
        "ranking_by_discount_rate": {
            str(float(r)): _order(ds["rank_by_discount_rate"].sel(discount_rate=r))
            for r in ds.discount_rate.values},
        "ranking_by_probability_scale": {
            str(float(k)): _order(ds["rank_by_probability_scale"].sel(probability_scale=k))
            for k in ds.probability_scale.values},
    }


def _ranks(packages: list[str], ranking: list[str]) -> np.ndarray:
    return np.array([ranking.index(p) + 1 for p in packages])


def _sobol_dataset(sob: SobolResult, cfg: PolicyConfig) -> xr.Dataset:
    dims = ("criterion", "parameter")
    out = xr.Dataset({k: (dims, getattr(sob, k), {"units": "1"})
                      for k in ("S1", "ST", "S1_conf", "ST_conf")},
                     coords={"criterion": sob.criteria, "parameter": sob.parameters,
                             "parameter_path": ("parameter", [p.target for p in cfg.uncertain])})
    return out.rename({k: f"sobol_{k}" for k in ("S1", "ST", "S1_conf", "ST_conf")})


def _r(v: Any) -> float:
    return round(float(v), 6)


def sobol_bars(ds: xr.Dataset) -> pd.DataFrame:
    """Tornado/bar figure data: per criterion, parameters by total index (largest first).

    Columns: ``criterion, parameter, S1, ST, S1_conf, ST_conf``.
    """
    if "sobol_ST" not in ds:
        return pd.DataFrame(columns=["criterion", "parameter", "S1", "ST", "S1_conf",
                                     "ST_conf"])
    cols = ["S1", "ST", "S1_conf", "ST_conf"]
    frame = xr.Dataset({k: ds[f"sobol_{k}"] for k in cols}).to_dataframe().reset_index()
    frame = frame[["criterion", "parameter", *cols]]
    order = {c: i for i, c in enumerate(ds.criterion.values.tolist())}
    frame["_c"] = frame["criterion"].map(order)
    frame = frame.sort_values(["_c", "ST"], ascending=[True, False], kind="stable")
    return frame.drop(columns="_c").reset_index(drop=True)


def summarize(ds: xr.Dataset) -> dict[str, Any]:
    """``ranking``, ``scores`` (package → criterion → value), ``rank_stability``, ``sobol``."""
    packages = [str(p) for p in ds.package.values]
    criteria = [str(c) for c in ds.criterion.values]
    out: dict[str, Any] = {
        "method": ds.attrs.get("method"),
        "ranking": json.loads(ds.attrs["ranking_json"]),
        "scores": {p: {c: _r(ds["criterion_value"].sel(package=p, criterion=c))
                       for c in criteria} for p in packages},
        "score": {p: _r(ds["score"].sel(package=p)) for p in packages},
        "rank_stability": {p: _r(ds["rank_stability"].sel(package=p)) for p in packages},
        "criteria": {c: {"path": str(ds["criterion_path"].sel(criterion=c).item()),
                         "sense": str(ds["criterion_sense"].sel(criterion=c).item()),
                         "weight": float(ds["criterion_weight"].sel(criterion=c)),
                         "unit": str(ds["criterion_unit"].sel(criterion=c).item())}
                     for c in criteria},
    }
    if "cb_npv" in ds:
        out["cost_benefit"] = economics_summary(ds)
    if "sobol_ST" in ds:
        params = [str(p) for p in ds.parameter.values]
        out["sobol"] = {c: {p: {"S1": _r(ds["sobol_S1"].sel(criterion=c, parameter=p)),
                                "ST": _r(ds["sobol_ST"].sel(criterion=c, parameter=p))}
                            for p in params} for c in criteria}
        out["sobol_bars"] = {c: [{k: (str(v) if k == "parameter" else _r(v))
                                  for k, v in row.items() if k != "criterion"}
                                 for row in grp.to_dict("records")]
                             for c, grp in sobol_bars(ds).groupby("criterion", sort=False)}
        out["sensitivity_package"] = ds.attrs.get("sensitivity_package")
        out["sensitivity_evaluations"] = int(ds.attrs.get("sensitivity_evaluations", 0))
    return out


def iamc(ds: xr.Dataset) -> pd.DataFrame:
    """IAMC rows, one scenario per package: each criterion's value, the score and the rank.

    Column ``scenario`` holds the package (the export makes it ``<study>|<package>``); the
    rows have no year, as the criteria summarise the horizon (the export puts them in the
    horizon's last year). Variables are ``shigen|Policy|...`` (docs/iamc.md).
    """
    crit = ds["criterion_value"].to_series().reset_index(name="value")
    units = dict(zip(ds.criterion.values.tolist(), ds["criterion_unit"].values.tolist(),
                     strict=True))
    crit["unit"] = crit["criterion"].map(units).astype(str)
    crit["variable"] = "shigen|Policy|Criterion|" + crit["criterion"].astype(str)
    frames = [crit]
    for var, name in (("score", "Score"), ("rank", "Rank")):
        s = ds[var].to_series().reset_index(name="value")
        s["variable"], s["unit"] = f"shigen|Policy|{name}", "1"
        frames.append(s)
    out = pd.concat(frames, ignore_index=True).rename(columns={"package": "scenario"})
    out["region"] = "World"
    out["year"] = np.nan
    return out[["region", "variable", "unit", "year", "value", "scenario"]]


STAGE = StageSpec(name="policy", title="Policy packages: appraisal and sensitivity", run=run,
                  summarize=summarize, iamc=iamc)
