"""Reports and figures of stored runs (HTML via Jinja2 + plotly, PDF via Chromium)."""

from shigen.report.build import write_report
from shigen.report.figures import Figure, figures_for_stage
from shigen.report.view import RunView, run_document, run_json, run_view

__all__ = ["Figure", "RunView", "figures_for_stage", "run_document", "run_json", "run_view",
           "write_report"]
