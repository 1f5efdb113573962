"""Where a choke price binds: every shipped study, its own run and each policy package.

    PYTHONPATH=src python scripts/choke_hits.py [studies/NAME.toml ...] [--json]

For each study with a ``[disruption]`` section, runs the stages before ``policy`` for the
study itself and for every package (as the policy stage does, same seed) and lists the
markets whose price reached the choke price (``price-at-choke`` warnings), with the share
of draws. A price at the choke is set by the cap, not by the market: docs/methods/
disruption.md (trade diversion) lists what this prints for the shipped studies.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from shigen.cli.common import catalogue, load
from shigen.policy.appraise import package_cases, upstream_specs
from shigen.policy.evaluate import Case, Evaluator


def hits(path: Path) -> list[dict[str, object]]:
    """One row per (case, market) whose price reached its choke price."""
    study = load(path)
    if getattr(study, "disruption", None) is None:
        return []
    cat = catalogue()
    evaluator = Evaluator(study, upstream_specs(study), cat, ())
    cases = [("study", Case({}, study.study.seed))]
    policy = getattr(study, "policy", None)
    if policy is not None:
        names = list(policy.packages)
        cases += list(zip(names, package_cases(study, policy), strict=True))
    rows: list[dict[str, object]] = []
    for name, case in cases:
        summary = evaluator.summaries(case).get("disruption") or {}
        found = [w for w in summary.get("warnings", []) if w["code"] == "price-at-choke"]
        for w in found:
            rows.append({"study": path.stem, "case": name, **w["where"]})
        if not found:
            rows.append({"study": path.stem, "case": name, "commodity": None})
    return rows


def main(argv: list[str]) -> None:
    as_json = "--json" in argv
    paths = [Path(a) for a in argv if a != "--json"] or sorted(Path("studies").glob("*.toml"))
    rows = [r for p in paths for r in hits(p)]
    if as_json:
        print(json.dumps(rows, indent=1))
        return
    print("| study | case | market at the choke | share of draws | choke |")
    print("|---|---|---|---:|---:|")
    for r in rows:
        if r["commodity"] is None:
            print(f"| {r['study']} | {r['case']} | none | | |")
        else:
            print(f"| {r['study']} | {r['case']} | {r['commodity']} ({r['importer']}) | "
                  f"{float(r['share_of_draws']):.2%} | {float(r['max_price_ratio']):g}x |")


if __name__ == "__main__":
    main(sys.argv[1:])
