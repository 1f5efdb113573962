"""``shigen schema`` and ``shigen new``: the study file's JSON Schema and a study to start from."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Annotated

import typer

from shigen.cli.common import JsonOpt, emit_json, handle_errors, out
from shigen.errors import InputError
from shigen.options import EXAMPLES


@handle_errors
def schema() -> None:
    """Print the JSON Schema of the study file."""
    from shigen.study import json_schema

    emit_json(json_schema())


@handle_errors
def new(
    directory: Annotated[Path, typer.Argument(help="folder to create the study in")],
    example: Annotated[str, typer.Option(help="shipped study to start from")] = "japan-2009",
    as_json: JsonOpt = False,
) -> None:
    """Copy a shipped example study into DIRECTORY to start from."""
    names = sorted(p.stem for p in EXAMPLES.glob("*.toml"))
    if example not in names:
        raise InputError(f"no shipped study '{example}'", fix=f"use one of: {', '.join(names)}")
    if directory.exists() and not directory.is_dir():
        raise InputError(f"'{directory}' exists and is not a folder", fix="choose a new folder")
    target = directory / f"{example}.toml"
    if target.exists():
        raise InputError(f"'{target}' already exists", fix="choose another folder or remove it")
    directory.mkdir(parents=True, exist_ok=True)
    created = []
    for name in _with_referenced_studies(f"{example}.toml"):
        dest = directory / name
        if not dest.exists():  # a baseline already there is the user's: keep it
            shutil.copyfile(EXAMPLES / name, dest)
            created.append(str(dest))
    if as_json:
        emit_json({"created": str(target), "files": created})
    else:
        out.print(f"created {', '.join(created)}; run it with: shigen run {target}")


def _with_referenced_studies(name: str) -> list[str]:
    """A shipped study and the shipped studies it names (energy baselines), recursively."""
    names = [name]
    for current in names:
        doc = tomllib.loads((EXAMPLES / current).read_text("utf-8"))
        baseline = (doc.get("energy") or {}).get("baseline")
        if isinstance(baseline, str) and baseline not in names \
                and (EXAMPLES / baseline).is_file():
            names.append(baseline)
    return names
