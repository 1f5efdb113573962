"""The web bad-input corpus (``tests/bad_inputs/web/``): each study through the HTTP API
and through the CLI.

Each file starts with ``# expect: <regex>`` (the message, for both) and ``# http: 422``
(refused at submission) or ``# http: job`` (accepted, and the job fails with the
message: files a policy package names are read only when the package is run). The CLI
must exit 2 with the message, a ``fix:`` and no traceback. No response may show a
server path or anything read from a file outside the sandbox.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from opens import OPENED, child_env, child_log, watch
from typer.testing import CliRunner
from webhelpers import ROOT, test_client

from shigen.cli import app
from shigen.web.app import create_app
from shigen.web.settings import ServerSettings

BAD = Path(__file__).resolve().parents[1] / "bad_inputs" / "web"
CASES = sorted(BAD.glob("*.toml"))
#: What /etc/passwd would give away if it were read: its first line, or TOML's verdict.
LEAKS = re.compile(r"root:|/bin/|Expected '='|not valid TOML: Expected|unknown key 'root")


def header(path: Path) -> tuple[str, str]:
    lines = path.read_text("utf-8").splitlines()
    expect = re.match(r"# expect: (.*)", lines[0])
    http = re.match(r"# http: (422|job)", lines[1])
    assert expect and http, f"{path.name}: the first two lines must be '# expect:' and '# http:'"
    return expect.group(1), http.group(1)


@pytest.fixture(scope="module")
def served(seeded_home, tmp_path_factory):
    """A test client over a copy of the seeded store; its job workers log opens of
    /etc/passwd (see ``opens.child_env``)."""
    import os
    import shutil

    tmp = tmp_path_factory.mktemp("bad-web")
    shutil.copytree(seeded_home[0], tmp / "home")
    env = {"SHIGEN_HOME": str(tmp / "home"), **child_env(tmp, "/etc/passwd")}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the job manager copies the environment for its workers
    try:
        with test_client(create_app(ServerSettings())) as c:
            yield c, tmp
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def finished(client, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = client.get(f"/api/jobs/{job_id}").json()
        if doc["finished"]:
            return doc
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s (waiting for its error)")


def test_the_corpus_is_there():
    assert len(CASES) >= 12
    for path in CASES:
        header(path)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_over_http(served, path):
    client, tmp = served
    expect, http = header(path)
    watch("/etc/passwd")
    r = client.post("/api/studies", json={"toml": path.read_text("utf-8")})
    if http == "422":
        assert r.status_code == 422, r.text
        err = r.json()["error"]
        first = (err.get("problems") or [err])[0]
        assert (first["where"].get("line") or 0) >= 1 or first["where"].get("field")
        assert first.get("fix")
    else:
        assert r.status_code == 202, r.text
        job = finished(client, r.json()["job_id"])
        assert job["state"] == "failed", job
        err = job["error"]
        assert err["kind"] == "input" and err.get("fix"), err
        watching, opened = child_log(tmp)
        assert watching >= 1 and opened == []  # the worker never opened /etc/passwd
    assert re.search(expect, r.text if http == "422" else str(err)), (expect, r.text)
    body = r.text if http == "422" else str(err)
    assert not LEAKS.search(body), body
    assert str(ROOT) not in body and "/tmp/" not in body, body  # no server paths
    assert OPENED == []  # the server process never opened /etc/passwd


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_through_the_cli(path, monkeypatch, tmp_path):
    expect, _ = header(path)
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path / "home"))
    watch("/etc/passwd")
    res = CliRunner().invoke(app, ["run", str(path)])
    assert res.exit_code == 2, res.output
    assert re.search(expect, res.output), res.output
    assert path.name in res.output and "fix:" in res.output and "Traceback" not in res.output
    assert not LEAKS.search(res.output), res.output
    assert OPENED == []
