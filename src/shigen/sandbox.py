"""The one rule for files a study names: which folders it may read, and how much.

A study file may name other files (an energy ``baseline`` study; a policy package may
override that name). Such a file is opened only when its path, resolved after
symlinks, lies inside one of the sandbox's roots: the study's own folder, the shipped
studies (``shigen/examples`` and a source checkout's ``studies/``) and the configured
data folders (``--data`` / ``SHIGEN_DATA``). The check is made where the file is
opened (:meth:`Sandbox.read_bytes`), whatever key named it, and the refusal reads the
same whether or not the file exists, so it reveals nothing about files outside. The
size is taken from the open file's ``fstat`` before anything is read.

Examples
--------
>>> box = Sandbox((Path("/srv/studies"),))
>>> box.allows("/srv/studies/base.toml"), box.allows("/srv/studies/../secret.toml")
(True, False)
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from shigen.errors import InputError, Location

#: Default largest study or baseline TOML file, in bytes (``SHIGEN_MAX_STUDY_BYTES``).
DEFAULT_MAX_BYTES = 1_000_000
SHIPPED = Path(__file__).resolve().parent / "examples"
#: A source checkout's ``studies/`` (the same studies, as the repository keeps them).
CHECKOUT_STUDIES = Path(__file__).resolve().parents[2] / "studies"


class OutsideSandbox(InputError):
    """A study named a file outside the folders it may read (exit 2, HTTP 422)."""

    kind = "sandbox"


def max_study_bytes() -> int:
    """The size limit of a study file: ``SHIGEN_MAX_STUDY_BYTES`` or 1 MB."""
    raw = os.environ.get("SHIGEN_MAX_STUDY_BYTES", "").strip()
    if not raw:
        return DEFAULT_MAX_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise InputError(f"SHIGEN_MAX_STUDY_BYTES='{raw}' is not a positive whole number",
                         Location(field="SHIGEN_MAX_STUDY_BYTES"),
                         f"set a byte count, e.g. {DEFAULT_MAX_BYTES}")
    return int(raw)


def shipped_folders() -> list[Path]:
    """The folders of the shipped studies that exist in this installation."""
    return [p for p in (SHIPPED, CHECKOUT_STUDIES) if p.is_dir()]


def _env_data_dirs() -> list[Path]:
    raw = os.environ.get("SHIGEN_DATA", "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]


@dataclass(frozen=True)
class Sandbox:
    """Folders a study may read files from, and the largest file it may read.

    Attributes
    ----------
    roots
        Allowed folders; each is resolved (symlinks followed) once, here.
    max_bytes
        Largest file :meth:`read_bytes` reads.
    """

    roots: tuple[Path, ...]
    max_bytes: int = field(default_factory=max_study_bytes)

    def __post_init__(self) -> None:
        object.__setattr__(self, "roots", tuple(dict.fromkeys(
            Path(r).expanduser().resolve() for r in self.roots)))

    @classmethod
    def for_study(cls, study_dir: str | Path | None,
                  data_dirs: Iterable[Path] | None = None) -> Sandbox:
        """The sandbox of a study read from ``study_dir`` (None: no folder of its own).

        ``data_dirs`` defaults to ``SHIGEN_DATA``.
        """
        own = [Path(study_dir)] if study_dir is not None else []
        data = list(data_dirs) if data_dirs is not None else _env_data_dirs()
        return cls(tuple([*own, *shipped_folders(), *data]))

    def allows(self, path: str | Path) -> bool:
        """True when ``path``, resolved after symlinks, lies inside one of the roots."""
        try:
            real = Path(path).expanduser().resolve()
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
            return False
        return any(real.is_relative_to(root) for root in self.roots)

    def refusal(self, path: str | Path, what: str) -> str:
        """The message for ``path`` outside the roots (the same whether or not it exists)."""
        return (f"{what} '{path}' is outside the folders a study may read "
                f"(allowed: {', '.join(str(r) for r in self.roots) or 'none'})")

    def check(self, path: str | Path, what: str = "file",
              where: Location | None = None) -> Path:
        """``path`` resolved, or :class:`OutsideSandbox` when it leaves the roots."""
        if "\x00" in str(path) or not self.allows(path):
            raise OutsideSandbox(self.refusal(path, what), where,
                                 "name a file inside the study's own folder, the shipped "
                                 "studies or a --data folder")
        return Path(path).expanduser().resolve()

    def read_bytes(self, path: str | Path, what: str = "file",
                   where: Location | None = None) -> bytes:
        """The bytes of ``path`` after :meth:`check`; size checked before reading."""
        return read_limited(self.check(path, what, where), what, self.max_bytes,
                            where or Location(str(path)))


def read_limited(path: str | Path, what: str = "file", max_bytes: int | None = None,
                 where: Location | None = None) -> bytes:
    """The bytes of a regular file of at most ``max_bytes`` (default: the study limit).

    The size comes from ``fstat`` of the open file, so a huge file is refused before a
    byte of it is read, and at most ``max_bytes + 1`` bytes are ever read (a file that
    grows meanwhile is refused too).
    """
    limit = max_study_bytes() if max_bytes is None else max_bytes
    where = where or Location(str(path))
    fix_size = ("keep study files small (bulk data belongs in the CSV files of a --data "
                "folder), or raise SHIGEN_MAX_STUDY_BYTES")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{what} '{path}' does not exist", where,
                         "check the path (relative paths start in the study's folder)") from None
    except OSError as exc:
        raise InputError(f"cannot read the {what} ({exc.strerror})", where,
                         "check the file's permissions") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):  # a folder, a FIFO or a device never ends well
            raise InputError(f"{what} '{path}' is not a regular file", where,
                             "pass the path of a .toml file")
        if info.st_size > limit:
            raise InputError(f"{what} is {info.st_size:,} bytes, over the {limit:,}-byte "
                             "limit", where, fix_size)
        with os.fdopen(os.dup(fd), "rb") as fh:
            raw = fh.read(limit + 1)
    finally:
        os.close(fd)
    if len(raw) > limit:
        raise InputError(f"{what} is over the {limit:,}-byte limit", where, fix_size)
    return raw
