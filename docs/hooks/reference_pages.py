"""MkDocs hook: the reference pages generated from the code (study schema, result variables).

``docs/reference/study-file.md`` holds a marker line; this hook replaces it with one
section per study table (``[study]``, ``[energy]``, ...) and per nested type, each a
table of fields: name, type, default, and the description from the pydantic model.
The schema is ``shigen.study.json_schema()`` — what ``shigen schema`` prints — so the
reference cannot drift from the validator.
"""

from __future__ import annotations

import json
from typing import Any

MARKER = "<!-- study-schema -->"


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    if "oneOf" in prop:
        return " or ".join(_type(p) for p in prop["oneOf"])
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    if "enum" in prop:
        return " / ".join(f"`{json.dumps(v)}`" for v in prop["enum"])
    t = prop.get("type", "any")
    if t == "array":
        return f"list of {_type(prop.get('items', {}))}"
    if t == "object" and "additionalProperties" in prop and isinstance(
            prop["additionalProperties"], dict):
        return f"table of {_type(prop['additionalProperties'])}"
    return str(t).replace("null", "none")


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _fields(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| field | type | default | description |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        default = "required" if name in required else (
            f"`{json.dumps(prop['default'])}`" if "default" in prop else "")
        rows.append(f"| `{name}` | {_cell(_type(prop))} | {_cell(default)} | "
                    f"{_cell(prop.get('description', ''))} |")
    return rows


def schema_markdown(schema: dict[str, Any]) -> str:
    """The reference as Markdown: the top-level tables, then every nested type A–Z."""
    out = ["## The study file's tables", "", *_fields(schema), ""]
    for name in sorted(schema.get("$defs", {})):
        d = schema["$defs"][name]
        out += [f"### {name}", "", _cell(d.get("description", "")), ""]
        out += [*_fields(d), ""] if d.get("properties") else []
    return "\n".join(out)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Fill the reference pages' markers (other pages pass through unchanged)."""
    if MARKER in markdown:
        from shigen.study import json_schema

        markdown = markdown.replace(MARKER, schema_markdown(json_schema()))
    if VARIABLES_MARKER in markdown:
        markdown = markdown.replace(VARIABLES_MARKER, variables_markdown())
    return markdown


VARIABLES_MARKER = "<!-- result-variables -->"


def variables_markdown() -> str:
    """One table per stage: name, label, unit, significant figures, description."""
    from shigen.variables import registry

    out: list[str] = []
    for stage in dict.fromkeys(s for s, _ in registry()):
        out += [f"## {stage}", "", "| name | label | unit | sig. figs | dataset | description |",
                "|---|---|---|---|---|---|"]
        out += [f"| `{v.name}` | {_cell(v.label)} | {_cell(v.unit)} | {v.sig} | "
                f"{'yes' if v.dataset else ''} | {_cell(v.description)} |"
                for (s, _), v in registry().items() if s == stage]
        out.append("")
    return "\n".join(out)
