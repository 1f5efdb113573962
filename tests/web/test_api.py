"""The HTTP API: the same documents as the CLI's --json, jobs, exports and safety."""

from __future__ import annotations

import io
import json
import time

import pandas as pd
import pytest
from webhelpers import ROOT, cli, cli_json, test_client, variant

from shigen.errors import InputError
from shigen.web.app import create_app
from shigen.web.safety import check_paths
from shigen.web.settings import ServerSettings, is_loopback


@pytest.fixture
def client(home):
    with test_client(create_app(ServerSettings())) as c:
        yield c


# A flagship job takes ~15 s idle; 600 s leaves room for a machine loaded many times over.
JOB_TIMEOUT = 600.0


def wait(client, job_id: str, timeout: float = JOB_TIMEOUT, headers: dict | None = None) -> dict:
    deadline = time.monotonic() + timeout
    doc: dict = {}
    while time.monotonic() < deadline:
        doc = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        if doc["finished"]:
            return doc
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout:.0f} s; last seen: {doc}")


def test_documents_equal_the_cli_json(client, home):
    _, (rid, rid2) = home
    assert client.get("/api/runs").json() == cli_json("runs", "list")
    shown = cli_json("runs", "show", rid)
    assert shown.pop("path").endswith(f"/runs/{rid}")  # the API names it inside the store
    assert client.get(f"/api/runs/{rid}").json() == {**shown, "path": f"<run store>/runs/{rid}"}
    assert client.get("/api/runs/latest").json()["run_id"] == rid2
    assert client.get(f"/api/runs/{rid[:5]}/result").json() == cli_json(
        "run", "studies/japan-2009.toml")  # a cached rerun prints the same document
    assert client.get("/api/datasets").json() == cli_json("data", "list")
    shown = cli_json("data", "show", "ree-reserves", "--rows", "5")
    assert shown.pop("path").endswith(shown["file"])  # the API leaves the server path out
    assert client.get("/api/datasets/ree-reserves?rows=5").json() == shown
    assert client.get(f"/api/compare?runs={rid}&runs={rid2}").json() == cli_json(
        "runs", "compare", rid, rid2)


def test_tables_and_figures_of_a_run(client, home):
    _, (rid, _) = home
    result = client.get(f"/api/runs/{rid}/result").json()
    tables = {t["id"]: t for t in client.get(f"/api/runs/{rid}/tables").json()}
    prod = tables["supply-production"]
    summary = result["supply"]["commodities"]
    for commodity, year, stage, hhi, points, top, share in prod["rows"]:
        entry = next(s for s in summary[commodity][str(year)]["stages"] if s["stage"] == stage)
        assert (hhi, top, share) == (entry["production_hhi"], entry["top_producer"],
                                     entry["top_producer_share"])
        assert points == round(hhi * 10_000)
    figs = client.get(f"/api/runs/{rid}/figures").json()
    supply = [f["id"] for f in figs if f["stage"] == "supply" and not f["generic"]]
    shares = [f"supply-shares-{c}" for c in summary if any(
        e["stages"] for e in summary[c].values())]
    assert supply == [*shares, "supply-hhi", "supply-import-shares",
                      "supply-criticality-matrix", "supply-chain-view"]
    assert all(f["figure"]["data"] for f in figs)
    assert {f["stage"] for f in figs} == set(result) & {"energy", "materials", "supply",
                                                        "disruption", "policy", "uncertainty"}


