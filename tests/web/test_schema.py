"""schemathesis against /openapi.json: no generated request gets a 5xx."""

from __future__ import annotations

import atexit
import shutil
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from webhelpers import STUDY, make_home, variant

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.checks import not_a_server_error

from shigen.options import Options
from shigen.web.app import create_app
from shigen.web.settings import ServerSettings

# The schema is loaded at import, so the app needs its store now: a temporary one with
# two runs, removed when the module's tests are done.
HOME = Path(tempfile.mkdtemp(prefix="shigen-schema-"))
atexit.register(shutil.rmtree, HOME, ignore_errors=True)  # also when the tests are deselected
make_home(HOME, STUDY.read_text("utf-8"), variant(STUDY.read_text("utf-8")))
# schemathesis calls the app as http://testserver
APP = create_app(ServerSettings(token=None, options=Options(home=HOME, data_dirs=[]),
                                extra_hosts=["testserver"]))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    yield
    APP.state.service.jobs.shutdown()
    shutil.rmtree(HOME, ignore_errors=True)


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
