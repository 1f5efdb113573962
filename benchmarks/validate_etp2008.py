"""Our ETP 2008 studies beside the figures of IEA Energy Technology Perspectives 2008.

Runs studies/etp2008-baseline.toml, -act.toml and -blue.toml in-process with the data
each study reads (its overrides and its ``data_as_of`` = 2008 vintage), prints each figure
beside ETP 2008's (shared/reference/energy_models.md section 1, with its status) and
writes the table into docs/validation.md under ``## energy``. Target: within +/-25%
(reduction shares within 5 points). Nothing here feeds back into the model.

Each figure is labelled where it comes from (``shigen.energy.basis``): ``emergent`` (a
model result), ``calibrated`` (the base year), ``imposed`` (the study's CO2 cap) or
``on a bound`` (an assumed build limit or observed-capacity floor binds). Only emergent
figures count in the score: a figure the study or an assumption sets passes by
construction, so its band says nothing about the model.

Usage: PYTHONPATH=src python benchmarks/validate_etp2008.py [--no-write]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from _docs import write_section  # noqa: E402

from shigen.datasets import Catalogue  # noqa: E402
from shigen.energy.basis import EMERGENT, basis_of  # noqa: E402
from shigen.energy.stage import run, summarize  # noqa: E402
from shigen.energy.validation import hindcast, hindcast_co2, hindcast_imports  # noqa: E402
from shigen.study import load_study  # noqa: E402

# metric, ETP 2008 value, unit, kind ("rel" +/-25% or "pts" +/-5 points), status, source
REFERENCE = [
    ("CO2 2005", 27.0, "Gt", "rel", "derived", "IEA fuel combustion ~27 Gt (energy_models.md 1.2)"),
    ("Baseline CO2 2050", 62.0, "Gt", "rel", "secondary", "+130% on 2005 (press reports)"),
    ("ACT CO2 2050", 27.0, "Gt", "rel", "secondary", "back to 2005 level"),
    ("BLUE CO2 2050", 14.0, "Gt", "rel", "secondary", "halved from 2005"),
    ("BLUE nuclear builds", 32.0, "GW/yr", "rel", "secondary", "32 x 1,000 MW plants a year"),
    ("BLUE coal+CCS builds", 17.5, "GW/yr", "rel", "secondary", "35 x 500 MW plants a year"),
    ("BLUE gas+CCS builds", 10.0, "GW/yr", "rel", "secondary", "20 x 500 MW plants a year"),
    ("BLUE wind builds", 70.0, "GW/yr", "rel", "secondary", "~17,500 x 4 MW turbines a year"),
    ("BLUE solar PV builds", 30.0, "GW/yr", "rel", "derived", "215 million m2 at ~14% efficiency"),
    ("BLUE additional investment", 45.0, "USD trillion", "rel", "secondary",
     "USD 45 trillion against Baseline"),
    ("BLUE additional investment share of GDP", 1.1, "% of GDP", "rel", "secondary",
     "~1.1% of GDP a year"),
    ("ACT additional investment", 17.0, "USD trillion", "rel", "secondary",
     "USD 17 trillion (Houghton, via briangwilliams.us)"),
    ("BLUE reduction share: efficiency", 36.0, "%", "pts", "secondary", "end-use efficiency"),
    ("BLUE reduction share: renewables", 21.0, "%", "pts", "secondary", "renewables"),
    ("BLUE reduction share: CCS", 19.0, "%", "pts", "secondary", "CCS"),
    ("BLUE reduction share: nuclear", 6.0, "%", "pts", "unverified", "nuclear"),
    ("BLUE reduction share: fuel switching", 18.0, "%", "pts", "unverified",
     "end-use 11% + power 7%"),
    ("BLUE CO2 price 2050", 200.0, "USD/t", "rel", "unverified", "marginal abatement cost"),
]


#: where each metric sits in its study's summary: (study, figure path) for its label
FIGURES = {
    "CO2 2005": ("baseline", "co2_gt.2005"),
    "Baseline CO2 2050": ("baseline", "co2_gt.2050"),
    "ACT CO2 2050": ("act", "co2_gt.2050"),
    "BLUE CO2 2050": ("blue", "co2_gt.2050"),
    "BLUE nuclear builds": ("blue", "builds_per_year.nuclear_gw"),
    "BLUE coal+CCS builds": ("blue", "builds_per_year.coal_ccs_gw"),
    "BLUE gas+CCS builds": ("blue", "builds_per_year.gas_ccs_gw"),
    "BLUE wind builds": ("blue", "builds_per_year.wind_gw"),
    "BLUE solar PV builds": ("blue", "builds_per_year.solar_pv_gw"),
}


def label(summaries: dict[str, dict], metric: str) -> tuple[str, str]:
    """The metric's label and, for a build on a bound, the share of it built at the limit."""
    if metric not in FIGURES:  # investment, reduction shares, CO2 price: model results
        return EMERGENT, ""
    study, path = FIGURES[metric]
    lab = basis_of(summaries[study], path)
    fb = summaries[study]["figure_basis"].get(path, {})
    share = fb.get("share_at_bound") if isinstance(fb, dict) else None
    fams = sorted({r["family"] for r in fb.get("limited_by", [])}) if share is not None else []
    return lab, (f"{share:.0%} built where {'/'.join(fams)} binds" if share is not None else "")


