"""A job worker dies with the server that started it.

The server starts each job as its own process (in its own session, so it can be
stopped as a group). Killed with ``kill -9``, the server cannot stop them, and its
job records would be gone: the workers would run on, unsupervised and without a
time limit. So each worker asks Linux for a signal when its parent dies
(``prctl(PR_SET_PDEATHSIG)``) and, where that is not available or the parent died
before the request, watches its parent id from a thread.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

#: Environment variable naming the process a worker must not outlive.
PARENT_ENV = "SHIGEN_PARENT_PID"
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCH_INTERVAL_S = 0.5


def _ask_kernel(sig: int) -> bool:
    """``prctl(PR_SET_PDEATHSIG, sig)``; False where the call is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _exit_now(sig: int) -> None:
    os.kill(os.getpid(), sig)
    os._exit(128 + sig)  # the signal was handled or ignored: leave anyway


def die_with_parent(parent_pid: int | None = None, sig: int = signal.SIGTERM) -> None:
    """End this process with ``sig`` as soon as ``parent_pid`` is no longer its parent.

    ``parent_pid`` defaults to :data:`PARENT_ENV`; without one, this does nothing.
    """
    if parent_pid is None:
        raw = os.environ.get(PARENT_ENV, "")
        parent_pid = int(raw) if raw.isdigit() else None
    if parent_pid is None:
        return
    _ask_kernel(sig)
    if os.getppid() != parent_pid:  # the parent died before the request took effect
        _exit_now(sig)

    # The kernel's signal follows the parent *thread*; the watchdog covers the rest
    # (other systems, a reparenting the kernel does not report).
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(WATCH_INTERVAL_S)
        _exit_now(sig)

    threading.Thread(target=watch, name="shigen-lifeline", daemon=True).start()
