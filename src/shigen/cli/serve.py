"""``shigen serve [--host 127.0.0.1] [--port 8000]``: the HTTP API and the dashboard."""

from __future__ import annotations

import errno
import os
import socket
from typing import Annotated

import typer

from shigen.cli.common import STATE, err, handle_errors
from shigen.errors import InputError, Location


@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="address to listen on; other than loopback "
                                           "needs SHIGEN_TOKEN")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="TCP port")] = 8000,
    workers: Annotated[int | None, typer.Option(
        min=1, max=64, help="studies run at once (default SHIGEN_WORKERS or 2)")] = None,
) -> None:
    """Serve the HTTP API and the dashboard (one process; needs the web extra)."""
    try:
        import uvicorn

        from shigen.web.app import create_app
    except ImportError as exc:
        raise InputError(f"the web server needs an optional dependency ({exc.name})",
                         fix="pip install 'shigen[web]'") from None
    from shigen.options import Options
    from shigen.web.settings import ServerSettings

    settings = ServerSettings(host=host, port=port,
                              options=Options.from_env(data=list(STATE["data"])))
    if workers is not None:
        settings.workers = workers
    settings.check()  # a non-loopback address without a token is refused before binding
    sock = _listen(host, port)  # before any worker starts: a bad address costs nothing
    application = create_app(settings)
    err.print(f"shigen dashboard: http://{host}:{sock.getsockname()[1]}/  (API docs: /docs, "
              f"store: {settings.home})", highlight=False)
    config = uvicorn.Config(application, host=host, port=port, log_level="warning",
                            access_log=False, timeout_graceful_shutdown=5)
    uvicorn.Server(config).run(sockets=[sock])


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, or exit 2 with the cause (unknown host, port in use, ...).

    Bound here and handed to uvicorn, which would otherwise log its own traceback and
    exit 1 on the same errors.
    """
    where = Location(field="--host" if port else "--port")
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
    except (socket.gaierror, UnicodeError) as exc:
        raise InputError(f"cannot listen on host '{host}': {exc}", Location(field="--host"),
                         "give an address of this machine, e.g. 127.0.0.1 or ::1") from None
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        in_use = exc.errno == errno.EADDRINUSE
        raise InputError(
            f"cannot listen on {host}:{port}: {os.strerror(exc.errno) if exc.errno else exc}",
            Location(field="--port") if in_use else where,
            "pick a free --port (or stop the other server)" if in_use
            else "give an address of this machine, e.g. 127.0.0.1") from None
