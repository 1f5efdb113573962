"""Watching which files a process opens, with an audit hook (PEP 578).

In this process: :func:`watch` records opens of given paths. In a child process (a
job worker, a CLI run): :func:`child_env` puts a ``sitecustomize`` on its
``PYTHONPATH`` that appends every watched open to a log file, and writes ``active``
first, so a test can tell "not opened" from "not watched".
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_WATCHED: set[str] = set()
OPENED: list[str] = []
_installed = False

SITECUSTOMIZE = '''
import os, sys
_log = os.environ.get("SHIGEN_TEST_OPEN_LOG")
_watch = set(filter(None, os.environ.get("SHIGEN_TEST_OPEN_WATCH", "").split(os.pathsep)))
_busy = []
if _log:
    with open(_log, "a") as fh:
        fh.write("active %d\\n" % os.getpid())
    def _hook(event, args):
        if event != "open" or _busy or not args or args[0] is None or isinstance(args[0], int):
            return
        path = os.path.realpath(os.fsdecode(args[0]))
        if path in _watch:
            _busy.append(1)
            try:
                with open(_log, "a") as fh:
                    fh.write("opened %s\\n" % path)
            finally:
                _busy.pop()
    sys.addaudithook(_hook)
'''


def _hook(event: str, args: tuple) -> None:  # type: ignore[type-arg]
    if event != "open" or not _WATCHED or not args or args[0] is None or isinstance(
            args[0], int):
        return
    path = os.path.realpath(os.fsdecode(args[0]))
    if path in _WATCHED:
        OPENED.append(path)


def watch(*paths: str) -> None:
    """Record opens of ``paths`` in this process (in :data:`OPENED`) from now on."""
    global _installed
    if not _installed:
        sys.addaudithook(_hook)
        _installed = True
    _WATCHED.update(os.path.realpath(p) for p in paths)
    OPENED.clear()


def child_env(tmp: Path, *paths: str) -> dict[str, str]:
    """Environment entries that make child Pythons log opens of ``paths`` to ``tmp/opens.log``."""
    (tmp / "site").mkdir(exist_ok=True)
    (tmp / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE)
    log = tmp / "opens.log"
    return {"PYTHONPATH": os.pathsep.join([str(tmp / "site"), os.environ.get("PYTHONPATH", "")]),
            "SHIGEN_TEST_OPEN_LOG": str(log),
            "SHIGEN_TEST_OPEN_WATCH": os.pathsep.join(os.path.realpath(p) for p in paths)}


def child_log(tmp: Path) -> tuple[int, list[str]]:
    """(how many child processes were watching, the watched paths they opened)."""
    log = tmp / "opens.log"
    lines = log.read_text().splitlines() if log.exists() else []
    return (sum(1 for x in lines if x.startswith("active")),
            [x.split(" ", 1)[1] for x in lines if x.startswith("opened")])