def ours(summaries: dict[str, dict]) -> dict[str, float | None]:
    b, a, u = summaries["baseline"], summaries["act"], summaries["blue"]
    red = u.get("emission_reduction_shares") or {}

    def pct(x: float | None) -> float | None:
        return None if x is None else 100 * x

    return {
        "CO2 2005": b["co2_gt"]["2005"],
        "Baseline CO2 2050": b["co2_gt"]["2050"],
        "ACT CO2 2050": a["co2_gt"]["2050"],
        "BLUE CO2 2050": u["co2_gt"]["2050"],
        "BLUE nuclear builds": u["builds_per_year"]["nuclear_gw"],
        "BLUE coal+CCS builds": u["builds_per_year"]["coal_ccs_gw"],
        "BLUE gas+CCS builds": u["builds_per_year"]["gas_ccs_gw"],
        "BLUE wind builds": u["builds_per_year"]["wind_gw"],
        "BLUE solar PV builds": u["builds_per_year"]["solar_pv_gw"],
        "BLUE additional investment": u["additional_investment_usd_trillion"],
        "BLUE additional investment share of GDP": pct(u["additional_investment_share_gdp"]),
        "ACT additional investment": a["additional_investment_usd_trillion"],
        "BLUE reduction share: efficiency": pct(red.get("efficiency")),
        "BLUE reduction share: renewables": pct(red.get("renewables")),
        "BLUE reduction share: CCS": pct(red.get("ccs")),
        "BLUE reduction share: nuclear": pct(red.get("nuclear")),
        "BLUE reduction share: fuel switching": pct(red.get("fuel_switching")),
        "BLUE CO2 price 2050": u["co2_price_usd_per_t"]["2050"],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--hindcast-only", action="store_true",
                    help="print the hindcast tables only (no ETP runs, nothing written)")
    args = ap.parse_args()
    cat = Catalogue.bundled()
    if args.hindcast_only:
        print("\n".join(hindcast_section(cat)))
        return
    summaries = {}
    for key in ("baseline", "act", "blue"):
        study = load_study(ROOT / "studies" / f"etp2008-{key}.toml")
        data = cat.with_overrides(study.data_overrides(), as_of=study.data_as_of())
        summaries[key] = summarize(run(study.energy, study, data, {}))
    mine = ours(summaries)
    rows = []
    print(f"{'metric':42s} {'ETP 2008':>10s} {'shigen':>10s} {'gap':>8s}  within?  basis")
    for metric, ref, unit, kind, status, source in REFERENCE:
        val = mine[metric]
        if val is None:
            gap, ok = "n/a", False
        elif kind == "rel":
            g = (val - ref) / ref
            gap, ok = f"{g:+.0%}", abs(g) <= 0.25
        else:
            g = val - ref
            gap, ok = f"{g:+.0f} pts", abs(g) <= 5
        shown = "n/a" if val is None else f"{val:,.1f}"
        lab, note = label(summaries, metric)
        print(f"{metric:42s} {ref:>10,.1f} {shown:>10s} {gap:>8s}  {'yes' if ok else 'NO':7s}"
              f"  {lab} {note}")
        rows.append((metric, ref, shown, unit, gap, ok, lab, note, status, source))
    score = Score.of(rows)
    print(score.sentence())
    extra = investment_section(summaries["blue"]) + hindcast_section(cat)
    print("\n".join(extra))
    if not args.no_write:
        write_docs(rows, score, extra)


