"""`kill -9` on `shigen serve` leaves no job worker behind, and the restarted server
reports the job as lost (issue 18: workers ran on with no time limit, records were gone)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
import urllib.request
from pathlib import Path

from webhelpers import ROOT, STUDY

from shigen.web.local import local_server

#: A worker notices its parent's death at once (PR_SET_PDEATHSIG) or within 0.5 s (its
#: watchdog); 60 s is far more than 10x that on a loaded machine.
GONE_WITHIN_S = 60


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def server_pid(port: str) -> int:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmd = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in cmd and port.encode() in cmd and b"--port" in cmd:
                return int(entry.name)
    raise AssertionError(f"no `shigen serve --port {port}` process found")


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended


def post(base: str, doc: dict) -> dict:
    req = urllib.request.Request(base + "/api/studies", data=json.dumps(doc).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return dict(json.loads(r.read()))


def get(url: str) -> object:
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


def test_kill_9_on_serve_leaves_no_worker(seeded_home, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(seeded_home[0], home)
    text = STUDY.read_text("utf-8").replace("seed = 2009", "seed = 4242")  # not cached
    workers: list[int] = []
    with local_server(home, src=ROOT / "src") as base:
        pid = server_pid(base.rsplit(":", 1)[1])
        job = post(base, {"toml": text})
        deadline = time.monotonic() + 120
        while not workers and time.monotonic() < deadline:  # waiting for the worker to start
            state = get(f"{base}/api/jobs/{job['job_id']}")["state"]  # type: ignore[index]
            assert state in ("queued", "running"), state
            workers = [c for c in children(pid) if b"shigen.web.worker" in
                       Path(f"/proc/{c}/cmdline").read_bytes()]
            time.sleep(0.1)
        assert workers, "the job's worker did not start within 120 s"
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + GONE_WITHIN_S
        while any(alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [w for w in workers if alive(w)]
        for w in left:  # do not leave them to the next test
            os.kill(w, signal.SIGKILL)
        assert not left, f"workers {left} outlived the server by {GONE_WITHIN_S} s"
    with local_server(home, src=ROOT / "src") as base:  # the restarted server
        lost = get(f"{base}/api/jobs/{job['job_id']}")
        assert lost["state"] == "failed", lost  # type: ignore[index]
        assert lost["error"]["message"].startswith("lost: the server stopped")  # type: ignore[index]
