"""Server settings: one object, documented defaults, environment overrides."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from shigen.errors import InputError, Location
from shigen.options import Options


def _env_int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"{name}='{raw}' is not an integer", Location(field=name),
                         f"set a whole number between {low} and {high}") from None
    if not low <= value <= high:
        raise InputError(f"{name}={value} is outside {low}–{high}", Location(field=name),
                         f"set a whole number between {low} and {high}")
    return value


LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class ServerSettings:
    """Settings of ``shigen serve``.

    Attributes
    ----------
    host, port
        Where to listen; 127.0.0.1:8000 by default.
    token
        ``SHIGEN_TOKEN``: required by write endpoints when set; the server refuses to
        listen on a non-loopback address without it.
    max_body
        ``SHIGEN_MAX_BODY`` bytes per request body (default 1 MB).
    workers
        ``SHIGEN_WORKERS``: studies running at once, each in its own process (default 2).
    job_timeout
        ``SHIGEN_JOB_TIMEOUT`` seconds a study may run before it is stopped (default 600).
    max_queued
        ``SHIGEN_MAX_QUEUED`` jobs waiting for a worker before submissions are refused (32).
    extra_hosts
        ``SHIGEN_ALLOWED_HOSTS``: host names (comma-separated) the server answers to
        besides the loopback names and ``host``; ``*`` answers any (behind a proxy that
        checks the name itself).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = field(default_factory=lambda: os.environ.get("SHIGEN_TOKEN") or None)
    max_body: int = field(default_factory=lambda: _env_int("SHIGEN_MAX_BODY", 1_000_000,
                                                           1_000, 50_000_000))
    workers: int = field(default_factory=lambda: _env_int("SHIGEN_WORKERS", 2, 1, 64))
    job_timeout: int = field(default_factory=lambda: _env_int("SHIGEN_JOB_TIMEOUT", 600, 1,
                                                              86_400))
    max_queued: int = field(default_factory=lambda: _env_int("SHIGEN_MAX_QUEUED", 32, 1, 10_000))
    extra_hosts: list[str] = field(default_factory=lambda: [
        h.strip() for h in os.environ.get("SHIGEN_ALLOWED_HOSTS", "").split(",") if h.strip()])
    options: Options = field(default_factory=Options.from_env)

    @property
    def allowed_hosts(self) -> list[str]:
        """Host names requests may address: loopback names, the bound host, the extras."""
        bound = [] if self.host in ("0.0.0.0", "::", "") else [self.host]
        return list(dict.fromkeys([*LOOPBACK_NAMES, *bound, *self.extra_hosts]))

    @property
    def home(self) -> Path:
        return self.options.home

    @property
    def data_dirs(self) -> list[Path]:
        return list(self.options.data_dirs)

    def check(self) -> None:
        """Refuse unsafe settings: a non-loopback address without a token."""
        if not is_loopback(self.host) and not self.token:
            raise InputError(
                f"refusing to listen on {self.host} without SHIGEN_TOKEN",
                Location(field="--host"),
                "set SHIGEN_TOKEN to a long random secret (clients send it as "
                "'Authorization: Bearer <token>'), or keep the default --host 127.0.0.1")
        if self.token is not None and len(self.token) < 16:
            raise InputError("SHIGEN_TOKEN is shorter than 16 characters",
                             Location(field="SHIGEN_TOKEN"),
                             "use a long random secret, e.g. `python -c \"import secrets; "
                             "print(secrets.token_urlsafe(32))\"`")
