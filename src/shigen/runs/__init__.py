"""Runs: the orchestrator, the immutable run store, the run documents and exports.

Entry points: :func:`shigen.runs.runner.run_study`, :class:`shigen.runs.store.RunStore`,
:mod:`shigen.runs.document` (what ``shigen runs show`` and the web say about a run) and
:mod:`shigen.runs.context` (the catalogue and store of ``SHIGEN_DATA`` / ``SHIGEN_HOME``).
Nothing is imported here, so a light submodule does not load the stages.
"""
