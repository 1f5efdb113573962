"""Issue 18, validation before work: crashes that became located exit-2 messages or clear results.

The study-file cases (no stage, repeated years, circular baselines, absurd magnitudes,
depths) are corpus files in tests/bad_inputs/; these are the command-line and store cases.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shigen.cli import app
from shigen.runs.export import compare_runs
from shigen.runs.store import RunRecord, RunStore


def _stageless_run(store: RunStore, run_id: str) -> None:
    store.write(run_id, {"run_id": run_id}, {},
                RunRecord(run_id, "empty", "Empty", time.time(), "complete", [], "test"))


def test_compare_of_stageless_runs_is_an_empty_table(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store = RunStore(tmp_path)
    _stageless_run(store, "aaaaaaaaaaaa")
    _stageless_run(store, "bbbbbbbbbbbb")
    table = compare_runs(store, ["aaaaaaaaaaaa", "bbbbbbbbbbbb"])
    assert table.empty
    assert list(table.columns) == ["stage", "variable", "key", "aaaaaaaaaaaa", "bbbbbbbbbbbb"]
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))
    res = CliRunner().invoke(app, ["runs", "compare", "aaaaaaaaaaaa", "bbbbbbbbbbbb", "--json"])
    assert res.exit_code == 0, res.output
    assert '"rows": []' in res.output


@pytest.mark.parametrize("value, message", [
    ("0", "SHIGEN_WORKERS=0 is outside 1–64"),
    ("-3", "SHIGEN_WORKERS=-3 is outside 1–64"),
    ("two", "SHIGEN_WORKERS='two' is not an integer"),
])
def test_bad_shigen_workers_stops_before_any_work(value: str, message: str, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))
    monkeypatch.setenv("SHIGEN_WORKERS", value)
    study = Path(__file__).parents[1] / "studies" / "japan-2009.toml"
    started = time.perf_counter()
    res = CliRunner().invoke(app, ["run", str(study)])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert message in text and "field 'SHIGEN_WORKERS'" in text
    assert "--workers" not in text
    assert time.perf_counter() - started < 5  # refused before the run (which takes minutes)
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_serve_on_a_port_in_use_is_one_located_line(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        res = CliRunner().invoke(app, ["serve", "--port", str(port)])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert f"field '--port': cannot listen on 127.0.0.1:{port}: Address already in use" in text
    assert "Traceback" not in text and "uvicorn" not in text


@pytest.mark.parametrize("host, message", [
    ("no-such-host.invalid", "cannot listen on host 'no-such-host.invalid'"),
    ("192.0.2.1", "cannot listen on 192.0.2.1:8000: Cannot assign requested address"),
])
def test_serve_on_a_bad_host_is_one_located_line(host: str, message: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path))
    monkeypatch.setenv("SHIGEN_TOKEN", "x" * 32)  # a non-loopback host needs one
    res = CliRunner().invoke(app, ["serve", "--host", host])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert "field '--host'" in text and message in text
    assert "Traceback" not in text


def test_data_override_without_the_study_year_is_refused(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Valid data that lacks the study's year: exit 2 naming the dataset, not "stages": []."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "catalogue.toml").write_text(
        '[datasets.ree-mine-production]\ntitle = "Rare-earth mine production, 2011 only"\n'
        'file = "ree.csv"\nsource = "A user"\nedition = "2026"\nlicense = "CC0"\nunit = "t"\n'
        'dimensions = ["country", "year"]\nstatus = "estimate"\n', "utf-8")
    (folder / "ree.csv").write_text("country,year,value,unit\nCHN,2011,129000,t\n"
                                    "OTHER,2011,4000,t\n", "utf-8")
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path / "home"))
    probe = Path(__file__).parent / "bad_inputs" / "good-study.toml"
    runner = CliRunner()
    assert runner.invoke(app, ["data", "check", str(folder)]).exit_code == 0  # the data is valid
    res = runner.invoke(app, ["--data", str(folder), "run", str(probe)])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert ("good-study.toml:11, field 'supply.years': no supply data for ['rare-earths'] "
            "in years [2009]") in text
    assert "choose years with data: rare-earths mining 2011-2011" in text
