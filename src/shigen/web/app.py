"""The FastAPI application: API, dashboard pages, offline API docs, JSON errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

import shigen
from shigen.errors import InputError, ShigenError
from shigen.web.safety import BodyLimit, Guard, Redactor
from shigen.web.settings import ServerSettings

#: Seconds a client is asked to wait after a 429 (the job queue is full): about the time
#: a small study takes, so a retry has a fair chance.
RETRY_AFTER_S = 10


def _error(status: int, detail: dict[str, Any]) -> JSONResponse:
    return JSONResponse({"error": detail}, status_code=status)


def status_of(exc: ShigenError) -> int:
    from shigen.web.api import Unauthorized
    from shigen.web.jobs import QueueFull
    from shigen.web.service import NotFound

    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Unauthorized):
        return 401
    if isinstance(exc, QueueFull):
        return 429
    if isinstance(exc, InputError):
        return 422
    return 500


def redactor(settings: ServerSettings) -> Redactor:
    """The server's folders, as responses name them (never their absolute paths)."""
    from shigen.sandbox import shipped_folders

    named = {settings.home: "<run store>", Path(shigen.__file__).parent: "<shigen>"}
    named.update({folder: "<shipped studies>" for folder in shipped_folders()})
    named.update({folder: f"<data folder {i}>" if len(settings.data_dirs) > 1
                  else "<data folder>" for i, folder in enumerate(settings.data_dirs, 1)})
    return Redactor(named)


def allowed_methods(app: FastAPI, request: Request) -> list[str]:
    """Every method some route of ``app`` answers at the request's path.

    Each method is tried against the routes (included routers nest their own), since
    starlette's 405 names only the methods of the first route that matched the path.
    """
    from starlette.routing import Match

    return [method for method in ("GET", "POST", "PUT", "PATCH", "DELETE")
            if any(route.matches({**request.scope, "method": method})[0] is Match.FULL
                   for route in app.router.routes)]


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The app for ``settings`` (default: from the environment, 127.0.0.1:8000)."""
    from shigen.web import api, pages
    from shigen.web.service import Service

    settings = settings or ServerSettings()
    settings.check()
    svc = Service(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        svc.jobs.shutdown()

    # FastAPI's own /docs loads Swagger UI from a CDN; fastapi-offline serves the same
    # scripts from its package, so the docs page works without a network.
    app = FastAPIOffline(title="shigen", version=shigen.__version__, lifespan=lifespan,
                  docs_url="/docs", redoc_url=None, static_url="/static/docs",
                  description="Energy and resource security scenarios: datasets with "
                              "provenance, runs, comparisons and study jobs. Write endpoints "
                              "need 'Authorization: Bearer <SHIGEN_TOKEN>' when the server "
                              "has a token.")
    app.state.service = svc
    app.state.redactor = redactor(settings)
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(ShigenError)
    async def shigen_error(request: Request, exc: ShigenError) -> JSONResponse:
        status = status_of(exc)
        response = _error(status, app.state.redactor.doc(exc.to_dict()))
        if status == 429:
            response.headers["Retry-After"] = str(RETRY_AFTER_S)
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"field": ".".join(str(p) for p in e.get("loc", ())),
                     "message": e.get("msg", "")} for e in exc.errors()]
        first = problems[0] if problems else {"field": "", "message": "invalid request"}
        return _error(422, {"kind": "input",
                            "message": f"{first['field']}: {first['message']}",
                            "fix": "see /openapi.json for the request's valid form",
                            "problems": problems})

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = {404: f"no such path: {request.url.path}",
                   405: f"method {request.method} not allowed on {request.url.path}"}.get(
            exc.status_code, str(exc.detail))
        response = _error(exc.status_code, {"kind": "http", "message": message,
                                            "fix": "see /openapi.json or the dashboard at /"})
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        if exc.status_code == 405:  # starlette names only the first route's methods
            response.headers["Allow"] = ", ".join(allowed_methods(app, request))
        return response

    app.add_middleware(BodyLimit, limit=settings.max_body)  # type: ignore[arg-type]
    # added last, so it runs first: a foreign host or origin is refused before the body
    app.add_middleware(Guard, allowed_hosts=settings.allowed_hosts,  # type: ignore[arg-type]
                       token=settings.token)
    return app
