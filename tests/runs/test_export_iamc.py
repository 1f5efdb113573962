"""The IAMC export names things as the IAMC common definitions do and gives one scenario
per policy package and per disruption percentile; read back with pyam."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

# a policy section on the supply stage alone (as in tests/test_policy_cli.py): cheap to run
POLICY = """\
[study]
name = "export-packages"
title = "Two packages on supply"

[supply]
commodities = ["rare-earths", "uranium"]
importer = "JPN"
years = [2009, 2010]

[policy]
method = "weighted-sum"

[policy.packages.status-quo]
[policy.packages.same]
overrides = { "supply.commodities" = ["uranium", "rare-earths"] }

[[policy.criteria]]
name = "ree-import-hhi"
path = "supply.commodities.rare-earths.2009.import_hhi"
sense = "min"
weight = 2
"""


def test_one_scenario_per_policy_package(cli, tmp_path: Path) -> None:
    import pyam

    study = tmp_path / "packages.toml"
    study.write_text(POLICY, "utf-8")
    run = cli("run", study, "--json")
    assert run.exit_code == 0, run.stderr
    hhi = run.json()["supply"]["commodities"]["rare-earths"]["2009"]["import_hhi"]
    out = tmp_path / "packages.csv"
    assert cli("runs", "export", "latest", "--format", "iamc", "-o", out).exit_code == 0
    df = pyam.IamDataFrame(str(out))
    assert sorted(df.scenario) == ["export-packages", "export-packages|same",
                                   "export-packages|status-quo"]
    # a list, not a pattern: "|" in a pyam pattern would be a regex alternation
    pkg = df.filter(scenario=["export-packages|same", "export-packages|status-quo"])
    assert sorted(pkg.variable) == ["shigen|Policy|Criterion|ree-import-hhi",
                                    "shigen|Policy|Rank", "shigen|Policy|Score"]
    # criteria summarise the horizon: reported in its last year, for the appraisal as a whole
    assert pkg.timeseries().dropna(axis=1, how="all").columns.tolist() == [2010]
    assert pkg.region == ["World"]
    crit = pkg.filter(variable="shigen|Policy|Criterion|ree-import-hhi").timeseries()
    assert crit[2010].tolist() == pytest.approx([hhi, hhi])
    ranks = pkg.filter(variable="shigen|Policy|Rank").timeseries()[2010]
    assert sorted(ranks.tolist()) == [1.0, 2.0]
    # the study as written keeps its own scenario with the stages' time series
    base = df.filter(scenario="export-packages")
    assert "shigen|Supply Share|rare-earths|mining" in base.variable


@pytest.mark.slow
def test_flagship_iamc_names_packages_and_percentiles(cli, flagship_home, tmp_path: Path) -> None:
    import pyam

    out = tmp_path / "japan.csv"
    res = cli("runs", "export", flagship_home.run_id, "--format", "iamc", "-o", out)
    assert res.exit_code == 0, res.stderr
    df = pyam.IamDataFrame(str(out))
    packages = sorted(flagship_home.summary["policy"]["ranking"])
    assert "both" in packages
    expected = {"japan-2009", *(f"japan-2009|{p}" for p in packages),
                *(f"japan-2009|P{q}" for q in (5, 50, 95))}
    assert set(df.scenario) == expected
    base = df.filter(scenario="japan-2009")
    for name in ("Emissions|CO2|Energy", "Emissions|CO2|Energy|Supply|Electricity",
                 "Capacity|Electricity|Nuclear", "Capacity|Electricity|Coal|w/ CCS",
                 "Secondary Energy|Electricity|Wind|Onshore", "Primary Energy|Coal",
                 "Price|Carbon", "Investment|Energy Supply|Electricity"):
        assert name in base.variable, name
    # no shigen-internal names outside the documented shigen| prefix
    assert not [v for v in df.variable if "_" in v and not v.startswith("shigen|")]
    assert "WORLD" not in df.region and "World" in df.region and "Japan" in df.region
    p95 = df.filter(scenario="japan-2009|P95", variable="shigen|Disruption|Shortfall|*")
    p50 = df.filter(scenario="japan-2009|P50", variable="shigen|Disruption|Shortfall|*")
    high, mid = p95.timeseries().to_numpy(), p50.timeseries().to_numpy()
    both = ~np.isnan(high) & ~np.isnan(mid)
    assert both.sum() > 0 and (high[both] >= mid[both]).all()
