"""HTML reports: one self-contained file (plotly.js embedded once, no network needed).

The same Jinja2 templates render the dashboard's run page, so a report and the page
show the same tables and figures.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import tomli_w

import shigen
from shigen.report.figures import Figure
from shigen.report.view import RunView

TEMPLATES = Path(__file__).parent / "templates"


def environment(*extra: Path) -> jinja2.Environment:
    """Jinja2 environment over the report templates (and ``extra`` folders first)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([*map(str, extra), str(TEMPLATES)]),
        autoescape=jinja2.select_autoescape(["html", "j2"], default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["figure_json"] = figure_json
    env.filters["study_toml"] = study_toml
    env.globals["version"] = shigen.__version__
    return env


def figure_json(fig: Figure) -> str:
    """Plotly JSON safe to place inside a ``<script type="application/json">`` element."""
    return fig.to_json().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _drop_none(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_drop_none(v) for v in obj if v is not None]
    return obj


def study_toml(study: dict[str, Any]) -> str:
    """The study as TOML (the validated study, defaults filled in)."""
    return tomli_w.dumps(_drop_none(study))


@cache
def plotly_js() -> str:
    """The plotly.js bundle shipped inside the plotly Python package (no CDN)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def render_html(view: RunView) -> str:
    """The report of one run as one self-contained HTML document."""
    env = environment()
    js = plotly_js().replace("</script", "<\\/script")
    return env.get_template("report.html.j2").render(view=view, plotly_js=js,
                                                     generated=view.created)


def figure_ids(html: str) -> list[str]:
    """Ids of the figures embedded in a report (for checks and tests)."""
    import re

    return re.findall(r'<script type="application/json" class="figure-data" id="data-([^"]+)"',
                      html)
