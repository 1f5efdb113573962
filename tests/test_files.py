"""shigen.files: the one atomic writer of user-visible files and folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from shigen.files import atomic_path, atomic_write


def test_atomic_write_replaces_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old", encoding="utf-8")
    assert atomic_write(target, b"new") == target
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_failed_write_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("kept", encoding="utf-8")
    with pytest.raises(RuntimeError, match="writer broke"), atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("writer broke")
    assert target.read_text("utf-8") == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_a_folder_replaces_a_folder_or_a_file(tmp_path: Path) -> None:
    target = tmp_path / "export"
    target.mkdir()
    (target / "stale.csv").write_text("x", encoding="utf-8")
    with atomic_path(target) as tmp:
        (tmp / "energy").mkdir(parents=True)
        (tmp / "energy" / "capacity.csv").write_text("a,b\n", encoding="utf-8")
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == [
        "energy", "energy/capacity.csv"]
    file_target = tmp_path / "was-a-file"
    file_target.write_text("x", encoding="utf-8")
    with atomic_path(file_target) as tmp:
        tmp.mkdir()
    assert file_target.is_dir()


def test_written_files_get_the_users_permissions(tmp_path: Path) -> None:
    # a temporary made by mkstemp is 0600; the result must be readable like any file the
    # user saves (the umask decides), so a shared report can be opened by others
    import os
    umask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "r.html", b"x")
    finally:
        os.umask(umask)
    assert (tmp_path / "r.html").stat().st_mode & 0o777 == 0o644
