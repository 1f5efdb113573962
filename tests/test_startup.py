"""Start-up: ``shigen --version`` and ``--help`` load no plotting, solver or Monte Carlo code.

Each check runs in a fresh interpreter (this test process has long imported everything)
and lists the modules loaded after the command ran.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# top-level packages a start-up must not import: plotting, solvers, scipy, Dask, SALib,
# and the array/table stack the stages compute with
HEAVY = ("plotly", "linopy", "highspy", "scipy", "dask", "distributed", "SALib", "xarray",
         "pandas", "pint", "numpy")

LOADED_AFTER = """
import json, sys
from typer.testing import CliRunner
from shigen.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"exit_code": result.exit_code, "output": result.stdout,
                  "modules": sorted({m.split(".")[0] for m in sys.modules})}))
"""


def loaded_by(*args: str) -> dict[str, object]:
    """Exit code, output and the top-level modules loaded by ``shigen ARGS`` in a new process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", LOADED_AFTER, *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"the probe of `shigen {' '.join(args)}` failed: {proc.stderr}"
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("args", [("--version",), ("--help",), ("risk", "--help")],
                         ids=" ".join)
def test_start_up_loads_no_heavy_package(args: tuple[str, ...]) -> None:
    res = loaded_by(*args)
    assert res["exit_code"] == 0 and res["output"]
    assert sorted(set(HEAVY) & set(res["modules"])) == []  # type: ignore[arg-type]


def test_the_probe_sees_heavy_imports() -> None:
    """The check above can fail: a command that reads data does load the stack."""
    res = loaded_by("data", "list", "--json")
    assert res["exit_code"] == 0
    assert {"pandas", "xarray"} <= set(res["modules"])  # type: ignore[arg-type]
