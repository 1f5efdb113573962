"""What an analyst should know before quoting a number: the run's warning records.

A stage returns its warnings with its result, in either of two places the runner reads
(:func:`stage_warnings`):

- its summary (``summarize(ds)``) under ``"warnings"``: a list of :class:`RunWarning` or of
  dicts with the same fields, so ``shigen run --json`` shows them under the stage too;
- its dataset's ``attrs["warnings_json"]`` (:func:`attach`), for warnings that are not part
  of the stage's JSON object.

The runner gathers them into the run's top-level ``warnings`` list (the run JSON, the
manifest, ``shigen runs show``, the report). Fields are fixed, because the stages, the CLI,
the report and the web read them by name: ``code`` (kebab-case, stable: ``missing-data``,
``stale-data``, ``assumed-bound``, ``horizon-jump``, ``choke-price-binds``), ``stage``,
``message`` (one sentence a person reads: what, where, why it matters), ``where`` (the
coordinates: ``{"commodity": ..., "year": ..., "dataset": ...}``) and ``severity``
(``"info"`` or ``"warning"``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["info", "warning"]
SEVERITIES: tuple[Severity, ...] = ("warning", "info")
ATTR = "warnings_json"


@dataclass(frozen=True)
class RunWarning:
    """One thing to know before quoting a figure of a run.

    >>> w = RunWarning("stale-data", "supply", "WGI 2019 used for 2024", {"year": 2024})
    >>> w.to_json()["severity"]
    'warning'
    """

    code: str
    stage: str
    message: str
    where: dict[str, Any] = field(default_factory=dict)
    severity: Severity = "warning"

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity {self.severity!r} is not one of {SEVERITIES}")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_obj(cls, obj: RunWarning | Mapping[str, Any], stage: str = "") -> RunWarning:
        """A record from itself or a dict with the same fields (``stage`` fills a gap)."""
        if isinstance(obj, RunWarning):
            return obj
        return cls(str(obj["code"]), str(obj.get("stage") or stage), str(obj["message"]),
                   dict(obj.get("where") or {}), obj.get("severity", "warning"))


def attach(ds: Any, warnings: Iterable[RunWarning]) -> Any:
    """Put warnings on a stage's result dataset (``attrs`` hold strings in netCDF/Parquet)."""
    found = [w.to_json() for w in warnings]
    if found:
        ds.attrs[ATTR] = json.dumps(found + json.loads(ds.attrs.get(ATTR, "[]")))
    return ds


def stage_warnings(stage: str, ds: Any, summary: Mapping[str, Any]) -> list[RunWarning]:
    """The warnings a stage returned: in its summary's ``warnings`` and its dataset's attrs."""
    raw: list[Any] = list(summary.get("warnings") or [])
    attrs = getattr(ds, "attrs", {}) or {}
    raw += json.loads(attrs.get(ATTR, "[]"))
    seen: set[str] = set()
    out: list[RunWarning] = []
    for obj in raw:
        w = RunWarning.from_obj(obj, stage)
        key = json.dumps(w.to_json(), sort_keys=True, default=str)
        if key not in seen:
            seen.add(key)
            out.append(w)
    return out


def ordered(warnings: Iterable[RunWarning], stage_order: Iterable[str]) -> list[RunWarning]:
    """Warnings first, then notes; in stage order; stable within a stage."""
    rank = {s: i for i, s in enumerate(stage_order)}
    return sorted(warnings, key=lambda w: (SEVERITIES.index(w.severity),
                                           rank.get(w.stage, len(rank))))


def summary_line(warnings: Iterable[RunWarning]) -> str:
    """``2 warnings, 1 note`` (empty when there are none)."""
    ws = list(warnings)
    n_warn = sum(w.severity == "warning" for w in ws)
    n_info = len(ws) - n_warn
    parts = [f"{n} {word}{'' if n == 1 else 's'}"
             for n, word in ((n_warn, "warning"), (n_info, "note")) if n]
    return ", ".join(parts)
