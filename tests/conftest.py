"""Shared fixtures: a private run store per test, no user data folders, a CLI runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# no per-example deadline: the machine may be shared and slow; 60 examples per property
settings.register_profile("shigen", deadline=None, max_examples=60,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "shigen"))

ROOT = Path(__file__).resolve().parents[1]
STUDIES = ROOT / "studies"
FLAGSHIP = STUDIES / "japan-2009.toml"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory,
                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own SHIGEN_HOME and no SHIGEN_DATA from the caller's shell."""
    monkeypatch.setenv("SHIGEN_HOME", str(tmp_path_factory.mktemp("home")))
    monkeypatch.delenv("SHIGEN_DATA", raising=False)
    monkeypatch.delenv("SHIGEN_TEST_PAUSE_AT", raising=False)


@pytest.fixture
def home() -> Path:
    return Path(os.environ["SHIGEN_HOME"])


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    def json(self) -> object:
        return json.loads(self.stdout)


@pytest.fixture
def cli() -> Callable[..., CliResult]:
    """Run the ``shigen`` command in-process (fast); same parsing and error handling."""
    from typer.testing import CliRunner

    from shigen.cli import app

    runner = CliRunner()

    def invoke(*args: str | os.PathLike[str]) -> CliResult:
        res = runner.invoke(app, [str(a) for a in args], catch_exceptions=True)
        exc = res.exception if not isinstance(res.exception, SystemExit) else None
        return CliResult(res.exit_code, res.stdout, res.stderr, exc)

    return invoke


def shigen_subprocess(*args: str | os.PathLike[str], env: dict[str, str] | None = None,
                      timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m shigen`` as a real process (for tests about processes)."""
    full_env = {**os.environ, **(env or {})}
    src = str(ROOT / "src")
    full_env["PYTHONPATH"] = src + os.pathsep + full_env.get("PYTHONPATH", "")
    return subprocess.run([sys.executable, "-m", "shigen", *map(str, args)], env=full_env,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT)
