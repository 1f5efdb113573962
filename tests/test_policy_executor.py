"""The executor interface: same results on any scheduler and worker count; retries."""

import sys
from pathlib import Path

# the test-only stages live in tests/policy_toy.py; spawned workers inherit sys.path
sys.path.insert(0, str(Path(__file__).resolve().parent))


import numpy as np
import pytest

from shigen.datasets import Catalogue
from shigen.errors import InputError
from shigen.policy.ensemble import digest, run_ensemble
from shigen.policy.executor import DaskExecutor, LocalExecutor, chunked, make_executor


def _study():
    from policy_toy import POLICY, toy_study

    return toy_study(POLICY, toy={"noise": 1.0})


def _toy():
    from policy_toy import TOY

    return [TOY]


def test_chunked_keeps_order():
    assert chunked(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]


def test_lost_local_worker_is_retried(tmp_path):
    from policy_toy import die_once

    ex = LocalExecutor(2)
    out = ex.map(die_once, str(tmp_path / "died"), list(range(8)))
    assert out == [i * i for i in range(8)]
    assert (tmp_path / "died").exists() and ex.retried >= 1


def test_local_processes_match_in_process():
    s, cat = _study(), Catalogue()
    one = run_ensemble(s, cat, 12, LocalExecutor(1), stages=_toy())
    two = run_ensemble(s, cat, 12, LocalExecutor(2), stages=_toy(), chunk=5)
    assert digest(one) == digest(two)


@pytest.mark.slow
def test_dask_one_and_two_workers_give_identical_results():
    s, cat = _study(), Catalogue()
    ref = run_ensemble(s, cat, 16, LocalExecutor(1), stages=_toy())
    import logging

    from distributed import LocalCluster

    results = []
    # one worker: a LocalCluster the executor starts itself
    with DaskExecutor(workers=1) as ex:
        assert len(ex.client.scheduler_info()["workers"]) == 1
        results.append(run_ensemble(s, cat, 16, ex, stages=_toy(), chunk=3))
    # two workers: an existing scheduler reached by its tcp:// address
    with (LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                       dashboard_address=":0", silence_logs=logging.ERROR) as cluster,
          make_executor(cluster.scheduler_address, 1) as ex):
        assert ex.workers == 2
        results.append(run_ensemble(s, cat, 16, ex, stages=_toy(), chunk=5))
    np.testing.assert_array_equal(results[0]["criterion_value"], results[1]["criterion_value"])
    assert digest(results[0]) == digest(results[1]) == digest(ref)


def test_unknown_scheduler_and_bad_workers():
    with pytest.raises(InputError, match="unknown scheduler"):
        make_executor("slurm", 1)
    with pytest.raises(InputError, match="at least 1"):
        make_executor("local", 0)
