"""Shared fixtures: a private run store per test, no user data folders, a CLI runner,
and the expensive results computed once per test session.

The flagship study's run is the costliest thing the suite needs (an LP solve, 20,000
Monte Carlo draws, a Sobol analysis); many test files read it. ``flagship_store`` runs it
once per session: under pytest-xdist the workers share one copy through a file lock in
the session's common temporary folder (the first worker to ask computes it, the others
wait for it), so ``--dist loadgroup`` can still spread the tests that read it. Tests never
write to the shared copy; ``flagship_home`` gives each test a private copy.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


# --- results computed once per session, shared by the xdist workers -----------------

@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (the OS releases it if the holder dies)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str,
                  build: Callable[[Path], None]) -> Path:
    """A folder that ``build`` fills once per test session, whatever the number of workers.

    Under xdist every worker has its own base temp folder below a common one (pytest-xdist's
    documented pattern for session data); without xdist the base temp folder is the
    session's own (its parent holds earlier sessions, which must not be reused).
    """
    base = tmp_path_factory.getbasetemp()
    common = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = common / f"shared-{name}"
    with _exclusive(common / f"shared-{name}.lock"):
        if not (folder / ".complete").is_file():
            if folder.exists():  # a worker died while building it: start again
                shutil.rmtree(folder)
            folder.mkdir()
            build(folder)
            (folder / ".complete").touch()
    return folder


@dataclass(frozen=True)
class StoredRun:
    """A run store holding one run, computed once per session; never write to it."""

    home: Path
    run_id: str
    summary: dict[str, Any]  # RunResult.to_json() of the run, as computed

    def copy_to(self, dst: Path) -> Path:
        """A private, writable copy of the store."""
        shutil.copytree(self.home, dst)
        return dst


def _store_run(folder: Path, study_path: Path, study_text: str | None) -> None:
    """Run a study into ``folder/home`` and record its id and summary in ``run.json``."""
    from shigen.datasets import Catalogue
    from shigen.runs import RunStore, run_study
    from shigen.study import load_study, parse_study

    study = (load_study(study_path) if study_text is None else
             parse_study(study_text, str(study_path), {"study_dir": str(study_path.parent)}))
    result = run_study(study, Catalogue.bundled(), RunStore(folder / "home"))
    (folder / "run.json").write_text(
        json.dumps({"run_id": result.run_id, "summary": result.to_json()}), "utf-8")


@pytest.fixture(scope="session")
def shared_run(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., StoredRun]:
    """``shared_run(name, study_path, study_text=None, on_top_of=None)`` -> the study's run,
    computed once per session under ``name`` (``study_text`` replaces the file's text;
    ``on_top_of`` starts from a copy of another shared store, so the store holds both)."""
    def get(name: str, study_path: Path, study_text: str | None = None, *,
            on_top_of: StoredRun | None = None) -> StoredRun:
        def build(folder: Path) -> None:
            if on_top_of is not None:
                on_top_of.copy_to(folder / "home")
            _store_run(folder, study_path, study_text)

        folder = shared_folder(tmp_path_factory, name, build)
        meta = json.loads((folder / "run.json").read_text("utf-8"))
        return StoredRun(folder / "home", meta["run_id"], meta["summary"])

    return get


@pytest.fixture(scope="session")
def flagship_store(shared_run: Callable[..., StoredRun]) -> StoredRun:
    """The flagship study (studies/japan-2009.toml) run once per session, read-only."""
    return shared_run("flagship", FLAGSHIP)


@pytest.fixture
def flagship_home(flagship_store: StoredRun, tmp_path: Path,
                  monkeypatch: pytest.MonkeyPatch) -> StoredRun:
    """A private copy of the flagship store, set as SHIGEN_HOME: `shigen run` of the
    flagship study is then a cache hit that prints the same document."""
    home = flagship_store.copy_to(tmp_path / "flagship-home")
    monkeypatch.setenv("SHIGEN_HOME", str(home))
    return StoredRun(home, flagship_store.run_id, flagship_store.summary)


_SOLVED_ENERGY: dict[str, Any] = {}


@pytest.fixture(scope="session")
def solved_energy() -> Callable[[str], Any]:
    """``solved_energy(name)`` -> the energy Outcome of ``studies/<name>.toml``, solved once
    per worker on the data the study reads (its ``[[data.override]]`` and ``data_as_of``,
    as ``shigen run`` does). Linopy models do not cross processes, so test modules that use
    it should share a worker: mark them ``pytest.mark.xdist_group("energy-solves")``."""
    def solve(name: str) -> Any:
        if name not in _SOLVED_ENERGY:
            from shigen.datasets import Catalogue
            from shigen.energy.model import run_model
            from shigen.study import load_study

            study = load_study(STUDIES / f"{name}.toml")
            assert study.energy is not None, f"{name} has no [energy] section"
            view = study.data_view(Catalogue.bundled())
            _SOLVED_ENERGY[name] = run_model(study.energy, view)
        return _SOLVED_ENERGY[name]

    return solve


# --- tiny catalogues of test datasets ---------------------------------------------

_TINY_ENTRY = """
[datasets.{name}]
title = "{name}"
file = "{name}.csv"
source = "test fixture"
edition = "1"
license = "CC0"
unit = "{unit}"
dimensions = [{dims}]
status = "estimate"
"""


def _write_tiny_catalogue(folder: Path, files: dict[str, tuple[str, str, str]]) -> Any:
    """Write each dataset's CSV and its catalogue entry to ``folder``; the catalogue of them."""
    text = ""
    for name, (unit, dims, csv) in files.items():
        text += _TINY_ENTRY.format(name=name, unit=unit, dims=dims)
        (folder / f"{name}.csv").write_text(csv)
    (folder / "catalogue.toml").write_text(text)
    from shigen.datasets import Catalogue

    return Catalogue([folder])


@pytest.fixture(scope="session")
def tiny_catalogue() -> Callable[[Path, dict[str, tuple[str, str, str]]], Any]:
    """``tiny_catalogue(folder, {name: (unit, dimensions, csv text)})`` -> a Catalogue of a
    few small datasets written to ``folder`` (dimensions as in the TOML list:
    ``'"importer", "commodity"'``), for tests of the disruption model."""
    return _write_tiny_catalogue


# --- running the command ------------------------------------------------------------

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


# A child `python -m shigen` needs ~2 s idle to import and run a small command; 600 s
# covers the flagship study (~15 s idle) on a machine loaded 20-fold (issue 12).
SUBPROCESS_TIMEOUT = 600.0


def shigen_subprocess(*args: str | os.PathLike[str], env: dict[str, str] | None = None,
                      timeout: float = SUBPROCESS_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run ``python -m shigen`` as a real process (for tests about processes).

    On a timeout the failure names the command and shows what the child had printed.
    """
    full_env = {**os.environ, **(env or {})}
    src = str(ROOT / "src")
    full_env["PYTHONPATH"] = src + os.pathsep + full_env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "shigen", *map(str, args)]
    try:
        return subprocess.run(cmd, env=full_env, capture_output=True, text=True,
                              timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired as exc:
        def text(b: bytes | str | None) -> str:
            return (b.decode("utf-8", "replace") if isinstance(b, bytes) else b or "")[-2000:]
        pytest.fail(f"`shigen {' '.join(map(str, args))}` did not finish in {timeout:.0f} s\n"
                    f"--- its stderr so far ---\n{text(exc.stderr)}\n"
                    f"--- its stdout so far ---\n{text(exc.stdout)}")


@pytest.fixture
def shigen_process() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``shigen_subprocess`` as a fixture (test modules cannot import conftest)."""
    return shigen_subprocess
