"""Jobs: submitted studies run in worker processes, a bounded number at a time.

A job is queued, then runs as ``python -m shigen.web.worker`` (its own process, so a
stuck or cancelled study is stopped by terminating it, and the server never runs
study code in its own process). At most ``workers`` run at once; a job running
longer than ``timeout`` seconds is stopped, and a worker dies with the server
(:mod:`shigen.web.lifeline`). Results go to the same run store as the CLI.

Job records are kept in memory and written to ``<store>/jobs/<id>.json`` as they
change, so a restarted server still lists them; a job that a stopped server left
queued or running is marked failed ("lost: the server stopped").
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from shigen.errors import InputError, ShigenError
from shigen.web.lifeline import PARENT_ENV


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"

    @property
    def finished(self) -> bool:
        return self not in (JobState.QUEUED, JobState.RUNNING)


@dataclass
class Job:
    """A submitted study and what became of it."""

    id: str
    study: str
    title: str
    text: str = field(repr=False)
    study_dir: str = field(default=".", repr=False)
    state: JobState = JobState.QUEUED
    submitted: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    run_id: str | None = None
    cached: bool | None = None
    error: dict[str, Any] | None = None
    proc: subprocess.Popen[str] | None = field(default=None, repr=False)
    out: IO[str] | None = field(default=None, repr=False)
    err: IO[str] | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        def stamp(t: float | None) -> str | None:
            return None if t is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))

        elapsed = None
        if self.started is not None:
            elapsed = round((self.finished or time.time()) - self.started, 3)
        return {"job_id": self.id, "study": self.study, "title": self.title,
                "state": self.state.value, "finished": self.state.finished,
                "submitted": stamp(self.submitted), "started": stamp(self.started),
                "ended": stamp(self.finished), "elapsed_s": elapsed, "run_id": self.run_id,
                "cached": self.cached, "error": self.error}


class JobManager:
    """Queue, run, time-limit and cancel jobs; see the module docstring."""

    def __init__(self, env: dict[str, str], workers: int = 2, timeout: float = 600,
                 max_queued: int = 32, keep: int = 500, folder: Path | None = None):
        """``folder`` keeps the job records (default: ``jobs/`` in the workers' store)."""
        self.env = env
        if folder is None and env.get("SHIGEN_HOME"):
            folder = Path(env["SHIGEN_HOME"]) / "jobs"
        self.folder = folder
        self.workers = workers
        self.timeout = timeout
        self.max_queued = max_queued
        self.keep = keep
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = False
        self.thread: threading.Thread | None = None
        self._load()

    # --- public -----------------------------------------------------------------
    def submit(self, text: str, source: str = "<submitted study>",
               study_dir: Path | None = None) -> Job:
        """Validate the study now (bad input → ``InputError``), then queue it.

        ``study_dir`` is the folder the study is read as sitting in (where a baseline
        study it names is found).
        """
        from shigen.study import parse_study

        study = parse_study(text, source, {"study_dir": str(study_dir or Path.cwd())})
        with self.lock:
            queued = sum(1 for j in self.jobs.values() if j.state is JobState.QUEUED)
            if queued >= self.max_queued:
                raise QueueFull(f"{queued} jobs are already waiting")
            job = Job(uuid.uuid4().hex[:12], study.study.name, study.study.title, text,
                      study_dir=str(study_dir or Path.cwd()))
            self.jobs[job.id] = job
            self._save(job)
            self._trim()
        self._ensure_thread()
        self.wake.set()
        return job

    def get(self, job_id: str) -> Job:
        with self.lock:
            job = self.jobs.get(job_id)
        if job is None:
            raise UnknownJob(job_id)
        return job

    def list(self) -> list[Job]:
        with self.lock:
            return list(reversed(self.jobs.values()))

    def cancel(self, job_id: str) -> Job:
        """Cancel a queued or running job (a finished job is returned unchanged)."""
        job = self.get(job_id)
        with self.lock:
            if job.state is JobState.QUEUED:
                job.state, job.finished = JobState.CANCELLED, time.time()
                self._save(job)
            elif job.state is JobState.RUNNING:
                self._stop(job, JobState.CANCELLED)
        return job

    def wait(self, job_id: str, timeout: float = 60) -> Job:
        """Block until the job has finished or ``timeout`` seconds passed (for tests, CLI)."""
        deadline = time.monotonic() + timeout
        job = self.get(job_id)
        while not job.state.finished and time.monotonic() < deadline:
            time.sleep(0.05)
        return job

    def shutdown(self) -> None:
        """Stop the scheduler and every running worker."""
        self.stopping = True
        self.wake.set()
        if self.thread is not None:
            self.thread.join(timeout=5)
        with self.lock:
            for job in self.jobs.values():
                if job.state is JobState.RUNNING:
                    self._stop(job, JobState.CANCELLED)
                elif job.state is JobState.QUEUED:
                    job.state, job.finished = JobState.CANCELLED, time.time()
                    self._save(job)

    # --- scheduler --------------------------------------------------------------
    def _ensure_thread(self) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.stopping = False
                self.thread = threading.Thread(target=self._loop, name="shigen-jobs",
                                               daemon=True)
                self.thread.start()

    def _loop(self) -> None:
        while not self.stopping:
            with self.lock:
                self._reap()
                running = sum(1 for j in self.jobs.values() if j.state is JobState.RUNNING)
                for job in self.jobs.values():
                    if running >= self.workers:
                        break
                    if job.state is JobState.QUEUED:
                        self._start(job)
                        running += 1
                busy = any(not j.state.finished for j in self.jobs.values())
            self.wake.wait(0.05 if busy else 1.0)
            self.wake.clear()

    def _start(self, job: Job) -> None:
        # closed in _collect or _stop, when the worker is done with it
        out = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        err = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        try:
            job.proc = subprocess.Popen(
                [sys.executable, "-m", "shigen.web.worker", f"<job {job.id}: {job.study}>",
                 job.study_dir],
                stdin=subprocess.PIPE, stdout=out, stderr=err, text=True,
                env={**self.env, PARENT_ENV: str(os.getpid())}, start_new_session=True)
            assert job.proc.stdin is not None
            job.proc.stdin.write(job.text)
            job.proc.stdin.close()
        except OSError as exc:
            out.close()
            err.close()
            job.state, job.finished = JobState.FAILED, time.time()
            job.error = {"kind": "internal", "message": f"could not start a worker: {exc}"}
            self._save(job)
            return
        job.out, job.err = out, err
        job.state, job.started = JobState.RUNNING, time.time()
        self._save(job)

    def _reap(self) -> None:
        now = time.time()
        for job in self.jobs.values():
            if job.state is not JobState.RUNNING or job.proc is None:
                continue
            code = job.proc.poll()
            if code is None:
                if job.started is not None and now - job.started > self.timeout:
                    self._stop(job, JobState.TIMEOUT)
                    job.error = {"kind": "timeout",
                                 "message": f"the study ran longer than {self.timeout:g} s "
                                            "and was stopped",
                                 "fix": "simplify the study or raise SHIGEN_JOB_TIMEOUT"}
                    self._save(job)
                continue
            self._collect(job, code)

    def _collect(self, job: Job, code: int) -> None:
        doc: dict[str, Any] = {}
        if job.out is not None:
            job.out.seek(0)
            lines = job.out.read().strip().splitlines()
            job.out.close()
            job.out = None
            if lines:
                try:
                    doc = json.loads(lines[-1])
                except json.JSONDecodeError:
                    doc = {}
        stderr = ""
        if job.err is not None:
            job.err.seek(0)
            stderr = " | ".join(job.err.read().strip().splitlines()[-3:])
            job.err.close()
            job.err = None
        job.finished = time.time()
        job.proc = None
        if doc.get("ok"):
            job.state = JobState.DONE
            job.run_id = doc["result"]["run_id"]
            job.cached = bool(doc["result"].get("cached"))
        else:
            job.state = JobState.FAILED
            job.error = doc.get("error") or {
                "kind": "internal",
                "message": f"the worker exited with code {code}" + (
                    f": {stderr}" if stderr else "")}
        self._save(job)

    def _stop(self, job: Job, state: JobState) -> None:
        if job.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(job.proc.pid, 15)
            try:
                job.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(job.proc.pid, 9)
                job.proc.wait(timeout=5)
            job.proc = None
        for fh in (job.out, job.err):
            if fh is not None:
                fh.close()
        job.out = job.err = None
        job.state, job.finished = state, time.time()
        self._save(job)

    def _trim(self) -> None:
        while len(self.jobs) > self.keep:
            oldest = next((k for k, j in self.jobs.items() if j.state.finished), None)
            if oldest is None:
                break
            del self.jobs[oldest]
            if self.folder is not None:
                with contextlib.suppress(OSError):
                    (self.folder / f"{oldest}.json").unlink()

    # --- records ----------------------------------------------------------------
    def _save(self, job: Job) -> None:
        """Write the job's record (best effort: a read-only store keeps jobs in memory)."""
        if self.folder is None:
            return
        record = {**job.to_dict(), "times": [job.submitted, job.started, job.finished],
                  "server_pid": os.getpid()}
        path = self.folder / f"{job.id}.json"
        tmp = path.with_suffix(".tmp")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(record, default=str), "utf-8")
            os.replace(tmp, path)  # a reader never sees half a record
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()

    def _load(self) -> None:
        """Read the records a previous server left; its unfinished jobs are lost."""
        if self.folder is None or not self.folder.is_dir():
            return
        jobs = []
        for path in self.folder.glob("*.json"):
            try:
                rec = json.loads(path.read_text("utf-8"))
                job = Job(str(rec["job_id"]), str(rec["study"]), str(rec["title"]), "",
                          state=JobState(rec["state"]), run_id=rec.get("run_id"),
                          cached=rec.get("cached"), error=rec.get("error"))
                job.submitted, job.started, job.finished = rec["times"]
            except (OSError, ValueError, KeyError, TypeError):
                continue  # not a record this version wrote: leave it alone
            if not job.state.finished and not _alive(rec.get("server_pid")):
                job.state, job.finished = JobState.FAILED, time.time()
                job.error = {"kind": "lost",
                             "message": "lost: the server stopped before the job finished",
                             "fix": "submit the study again"}
                self._save(job)
            jobs.append(job)
        for job in sorted(jobs, key=lambda j: j.submitted):
            self.jobs[job.id] = job
        self._trim()


def _alive(pid: Any) -> bool:
    """True when a process with this id exists (the server that owns a job record)."""
    if not isinstance(pid, int) or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class UnknownJob(InputError):
    def __init__(self, job_id: str):
        super().__init__(f"no job '{job_id}'", fix="see GET /api/jobs for job ids")


class QueueFull(ShigenError):
    kind = "busy"

    def __init__(self, what: str):
        super().__init__(what, fix="wait for running jobs to finish and submit again")


def worker_env(home: Path, data_dirs: list[Path]) -> dict[str, str]:
    """Environment of worker processes: this one's, with the server's store and data."""
    env = dict(os.environ)
    env["SHIGEN_HOME"] = str(home)
    env["SHIGEN_DATA"] = os.pathsep.join(str(d) for d in data_dirs)
    src = str(Path(__file__).resolve().parents[2])
    path = env.get("PYTHONPATH", "")
    if src not in path.split(os.pathsep):
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src, path) if p)
    return env
