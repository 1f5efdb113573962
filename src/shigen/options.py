"""One options object with documented defaults and environment overrides."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

# the shipped example studies (package data: the repository's studies/), for `shigen new`
# and the web's study editor
EXAMPLES = Path(__file__).resolve().parent / "examples"


def _env_paths(var: str) -> list[Path]:
    raw = os.environ.get(var, "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]


@dataclass
class Options:
    """Runtime options.

    Attributes
    ----------
    home
        Run store location. ``SHIGEN_HOME``; default: the platform's user data folder.
    data_dirs
        Folders of user datasets that extend or override the bundled ones
        (``--data DIR`` / ``SHIGEN_DATA``, several joined with ``os.pathsep``).
    """

    home: Path = field(default_factory=lambda: Path(
        os.environ.get("SHIGEN_HOME") or platformdirs.user_data_dir("shigen")).expanduser())
    data_dirs: list[Path] = field(default_factory=lambda: _env_paths("SHIGEN_DATA"))

    @classmethod
    def from_env(cls, data: list[Path] | None = None, home: Path | None = None) -> Options:
        opts = cls()
        if data:
            opts.data_dirs = [*opts.data_dirs, *data]
        if home is not None:
            opts.home = home
        return opts


def env_workers(default: int = 1, high: int = 64) -> int:
    """``SHIGEN_WORKERS``: processes a run may use; checked when a command starts.

    Read once up front so a bad value stops the command before any work, naming the
    variable (not a ``--workers`` option the user never gave).
    """
    from shigen.errors import InputError, Location

    raw = os.environ.get("SHIGEN_WORKERS", "").strip()
    if not raw:
        return default
    fix = f"set SHIGEN_WORKERS to a whole number from 1 to {high}, or unset it"
    try:
        value = int(raw)
    except ValueError:
        raise InputError(f"SHIGEN_WORKERS='{raw}' is not an integer",
                         Location(field="SHIGEN_WORKERS"), fix) from None
    if not 1 <= value <= high:
        raise InputError(f"SHIGEN_WORKERS={value} is outside 1–{high}",
                         Location(field="SHIGEN_WORKERS"), fix)
    return value
