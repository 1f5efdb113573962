"""schemathesis against /openapi.json: no generated request gets a 5xx."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.checks import not_a_server_error

from shigen.options import Options
from shigen.web.app import create_app
from shigen.web.settings import ServerSettings


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


@schema.parametrize()
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_server_errors(case, seeded_app):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response = case.call(app=seeded_app)
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500
    if response.status_code >= 400:  # every error is JSON with a message
        assert response.json()["error"]["message"]
