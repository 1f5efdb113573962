"""Checks the study-section models share (raise ``ValueError`` for pydantic to locate)."""

from __future__ import annotations

from collections.abc import Collection, Sequence


def known_names(values: Sequence[str], known: Collection[str], what: str,
                unique: bool = True) -> list[str]:
    """Every name is one of ``known`` and, when ``unique``, none repeats.

    >>> known_names(["a", "b"], ["a", "b", "c"], "letters")
    ['a', 'b']
    """
    bad = [v for v in values if v not in known]
    if bad:
        raise ValueError(f"unknown {what} {bad}; available: {list(known)}")
    if unique and len(set(values)) != len(values):
        raise ValueError(f"{what} must not repeat")
    return list(values)
