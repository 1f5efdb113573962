"""Writing user-visible files atomically: nothing half-written is ever visible.

Every writer of a file or folder a person opens (reports, PDFs, exports) goes through
:func:`atomic_path`: the content is written under a temporary name in the target's
folder, flushed to disk, renamed over the target, and the folder itself is flushed so
the rename survives a crash. The run store's folder rename is separate (it also holds
a lock and writes the catalogue row).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> folder = Path(tempfile.mkdtemp())
>>> atomic_write(folder / "note.txt", b"done").read_bytes()
b'done'
>>> sorted(p.name for p in folder.iterdir())  # no temporary left behind
['note.txt']
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "atomic_write", "fsync_path", "fsync_tree"]


def fsync_path(path: Path) -> None:
    """Flush a file's or a folder's entry to disk (folders: where the OS allows it).

    A file's fsync error propagates: on some file systems a full disk or an I/O error
    only shows there, and the write must then fail rather than be reported complete.
    """
    is_dir = path.is_dir()
    flags = os.O_RDONLY | (os.O_DIRECTORY if is_dir and hasattr(os, "O_DIRECTORY") else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        if not is_dir:
            raise
        return  # e.g. Windows cannot open a folder; the rename is still atomic
    try:
        os.fsync(fd)
    except OSError:
        if not is_dir:
            raise
        # some file systems do not support fsync on folders
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Flush every file and folder under ``path`` (and ``path`` itself) to disk."""
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            fsync_path(child)
    fsync_path(path)


@contextmanager
def atomic_path(target: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path to write ``target``'s content to (a file or a folder).

    On a normal exit the content is fsync'ed, renamed to ``target`` (replacing what was
    there) and ``target``'s folder is fsync'ed; on an exception nothing changes. The
    temporary lives in a hidden folder beside ``target`` (same file system, so the rename
    is atomic) and gets the permissions of any file the user creates.
    """
    target = Path(target)
    parent = target.parent if str(target.parent) else Path(".")
    workdir = Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        # a neutral name: some writers react to a suffix (h5netcdf warns about invalid
        # netCDF features in a ``.nc`` file), and each caller names its format itself
        tmp = workdir / "content"
        yield tmp
        fsync_tree(tmp)
        if tmp.is_dir() and target.is_dir():
            shutil.rmtree(target)  # a folder cannot be renamed over a non-empty one
        elif tmp.is_dir() and target.exists():
            target.unlink()
        os.replace(tmp, target)
        fsync_path(parent)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`); return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
