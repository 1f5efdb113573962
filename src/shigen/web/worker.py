"""The worker process of a job: study TOML on stdin → one JSON line on stdout.

Arguments: the study's name for messages, and the folder it is read as sitting in.

Run as ``python -m shigen.web.worker``; the run store and data folders come from
``SHIGEN_HOME`` / ``SHIGEN_DATA`` exactly as for the CLI, so a run made here is the
run ``shigen run`` makes of the same study (same id, same folder).
"""

from __future__ import annotations

import json
import sys
from typing import Any


def run_text(text: str, name: str, study_dir: str = ".") -> dict[str, Any]:
    from shigen.errors import ShigenError
    from shigen.runs.context import open_catalogue, open_store
    from shigen.runs.runner import run_study
    from shigen.study import parse_study

    try:
        study = parse_study(text, name, {"study_dir": study_dir})
        result = run_study(study, open_catalogue(), open_store())
    except ShigenError as exc:
        return {"ok": False, "error": exc.to_dict(), "exit_code": exc.exit_code}
    except Exception as exc:  # an internal failure: report it, do not hide it
        return {"ok": False, "exit_code": 1,
                "error": {"kind": "internal", "message": f"{type(exc).__name__}: {exc}"}}
    return {"ok": True, "result": result.to_json()}


def main() -> None:
    from shigen.web.lifeline import die_with_parent

    die_with_parent()  # never outlive the server (SHIGEN_PARENT_PID)
    text = sys.stdin.read()
    name = sys.argv[1] if len(sys.argv) > 1 else "<submitted study>"
    study_dir = sys.argv[2] if len(sys.argv) > 2 else "."
    doc = run_text(text, name, study_dir)
    sys.stdout.write(json.dumps(doc, default=str) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