def test_exports(client, home, tmp_path):
    _, (rid, _) = home
    r = client.get(f"/api/runs/{rid}/export?format=json")
    assert r.status_code == 200 and r.json() == client.get(f"/api/runs/{rid}/result").json()
    assert f'filename="{rid}.json"' in r.headers["content-disposition"]
    iamc = client.get(f"/api/runs/{rid}/export?format=iamc")
    code, _ = cli("runs", "export", rid, "--format", "iamc", "-o", str(tmp_path / "x.csv"))
    assert code == 0 and iamc.text == (tmp_path / "x.csv").read_text()
    long = pd.read_csv(io.StringIO(client.get(f"/api/runs/{rid}/export?format=csv").text),
                       low_memory=False)  # one table of every variable: mixed column types
    assert list(long.columns[:3]) == ["run_stage", "variable", "unit"]
    assert long["value"].notna().all()  # the long table holds no empty grid cells
    share = long[(long["run_stage"] == "supply") & (long["variable"] == "share")]
    # shares of each commodity × stage × year sum to one (OTHER included), tolerance 1e-9
    sums = share.groupby(["commodity", "stage", "year"])["value"].sum()
    assert ((sums - 1).abs() < 1e-9).all()
    summary = client.get(f"/api/runs/{rid}/result").json()["supply"]["commodities"]
    assert len(sums) == sum(len(e["stages"]) for y in summary.values() for e in y.values())
    assert client.get(f"/api/runs/{rid}/export?format=xml").status_code == 422


def test_submitted_study_gives_the_cli_run_id(client, home, study_text, tmp_path):
    text = study_text.replace("seed = 2009", "seed = 7")  # not in the store yet
    r = client.post("/api/studies", json={"toml": text})
    assert r.status_code == 202 and r.headers["location"] == f"/api/jobs/{r.json()['job_id']}"
    job = wait(client, r.json()["job_id"])
    assert job["state"] == "done" and job["cached"] is False, job
    (tmp_path / "s.toml").write_text(text)
    for ref in ("etp2008-baseline.toml",):  # the flagship's energy baseline, beside it
        (tmp_path / ref).write_text((ROOT / "studies" / ref).read_text("utf-8"))
    doc = cli_json("run", str(tmp_path / "s.toml"))
    assert doc["run_id"] == job["run_id"] and doc["cached"] is True  # the CLI sees the job's run
    assert job["run_id"] in [r["run_id"] for r in client.get("/api/runs").json()]


def test_cancel_and_time_limit(home, study_text):
    settings = ServerSettings()
    settings.job_timeout = 1  # a worker needs more than 1 s to import and run
    with test_client(create_app(settings)) as client:
        svc = client.app.state.service
        svc.jobs.timeout = 0.2
        job = client.post("/api/studies", json={"example": "japan-2009"}).json()
        done = wait(client, job["job_id"])
        assert done["state"] == "timeout" and "longer than 0.2 s" in done["error"]["message"]
        svc.jobs.timeout = 600
        job = client.post("/api/studies", json={"example": "japan-2009"}).json()
        r = client.post(f"/api/jobs/{job['job_id']}/cancel")
        assert r.status_code == 200 and r.json()["state"] == "cancelled"
        assert client.get(f"/api/jobs/{job['job_id']}").json()["state"] == "cancelled"


@pytest.mark.slow
def test_concurrency_is_bounded(home, study_text):
    settings = ServerSettings()
    settings.workers = 1
    # two small studies not in the store (each job still takes a worker's start-up, > 1 s)
    texts = [f'[study]\nname = "bounded"\ntitle = "Bounded"\nseed = {s}\n\n'
             '[supply]\ncommodities = ["uranium"]\nyears = [2010]\n' for s in (11, 12)]
    with test_client(create_app(settings)) as client:
        ids = [client.post("/api/studies", json={"toml": t}).json()["job_id"] for t in texts]
        most = 0
        deadline = time.monotonic() + 2 * JOB_TIMEOUT
        while True:  # one request lists every job under one lock: a consistent snapshot
            listed = {j["job_id"]: j["state"] for j in client.get("/api/jobs").json()}
            assert time.monotonic() < deadline, f"unfinished after {2 * JOB_TIMEOUT} s: {listed}"
            states = [listed[i] for i in ids]
            most = max(most, states.count("running"))
            if all(s == "done" for s in states):
                break
            assert not any(s in ("failed", "timeout") for s in states), states
            time.sleep(0.05)
        assert most == 1


