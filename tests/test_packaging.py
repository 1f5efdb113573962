"""Every data file under src/shigen/ ships in the wheel (matched by package-data)."""

from __future__ import annotations

import tomllib
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "src" / "shigen"


def _matches(rel: PurePosixPath, pattern: str) -> bool:
    if "**" in pattern:
        prefix = pattern.split("**")[0].rstrip("/")
        return str(rel).startswith(prefix + "/")
    return rel.match(pattern) and len(rel.parts) == len(PurePosixPath(pattern).parts)


def test_package_data_covers_every_non_python_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["shigen"]
    missing = []
    for path in PKG.rglob("*"):
        if path.is_dir() or "__pycache__" in path.parts or path.suffix in {".py", ".pyc"}:
            continue
        rel = PurePosixPath(path.relative_to(PKG).as_posix())
        if not any(_matches(rel, p) for p in patterns):
            missing.append(str(rel))
    assert not missing, f"add to [tool.setuptools.package-data] in pyproject.toml: {missing}"
