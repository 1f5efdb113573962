"""The catalogue and the run store an invocation works with, built from :class:`Options`.

``shigen`` commands, the web server's job worker and scripts open them here, so a run made
by any of them for the same study and data is the same run (same id, same folder).
"""

from __future__ import annotations

from pathlib import Path

from shigen.datasets import Catalogue
from shigen.options import Options
from shigen.runs.store import RunStore


def open_catalogue(data: list[Path] | None = None) -> Catalogue:
    """Bundled datasets, extended or overridden by ``SHIGEN_DATA`` and then by ``data``."""
    return Catalogue(Options.from_env(data=data).data_dirs)


def open_store(home: Path | None = None) -> RunStore:
    """The run store at ``home``, else ``SHIGEN_HOME``, else the user data folder."""
    return RunStore(Options.from_env(home=home).home)
