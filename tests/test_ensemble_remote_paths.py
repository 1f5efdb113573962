"""Paths are resolved before work leaves the machine (issue 19 item 6).

A Dask worker runs in its own working directory; the study's relative paths (its energy
baseline) must already be resolved when the samples are shipped, so an ensemble of a study
given by a relative path gives on a remote scheduler what it gives on local workers.
"""

import json
import logging
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_relative_study_on_a_dask_scheduler_in_another_folder(cli, tmp_path, monkeypatch):
    distributed = pytest.importorskip("distributed")
    # the workers start in an empty folder, where 'etp2008-baseline.toml' does not exist
    worker_dir = tmp_path / "workers"
    worker_dir.mkdir()
    monkeypatch.chdir(worker_dir)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=logging.ERROR) as cluster:
        monkeypatch.chdir(ROOT)
        study = os.path.join("studies", "japan-2009.toml")  # relative, as a user types it
        remote = cli("ensemble", study, "--samples", "2", "--scheduler",
                     cluster.scheduler_address, "--json")
    assert remote.exit_code == 0, remote.stderr
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path / "local-home"))
    local = cli("ensemble", study, "--samples", "2", "--workers", "1", "--json")
    assert local.exit_code == 0, local.stderr
    r, loc = json.loads(remote.stdout)["ensemble"], json.loads(local.stdout)["ensemble"]
    assert r["digest"] == loc["digest"]
    assert r["criteria"] == loc["criteria"]


def test_copies_of_a_study_never_read_the_baseline_again(tmp_path, monkeypatch):
    """A package's copy of a loaded study keeps its baseline even where the file is absent."""
    from shigen.policy.packages import apply_overrides
    from shigen.study import load_study

    monkeypatch.chdir(ROOT)
    study = load_study(Path("studies") / "japan-2009.toml")
    monkeypatch.chdir(tmp_path)  # a worker's folder: no studies/ here
    copy = apply_overrides(study, {}, where="policy", seed=7)
    assert copy.energy is not None and study.energy is not None
    assert copy.energy.baseline_config == study.energy.baseline_config
    assert copy.energy.baseline_digest == study.energy.baseline_digest
    assert copy.study.seed == 7