def investment_section(blue: dict) -> list[str]:
    """BLUE's additional investment beside ETP's USD 45 trillion, line by line."""
    ic = blue["investment_comparison"]
    lines_ = ic["lines"]
    eff = next(ln for ln in lines_ if ln["line"] == "end_use_efficiency")
    out = ["### Additional investment: what is compared with USD 45 trillion", "",
           f"ETP 2008 sums its additional investment over {ic['reference_window']}; shigen's "
           f"closest window is {ic['comparable_window']} (the base year is calibrated, not "
           f"invested in), its headline window {ic['window']}. Each line of ETP's account, "
           "what shigen counts on it, shigen's additional investment and its Baseline's own "
           "total (USD 2005 trillion, undiscounted, "
           f"{ic['comparable_window']}), and the status of the cost data that prices it:", "",
           "| line | in shigen | shigen additional | share | shigen Baseline total | cost data "
           "| what ETP counts | what shigen counts |", "|---|---|---|---|---|---|---|---|"]
    total = ic["comparable_additional_usd_trillion"] or 1.0
    for ln in lines_:
        out.append(f"| {ln['line']} | {'yes' if ln['in_shigen'] else 'no'} | "
                   f"{ln['additional_usd_trillion']:,.2f} | "
                   f"{ln['additional_usd_trillion'] / total:.0%} | "
                   f"{ln['baseline_usd_trillion']:,.1f} | {ln['cost_data_status'] or '-'} | "
                   f"{ln['etp_counts']} | {ln['shigen_counts']} |")
    out += ["", "ETP's figures exist only for these groups of lines (its split of the 45 "
            "trillion by line is not in our sources):", "",
            "| group | measure | shigen | ETP 2008 | gap | ETP status | ETP source |",
            "|---|---|---|---|---|---|---|"]
    for g in ic["groups"]:
        ref = "not in our sources" if g["reference"] is None else f"{g['reference']:,.0f}"
        gap = "-" if g["gap"] is None else f"{g['gap']:+,.1f}"
        out.append(f"| {g['group']} | {g['measure']} | {g['shigen']:,.1f} | {ref} | {gap} | "
                   f"{g['reference_status'] or '-'} | {g['reference_note'] or '-'} |")
    out += ["", "From shigen's figure to ETP's, in steps that add up (the 'of which' rows "
            "split shigen's comparable figure):", "", "| step | USD tn | note |", "|---|---|---|"]
    out += [f"| {s['step'].strip()} | {s['usd_trillion']:+,.2f} | {s['note']} |"
            for s in ic["walk"]]
    transport = next(g for g in ic["groups"]
                     if g["group"] == "transport" and g["measure"] == "additional")
    out += ["", "A cross-check for the transport lines, from a later IEA study (not ETP 2008's "
            "own figure, and published after 2008): IEA (2009) *Transport, Energy and CO2*, "
            "whose BLUE scenarios extend ETP 2008's transport modelling (MoMo), puts the extra "
            "investment in more efficient and electric vehicles at about USD 20 trillion "
            "(quoted by UNEP 2011, *Towards a Green Economy*, transport chapter). shigen's "
            f"vehicle lines (light-duty, trucks and buses) add {transport['shigen']:.1f} "
            "trillion."]
    out += ["", f"Read plainly: the window moves the figure little; the largest line of "
            f"shigen's figure is end-use efficiency, {eff['additional_usd_trillion']:.1f} "
            f"trillion ({eff['additional_usd_trillion'] / total:.0%}), priced by assumed, "
            "unsourced cost steps per GJ saved (`energy-efficiency-cost`, status estimate). "
            "Trucks and buses are now stocks and add their extra drivetrain cost "
            "(transport_trucks_buses). What remains to 45 trillion falls on lines shigen does "
            "not model (other transport modes, the whole stock of buildings' and industry's "
            "equipment, fuel supply) or on lines priced differently; ETP's split is not "
            "published in our sources, so that remainder is not divided further, and no cost "
            "was changed to close it. The Baselines show the scope: ETP's transport ~210 "
            "trillion (84% of ~250) against shigen's vehicles (light-duty, trucks, buses). "
            "Figures from `shigen run studies/etp2008-blue.toml --json` "
            "(`energy.investment_comparison`); this section is written by "
            "`benchmarks/validate_etp2008.py`.", ""]
    return out


