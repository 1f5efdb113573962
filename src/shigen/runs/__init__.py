"""Runs: the orchestrator, the immutable run store and exports."""

from shigen.runs.runner import RunResult, run_id_for, run_study
from shigen.runs.store import RunRecord, RunStore

__all__ = ["RunRecord", "RunResult", "RunStore", "run_id_for", "run_study"]
