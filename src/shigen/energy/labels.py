"""The one check that a dataset's labels are ones the energy model knows.

A misspelt technology, vehicle, fleet or fuel label would otherwise drop its rows
silently when arrays are aligned; this names the file, the line and the column.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

from shigen.errors import InputError, Location

if TYPE_CHECKING:
    from shigen.datasets import Catalogue


def check_labels(cat: Catalogue, name: str, known: dict[str, tuple[str, ...]]) -> None:
    """Every label in the columns named by ``known`` is one of the known labels."""
    frame = cat.frame(name)
    for dim, allowed in known.items():
        if dim not in frame.columns:
            continue
        bad = ~frame[dim].astype(str).isin(allowed)
        if bad.any():
            pos = int(bad.to_numpy().argmax())
            label = str(frame[dim].iloc[pos])
            close = difflib.get_close_matches(label, allowed, n=1)
            guess = f"did you mean '{close[0]}'? " if close else ""
            raise InputError(f"dataset '{name}' has an unknown {dim} '{label}'",
                             Location(file=str(cat.path(name)), line=cat.get(name).lines[pos],
                                      column=dim),
                             f"{guess}use one of {', '.join(allowed)}")
