"""Runs: the orchestrator, the immutable run store, the run documents and exports.

Entry points: :func:`shigen.runs.runner.run_study`, :class:`shigen.runs.store.RunStore`,
:mod:`shigen.runs.document` (what ``shigen runs show`` and the web say about a run) and
:mod:`shigen.runs.context` (the catalogue and store of ``SHIGEN_DATA`` / ``SHIGEN_HOME``).
Its public names (`RunStore`, `run_study`, `RunResult`) load on first use, so importing a
light submodule does not load the stages.
"""

from typing import TYPE_CHECKING

from shigen.lazy import exports

if TYPE_CHECKING:
    from shigen.runs.runner import RunResult, run_study
    from shigen.runs.store import RunStore

# the public names, imported when first used (PEP 562): `from shigen.runs import RunStore`
_LAZY = {"RunStore": "shigen.runs.store", "run_study": "shigen.runs.runner",
         "RunResult": "shigen.runs.runner"}
__all__ = ["RunResult", "RunStore", "run_study"]

__getattr__ = exports(__name__, _LAZY)
