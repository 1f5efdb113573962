"""The HTTP API under ``/api`` (OpenAPI at ``/openapi.json``).

Every document is the one the CLI prints with ``--json``: ``/api/runs`` is
``shigen runs list``, ``/api/runs/{run}`` is ``shigen runs show``, ``/api/runs/{run}/result``
is ``shigen run`` (cached), ``/api/compare`` is ``shigen runs compare``, ``/api/datasets``
is ``shigen data list`` and ``/api/datasets/{name}`` is ``shigen data show``.
"""

from __future__ import annotations

import io
import json
from enum import StrEnum
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

import shigen
from shigen.errors import InputError, Location
from shigen.web.service import NotFound, Service

RUN_REF = r"^(latest|[0-9a-f]{1,64})$"
NAME = r"^[a-z0-9][a-z0-9-]{0,79}$"
RunRef = Annotated[str, Path(pattern=RUN_REF, description="run id, a unique prefix, or latest")]


class ErrorDetail(BaseModel):
    kind: str
    message: str
    fix: str | None = None
    where: dict[str, Any] | None = None
    problems: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (400, 401, 403, 404, 413, 422, 429)}


class Submission(BaseModel):
    """A study to run: its TOML text, or the name of a shipped study."""

    # Exactly one of the two: said in the schema (oneOf) so that clients and schemathesis
    # know it; the handler says it again in words for a request that breaks it.
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "oneOf": [{"required": ["toml"]}, {"required": ["example"]}]})

    # format "shigen-study": a study file's text (`shigen schema` is its schema); named so
    # that a client (and the schemathesis tests) can generate valid ones
    toml: Annotated[str, Field(max_length=1_000_000, json_schema_extra={"format": "shigen-study"})
                    ] | SkipJsonSchema[None] = Field(default=None, description="study TOML")
    example: Annotated[str, Field(pattern=NAME)] | SkipJsonSchema[None] = Field(
        default=None, description="a shipped study")


class JobOut(BaseModel):
    job_id: str
    study: str
    title: str
    state: str
    finished: bool
    submitted: str | None
    started: str | None
    ended: str | None
    elapsed_s: float | None
    run_id: str | None
    cached: bool | None
    error: dict[str, Any] | None


class ExportFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    IAMC = "iamc"


def service(request: Request) -> Service:
    svc: Service = request.app.state.service
    return svc


def job_out(request: Request, job: Any) -> JobOut:
    """A job as the API shows it: its error without the server's absolute paths."""
    doc = job.to_dict()
    doc["error"] = request.app.state.redactor.doc(doc["error"])
    return JobOut(**doc)


Svc = Annotated[Service, Depends(service)]


def require_write(request: Request,
                  authorization: Annotated[str | None, Header()] = None,
                  x_shigen_token: Annotated[str | None, Header()] = None) -> None:
    """Write endpoints need the server's token when one is set."""
    from shigen.web.safety import bearer, token_ok

    expected = request.app.state.service.settings.token
    if not token_ok(expected, bearer(authorization) or x_shigen_token):
        raise Unauthorized("this endpoint needs the server's token",
                           fix="send 'Authorization: Bearer <SHIGEN_TOKEN>'")


class Unauthorized(InputError):
    kind = "auth"


router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/health", tags=["meta"])
def health() -> dict[str, str]:
    """Liveness and version."""
    return {"status": "ok", "version": shigen.__version__}


# --- datasets ---------------------------------------------------------------------
@router.get("/datasets", tags=["datasets"])
def datasets(svc: Svc) -> list[dict[str, Any]]:
    """Every dataset with its source, edition, license and status (``shigen data list``)."""
    return svc.dataset_rows()


@router.get("/datasets/{name}", tags=["datasets"])
def dataset(svc: Svc, name: Annotated[str, Path(pattern=NAME)],
            rows: Annotated[int, Query(ge=0, le=1000)] = 20) -> dict[str, Any]:
    """One dataset: its provenance and first rows (``shigen data show``).

    The server's file path is left out; ``file`` names the file.
    """
    doc = svc.dataset(name, rows)
    doc.pop("path", None)
    return doc


