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

__all__ = ["atomic_path", "atomic_write"]


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's entry to disk (folders: where the OS allows it)."""
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() and hasattr(os, "O_DIRECTORY") else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # e.g. Windows cannot open a folder; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems do not support fsync on folders
        pass
    finally:
        os.close(fd)


def _fsync_tree(path: Path) -> None:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            _fsync(child)
    _fsync(path)


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
        _fsync_tree(tmp)
        if tmp.is_dir() and target.is_dir():
            shutil.rmtree(target)  # a folder cannot be renamed over a non-empty one
        elif tmp.is_dir() and target.exists():
            target.unlink()
        os.replace(tmp, target)
        _fsync(parent)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`); return the path."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)
