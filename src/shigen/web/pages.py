"""Dashboard pages (HTML): runs and studies, a run, a comparison, the catalogue, jobs.

Pages render the same templates and the same tables and figures as ``shigen report``;
plotly.js is served by shigen itself (``/static/plotly.min.js``), so the dashboard
works offline. Forms work without JavaScript.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shigen.report.compare import compare_figures, compare_table, headline_table
from shigen.report.html import environment
from shigen.web.api import NAME, RUN_REF, compare_doc, service
from shigen.web.safety import TOKEN_COOKIE, token_ok
from shigen.web.service import Service

TEMPLATES = Path(__file__).parent / "templates"
router = APIRouter(include_in_schema=False)
Svc = Annotated[Service, Depends(service)]


@cache
def env() -> Any:
    return environment(TEMPLATES)


def page(template: str, **ctx: Any) -> HTMLResponse:
    return HTMLResponse(env().get_template(template).render(**ctx))


@cache
def plotly_bytes() -> bytes:
    import plotly

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_bytes()


@router.get("/static/plotly.min.js")
def plotly_js() -> Response:
    return Response(plotly_bytes(), media_type="text/javascript",
                    headers={"Cache-Control": "public, max-age=86400"})


@router.get("/", response_class=HTMLResponse)
def index(svc: Svc) -> HTMLResponse:
    runs = [r.to_dict() for r in reversed(svc.store.list())]
    return page("index.html.j2", title="Runs and studies", runs=runs,
                studies=svc.examples(), jobs=[j.to_dict() for j in svc.jobs.list()[:20]])


@router.get("/runs/{run}", response_class=HTMLResponse)
def run_page(svc: Svc, run: str) -> HTMLResponse:
    rid = svc.resolve(_ref(run))

    def render() -> str:
        return str(env().get_template("run.html.j2").render(view=svc.view(rid),
                                                            title=svc.view(rid).title))

    return HTMLResponse(svc.cached("page", rid, render))


@router.get("/compare", response_class=HTMLResponse)
def compare_page(svc: Svc, runs: Annotated[list[str], Query(max_length=8)] = []  # noqa: B006
                 ) -> HTMLResponse:
    doc = compare_doc(svc, [_ref(r) for r in runs])
    from shigen.runs.compare import comparison

    # what changed first: runs named by study plus what differs, headline figures by run
    cmp = svc.cache.get(("compare-headline", *doc["runs"]),
                        lambda: comparison(svc.store, doc["runs"]).to_json())
    titles = dict(zip(doc["runs"], cmp["names"], strict=True))
    return page("compare.html.j2", title="Compare runs", doc=doc, titles=titles, cmp=cmp,
                headline=headline_table(cmp), table=compare_table(doc),
                figures=compare_figures(doc))


@router.get("/api", response_class=HTMLResponse)
def api_page(request: Request) -> HTMLResponse:
    schema = request.app.openapi()
    ops = [{"method": method.upper(), "path": path, "summary": op.get("summary", ""),
            "description": (op.get("description") or "").split("\n")[0],
            "tag": (op.get("tags") or [""])[0]}
           for path, item in schema["paths"].items() for method, op in item.items()]
    return page("api.html.j2", title="HTTP API", active="api", ops=ops,
                info=schema.get("info", {}))


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue_page(svc: Svc) -> HTMLResponse:
    return page("catalogue.html.j2", title="Data catalogue", datasets=svc.dataset_rows())


@router.get("/catalogue/{name}", response_class=HTMLResponse)
def dataset_page(svc: Svc, name: str) -> HTMLResponse:
    _name(name)
    return page("dataset.html.j2", title=name, d=svc.dataset(name, rows=50))


@router.get("/studies/{name}/edit", response_class=HTMLResponse)
def study_edit(svc: Svc, name: str) -> HTMLResponse:
    _name(name)
    return page("study_edit.html.j2", title=f"Edit and run {name}", name=name,
                text=svc.example_text(name))


@router.post("/studies/submit")
def study_submit(svc: Svc, toml: Annotated[str, Form(max_length=1_000_000)],
                 name: Annotated[str, Form(max_length=80)] = "study") -> Response:
    # the token (when the server has one) and the origin were checked by safety.Guard
    job = svc.submit(toml.replace("\r\n", "\n"), f"{name}.toml (edited)")
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_page(svc: Svc, job_id: str, request: Request) -> HTMLResponse:
    from shigen.web.api import _job

    doc = _job(svc, job_id).to_dict()
    doc["error"] = request.app.state.redactor.doc(doc["error"])
    return page("job.html.j2", title=f"Job {doc['job_id']}", job=doc)


@router.post("/jobs/{job_id}/cancel")
def job_cancel(svc: Svc, job_id: str) -> Response:
    from shigen.web.api import _job

    _job(svc, job_id)
    svc.jobs.cancel(job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page() -> HTMLResponse:
    return page("login.html.j2", title="Sign in", failed=False)


@router.post("/login")
def login(svc: Svc, token: Annotated[str, Form(max_length=500)]) -> Response:
    """Check the token and keep it in a cookie that cross-site requests do not carry."""
    if not token_ok(svc.settings.token, token):
        response: Response = page("login.html.j2", title="Sign in", failed=True)
        response.status_code = 401
        return response
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
    return response


def _ref(ref: str) -> str:
    import re

    from shigen.errors import InputError, Location

    if not re.match(RUN_REF, ref):
        raise InputError(f"'{ref[:80]}' is not a run id", Location(field="run"),
                         "use a run id (hex), a unique prefix of one, or latest")
    return ref


def _name(name: str) -> str:
    import re

    from shigen.web.service import NotFound

    if not re.match(NAME, name):
        raise NotFound(f"no such name '{name[:80]}'", fix="names are lowercase-with-hyphens")
    return name
