"""``shigen run STUDY --uncertainty N``: JSON, cache, run ids, terminal tables (issue 19)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shigen.study import load_study

GOOD = Path(__file__).parent / "bad_inputs" / "good-study.toml"  # supply only: fast


def test_uncertainty_json_is_stored_and_cached(cli: Callable[..., object]) -> None:
    first = cli("run", GOOD, "--uncertainty", "8", "--json")
    assert first.exit_code == 0, first.stderr  # type: ignore[attr-defined]
    doc = first.json()  # type: ignore[attr-defined]
    unc = doc["uncertainty"]
    assert unc["samples"] == 8 and unc["method"] == "lhs" and unc["failed"] == 0
    # the supply stage reads ree-mine-production, whose estimate rows carry a range
    assert "ree-mine-production" in [p["dataset"] for p in unc["parameters"]]
    hhi = unc["stages"]["supply"]
    leaves = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "p50" in node:
                leaves.append(node)
            else:
                for v in node.values():
                    walk(v)

    walk(hhi)
    assert leaves and all(x["p5"] <= x["p50"] <= x["p95"] for x in leaves)
    again = cli("run", GOOD, "--uncertainty", "8", "--json").json()  # type: ignore[attr-defined]
    assert again["cached"] is True and again["uncertainty"] == unc
    plain = cli("run", GOOD, "--json").json()  # type: ignore[attr-defined]
    assert plain["run_id"] != doc["run_id"] and "uncertainty" not in plain


def test_a_study_without_the_section_hashes_as_before() -> None:
    assert '"uncertainty"' not in load_study(GOOD).canonical_json()


def test_terminal_shows_drivers_and_spread(cli: Callable[..., object]) -> None:
    res = cli("run", GOOD, "--uncertainty", "8")
    assert res.exit_code == 0, res.stderr  # type: ignore[attr-defined]
    out = res.stdout  # type: ignore[attr-defined]
    assert "assumptions that drive the answers" in out and "Spread of the headline" in out