@pytest.mark.parametrize(("method", "url", "body", "status", "needle"), [
    ("get", "/api/runs/ffff", None, 404, "no run 'ffff'"),
    ("get", "/api/runs/..%2F..%2Fetc", None, 404, "no such path"),
    ("get", "/api/datasets/..catalogue", None, 422, "path.name"),
    ("get", "/api/datasets/nope", None, 404, "unknown dataset"),
    ("get", "/api/studies/nope", None, 404, "no shipped study"),
    ("get", "/api/jobs/0123456789ab", None, 404, "no job"),
    ("get", "/api/compare?runs=latest", None, 422, "at least 2 items"),
    ("get", "/nowhere", None, 404, "no such path"),
    ("delete", "/api/runs", None, 405, "not allowed"),
    ("post", "/api/studies", {}, 422, "exactly one of"),
    ("post", "/api/studies", {"example": "../etc"}, 422, "body.example"),
    ("post", "/api/studies", {"toml": "x", "code": "1"}, 422, "body.code"),
    ("get", "/runs/..x", None, 422, "is not a run id"),
    ("get", "/catalogue/..catalogue.toml", None, 404, "no such name"),
    ("get", "/catalogue/..%2F..%2Fcatalogue.toml", None, 404, "no such path"),
])
def test_errors_are_json_4xx_with_a_message(client, method, url, body, status, needle):
    r = getattr(client, method)(url, **({"json": body} if body is not None else {}))
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert needle in r.json()["error"]["message"]