# --- runs -------------------------------------------------------------------------
@router.get("/runs", tags=["runs"])
def runs(svc: Svc) -> list[dict[str, Any]]:
    """Stored runs, oldest first (``shigen runs list``)."""
    return [r.to_dict() for r in svc.store.list()]


JSON_DOC: dict[int | str, dict[str, Any]] = {200: {"content": {"application/json": {}}}}


def json_bytes(body: bytes) -> Response:
    return Response(body, media_type="application/json")


@router.get("/runs/{run}", tags=["runs"], responses=JSON_DOC)
def run_show(svc: Svc, run: RunRef, request: Request) -> Response:
    """A run's manifest summary (``shigen runs show``)."""
    rid = svc.resolve(run)

    def public() -> dict[str, Any]:
        doc = dict(svc.run_document(rid))
        if "path" in doc:  # the run folder, named inside the store rather than absolutely
            doc["path"] = request.app.state.redactor.text(str(doc["path"]))
        return doc

    return json_bytes(svc.cached_json("doc", rid, public))


@router.get("/runs/{run}/result", tags=["runs"], responses=JSON_DOC)
def run_result(svc: Svc, run: RunRef) -> Response:
    """The run's results, exactly ``shigen run STUDY --json`` of a cached run."""
    rid = svc.resolve(run)
    return json_bytes(svc.cached_json("result", rid, lambda: svc.run_json(rid)))


@router.get("/runs/{run}/figures", tags=["runs"], responses=JSON_DOC)
def run_figures(svc: Svc, run: RunRef) -> Response:
    """Every figure of the run as plotly JSON: a list of {id, stage, title, caption, figure}."""
    rid = svc.resolve(run)
    return json_bytes(svc.cached_json("figures", rid, lambda: [
        f.to_dict() for f in svc.view(rid).figures]))


@router.get("/runs/{run}/tables", tags=["runs"], responses=JSON_DOC)
def run_tables(svc: Svc, run: RunRef) -> Response:
    """The run's key tables (from the stage summaries), as shown on its page and report."""
    rid = svc.resolve(run)
    return json_bytes(svc.cached_json("tables", rid, lambda: [
        {"stage": s.name, **t.to_dict()} for s in svc.view(rid).stages for t in s.tables]))


def long_csv(svc: Service, rid: str) -> str:
    """Every variable of a run as one long CSV.

    Columns: ``run_stage``, ``variable``, ``unit``, the variable's dimensions, ``value``.
    """
    manifest = svc.store.manifest(rid)
    fixed = ["run_stage", "variable", "unit"]
    parts = []
    for stage, info in manifest["stages"].items():
        for var, meta in info["variables"].items():
            frame = svc.store.table(rid, stage, var).dropna(subset=[var])
            frame = frame.rename(columns={var: "value", **{c: f"{c}_dim" for c in fixed
                                                           if c in frame.columns}})
            frame.insert(0, "unit", meta.get("attrs", {}).get("units", ""))
            frame.insert(0, "variable", var)
            frame.insert(0, "run_stage", stage)
            parts.append(frame)
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=fixed)
    if "value" not in table:
        table["value"] = None
    table = table[fixed + [c for c in table.columns if c not in (*fixed, "value")] + ["value"]]
    return str(table.to_csv(index=False))


