"""report/uncertainty.py: headline figures, the five drivers, the tornado (issue 19)."""

from __future__ import annotations

from shigen.report.uncertainty import drivers, figures, headline, tables


def _stats(value: float, p5: float, p95: float, infl: list[tuple[str, float]]) -> dict:  # type: ignore[type-arg]
    return {"value": value, "p5": p5, "p50": value, "p95": p95,
            "influence": [{"dataset": d, "rows": "estimate rows (1 of 1)", "index": i,
                           "direction": "up"} for d, i in infl]}


UNC = {
    "samples": 50, "method": "lhs", "seed": 1, "influence_method": "rank-regression",
    "failed": 0, "digest": "x",
    "parameters": [{"dataset": d, "low": 0.7, "high": 1.3, "rows": "estimate rows (1 of 1)",
                    "reason": "default"} for d in ("a", "b", "c")],
    "stages": {"energy": {
        "co2_gt": {"2030": _stats(10, 9, 11, [("a", 0.9)]),
                   "2050": _stats(5, 3, 8, [("b", 0.6), ("a", 0.2)])},
        "investment": _stats(2, 2, 2, [("c", 0.9)]),  # does not move: no driver
    }},
}


def test_headline_keeps_scalars_and_the_last_year() -> None:
    paths = [h.path for h in headline(UNC)]
    assert paths == ["co2_gt.2050", "investment"]
    assert headline(UNC)[0].relative_spread == (8 - 3) / 5


def test_drivers_average_over_figures_that_move() -> None:
    # only co2_gt.2050 moves: b 0.6, a 0.2 (c drives a figure that does not move)
    assert drivers(UNC) == [("b", 0.6), ("a", 0.2)]


def test_tables_and_figures() -> None:
    five, spread = tables(UNC)
    assert [c.value for c in five.rows[0][:2]] == ["b", 0.6]
    # stage, the figure's registered label and unit (shigen.variables), then the numbers
    assert [c.value for c in spread.rows[0][:3]] == ["energy", "CO2 emissions · 2050",
                                                     "Gt CO2/year"]
    figs = figures(UNC)
    assert [f.id for f in figs] == ["uncertainty-tornado", "uncertainty-drivers"]
    bar = figs[0].figure.data[0]
    # P5–P95 as percent of the run's value: 3/5 − 1 = −40 %, 8/5 − 1 = +60 %
    # widest at the top (plotted last); the figure that does not move has a zero bar
    assert list(bar.base) == [0.0, -40.0] and list(bar.x) == [0.0, 100.0]


def test_each_stage_shows_its_moving_answers_and_still_stages_are_named() -> None:
    unc = {**UNC, "stages": {
        **UNC["stages"],
        "supply": {"hhi": _stats(0.3, 0.28, 0.35, [("c", 0.8)]),
                   "reliance": _stats(0.9, 0.9, 0.9, [])},
        "materials": {"stock_t": _stats(100, 100, 100, [])},
    }, "solve": {"energy": {"method": "rebuild", "reason": "too few samples",
                            "samples": {"rebuilt": 50}}}}
    _, spread = tables(unc)
    # energy's one moving figure, then supply's; the still ones are not rows
    assert [(r[0].value, r[1].value) for r in spread.rows] == [
        ("energy", "CO2 emissions · 2050"), ("supply", "hhi")]
    assert "Not moved by the sampled datasets: materials" in spread.caption
    assert "energy: 50 rebuilt (too few samples)" in spread.caption
