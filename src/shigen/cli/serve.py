"""``shigen serve [--host 127.0.0.1] [--port 8000]``: the HTTP API and the dashboard."""

from __future__ import annotations

from typing import Annotated

import typer

from shigen.cli.common import STATE, err, handle_errors
from shigen.errors import InputError


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
    application = create_app(settings)
    err.print(f"shigen dashboard: http://{host}:{port}/  (API docs: /docs, "
              f"store: {settings.home})", highlight=False)
    uvicorn.run(application, host=host, port=port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=5)
