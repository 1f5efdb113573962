"""`shigen serve` in a child process on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def local_server(home: Path, src: Path | None = None, timeout: float = 60.0) -> Iterator[str]:
    """Start ``shigen serve`` over the run store ``home``; yield its base URL; stop it.

    ``src`` is put first on the child's PYTHONPATH (a source checkout). The server runs
    without a token (loopback). Raises ``RuntimeError`` with the server's stderr if it does
    not answer ``/api/health`` within ``timeout`` seconds.
    """
    paths = [str(src)] if src else []
    env = {**os.environ, "SHIGEN_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([*paths, os.environ.get("PYTHONPATH", "")])}
    env.pop("SHIGEN_TOKEN", None)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # stderr to a file, not a pipe: a busy server's log would fill a pipe and block it
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen([sys.executable, "-m", "shigen", "serve", "--port", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    urllib.request.urlopen(base + "/api/health", timeout=2).read()
                    break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        proc.kill()
                        proc.wait()
                        log.seek(0)
                        err = log.read().decode(errors="replace")
                        raise RuntimeError(f"shigen serve did not start: {err}") from None
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
