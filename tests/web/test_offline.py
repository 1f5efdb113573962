"""Every HTML page shigen writes or serves works with the network off.

Chromium loads each page with every request outside ``file:``/``data:`` (and, for served
pages, outside the loopback server) aborted; the plots must still draw and nothing may have
been blocked (a blocked plotly.js from a CDN is exactly the blank-offline bug).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from webhelpers import CHROMIUM

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")]

TIMEOUT_MS = 300_000  # a loaded 2-core machine; an idle one draws in < 3 s
def load_offline(browser, url: str, allowed_host: str | None = None) -> tuple[object, list[str]]:
    """Open ``url`` with the network blocked; return the page and the blocked requests."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(TIMEOUT_MS)
    blocked: list[str] = []

    def gate(route) -> None:  # type: ignore[no-untyped-def]
        req = urlparse(route.request.url)
        local = req.scheme in ("file", "data") or (
            allowed_host is not None and req.netloc == allowed_host)
        if local:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    ctx.route("**/*", gate)
    page = ctx.new_page()
    page.goto(url, wait_until="load")
    return page, blocked


def assert_plot_drawn(page, blocked: list[str]) -> None:
    assert not blocked, blocked  # checked first: a blocked plotly.js never draws
    page.wait_for_selector(".plot-container svg.main-svg", state="attached", timeout=TIMEOUT_MS)
    assert page.locator("svg.main-svg").count() > 0
    assert not blocked, blocked


def test_fan_html_works_offline(browser, flagship_home, cli, tmp_path: Path) -> None:
    out = tmp_path / "fan.html"
    res = cli("fan", flagship_home.run_id, "--commodity", "rare-earths", "-o", out)
    assert res.exit_code == 0, res.stdout + res.stderr
    page, blocked = load_offline(browser, out.as_uri())
    assert_plot_drawn(page, blocked)
    page.context.close()


def test_report_html_works_offline(browser, flagship_home, cli, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    res = cli("report", flagship_home.run_id, "-o", out)
    assert res.exit_code == 0, res.stdout + res.stderr
    page, blocked = load_offline(browser, out.as_uri())
    assert_plot_drawn(page, blocked)
    page.context.close()


@pytest.mark.parametrize("path", ["run", "compare"])
def test_served_pages_work_offline(browser, server, path: str) -> None:
    base, (rid, rid2) = server
    url = f"{base}/runs/{rid}" if path == "run" else f"{base}/compare?runs={rid}&runs={rid2}"
    page, blocked = load_offline(browser, url, allowed_host=urlparse(base).netloc)
    assert_plot_drawn(page, blocked)
    page.context.close()
