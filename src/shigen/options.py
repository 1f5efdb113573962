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
