"""The documentation site builds with warnings as errors, offline, with generated references.

``mkdocs build --strict`` runs on a copy of ``docs/`` in a temporary folder (the repository
is not written). The built pages may link to sources on the web, but load no asset (script,
stylesheet, font, image) from outside the site: the docs work with the network off.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# one build per session: the module's tests share a worker (and its module-scoped fixture)
pytestmark = pytest.mark.xdist_group("docs-site")

# the docs extra is part of what `make test` installs: a missing mkdocs fails, never skips
import material  # noqa: E402,F401
import mkdocs  # noqa: E402,F401

ROOT = Path(__file__).resolve().parents[1]
ASSET = re.compile(r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=\"(https?:)?//",
                   re.IGNORECASE)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    tmp = tmp_path_factory.mktemp("docs-site")
    shutil.copytree(ROOT / "docs", tmp / "docs")
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    (tmp / "mkdocs.yml").write_text(config, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "NO_MKDOCS_2_WARNING": "1"}
    res = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q",
                          "-f", str(tmp / "mkdocs.yml"), "-d", str(tmp / "site")],
                         cwd=tmp, env=env, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    return tmp / "site", res.stdout + res.stderr


def test_the_site_builds_strict_without_warnings(site: tuple[Path, str]) -> None:
    folder, log = site
    assert "WARNING" not in log, log
    for page in ("index.html", "tutorial/index.html", "howto/change-an-assumption/index.html",
                 "howto/run-an-ensemble-on-dask/index.html", "howto/compare-runs/index.html",
                 "methods/energy/index.html", "validation/index.html",
                 "notebooks/flagship-rare-earths.ipynb"):
        assert (folder / page).is_file(), page


def test_the_site_loads_nothing_from_the_network(site: tuple[Path, str]) -> None:
    folder, _ = site
    external = {str(p.relative_to(folder)): m.group(0)
                for p in folder.rglob("*.html") for m in ASSET.finditer(p.read_text("utf-8"))}
    assert not external, external
    css = " ".join(p.read_text("utf-8") for p in folder.rglob("*.css"))
    assert not re.search(r"url\(\s*['\"]?https?://|@import\s+['\"]?https?://", css)


def test_references_are_generated_from_the_code(site: tuple[Path, str]) -> None:
    """The study-file page lists the schema's fields, the variables page the registry,
    the API page the docstrings."""
    folder, _ = site
    study = (folder / "reference/study-file/index.html").read_text("utf-8")
    assert "co2_cap_vs_2005" in study and "DataOverride" in study
    variables = (folder / "reference/variables/index.html").read_text("utf-8")
    assert "Gt CO2/year" in variables and "Net import reliance" in variables
    api = (folder / "reference/api/index.html").read_text("utf-8")
    assert "run_study" in api and "RunWarning" in api
