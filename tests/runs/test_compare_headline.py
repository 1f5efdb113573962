"""``shigen runs compare`` says what changed: headline figures first, runs told apart,
the variable diff counted and never silently cut."""

from __future__ import annotations

from pathlib import Path

import pytest

from shigen.runs.compare import flatten_numbers, headline_rows, run_names

STUDY = Path(__file__).parents[2] / "studies" / "backtest-ree-2010.toml"


@pytest.fixture
def two_seeds(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """Two runs of one small study that differ only in their seed (7 given first)."""
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path / "home"))
    text = STUDY.read_text("utf-8")
    assert "seed = 2010" in text
    ids = []
    for seed in (7, 2010):
        path = tmp_path / f"seed-{seed}.toml"
        path.write_text(text.replace("seed = 2010", f"seed = {seed}"), "utf-8")
        res = cli("run", path, "--json")
        assert res.exit_code == 0, res.stdout + res.stderr
        ids.append(res.json()["run_id"])
    return ids[0], ids[1]


def test_json_headline_in_given_order_with_differences(cli, two_seeds) -> None:
    a, b = two_seeds
    doc = cli("runs", "compare", a, b, "--json").json()
    assert doc["runs"] == [a, b]
    assert doc["names"] == ["backtest-ree-2010 (seed=7)", "backtest-ree-2010 (seed=2010)"]
    assert doc["differs"] == [{"key": "study.seed", "values": [7, 2010]}]
    summary_a = cli("runs", "show", a, "--json").json()["disruption"]
    summary_b = cli("runs", "show", b, "--json").json()["disruption"]
    head = {h["key"]: h for h in doc["headline"]}
    row = head["disruption.rare-earths.JPN.expected_shortfall_t"]
    assert row["a"] == summary_a["rare-earths"]["JPN"]["expected_shortfall_t"]
    assert row["b"] == summary_b["rare-earths"]["JPN"]["expected_shortfall_t"]
    assert row["a"] != row["b"]  # a different seed draws different shocks
    assert row["diff"] == pytest.approx(row["b"] - row["a"])
    assert row["rel_diff"] == pytest.approx((row["b"] - row["a"]) / abs(row["a"]))
    # --json carries every variable row, counted
    assert doc["rows_total"] == doc["rows_shown"] == len(doc["rows"]) > 200
    # the variable columns follow the given order, not the ids' sort order
    assert [k for k in doc["rows"][0] if k in (a, b)] == [a, b]
    reverse = cli("runs", "compare", b, a, "--json").json()
    assert reverse["headline"][0]["a"] == doc["headline"][0]["b"]


def test_table_output_counts_rows_and_limits(cli, two_seeds) -> None:
    a, b = two_seeds
    res = cli("runs", "compare", a, b, "--limit", "7")
    assert res.exit_code == 0, res.stdout + res.stderr
    text = " ".join(res.stdout.split())
    total = cli("runs", "compare", a, b, "--json").json()["rows_total"]
    assert f"showing 7 of {total:,} rows; --all / --limit N / --json for all" in text
    assert text.index("Headline figures") < text.index("variables")
    assert "seed=7" in text and "seed=2010" in text
    default = " ".join(cli("runs", "compare", a, b).stdout.split())
    assert f"showing 200 of {total:,} rows" in default
    every = " ".join(cli("runs", "compare", a, b, "--all").stdout.split())
    assert f"showing {total:,} of {total:,} rows" in every
    assert "--all / --limit N" not in every
    limited = cli("runs", "compare", a, b, "--json", "--limit", "3").json()
    assert (limited["rows_shown"], len(limited["rows"])) == (3, 3)


def test_flatten_keeps_numbers_and_skips_lists() -> None:
    summary = {"x": {"y": 1, "z": 2.5, "ok": True, "name": "n"}, "checks": [{"v": 1}]}
    assert flatten_numbers(summary, "s") == {"s.x.y": 1.0, "s.x.z": 2.5}


def test_headline_rows_missing_and_zero() -> None:
    rows = headline_rows([{"k": 0.0, "only_a": 1.0}, {"k": 2.0, "only_b": 3.0}])
    by = {r.key: r for r in rows}
    assert [r.key for r in rows] == ["k", "only_a", "only_b"]
    assert (by["k"].diff, by["k"].rel_diff) == (2.0, None)  # relative to 0 is undefined
    assert by["only_a"].diff is None and by["only_b"].values == (None, 3.0)


def test_same_study_same_settings_still_named_apart_by_nothing_extra() -> None:
    assert run_names(["a", "b"], []) == ["a", "b"]
