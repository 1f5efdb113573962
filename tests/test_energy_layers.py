"""shigen.energy imports in one direction: each module only from modules before it in ORDER.

Every import counts, also one inside a function or under ``TYPE_CHECKING``: a cycle
hidden there still ties the modules together for a reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "shigen" / "energy"

#: the energy package bottom up: definitions, inputs, the LP's builders, build and solve,
#: results, then the stage and what it uses
ORDER = ("constants", "config", "terms", "links", "labels", "fleet", "inputs", "accounts",
         "formulation", "supply", "demand", "transmission", "policy", "foresight", "model",
         "artefacts", "binding", "basis", "warnings", "imports", "bill", "validation", "results",
         "headline", "resolve", "outage_effect", "diagnose", "investment", "compare", "stage")


def energy_imports(path: Path, package: str = "shigen.energy") -> set[str]:
    """The modules of ``package`` that a source file imports (anywhere in the file)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == package:
                found.update(a.name for a in node.names)
            elif node.module.startswith(package + "."):
                found.add(node.module.removeprefix(package + ".").split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix(package + ".").split(".")[0] for a in node.names
                         if a.name.startswith(package + "."))
    return found


def upward_imports(folder: Path, order: tuple[str, ...],
                   package: str = "shigen.energy") -> list[str]:
    """``module -> imported`` for every import of a module not before it in ``order``.

    A module of the folder missing from ``order`` is reported too (place it first).
    """
    problems = []
    for path in sorted(folder.glob("*.py")):
        name = path.stem
        if name == "__init__":
            continue
        if name not in order:
            problems.append(f"{name}: not in ORDER")
            continue
        for dep in sorted(energy_imports(path, package)):
            if dep not in order or order.index(dep) >= order.index(name):
                problems.append(f"{name} -> {dep}")
    return problems


def test_energy_imports_only_downward() -> None:
    assert upward_imports(PACKAGE, ORDER) == []


def test_init_imports_nothing_of_the_package() -> None:
    """``import shigen.energy`` stays light: the stage loads what it needs."""
    assert energy_imports(PACKAGE / "__init__.py") == set()


def test_an_upward_import_is_caught(tmp_path: Path) -> None:
    """A builder importing results (as model once did) and a function-local import of the
    stage from constants are both reported; a downward import is not."""
    (tmp_path / "constants.py").write_text(
        "def f():\n    from shigen.energy.stage import run\n", "utf-8")
    (tmp_path / "model.py").write_text(
        "from shigen.energy import constants, results\n", "utf-8")
    (tmp_path / "results.py").write_text("import shigen.energy.model\n", "utf-8")
    (tmp_path / "extra.py").write_text("", "utf-8")
    got = upward_imports(tmp_path, ORDER)
    assert got == ["constants -> stage", "extra: not in ORDER", "model -> results"]
