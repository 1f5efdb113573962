"""The layer order and the no-cycle rule hold (the import contracts in pyproject.toml).

``lint-imports`` checks the contracts over the import graph of ``src/shigen``; a broken
contract fails here with the offending import chain. The contracts are shown to bite:
a copy of the package with one upward import or one cycle added must break them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
CONFIG = ROOT / "pyproject.toml"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# what a stage config may import from shigen: the base layer, the datasets layer and
# its own stage's definition registries (packaged TOML: names a config validates against)
BASE = {"shigen.errors", "shigen.tomlfile", "shigen.options", "shigen.checks", "shigen.files",
        "shigen.sandbox",
        "shigen.input_errors", "shigen.distributions"}
STAGE_DEFINITIONS = {"shigen.materials.registry", "shigen.supply.chains"}


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    """Run the contracts of pyproject.toml over the package in ``src``."""
    # the venv's editable install points at the main checkout: analyse *this* tree
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", "--no-logo", str(CONFIG)],
                          capture_output=True, text=True, env=env, cwd=src, timeout=300)


def test_the_import_contracts_hold() -> None:
    res = lint_imports(SRC)
    assert res.returncode == 0, f"an import climbs a layer or closes a cycle:\n{res.stdout}"
    assert "0 broken" in res.stdout, res.stdout


@pytest.fixture
def package_copy(tmp_path: Path) -> Path:
    """A copy of src/shigen (sources only) to add one bad import to."""
    shutil.copytree(SRC / "shigen", tmp_path / "shigen",
                    ignore=shutil.ignore_patterns("__pycache__", "data", "*.csv"))
    return tmp_path


@pytest.mark.parametrize(("module", "line", "contract", "chain"), [
    # datasets reaching up to the run store
    ("datasets/upward.py", "from shigen.runs import store\n", "layers",
     "shigen.datasets.upward -> shigen.runs.store"),
    # a stage config loading studies again (the study <-> energy.config cycle of old)
    ("energy/config.py", "from shigen.study import load_study\n", "stage configs are pure",
     "shigen.energy.config -> shigen.study"),
    # a stage writing its own run
    ("policy/upward.py", "from shigen.runs.store import RunStore\n", "stages never write",
     "shigen.policy.upward -> shigen.runs.store"),
    # the stage registry importing upward (its lookup is by name, see stages.get_stage)
    ("stages.py", "from shigen.runs import runner\n", "layers",
     "shigen.stages -> shigen.runs.runner"),
    # a cycle inside one layer (the catalogue <-> validate cycle of old)
    ("datasets/units.py", "from shigen.datasets import catalogue\n", "no import cycles",
     "shigen.datasets"),
])
def test_the_contracts_catch_an_upward_import_or_a_cycle(
        package_copy: Path, module: str, line: str, contract: str, chain: str) -> None:
    path = package_copy / "shigen" / module
    text = path.read_text("utf-8") if path.exists() else '"""An upward import."""\n'
    path.write_text(text + line, "utf-8")
    res = lint_imports(package_copy)
    assert res.returncode == 1, res.stdout
    assert f"{contract}" in res.stdout.split("Broken contracts")[-1], res.stdout
    assert chain in res.stdout, res.stdout


def test_stage_configs_import_only_base_datasets_and_their_definitions() -> None:
    graph = grimp.build_graph("shigen", cache_dir=None)
    configs = sorted(m for m in graph.modules if m.endswith(".config") and m.count(".") == 2)
    assert {c.split(".")[1] for c in configs} >= {"energy", "materials", "supply",
                                                   "disruption", "policy"}
    for config in configs:
        stage = config.rsplit(".", 1)[0]
        allowed = BASE | {m for m in STAGE_DEFINITIONS if m.startswith(stage + ".")}
        imported = graph.find_modules_directly_imported_by(config)
        climbing = sorted(m for m in imported
                          if m not in allowed and not m.startswith("shigen.datasets"))
        assert not climbing, f"{config} imports {climbing}: a stage config may import only " \
                             "the base layer, datasets and its stage's definition registries"