#: the Baselines the hindcast runs: world (ETP 2008, data as of 2008) and Japan (2006)
HINDCAST_STUDIES = ("etp2008-baseline", "japan-baseline-2006")


def hindcast_section(cat: Catalogue) -> list[str]:
    """The Baselines beside what was observed (energy-hindcast-observed, owid/energy-data)."""
    from shigen.energy.stage import solve_study

    observed = cat.frame("energy-hindcast-observed")
    lines = ["### Hindcast: the Baselines beside what happened", "",
             "The world Baseline (`etp2008-baseline.toml`, 2008-vintage data) and Japan's "
             "(`japan-baseline-2006.toml`) against observed generation by source and primary "
             "fossil use from `energy-hindcast-observed` (owid/energy-data, CC BY 4.0; "
             "validation only, nothing is fitted to it), in every model year with an "
             "observation. A Baseline is a no-new-policy projection, so the gaps mix model "
             "error with what policy and events did after 2008 (Fukushima in Japan from 2011, "
             "the wind and solar build-out, China's coal). Produced by "
             "`python benchmarks/validate_etp2008.py --hindcast-only`.", "",
             "| region | variable | year | model (TWh) | observed (TWh) | gap |",
             "|---|---|---|---|---|---|"]
    quantities = ["", "CO2 from fuel combustion against `energy-hindcast-co2` (owid/co2-data, "
                  "Global Carbon Project: coal + oil + gas CO2, without cement and flaring) "
                  "and Japan's fuel imports against `energy-hindcast-imports` (BP Statistical "
                  "Review 2022: LNG imports at 0.73 Mt per bcm, oil imports of crude and "
                  "products; coal 2010 from the US EIA), in the physical units of the run's "
                  "`energy.imports_physical`. Validation only: nothing is fitted to them.", "",
                  "| region | variable | year | model | observed | unit | gap |",
                  "|---|---|---|---|---|---|---|"]
    co2 = cat.frame("energy-hindcast-co2")
    imports = cat.frame("energy-hindcast-imports")
    for name in HINDCAST_STUDIES:
        study = load_study(ROOT / "studies" / f"{name}.toml")
        data = cat.with_overrides(study.data_overrides(), as_of=study.data_as_of())
        ds = solve_study(study.energy, data)
        for r in hindcast(ds, observed):
            lines.append(f"| {r.region} | {r.variable} | {r.year} | {r.model_twh:,.0f} | "
                         f"{r.observed_twh:,.0f} | {r.gap:+.0%} |")
        for q in hindcast_co2(ds, co2) + hindcast_imports(ds, imports):
            digits = 3 if q.unit == "million barrels/day" else 0
            quantities.append(f"| {q.region} | {q.variable} | {q.year} | {q.model:,.{digits}f} | "
                              f"{q.observed:,.{digits}f} | {q.unit} | {q.gap:+.0%} |")
    return lines + quantities + [""]


