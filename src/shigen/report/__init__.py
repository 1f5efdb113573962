"""How runs are shown: stage presentations, HTML and PDF reports.

Each stage's figures, HTML tables and terminal tables live in ``shigen.report.<stage>``;
reports are HTML (Jinja2 + plotly) or PDF (Chromium).

Only :func:`presentation` is imported here, so that ``shigen`` commands that show a
stage's tables do not load plotting, Jinja2 or the run store.
"""

from shigen.report.stages import Presentation, presentation

__all__ = ["Presentation", "presentation"]
