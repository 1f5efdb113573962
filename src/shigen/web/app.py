"""The FastAPI application: API, dashboard pages, static plotly.js, JSON errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import shigen
from shigen.errors import InputError, ShigenError
from shigen.web.safety import BodyLimit
from shigen.web.settings import ServerSettings


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

    # Swagger UI and ReDoc load their scripts from a CDN; the dashboard's /api page lists
    # the endpoints from the OpenAPI document instead, so everything works offline.
    app = FastAPI(title="shigen", version=shigen.__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,
                  description="Energy and resource security scenarios: datasets with "
                              "provenance, runs, comparisons and study jobs. Write endpoints "
                              "need 'Authorization: Bearer <SHIGEN_TOKEN>' when the server "
                              "has a token.")
    app.state.service = svc
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(ShigenError)
    async def shigen_error(request: Request, exc: ShigenError) -> JSONResponse:
        return _error(status_of(exc), exc.to_dict())

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
        return _error(exc.status_code, {"kind": "http", "message": message,
                                        "fix": "see /openapi.json or the dashboard at /"})

    app.add_middleware(BodyLimit, limit=settings.max_body)  # type: ignore[arg-type]
    return app
