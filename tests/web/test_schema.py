"""schemathesis against /openapi.json: every check, including job submission with valid studies.

Every operation is called with requests generated from the schema, and every schemathesis
check applies: no 5xx, status codes, content types, headers and bodies as documented, valid
data accepted and invalid data rejected. Study files are strings in the schema (format
``shigen-study``); the strategies in ``study_strategies`` make them valid studies, so
submitted jobs run for real and their runs are read back.

The example count is bounded here (``SHIGEN_SCHEMA_EXAMPLES``, default 8 per operation);
the longer run in docs/benchmarks.md sets it higher.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from study_strategies import studies

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.core.failures import FailureGroup

from shigen.options import Options
from shigen.web.app import create_app
from shigen.web.settings import ServerSettings

EXAMPLES = int(os.environ.get("SHIGEN_SCHEMA_EXAMPLES", "8"))
JOB_TIMEOUT = 600.0  # s: a generated study takes ~3 s idle; room for a loaded machine

schemathesis.openapi.format("shigen-study", studies())


def _app(home: Path):  # type: ignore[no-untyped-def]
    return create_app(ServerSettings(token=None, options=Options(home=home, data_dirs=[]),
                                      extra_hosts=["testserver"]))  # schemathesis calls http://testserver


# The schema is read at import (to parametrize the test); the routes do not depend on the
# store, so an empty one serves. The requests go to an app over the two-run store below.
_EMPTY = Path(tempfile.mkdtemp(prefix="shigen-schema-"))
atexit.register(shutil.rmtree, _EMPTY, ignore_errors=True)
_SCHEMA_APP = _app(_EMPTY)
schema = schemathesis.openapi.from_asgi("/openapi.json", _SCHEMA_APP)


@pytest.fixture(scope="module")
def seeded_app(seeded_home, tmp_path_factory):
    """The app over a private copy of the store with two runs (its jobs may add runs)."""
    app = _app(shutil.copytree(seeded_home[0], tmp_path_factory.mktemp("schema") / "home"))
    yield app
    app.state.service.jobs.shutdown()
    _SCHEMA_APP.state.service.jobs.shutdown()


def _documented_rejection(case, response) -> bool:  # type: ignore[no-untyped-def]
    """The two rejections schemathesis's status lists do not expect, each documented.

    - `runs=latest&runs=<its id>` is schema-valid but names one run: 422. A schema cannot
      say that two references resolve to different runs.
    - a body over the server's limit (SHIGEN_MAX_BODY) is refused before it is parsed:
      413, whatever else is wrong with it (schemathesis expects a 4xx from its own list).
    """
    if response.status_code == 413:
        return "too large" in response.json()["error"]["message"]
    return (case.operation.path == "/api/compare" and response.status_code == 422
            and "two different runs" in response.json()["error"]["message"])


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_api_conforms_to_its_schema(case, seeded_app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response = case.call(app=seeded_app)
        try:
            case.validate_response(response)
        except FailureGroup:
            if not _documented_rejection(case, response):
                raise
    assert response.status_code < 500
    if response.status_code >= 400:  # every error is JSON with a message
        assert response.json()["error"]["message"]


def _call(path: str, method: str, app, **parts):  # type: ignore[no-untyped-def]
    """Call one operation with the given parts; the response must conform to the schema."""
    case = schema[path][method].Case(**parts)
    response = case.call(app=app)
    case.validate_response(response)
    return response


# no shrinking: each example runs a job, and a failing study is printed whole anyway
@settings(max_examples=max(2, EXAMPLES // 4), deadline=None, database=None,
          phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=studies())
def test_generated_studies_run_as_jobs(text, seeded_app):
    """A valid study submitted through the API runs to a stored run that the API serves."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        submitted = _call("/api/studies", "POST", seeded_app, body={"toml": text},
                          media_type="application/json")
        assert submitted.status_code == 202, submitted.text
        job_id = submitted.json()["job_id"]
        deadline = time.monotonic() + JOB_TIMEOUT
        while not (job := _call("/api/jobs/{job_id}", "GET", seeded_app,
                                path_parameters={"job_id": job_id}).json())["finished"]:
            assert time.monotonic() < deadline, f"job did not finish in {JOB_TIMEOUT} s: {job}"
            time.sleep(0.1)
        assert job["state"] == "done", job
        shown = _call("/api/runs/{run}", "GET", seeded_app, path_parameters={"run": job["run_id"]})
        assert shown.status_code == 200
        assert shown.json()["study"] == text.split('"')[1]  # the generated study's name
