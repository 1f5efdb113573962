"""schemathesis against /openapi.json: no generated request gets a 5xx."""

from __future__ import annotations

import shutil
import warnings

import pytest
from hypothesis import HealthCheck, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.checks import not_a_server_error

from shigen.options import Options
from shigen.web.app import create_app
from shigen.web.settings import ServerSettings


@pytest.fixture(scope="module")
def api_schema(seeded_home, tmp_path_factory):
    """The app over a private copy of the store with two runs (its jobs may add runs)."""
    home = shutil.copytree(seeded_home[0], tmp_path_factory.mktemp("schema") / "home")
    app = create_app(ServerSettings(token=None, options=Options(home=home, data_dirs=[])))
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    app.state.service.jobs.shutdown()


# loaded lazily from the fixture, so importing this module runs nothing
schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_no_server_errors(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500
    if response.status_code >= 400:  # every error is JSON with a message
        assert response.json()["error"]["message"]
