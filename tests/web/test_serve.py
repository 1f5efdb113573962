"""`shigen serve` as a real process: the API answers, and a submitted study's job ends
with the run id `shigen run` gives the same study."""

from __future__ import annotations

import json
import time
import urllib.request

from webhelpers import STUDY, cli_json

# The server answers in milliseconds idle and the job is a cache hit; 600 s leaves room
# for a machine loaded many times over.
TIMEOUT = 600.0


def get(url: str):
    with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
        return r.status, json.loads(r.read())


def test_serve_answers_and_runs_a_study(server, monkeypatch, seeded_home):
    base, ids = server
    status, runs = get(base + "/api/runs")
    assert status == 200 and [r["run_id"] for r in runs] == ids
    status, schema = get(base + "/openapi.json")
    assert status == 200 and "/api/studies" in schema["paths"]
    body = json.dumps({"example": "japan-2009"}).encode()
    req = urllib.request.Request(base + "/api/studies", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
        assert r.status == 202
        job = json.loads(r.read())
    deadline = time.monotonic() + TIMEOUT
    while not job["finished"] and time.monotonic() < deadline:
        time.sleep(0.2)
        job = get(f"{base}/api/jobs/{job['job_id']}")[1]
    assert job["state"] == "done", f"after {TIMEOUT:.0f} s the job is {job}"
    monkeypatch.setenv("SHIGEN_HOME", str(seeded_home[0]))
    assert job["run_id"] == cli_json("run", str(STUDY))["run_id"]
