"""A USGS-style assessment: year-long trade disruptions of every supplier, weighted by odds.

Mirrors the steps of USGS Open-File Report 2025-1047 where shigen has data: for each
disruption market of a study and each supplier in its supplier shares, a scenario cuts
that supplier's deliveries to the importer completely for one year (from the start of
the study's disruption horizon); the disruption stage computes the shortfall after
surge supply, stocks and the price response (elasticity, price cap) and the economy
values it (:func:`shigen.economy.market_impact`). A market the study puts in a world
market keeps that world market (its own commodity's only, with the importer as its one
member), so the importer bids against the rest of the world, other holders' stocks act,
and the cut re-sells the study's ``diversion`` share to third buyers: the USGS cuts
the imports from one supplier to the assessed country, a restriction aimed at one
buyer, exactly like the study's own targeted embargoes. Each scenario's loss is weighted by its
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

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from shigen.economy import data as edata
from shigen.economy.allocation import expected_allocation
from shigen.errors import InputError, Location
from shigen.stages import get_stage

if TYPE_CHECKING:
    import xarray as xr

    from shigen.datasets import Catalogue
    from shigen.study import Study

COUNTRY_COLUMNS = ("origin", "supplier", "exporter", "partner", "country")
NOT_A_SUPPLIER = {"OTHER", "WORLD"}
ALLOCATIONS = ("ghosh", "constrained")
# restrictions aimed at one buyer: what they withhold the supplier may re-sell elsewhere
TARGETED = {"embargo", "sanction"}


@dataclass(frozen=True)
class Scenario:
    commodity: str
    importer: str
    supplier: str
    share: float                 # the supplier's share of the importer's imports
    probability: float           # annual probability of the disruption
    probability_source: str      # "study event <name>" or "default (assumption)"
    loss_usd: float              # economic loss of the year-long disruption (mean over draws)
    shortfall_t: float
    top_industry: str = ""       # the industry that loses most value added
    diversion_source: str = "none"   # "study event <name>", "market events <names>", "none"
    choke_share: float = 0.0     # share of draws whose price reached the choke price

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

    def warnings(self) -> list[dict[str, Any]]:
        """A ``price-at-choke`` record (the run-warning fields) per scenario the cap priced."""
        return [{"code": "price-at-choke", "stage": "assess", "severity": "warning",
                 "message": f"with {s.supplier} cut, the price of {s.commodity} for "
                            f"{s.importer} reached its choke price in {s.choke_share:.1%} "
                            "of draws: the cap, not the market, set it there; the loss is "
                            "understated",
                 "where": {"commodity": s.commodity, "importer": s.importer,
                           "supplier": s.supplier, "share_of_draws": round(s.choke_share, 6)}}
                for s in self.scenarios if s.choke_share > 0]

    def to_json(self) -> dict[str, Any]:
        return {
            "importer": self.importer, "year": self.year, "currency": "USD",
            "allocation": self.allocation, "warnings": self.warnings(),
            "ranking": [{"commodity": c, "expected_loss_usd": round(v)}
                        for c, v in self.by_commodity()],
            "scenarios": [{"commodity": s.commodity, "supplier": s.supplier,
                           "share": round(s.share, 4), "probability": s.probability,
                           "probability_source": s.probability_source,
                           "shortfall_t": round(s.shortfall_t, 1),
                           "loss_usd": round(s.loss_usd),
                           "expected_loss_usd": round(s.expected_usd),
                           "top_industry": s.top_industry,
                           "diversion_source": s.diversion_source,
                           "share_of_draws_at_choke": round(s.choke_share, 6)}
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


def _targeted(e: Any) -> bool:
    return bool(e.kind in TARGETED or (e.kind == "quota-cut" and e.importer is not None))


def _diversion(events: list[Any], commodity: str, importer: str, supplier: str,
               where: str) -> tuple[Any, str]:
    """(diversion, its source) of the cut of ``supplier``'s deliveries to ``importer``.

    The study's targeted event on that supplier and market gives it (its ``diversion`` or
    none); else the targeted events of the market give it when they agree: the share
    re-sold is a property of the market (trade-diversion-share has one range per market
    type, not per supplier), so a cut of Belgium's germanium re-sells like China's.
    """
    mine = [e for e in events if _targeted(e) and e.commodity == commodity
            and e.importer == importer]
    own = next((e for e in mine if e.supplier == supplier), None)
    if own is not None:
        return own.diversion, (f"study event {own.name}" if own.diversion is not None
                               else "none")
    given = [e for e in mine if e.diversion is not None]
    if not given:
        return None, "none"
    if len({e.diversion.model_dump_json() for e in given}) > 1:
        raise InputError(f"the targeted events on {commodity} to {importer} give different "
                         f"diversions ({', '.join(e.name for e in given)}), so a cut of "
                         f"{supplier} has none to take", Location(field=where),
                         f"give every targeted event of the market the same 'diversion', or "
                         f"declare an event for {commodity} from {supplier} to {importer} "
                         "with its own")
    return given[0].diversion, "market events " + ", ".join(e.name for e in given)


def _scenario_config(dcfg: Any, m: Any, levers: list[Any], event: dict[str, Any],
                     year: int) -> Any:
    """The disruption section of one scenario: market ``m`` alone, one year, one cut.

    A world market of the market's commodity stays, with this importer as its only
    member (the study's other importers of it are part of the world demand it holds);
    world markets of other commodities and joint production (it links several element
    markets) go. Draws: one without a world market, where nothing is uncertain; the
    study's draws with one, over the ranges of its elasticities, other holders' stocks
    and the diversion.
    """
    world = [{**w.model_dump(), "importers": [m.importer]} for w in dcfg.world_markets
             if w.commodity == m.commodity and m.importer in w.importers]
    releases = [lv.model_dump() for lv in dcfg.levers
                if lv.kind == "stock-release" and lv.commodity == m.commodity and world]
    return type(dcfg).model_validate({
        **dcfg.model_dump(exclude={"events", "levers", "markets", "history", "world_markets",
                                   "joint_production"}),
        "start": year, "end": year, "draws": dcfg.draws if world else 1,
        "resolution": "month", "markets": [m.model_dump()], "events": [event],
        "levers": [lv.model_dump() for lv in levers] + releases, "world_markets": world})


def _choke_share(ds: xr.Dataset, commodity: str, importer: str) -> float:
    """Share of the scenario's draws whose price was set by the choke price."""
    for w in json.loads(ds.attrs.get("warnings", "[]")):
        where = w.get("where", {})
        if (w.get("code") == "price-at-choke" and where.get("commodity") == commodity
                and where.get("importer") == importer):
            return float(where["share_of_draws"])
    return 0.0


def _scenario_loss(ds: xr.Dataset, cat: Catalogue, commodity: str, importer: str,
                   allocation: str, where: str) -> tuple[float, float, str]:
    """(loss USD, shortfall t, industry losing most) of a one-year run, mean over draws."""
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
        by_draw = ds["shortfall_by_draw"].sel(sel).values * price
        alloc = expected_allocation(table, use, by_draw,
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
        # odds, which are weighted here), recycling fed by another stage and levers that
        # hold or deliver element markets (absent from a one-market scenario) do not
        levers = [lv for lv in dcfg.levers
                  if getattr(lv, "commodity", None) == m.commodity
                  and getattr(lv, "importer", None) == m.importer
                  and getattr(lv, "elements", None) is None
                  and lv.kind in {"stockpile", "diversification", "substitution",
                                  "demand-restraint"}]
        for supplier, share in sorted(shares.items()):
            if supplier in NOT_A_SUPPLIER or share < min_share:
                continue
            diversion, diverted = _diversion(dcfg.events, m.commodity, m.importer, supplier,
                                             f"disruption.markets.{j}")
            event = {"name": "assess", "kind": "embargo", "commodity": m.commodity,
                     "supplier": supplier, "importer": m.importer, "onset": float(year),
                     "duration_days": 365.0, "depth": 1.0,
                     **({} if diversion is None else {"diversion": diversion.model_dump()})}
            ds = stage.run(_scenario_config(dcfg, m, levers, event, year), study, cat, {})
            loss, short_t, top = _scenario_loss(ds, cat, m.commodity, m.importer, allocation,
                                                f"disruption.markets.{j}")
            p, src = _probability(dcfg.events, m.commodity, supplier, default_probability)
            scenarios.append(Scenario(m.commodity, m.importer, supplier, share, p, src,
                                      loss, short_t, top, diverted,
                                      _choke_share(ds, m.commodity, m.importer)))
    return Assessment("+".join(importers), year, scenarios, allocation)
