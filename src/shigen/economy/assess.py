"""A USGS-style assessment: year-long trade disruptions of every supplier, weighted by odds.

Mirrors the steps of USGS Open-File Report 2025-1047 where shigen has data: for each
disruption market of a study and each supplier in its supplier shares, a scenario cuts
that supplier's deliveries to the importer completely for one year (from the start of
the study's disruption horizon); the disruption stage computes the shortfall after
surge supply, stocks and the price response (elasticity, price cap) and the economy
values it (:func:`shigen.economy.market_impact`); each scenario's loss is weighted by its
annual probability (the study's event for that commodity and supplier, else a stated
default), and commodities are ranked by expected loss. The loss of a scenario is valued
by the value-proportional Ghosh model (``allocation="ghosh"``) or by the USGS-style
constrained allocation, its no-substitution bound (``allocation="constrained"``,
:mod:`shigen.economy.allocation`); the price effect on the supply still received is added
to both. Differences from the USGS method (docs/methods/economy.md): a linear programme
over the table's industries (71 for the United States, 13 for Japan) instead of a
nonlinear optimisation over 402, no gains of domestic producers, no spare capacity unless
the study gives a surge share, and probabilities that are assumptions unless the study
gives them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from shigen.economy import data as edata
from shigen.economy.allocation import constrained_allocation
from shigen.errors import InputError, Location
from shigen.stages import get_stage

if TYPE_CHECKING:
    import xarray as xr

    from shigen.datasets import Catalogue
    from shigen.study import Study

COUNTRY_COLUMNS = ("origin", "supplier", "exporter", "partner", "country")
NOT_A_SUPPLIER = {"OTHER", "WORLD"}
ALLOCATIONS = ("ghosh", "constrained")


@dataclass(frozen=True)
class Scenario:
    commodity: str
    importer: str
    supplier: str
    share: float                 # the supplier's share of the importer's imports
    probability: float           # annual probability of the disruption
    probability_source: str      # "study event <name>" or "default (assumption)"
    loss_usd: float              # economic loss of the year-long disruption
    shortfall_t: float
    top_industry: str = ""       # the industry that loses most value added

    @property
    def expected_usd(self) -> float:
        return self.probability * self.loss_usd


@dataclass(frozen=True)
class Assessment:
    importer: str
    year: int
    scenarios: list[Scenario]
    allocation: str = "ghosh"

    def by_commodity(self) -> list[tuple[str, float]]:
        """Commodities by probability-weighted loss, largest first."""
        total: dict[str, float] = {}
        for s in self.scenarios:
            total[s.commodity] = total.get(s.commodity, 0.0) + s.expected_usd
        return sorted(total.items(), key=lambda kv: -kv[1])

    def to_json(self) -> dict[str, Any]:
        return {
            "importer": self.importer, "year": self.year, "currency": "USD",
            "allocation": self.allocation,
            "ranking": [{"commodity": c, "expected_loss_usd": round(v)}
                        for c, v in self.by_commodity()],
            "scenarios": [{"commodity": s.commodity, "supplier": s.supplier,
                           "share": round(s.share, 4), "probability": s.probability,
                           "probability_source": s.probability_source,
                           "shortfall_t": round(s.shortfall_t, 1),
                           "loss_usd": round(s.loss_usd),
                           "expected_loss_usd": round(s.expected_usd),
                           "top_industry": s.top_industry}
                          for s in self.scenarios],
        }


def _supplier_shares(cat: Catalogue, ref: Any, field: str) -> dict[str, float]:
    frame = cat.frame(ref.dataset)
    for k, v in ref.select.items():
        frame = frame[frame[k].astype(str) == str(v)]
    col = next((c for c in COUNTRY_COLUMNS if c in frame.columns), None)
    if col is None or frame.empty:
        raise InputError(f"no supplier rows in dataset '{ref.dataset}' for {dict(ref.select)}",
                         Location(field=field), "select rows with a supplier column "
                         f"({', '.join(COUNTRY_COLUMNS)})")
    shares = frame.groupby(col)["value"].sum()
    total = float(shares.sum())
    return {str(k): float(v) / total for k, v in shares.items() if total > 0}


def _probability(study_events: list[Any], commodity: str, supplier: str,
                 default: float) -> tuple[float, str]:
    for e in study_events:
        if (e.commodity == commodity and e.supplier == supplier
                and e.annual_probability is not None):
            return float(e.annual_probability), f"study event {e.name}"
    return default, "default (assumption)"


def _scenario_loss(ds: xr.Dataset, cat: Catalogue, commodity: str, importer: str,
                   allocation: str, where: str) -> tuple[float, float, str]:
    """(loss USD, shortfall t, industry losing most) of a one-draw, one-year run."""
    sel = {"commodity": commodity, "importer": importer}
    if "econ_loss_by_draw" not in ds or not np.isfinite(
            ds["econ_loss_by_draw"].sel(sel).values).all():
        raise InputError(f"{commodity} imports to {importer} cannot be valued: no "
                         f"input-output table io-table-{importer.lower()} or no unit value",
                         Location(field=where), "add the importer's table and entry shares "
                         "(io-table-xxx, io-entry-xxx) and a row of import-unit-values in a "
                         "--data folder (docs/methods/economy.md)")
    short_t = float(ds["expected_shortfall"].sel(sel))
    by_industry = ds["econ_industry_loss"].sel(sel).to_series().dropna()
    if allocation == "ghosh":
        loss = float(ds["econ_loss_by_draw"].sel(sel).mean())
    else:
        table = edata.load_table(cat, importer)
        price = float(ds["econ_unit_value"].sel(sel))
        demand_t = float(ds["demand"].sel(sel).mean())
        use = edata.entry_shares(cat, importer, commodity, table) * demand_t * price
        alloc = constrained_allocation(table, use, short_t * price,
                                       edata.dependent_shares(cat, importer, commodity, table))
        loss = alloc.total + float(ds["econ_price_cost"].sel(sel))
        by_industry = pd.Series(alloc.value_added_loss, index=alloc.industries)
    top = str(by_industry.idxmax()) if by_industry.max() > 0 else ""
    return loss, short_t, top


def assess(study: Study, cat: Catalogue, default_probability: float = 0.02,
           min_share: float = 0.01, allocation: str = "ghosh") -> Assessment:
    """Run the year-long disruption of every supplier of every market of ``study``."""
    if allocation not in ALLOCATIONS:
        raise InputError(f"allocation '{allocation}' is not one of {', '.join(ALLOCATIONS)}",
                         Location(field="--allocation"), "use ghosh (value-proportional) or "
                         "constrained (USGS-style, no substitution)")
    dcfg = getattr(study, "disruption", None)
    if dcfg is None or not dcfg.markets:
        raise InputError("the study has no disruption markets to assess",
                         Location(field="disruption.markets"),
                         "declare [[disruption.markets]] with demand and suppliers")
    stage = get_stage("disruption")
    year = int(dcfg.start)
    importers = sorted({m.importer for m in dcfg.markets})
    scenarios = []
    for j, m in enumerate(dcfg.markets):
        shares = _supplier_shares(cat, m.suppliers, f"disruption.markets.{j}.suppliers")
        # the market's own stock and diversification levers act; agreements (they change
        # odds, which are weighted here) and recycling fed by another stage do not
        levers = [lv for lv in dcfg.levers
                  if getattr(lv, "commodity", None) == m.commodity
                  and getattr(lv, "importer", None) == m.importer
                  and lv.kind in {"stockpile", "diversification", "substitution",
                                  "demand-restraint"}]
        for supplier, share in sorted(shares.items()):
            if supplier in NOT_A_SUPPLIER or share < min_share:
                continue
            event = {"name": "assess", "kind": "embargo", "commodity": m.commodity,
                     "supplier": supplier, "importer": m.importer, "onset": float(year),
                     "duration_days": 365.0, "depth": 1.0}
            cfg = type(dcfg).model_validate({
                **dcfg.model_dump(exclude={"events", "levers", "markets", "history"}),
                "start": year, "end": year, "draws": 1, "resolution": "month",
                "markets": [m.model_dump()], "events": [event],
                "levers": [lv.model_dump() for lv in levers]})
            ds = stage.run(cfg, study, cat, {})
            loss, short_t, top = _scenario_loss(ds, cat, m.commodity, m.importer, allocation,
                                                f"disruption.markets.{j}")
            p, src = _probability(dcfg.events, m.commodity, supplier, default_probability)
            scenarios.append(Scenario(m.commodity, m.importer, supplier, share, p, src,
                                      loss, short_t, top))
    return Assessment("+".join(importers), year, scenarios, allocation)
