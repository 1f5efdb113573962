"""Time of the supply-risk API against an interactive budget, measured in one run.

Prints the time of `shigen risk` (API call) for every commodity × stage × year with
data, the criticality matrix of Japan over all years, and both interdependence
pairs, and the ratio against the budget of an interactive CLI answer (1 s).
Run: PYTHONPATH=src python benchmarks/supply_risk.py
"""

import time

from shigen.datasets import Catalogue
from shigen.supply import data
from shigen.supply.chains import chain, commodities
from shigen.supply.criticality import criticality
from shigen.supply.interdependence import interdependence
from shigen.supply.risk import risk

BUDGET_S = 1.0


def main() -> None:
    cat = Catalogue.bundled()
    for name in cat.names():  # load once: the CLI pays this per call as well
        cat.get(name)
    calls = [(c, st.name, y) for c in commodities(cat) for st in chain(cat, c).stages
             for y in data.years_of(cat, st.dataset)]
    t0 = time.perf_counter()
    for c, s, y in calls:
        risk(cat, c, stage=s, importer="JPN", years=[y])
    per_call = (time.perf_counter() - t0) / len(calls)
    t0 = time.perf_counter()
    criticality(cat, "JPN")
    matrix = time.perf_counter() - t0
    t0 = time.perf_counter()
    for a, b in (("JPN", "CHN"), ("JPN", "RUS")):
        interdependence(cat, a, b)
    pairs = (time.perf_counter() - t0) / 2
    print(f"risk(): {len(calls)} commodity-stage-years, {per_call * 1e3:.1f} ms per call "
          f"= {per_call / BUDGET_S:.3f} of the {BUDGET_S:.0f} s budget")
    print(f"criticality(JPN, all years): {matrix:.2f} s = {matrix / BUDGET_S:.2f} x budget")
    print(f"interdependence(): {pairs * 1e3:.1f} ms per pair = {pairs / BUDGET_S:.3f} x budget")


if __name__ == "__main__":
    main()
