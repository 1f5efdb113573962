"""A server a browser can reach: Host and Origin checks, headers, no server paths, limits.

Issue 18: a form POST with ``Origin: http://evil.example`` created a job, and a request
with ``Host: rebind.evil.example`` was answered (DNS rebinding).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from webhelpers import ROOT, test_client

from shigen.web.app import create_app
from shigen.web.settings import ServerSettings

STUDY = ROOT / "tests" / "bad_inputs" / "good-study.toml"  # supply only: a quick run


@pytest.fixture
def client(home):
    with test_client(create_app(ServerSettings())) as c:
        yield c


@pytest.mark.parametrize("host", ["rebind.evil.example", "evil.example:8000", "10.0.0.1",
                                  "localhost.evil.example", ""])
def test_a_foreign_host_is_refused(client, host):
    r = client.get("/api/runs", headers={"Host": host})
    assert r.status_code == 400, r.text
    assert r.json()["error"]["message"] == "this server does not answer to that host name"
    assert "SHIGEN_ALLOWED_HOSTS" in r.json()["error"]["fix"]


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000",
                                  "LOCALHOST"])
def test_loopback_names_are_answered(client, host):
    assert client.get("/api/runs", headers={"Host": host}).status_code == 200


def test_more_host_names_can_be_allowed(home, monkeypatch):
    monkeypatch.setenv("SHIGEN_ALLOWED_HOSTS", "shigen.lab.example, other.example")
    with test_client(create_app(ServerSettings())) as c:
        assert c.get("/api/runs", headers={"Host": "shigen.lab.example:80"}).status_code == 200
        assert c.get("/api/runs", headers={"Host": "evil.example"}).status_code == 400
    token = "k" * 32
    monkeypatch.setenv("SHIGEN_TOKEN", token)
    bound = ServerSettings(host="192.0.2.7")  # the address it listens on is allowed too
    assert "192.0.2.7" in bound.allowed_hosts and "localhost" in bound.allowed_hosts


@pytest.mark.parametrize(("headers", "url", "form"), [
    ({"Origin": "http://evil.example"}, "/api/studies", False),
    ({"Origin": "http://evil.example"}, "/studies/submit", True),
    ({"Origin": "null"}, "/studies/submit", True),  # sandboxed iframes, file:// pages
    ({"Origin": "http://localhost:9999"}, "/api/studies", False),  # another local app
    ({"Sec-Fetch-Site": "cross-site"}, "/studies/submit", True),
    ({"Sec-Fetch-Site": "same-site"}, "/api/studies", False),
])
def test_cross_site_writes_are_refused(client, headers, url, form):
    body = {"data": {"toml": STUDY.read_text(), "name": "x"}} if form else {
        "json": {"example": "japan-2009"}}
    r = client.post(url, headers=headers, follow_redirects=False, **body)
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"]["kind"] == "forbidden"
    assert client.get("/api/jobs").json() == []  # nothing was queued
    r = client.post("/jobs/0123456789ab/cancel", headers=headers)
    assert r.status_code == 403


def test_same_origin_and_cli_writes_are_accepted(client):
    text = STUDY.read_text()
    r = client.post("/studies/submit", data={"toml": text, "name": "good"},
                    headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/api/studies", json={"toml": text})  # curl: no Origin at all
    assert r.status_code == 202
    assert len(client.get("/api/jobs").json()) == 2


def test_allow_on_405_and_retry_after_on_429(client):
    r = client.delete("/api/runs")
    assert r.status_code == 405 and r.headers["allow"] == "GET"
    r = client.put("/api/studies", json={})
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    jobs = client.app.state.service.jobs
    jobs.max_queued = 1
    jobs._ensure_thread = lambda: None  # no scheduler: the first job stays queued
    assert client.post("/api/studies", json={"toml": STUDY.read_text()}).status_code == 202
    r = client.post("/api/studies", json={"toml": STUDY.read_text()})
    assert r.status_code == 429 and r.json()["error"]["kind"] == "busy"
    assert int(r.headers["retry-after"]) > 0


ABSOLUTE = re.compile(r"(?<![\w.:/~>-])/(?:work|tmp|home|root|usr|etc|srv|var)/")


def test_no_absolute_paths_in_responses(client, home, tmp_path):
    doc = client.get("/api/datasets/ree-reserves").json()
    assert "path" not in doc and doc["file"] == "ree_reserves.csv"
    missing = STUDY.read_text() + '\n[energy]\nregions = ["WORLD"]\nbaseline = "gone.toml"\n'
    r = client.post("/api/studies", json={"toml": missing})
    assert r.status_code == 422 and "gone.toml" in r.text
    assert "<shipped studies>/gone.toml" in r.text  # the folder is named, not its path
    rid = home[1][0]
    for url in ("/api/runs", f"/api/runs/{rid}", "/api/datasets", "/api/jobs", "/api/studies",
                "/", f"/runs/{rid}", "/catalogue", "/catalogue/ree-reserves", "/api"):
        assert not ABSOLUTE.search(client.get(url).text), url
    assert not ABSOLUTE.search(r.text), r.text


def test_comparing_two_runs_without_stages(client, home):
    import time

    from shigen.runs.store import RunRecord, RunStore

    # a study must declare a stage, so stage-less runs exist only as stored manifests
    # (written by hand, or by an older version): the comparison must still answer
    store = RunStore(home[0])
    ids = [f"{c}" * 12 for c in "ab"]
    for rid in ids:
        store.write(rid, {"run_id": rid}, {},
                    RunRecord(rid, "empty", "No stage", time.time(), "complete", [], "test"))
    r = client.get(f"/api/compare?runs={ids[0]}&runs={ids[1]}")
    assert r.status_code == 200, r.text
    assert r.json()["runs"] == ids and r.json()["rows"] == [], r.text
    assert client.get(f"/compare?runs={ids[0]}&runs={ids[1]}").status_code == 200


def test_a_bom_study_is_read(client, tmp_path):
    text = "\ufeff" + STUDY.read_text()
    r = client.post("/api/studies", json={"toml": text})
    assert r.status_code == 202, r.text
    path = tmp_path / "bom.toml"
    path.write_bytes(text.encode("utf-8"))
    from webhelpers import cli_json

    assert cli_json("run", str(path))["study"] == "bad-data-probe"


def test_a_huge_study_is_refused_before_it_is_read(tmp_path, home):
    big = tmp_path / "huge.toml"
    with big.open("wb") as fh:  # 2 GB, sparse: costs no disk, but a whole read would show
        fh.truncate(2_000_000_000)
    # RUSAGE_CHILDREN is the largest child this process ever waited for, so a fresh
    # interpreter runs `shigen run` and reports the peak of that one child alone
    probe = ("import resource, subprocess, sys\n"
             "p = subprocess.run([sys.executable, '-m', 'shigen', 'run', sys.argv[1]],"
             " capture_output=True, text=True)\n"
             "sys.stderr.write(p.stderr)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
             "sys.exit(p.returncode)\n")
    proc = subprocess.run([sys.executable, "-c", probe, str(big)],
                          capture_output=True, text=True, timeout=600)
    peak_mb = int(proc.stdout.split()[-1]) / 1024
    assert proc.returncode == 2, proc.stderr
    assert "huge.toml" in proc.stderr and "over the 1,000,000-byte limit" in proc.stderr
    assert "SHIGEN_MAX_STUDY_BYTES" in proc.stderr and "Traceback" not in proc.stderr
    assert peak_mb < 600, f"peak RSS {peak_mb:.0f} MB: was the 2 GB file read whole?"
    small = tmp_path / "small.toml"
    small.write_text(STUDY.read_text())
    proc = subprocess.run([sys.executable, "-m", "shigen", "run", str(small)],
                          capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "SHIGEN_MAX_STUDY_BYTES": "100"})
    assert proc.returncode == 2 and "over the 100-byte limit" in proc.stderr


def test_a_request_over_the_body_limit_is_413(client):
    r = client.post("/api/studies", content=json.dumps({"toml": "#" * 1_100_000}),
                    headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_lost_jobs_are_marked_failed_after_a_restart(home):
    from shigen.web.jobs import JobManager, JobState

    folder = home[0] / "jobs"
    jobs = JobManager({}, folder=folder)
    jobs._ensure_thread = lambda: None  # type: ignore[method-assign]
    job = jobs.submit(STUDY.read_text(), "good.toml", study_dir=STUDY.parent)
    record = json.loads((folder / f"{job.id}.json").read_text())
    record["state"], record["server_pid"] = "running", 2**22 + 1  # a server that is gone
    (folder / f"{job.id}.json").write_text(json.dumps(record))
    again = JobManager({}, folder=folder).get(job.id)
    assert again.state is JobState.FAILED and again.error is not None
    assert again.error["message"] == "lost: the server stopped before the job finished"
    assert json.loads((folder / f"{job.id}.json").read_text())["state"] == "failed"
    done = JobManager({}, folder=folder)  # a finished record is kept as it is
    assert done.get(job.id).error == again.error
    assert Path(folder).is_dir()
