"""Request safety: body size limit, write token, and no file paths outside the data folders.

Nothing in a study is ever executed: the TOML is parsed with ``tomllib`` and validated
by pydantic models. The only file references a study may carry are checked here to
stay inside the folders the server allows (its data folders).
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from shigen.errors import InputError, Location

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PATH_KEY = re.compile(r"(^|_)(file|files|path|paths|dir|dirs|folder|folders|data_dir|baseline)$")
FILE_SUFFIX = re.compile(r"\.(toml|csv|parquet|json|nc|xlsx?)$", re.IGNORECASE)


async def _json_error(send: Send, status: int, kind: str, message: str, fix: str) -> None:
    body = json.dumps({"error": {"kind": kind, "message": message, "fix": fix}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """ASGI middleware: refuse request bodies larger than ``limit`` bytes with 413.

    A declared ``Content-Length`` over the limit is refused before reading; a body of
    unknown length is read up to the limit first.
    """

    def __init__(self, app: ASGIApp, limit: int):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fix = f"send at most {self.limit} bytes (raise SHIGEN_MAX_BODY on the server)"
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    size = int(value)
                except ValueError:
                    await _json_error(send, 400, "input", "invalid Content-Length header",
                                      "send a decimal byte count")
                    return
                if size > self.limit:
                    await _json_error(send, 413, "input",
                                      f"request body of {size} bytes is too large", fix)
                    return
        if not any(name == b"content-length" for name, _ in scope.get("headers", [])):
            # A body of unknown length (chunked): read it here, at most limit + 1 bytes,
            # then hand it on; the app never sees a body over the limit.
            body = bytearray()
            more = True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    break
                body.extend(message.get("body", b""))
                more = bool(message.get("more_body"))
                if len(body) > self.limit:
                    await _json_error(send, 413, "input", "request body is too large", fix)
                    return
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": bytes(body), "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)


def token_ok(expected: str | None, given: str | None) -> bool:
    """True when no token is configured, or ``given`` equals it (constant-time compare)."""
    if not expected:
        return True
    return given is not None and hmac.compare_digest(expected.encode(), given.encode())


def bearer(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _looks_like_path(value: str) -> bool:
    return ("/" in value or "\\" in value or value.startswith("~") or ".." in value
            or PureWindowsPath(value).drive != "")


def check_paths(doc: Any, allowed: list[Path], source: str, trail: str = "") -> None:
    """Reject any file reference in a study that points outside the ``allowed`` folders.

    A value counts as a file reference when its key names a file, path, folder or
    baseline study (``file``, ``*_path``, ``data_dir``, ``baseline``, ...) or when it
    ends like a data or study file (``.toml``, ``.csv``, ...). Relative references are
    resolved inside each allowed folder; ``..`` segments, absolute paths outside those
    folders and home-relative paths are refused.
    """
    if isinstance(doc, dict):
        for key, value in doc.items():
            field = f"{trail}.{key}" if trail else str(key)
            values = value if isinstance(value, list) else [value]
            for v in values:
                if isinstance(v, str) and (PATH_KEY.search(str(key)) or FILE_SUFFIX.search(v)):
                    _check_one(v, allowed, source, field, strict=True)
            check_paths(value, allowed, source, field)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            check_paths(value, allowed, source, f"{trail}[{i}]")


def _check_one(value: str, allowed: list[Path], source: str, field: str,
               strict: bool = False) -> None:
    fix = ("name a dataset from the catalogue, or a file inside the server's data folders "
           f"({', '.join(str(a) for a in allowed) or 'none configured'})")
    where = Location(source, field=field)
    if "\x00" in value:
        raise InputError("file reference contains a NUL byte", where, fix)
    if not strict and not _looks_like_path(value) and not value.startswith("."):
        return
    parts = PurePosixPath(value.replace("\\", "/")).parts
    if ".." in parts or value.startswith("~") or PureWindowsPath(value).drive:
        raise InputError(f"file reference '{value}' leaves the allowed data folders", where, fix)
    candidate = Path(value)
    roots = [a.resolve() for a in allowed]
    targets = [candidate.resolve()] if candidate.is_absolute() else [
        (root / candidate).resolve() for root in roots]
    if not any(t.is_relative_to(root) for t in targets for root in roots):
        raise InputError(f"file reference '{value}' is outside the allowed data folders",
                         where, fix)
