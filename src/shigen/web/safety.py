"""Request safety: body size, Host and Origin checks, the token, and no server paths out.

Nothing in a study is ever executed: the TOML is parsed with ``tomllib`` and validated
by pydantic models. Files a study names are read only inside its sandbox
(:mod:`shigen.sandbox`); ``check_paths`` refuses a submitted study's out-of-bounds file
references early, before it is queued. ``Guard`` protects a server that a browser can
reach: the Host header must name this server (no DNS rebinding), a state-changing
request must come from the same origin (no cross-site form posts), and with a token
set every request but the health check must carry it. ``Redactor`` keeps the server's
absolute paths out of what it sends.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from http.cookies import SimpleCookie
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import urlsplit

from shigen.errors import InputError, Location

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PATH_KEY = re.compile(r"(^|_)(file|files|path|paths|dir|dirs|folder|folders|data_dir|baseline)$")
FILE_SUFFIX = re.compile(r"\.(toml|csv|parquet|json|nc|xlsx?)$", re.IGNORECASE)


async def _json_error(send: Send, status: int, kind: str, message: str, fix: str,
                      headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"error": {"kind": kind, "message": message, "fix": fix}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Paths answered without the token: liveness, the login form, and static assets (no data).
OPEN_PATHS = ("/api/health", "/login", "/static/")
TOKEN_COOKIE = "shigen_token"


def host_name(host_header: str) -> str:
    """The host of a ``Host`` header without its port, lowercase (``[::1]:80`` → ``::1``)."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def request_token(scope: Scope) -> str | None:
    """The token a request carries: bearer header, ``X-Shigen-Token`` or the login cookie."""
    given = bearer(_header(scope, b"authorization")) or _header(scope, b"x-shigen-token")
    if given:
        return given
    cookie = _header(scope, b"cookie")
    if cookie:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(cookie)
        except Exception:  # noqa: BLE001 - a malformed cookie header is simply no token
            return None
        if TOKEN_COOKIE in jar:
            return jar[TOKEN_COOKIE].value
    return None


class Guard:
    """ASGI middleware: Host allow-list, same-origin writes, and the token on every request.

    Parameters
    ----------
    allowed_hosts
        Host names (no port) this server answers to; ``"*"`` answers any.
    token
        When set, every request outside :data:`OPEN_PATHS` must carry it.
    """

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str], token: str | None):
        self.app = app
        self.any_host = "*" in allowed_hosts
        self.hosts = {host_name(h) for h in allowed_hosts if h != "*"}
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = _header(scope, b"host") or ""
        if not self.any_host and host_name(host) not in self.hosts:
            # DNS rebinding: a foreign name resolving to this machine reaches us from a page
            # of that name; refusing unknown names keeps such pages out.
            await _json_error(send, 400, "http", "this server does not answer to that host name",
                              "use http://127.0.0.1 or http://localhost, or add the name to "
                              "SHIGEN_ALLOWED_HOSTS on the server")
            return
        if scope["method"] in STATE_CHANGING and not self._same_origin(scope, host):
            await _json_error(send, 403, "forbidden",
                              "cross-site requests may not change anything on this server",
                              "send the request from the dashboard's own pages, or from a "
                              "client that sends no Origin header (curl, scripts)")
            return
        path = scope.get("path", "")
        if self.token and not path.startswith(OPEN_PATHS) and not token_ok(
                self.token, request_token(scope)):
            await _json_error(send, 401, "auth", "this server needs its token",
                              "send 'Authorization: Bearer <SHIGEN_TOKEN>', or sign in at /login",
                              [(b"www-authenticate", b"Bearer")])
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _same_origin(scope: Scope, host: str) -> bool:
        """False for a browser request from another site (Origin or Sec-Fetch-Site)."""
        fetch_site = (_header(scope, b"sec-fetch-site") or "").lower()
        if fetch_site in ("cross-site", "same-site"):  # same-site: another port or subdomain
            return False
        origin = _header(scope, b"origin")
        if origin is None:
            return True  # not a browser (curl, scripts), or a same-origin GET-style form
        parts = urlsplit(origin)
        return origin != "null" and bool(parts.netloc) and parts.netloc.lower() == host.lower()


class Redactor:
    """Replaces the server's absolute paths in messages with names of what they are.

    ``named`` maps a folder to the label shown instead (``<data folder 1>``); any other
    absolute path is cut to ``.../last-part``.
    """

    ABSOLUTE = re.compile(r"(?<![\w.:/~>-])(/[^\s'\"(),;]+)")

    def __init__(self, named: dict[Path, str]):
        pairs: dict[str, str] = {}
        for folder, label in named.items():
            for form in (str(folder), str(folder.resolve())):
                pairs.setdefault(form.rstrip("/"), label)
        self.pairs = sorted(pairs.items(), key=lambda kv: -len(kv[0]))

    def text(self, value: str) -> str:
        for prefix, label in self.pairs:
            if prefix:
                value = value.replace(prefix, label)
        return self.ABSOLUTE.sub(lambda m: ".../" + m.group(1).rstrip("/").rsplit("/", 1)[-1],
                                 value)

    def doc(self, value: Any) -> Any:
        """``value`` with every string redacted (dicts and lists walked)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {k: self.doc(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.doc(v) for v in value]
        return value


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
