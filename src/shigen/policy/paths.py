"""Dotted paths into nested JSON-like data (study fields, stage summaries).

A path is keys joined by dots: ``disruption.levers.stockpile.days``. A segment
indexes a list by position (``stages.0``) or selects the list item whose field
has a value (``stages.stage=mining``).

Examples
--------
>>> doc = {"a": {"b": [{"k": "x", "v": 1.5}]}}
>>> get_path(doc, "a.b.k=x.v")
1.5
>>> set_path(doc, "a.c.d", 2)["a"]["c"]
{'d': 2}
"""

from __future__ import annotations

import copy
from typing import Any


class PathError(KeyError):
    """A path that does not resolve; ``at`` is the prefix that failed, ``options`` the keys."""

    def __init__(self, path: str, at: str, options: list[str]):
        self.path, self.at, self.options = path, at, options
        super().__init__(path)

    def __str__(self) -> str:
        shown = ", ".join(self.options[:12]) + (" …" if len(self.options) > 12 else "")
        return f"'{self.path}' does not resolve at '{self.at}' (available: {shown or 'none'})"


def _options(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [str(k) for k in node]
    if isinstance(node, list):
        return [str(i) for i in range(len(node))]
    return []


def _step(node: Any, seg: str) -> Any:
    if isinstance(node, dict):
        return node[seg]
    if isinstance(node, list):
        if "=" in seg:
            key, value = seg.split("=", 1)
            for item in node:
                if isinstance(item, dict) and str(item.get(key)) == value:
                    return item
            raise KeyError(seg)
        if seg.isdigit() and int(seg) < len(node):
            return node[int(seg)]
    raise KeyError(seg)


def get_path(doc: Any, path: str) -> Any:
    """The value at ``path``; :class:`PathError` names where it failed and what exists."""
    node = doc
    segs = path.split(".")
    for i, seg in enumerate(segs):
        try:
            node = _step(node, seg)
        except (KeyError, TypeError):
            raise PathError(path, ".".join(segs[: i + 1]), _options(node)) from None
    return node


def set_path(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Set ``path`` in ``doc`` (in place, creating missing tables); return ``doc``."""
    segs = path.split(".")
    node: Any = doc
    for i, seg in enumerate(segs[:-1]):
        if isinstance(node, dict):
            if node.get(seg) is None:
                node[seg] = {}
            node = node[seg]
            continue
        try:
            node = _step(node, seg)
        except (KeyError, TypeError):
            raise PathError(path, ".".join(segs[: i + 1]), _options(node)) from None
    last = segs[-1]
    if isinstance(node, dict):
        node[last] = copy.deepcopy(value)
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = copy.deepcopy(value)
    else:
        raise PathError(path, path, _options(node))
    return doc