class Score:
    """Figures within the band, counted over emergent figures only."""

    def __init__(self, emergent: int, within: int, total: int, by_label: dict[str, int]):
        self.emergent, self.within, self.total, self.by_label = emergent, within, total, by_label

    @classmethod
    def of(cls, rows: list[tuple]) -> Score:  # type: ignore[type-arg]
        labels = [r[6] for r in rows]
        emergent = [r for r in rows if r[6] == EMERGENT]
        return cls(len(emergent), sum(bool(r[5]) for r in emergent), len(rows),
                   {lab: labels.count(lab) for lab in dict.fromkeys(labels)})

    def sentence(self) -> str:
        others = ", ".join(f"{n} {lab}" for lab, n in self.by_label.items() if lab != EMERGENT)
        return (f"{self.within} of {self.emergent} emergent figures within the target band "
                f"(of {self.total} figures, the others are not model results: {others})")


def write_docs(rows, score: Score, extra: list[str] | None = None) -> None:  # type: ignore[no-untyped-def]
    lines = ["## energy", "",
             "Produced by `benchmarks/validate_etp2008.py` from `studies/etp2008-*.toml`, run "
             "with 2008-vintage data (`data_as_of = 2008`: no wind or solar capacity observed "
             "after 2007). Reference figures: IEA *Energy Technology Perspectives 2008* as "
             "compiled in `shared/reference/energy_models.md` section 1 (status as there). "
             "Target: within ±25% (shares ±5 points). Builds are yearly averages over "
             "2011–2050; investment is undiscounted, USD 2005, 2011–2050.", "",
             "**Basis** says where a figure comes from (from the run's `energy.figure_basis` "
             "and `energy.binding`): *emergent* — a model result; *calibrated* — the base "
             "year, fitted to statistics; *imposed* — set by the study's CO2 cap; *on a bound* "
             "— an assumed build limit (or observed-capacity floor) binds in the periods "
             "named. Only emergent figures count in the score: a figure set by the study or "
             "by an assumption falls in its band by construction.", "",
             "| metric | ETP 2008 | shigen | unit | gap | within target | basis | counted | "
             "reference status | reference |", "|---|---|---|---|---|---|---|---|---|---|"]
    for metric, ref, shown, unit, gap, ok, lab, note, status, source in rows:
        basis = lab + (f" ({note})" if note else "")
        lines.append(f"| {metric} | {ref:,.1f} | {shown} | {unit} | {gap} | "
                     f"{'yes' if ok else '**no**'} | {basis} | "
                     f"{'yes' if lab == EMERGENT else 'no'} | {status} | {source} |")
    lines += ["", f"**Score: {score.within} of {score.emergent} emergent figures fall within the "
              f"target band.** {score.total - score.emergent} of the {score.total} figures are "
              "not model results ("
              + ", ".join(f"{n} {lab}" for lab, n in score.by_label.items() if lab != EMERGENT)
              + ") and are shown, not scored. The emergent figures all depend on figures set "
              "by bounds (e.g. the reduction shares on the nuclear and CCS builds), so even "
              "they are conditional on the build limits. Why figures miss is explained in "
              "`docs/methods/energy.md` (section *Validation gaps*).", ""]
    lines += extra or []
    write_section(ROOT / "docs" / "validation.md", "energy", lines, "# Validation")


if __name__ == "__main__":
    main()
