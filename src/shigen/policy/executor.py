"""One executor interface for ensembles and sensitivity runs.

``executor.map(fn, shared, items)`` returns ``[fn(shared, item) for item in items]``
in item order, whatever ran where. ``shared`` (the evaluator: study, stages,
datasets) is shipped once per worker; ``items`` are small task descriptions.

- :class:`LocalExecutor` — the default: in-process for one worker, else a pool of
  local processes (``spawn``); when a worker process dies, the pool is rebuilt and
  the unfinished tasks are submitted again (up to ``max_retries`` times). Workers
  die with the process that started them, even a ``kill -9``'ed one (Linux: a
  parent-death signal; elsewhere they notice at their next task), and with them
  multiprocessing's resource tracker, which exits once no process holds its pipe.
- :class:`DaskExecutor` — Dask distributed: a ``LocalCluster`` of worker processes,
  or an existing scheduler (``tcp://host:8786``). Dask reschedules the tasks of a
  lost worker itself.

Results never depend on the executor or the number of workers: each task's result
is a function of its item alone.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import pickle
import signal
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.reduction import ForkingPickler
from types import TracebackType
from typing import Any, TypeVar

from shigen.errors import InputError, RunFailed

T = TypeVar("T")
Progress = Callable[[int, int], None]

_SHARED: Any = None


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PARENT_PID: int | None = None


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to SIGKILL this worker when the process that started it dies.

    Without it a ``kill -9`` of ``shigen ensemble`` leaves the workers (hundreds of MB
    each, holding the caller's stderr) alive forever. The parent may have died before
    the request took effect, so its pid is checked afterwards.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)  # the running process's own libc
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


def _init_worker(shared: bytes, parent_pid: int) -> None:
    """Tie the worker to its parent first, then load ``shared`` (already pickled).

    Unpickling ``shared`` imports the stages (seconds on a loaded machine); passed
    as bytes, it happens after the parent-death signal is armed, so a worker killed
    while starting up does not survive its parent.
    """
    global _SHARED, _PARENT_PID
    _PARENT_PID = parent_pid
    _die_with_parent(parent_pid)
    _SHARED = pickle.loads(shared)


def _call_local(fn: Callable[[Any, Any], Any], item: Any) -> Any:
    # where there is no parent-death signal: an orphan stops at its next task
    if _PARENT_PID is not None and os.getppid() != _PARENT_PID:
        os._exit(1)
    return fn(_SHARED, item)


def _call_dask(item: Any, fn: Callable[[Any, Any], Any], shared: Any) -> Any:
    return fn(shared, item)


def chunked(items: Sequence[T], size: int) -> list[list[T]]:
    """Consecutive chunks of at most ``size`` items (tasks; results are order-preserving)."""
    size = max(1, int(size))
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


class Executor(ABC):
    """Runs ``fn(shared, item)`` for every item; see the module docstring."""

    name: str = "executor"
    workers: int = 1

    @abstractmethod
    def map(self, fn: Callable[[Any, Any], T], shared: Any, items: Sequence[Any],
            progress: Progress | None = None) -> list[T]: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release workers (no-op by default)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def describe(self) -> dict[str, Any]:
        return {"scheduler": self.name, "workers": self.workers}


class LocalExecutor(Executor):
    """In-process (one worker) or a pool of local processes with retry on a lost worker."""

    name = "local"

    def __init__(self, workers: int = 1, max_retries: int = 3):
        if workers < 1:
            raise InputError(f"--workers must be at least 1 (got {workers})",
                             fix="give a positive number of workers")
        self.workers = workers
        self.max_retries = max_retries
        self.retried = 0

    def map(self, fn: Callable[[Any, Any], T], shared: Any, items: Sequence[Any],
            progress: Progress | None = None) -> list[T]:
        total = len(items)
        if self.workers == 1:
            out = []
            for i, item in enumerate(items):
                out.append(fn(shared, item))
                if progress:
                    progress(i + 1, total)
            return out
        results: dict[int, T] = {}
        pending = set(range(total))
        rounds = 0
        payload = bytes(ForkingPickler.dumps(shared, pickle.HIGHEST_PROTOCOL))
        while pending:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                     initargs=(payload, os.getpid())) as pool:
                futures = {pool.submit(_call_local, fn, items[i]): i for i in sorted(pending)}
                broken = False
                waiting = set(futures)
                while waiting:
                    done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                    for fut in done:
                        try:
                            results[futures[fut]] = fut.result()
                        except BrokenProcessPool:
                            broken = True
                            continue
                        except BaseException:
                            for f in waiting:
                                f.cancel()
                            raise
                        pending.discard(futures[fut])
                        if progress:
                            progress(len(results), total)
            if broken and pending:
                rounds += 1
                self.retried += len(pending)
                if rounds > self.max_retries:
                    raise RunFailed(f"worker processes kept dying; {len(pending)} of {total} "
                                    f"tasks unfinished after {self.max_retries} retries")
        return [results[i] for i in range(total)]


class DaskExecutor(Executor):
    """Dask distributed: a LocalCluster of ``workers`` processes, or a scheduler address."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int = 1, timeout: str = "20s"):
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise InputError("Dask distributed is not installed",
                             fix="pip install 'shigen[dask]'") from exc
        if workers < 1:
            raise InputError(f"--workers must be at least 1 (got {workers})",
                             fix="give a positive number of workers")
        self.cluster = None
        if address is None:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=":0", silence_logs=logging.ERROR)
            self.client = Client(self.cluster)
            self.workers = workers
        else:
            try:
                self.client = Client(address, timeout=timeout)
            except OSError as exc:
                raise InputError(f"cannot reach the Dask scheduler at {address} ({exc})",
                                 fix="start it with `dask scheduler` and `dask worker ADDRESS`, "
                                     "or use --scheduler local") from None
            self.workers = max(1, len(self.client.scheduler_info().get("workers", {})))
        self.address = address or self.client.scheduler.address

    def map(self, fn: Callable[[Any, Any], T], shared: Any, items: Sequence[Any],
            progress: Progress | None = None) -> list[T]:
        from distributed import as_completed

        total = len(items)
        if not total:
            return []
        shared_f = self.client.scatter(shared, broadcast=True, hash=False)
        futures = self.client.map(_call_dask, list(items), fn=fn, shared=shared_f, pure=False)
        done = 0
        try:
            for fut in as_completed(futures):
                if fut.status == "error":
                    fut.result()  # raises the task's own exception
                done += 1
                if progress:
                    progress(done, total)
            return [f.result() for f in futures]
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def describe(self) -> dict[str, Any]:
        return {"scheduler": "dask" if self.cluster is not None else self.address,
                "workers": self.workers}


def make_executor(scheduler: str = "local", workers: int = 1) -> Executor:
    """``local`` (processes), ``dask`` (a Dask LocalCluster) or ``tcp://HOST:PORT``."""
    if scheduler == "local":
        return LocalExecutor(workers)
    if scheduler == "dask":
        return DaskExecutor(None, workers)
    if scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://")):
        return DaskExecutor(scheduler, workers)
    raise InputError(f"unknown scheduler '{scheduler}'",
                     fix="use local, dask (a local Dask cluster) or tcp://HOST:PORT")


def default_executor() -> Executor:
    """The executor of the policy stage inside ``shigen run``.

    ``SHIGEN_SCHEDULER`` (``local``, ``dask`` or ``tcp://HOST:PORT``; default ``local``)
    and ``SHIGEN_WORKERS`` (default 1). Results do not depend on either.
    """
    raw = os.environ.get("SHIGEN_WORKERS", "1")
    try:
        workers = int(raw)
    except ValueError:
        raise InputError(f"SHIGEN_WORKERS='{raw}' is not an integer",
                         fix="set SHIGEN_WORKERS to a positive integer") from None
    return make_executor(os.environ.get("SHIGEN_SCHEDULER", "local"), workers)
