"""Reports and figures of stored runs (HTML via Jinja2 + plotly, PDF via Chromium).

Entry points: :func:`shigen.report.build.write_report` and :func:`shigen.report.view.run_view`.
Nothing is imported here: plotting loads only when a report or page is made.
"""