@router.get("/runs/{run}/export", tags=["runs"],
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def run_export(svc: Svc, run: RunRef,
               format: Annotated[ExportFormat, Query(description="json | csv | iamc")]
               = ExportFormat.JSON) -> Response:
    """Download the run: JSON (as ``shigen run --json``), a long CSV, or the IAMC table."""
    from shigen.runs.export import iamc_frame

    rid = svc.resolve(run)
    name = f"{rid}.{'iamc.csv' if format is ExportFormat.IAMC else format.value}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if format is ExportFormat.JSON:
        body = svc.cached_json("result", rid, lambda: svc.run_json(rid))
        return Response(body, media_type="application/json", headers=headers)
    if format is ExportFormat.CSV:
        text = svc.cached("csv", rid, lambda: long_csv(svc, rid))
    else:
        def make() -> str:
            buf = io.StringIO()
            iamc_frame(svc.store, rid).to_csv(buf, index=False)
            return buf.getvalue()

        text = svc.cached("iamc", rid, make)
    return Response(text, media_type="text/csv", headers=headers)


def compare_doc(svc: Service, refs: list[str]) -> dict[str, Any]:
    from shigen.runs.export import compare_runs

    if len(refs) < 2:
        raise InputError("compare needs at least two runs", Location(field="runs"),
                         "pass ?runs=A&runs=B")
    rids = list(dict.fromkeys(svc.resolve(r) for r in refs))
    if len(rids) < 2:
        raise InputError("compare needs two different runs", Location(field="runs"),
                         "pass two different run ids")
    key = ("compare", tuple(rids), tuple(svc._key("m", r)[2] for r in rids))

    def rows() -> list[Any]:
        if not any(svc.store.manifest(r)["stages"] for r in rids):
            return []  # runs of studies without a stage have no variables to compare
        return list(json.loads(compare_runs(svc.store, rids).to_json(orient="records")))

    return svc.cache.get(key, lambda: {"runs": rids, "rows": rows()})


@router.get("/compare", tags=["runs"])
def compare(svc: Svc, runs: Annotated[list[Annotated[str, Query(pattern=RUN_REF)]],
                                      Query(min_length=2, max_length=8,
                                            description="two to eight run ids")]
            ) -> dict[str, Any]:
    """Headline figures, then variable-by-variable values (``shigen runs compare --json``)."""
    from shigen.runs.compare import comparison

    doc = compare_doc(svc, runs)
    n = len(doc["rows"])
    return {**comparison(svc.store, doc["runs"]).to_json(), "rows_total": n, "rows_shown": n,
            "rows": doc["rows"]}


# --- studies and jobs -------------------------------------------------------------
@router.get("/studies", tags=["studies"])
def studies(svc: Svc) -> list[dict[str, Any]]:
    """The shipped studies (start points for your own)."""
    return svc.examples()


@router.get("/studies/{name}", tags=["studies"])
def study(svc: Svc, name: Annotated[str, Path(pattern=NAME)]) -> dict[str, str]:
    """A shipped study's TOML text."""
    return {"name": name, "toml": svc.example_text(name)}


@router.post("/studies", tags=["studies"], status_code=202,
             dependencies=[Depends(require_write)])
def submit(svc: Svc, body: Submission, request: Request, response: Response) -> JobOut:
    """Run a study (TOML text or a shipped study's name) as a job; poll ``/api/jobs/{id}``."""
    if (body.toml is None) == (body.example is None):
        raise InputError("give exactly one of 'toml' and 'example'", Location(field="body"),
                         'send {"toml": "<study TOML>"} or {"example": "japan-2009"}')
    if body.example is not None:
        text, source = svc.example_text(body.example), f"{body.example}.toml"
    else:
        text, source = str(body.toml), "<submitted study>"
    job = svc.submit(text, source)
    response.headers["Location"] = f"/api/jobs/{job.id}"
    return job_out(request, job)


@router.get("/jobs", tags=["studies"])
def jobs(svc: Svc, request: Request) -> list[JobOut]:
    """Submitted jobs, newest first."""
    return [job_out(request, j) for j in svc.jobs.list()]


JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{12}$")]


@router.get("/jobs/{job_id}", tags=["studies"])
def job(svc: Svc, job_id: JobId, request: Request) -> JobOut:
    """A job's state; ``run_id`` is set when it is done."""
    return job_out(request, _job(svc, job_id))


@router.post("/jobs/{job_id}/cancel", tags=["studies"], dependencies=[Depends(require_write)])
def cancel(svc: Svc, job_id: JobId, request: Request) -> JobOut:
    """Cancel a queued or running job."""
    _job(svc, job_id)
    return job_out(request, svc.jobs.cancel(job_id))


def _job(svc: Service, job_id: str) -> Any:
    from shigen.web.jobs import UnknownJob

    try:
        return svc.jobs.get(job_id)
    except UnknownJob as exc:
        raise NotFound(exc.what, fix=exc.fix) from None