def test_request_bodies_are_size_limited(client):
    big = json.dumps({"toml": "#" * 1_100_000})
    r = client.post("/api/studies", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "too large" in r.json()["error"]["message"]


def test_chunked_bodies_are_size_limited_too(client):
    def chunks():
        yield b'{"toml": "'
        for _ in range(12):
            yield b"#" * 100_000
        yield b'"}'

    r = client.post("/api/studies", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["kind"] == "input"


def test_token_guards_every_request_but_health(home, monkeypatch):
    token = "t" * 32
    monkeypatch.setenv("SHIGEN_TOKEN", token)
    with test_client(create_app(ServerSettings())) as client:
        assert client.get("/api/health").status_code == 200  # liveness stays open
        for url in ("/api/runs", "/api/datasets", "/", "/catalogue", "/openapi.json", "/docs"):
            r = client.get(url)
            assert r.status_code == 401 and r.json()["error"]["kind"] == "auth", url
            assert r.headers["www-authenticate"] == "Bearer"
        r = client.post("/api/studies", json={"example": "japan-2009"})
        assert r.status_code == 401 and r.json()["error"]["kind"] == "auth"
        r = client.post("/api/studies", json={"example": "japan-2009"},
                        headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401
        r = client.post("/studies/submit", data={"toml": "x", "token": "nope"})
        assert r.status_code == 401
        assert client.get("/api/runs", headers={"X-Shigen-Token": token}).status_code == 200
        r = client.post("/api/studies", json={"example": "japan-2009"},
                        headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 202
        assert wait(client, r.json()["job_id"], headers={
            "Authorization": f"Bearer {token}"})["state"] == "done"
        # a browser signs in once; the cookie is HttpOnly and SameSite=Strict
        assert 'name="token"' in client.get("/login").text  # the sign-in form is open
        assert client.post("/login", data={"token": "wrong"}).status_code == 401
        r = client.post("/login", data={"token": token}, follow_redirects=False)
        assert r.status_code == 303
        cookie = r.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert client.get("/api/runs").status_code == 200  # the client keeps the cookie


def test_non_loopback_needs_a_token(monkeypatch):
    monkeypatch.delenv("SHIGEN_TOKEN", raising=False)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    with pytest.raises(InputError, match="without SHIGEN_TOKEN"):
        ServerSettings(host="0.0.0.0").check()
    code, out = cli("serve", "--host", "0.0.0.0", "--port", "0")
    assert code == 2
    monkeypatch.setenv("SHIGEN_TOKEN", "short")
    with pytest.raises(InputError, match="shorter than 16"):
        ServerSettings(host="0.0.0.0").check()
    monkeypatch.setenv("SHIGEN_TOKEN", "x" * 20)
    ServerSettings(host="0.0.0.0").check()


def test_serve_refusal_message_through_the_cli(monkeypatch):
    from typer.testing import CliRunner

    from shigen.cli import app

    monkeypatch.delenv("SHIGEN_TOKEN", raising=False)
    res = CliRunner().invoke(app, ["serve", "--host", "10.0.0.1"])
    assert res.exit_code == 2
    assert "refusing to listen on 10.0.0.1 without SHIGEN_TOKEN" in res.output
    assert "Traceback" not in res.output


def test_a_baseline_outside_the_shipped_studies_is_refused(client, study_text):
    text = "\n".join(["[study]", 'name = "x"', 'title = "x"', "", "[energy]",
                      'regions = ["WORLD"]', 'baseline = "/etc/passwd"'])
    r = client.post("/api/studies", json={"toml": text})
    assert r.status_code == 422
    err = r.json()["error"]
    assert "outside the allowed" in err["message"] and err["where"]["field"] == "energy.baseline"


def test_an_edited_shipped_study_finds_its_baseline(client):
    """etp2008-blue names etp2008-baseline.toml: found beside the shipped studies."""
    text = client.get("/api/studies/etp2008-blue").json()["toml"]
    r = client.post("/api/studies", json={"toml": text.replace("BLUE Map", "BLUE Map, edited")})
    assert r.status_code == 202, r.text


def test_file_references_stay_inside_the_data_folders(tmp_path):
    data = tmp_path / "data"
    (data / "sub").mkdir(parents=True)
    ok = {"x": {"intensities_file": "sub/a.csv", "path": str(data / "b.csv"),
                "baseline": "base.toml",
                "title": "any text / with slashes ../ is not a path field"}}
    check_paths(ok, [data], "s.toml")
    with pytest.raises(InputError):  # a value ending like a file is checked whatever its key
        check_paths({"anything": "../x.toml"}, [data], "s.toml")
    for bad in ("../secret.csv", "/etc/passwd", "~/x.csv", "sub/../../x.csv", "C:\\x.csv"):
        with pytest.raises(InputError) as exc:
            check_paths({"materials": {"data_dir": bad}}, [data], "s.toml")
        assert exc.value.where.field == "materials.data_dir"
    with pytest.raises(InputError):
        check_paths({"files": ["sub/a.csv", "../b.csv"]}, [data], "s.toml")
    with pytest.raises(InputError):  # no data folders allowed: no file references at all
        check_paths({"file": "a/b.csv"}, [], "s.toml")


def test_second_run_shows_up_for_the_cli(client, home, study_text, tmp_path):
    """A run made by the CLI appears in the API at once (same store)."""
    p = tmp_path / "v.toml"
    p.write_text(variant(study_text).replace("seed = 2009", "seed = 99"))
    (tmp_path / "etp2008-baseline.toml").write_text(  # the energy baseline, beside it
        (ROOT / "studies" / "etp2008-baseline.toml").read_text("utf-8"))
    rid = cli_json("run", str(p))["run_id"]
    assert rid in [r["run_id"] for r in client.get("/api/runs").json()]


def test_pages_render(client, home):
    _, (rid, rid2) = home
    docs = client.get("/docs")  # Swagger UI, its scripts served by this server
    assert docs.status_code == 200 and "/static/docs/swagger-ui-bundle.js" in docs.text
    assert "//cdn" not in docs.text and "https://" not in docs.text.split("<body>")[0]
    js = client.get("/static/docs/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 500_000
    api = client.get("/api").text
    assert "/api/studies" in api and "/openapi.json" in api
    for url in ("/", f"/runs/{rid}", f"/compare?runs={rid}&runs={rid2}", "/catalogue",
                "/catalogue/ree-reserves", "/studies/japan-2009/edit"):
        r = client.get(url)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html"), url
        assert '<a class="skip" href="#content">' in r.text
    page = client.get(f"/runs/{rid}").text
    figs = client.get(f"/api/runs/{rid}/figures").json()
    assert page.count('class="figure-data"') == len(figs) and '/static/plotly.min.js' in page
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert len(js.content) > 1_000_000


def test_form_submission_redirects_to_the_job(client, study_text):
    r = client.post("/studies/submit", data={"toml": study_text, "name": "japan-2009"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job_id = r.headers["location"].rsplit("/", 1)[1]
    wait(client, job_id)
    page = client.get(r.headers["location"]).text
    assert 'id="run-link"' in page
