"""The flagship run page and report read like a report (issue 17, item 1), checked in chromium.

At 1,280 px: no table header is a raw JSON key (``co2_by_sector_gt.buildings``,
``regions[0]``, ``timings_s``), every number carries a unit (in its column header, in the
row's unit cell, or in the cell itself, e.g. ``42%``; years and ranks are labels, not
quantities), and no visible table is wider than its container. Full-data tables folded in
``<details>`` scroll inside their own box and are not checked for width. Screenshots go to
``test-artifacts/`` (git-ignored) for a person to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from webhelpers import CHROMIUM, ROOT

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")]

TIMEOUT_MS = 300_000
ARTIFACTS = ROOT / "test-artifacts"

# Run in the page: every violation as a short string (an empty list passes).
AUDIT_JS = r"""() => {
  // checkVisibility: false inside a closed <details> (its content is content-visibility: hidden)
  const visible = el => el.checkVisibility();
  const rawKey = /(^|\s)[a-z0-9]+_[a-z0-9_]+($|\s)|\[\d+\]|[a-z_]+\.[a-z_]+/;
  const label = /^(year|rank|\d{4}|.*\(.*\).*)$/i;
  const out = {headers: [], units: [], overflow: [], tables: 0};
  for (const table of document.querySelectorAll('table')) {
    if (!visible(table)) continue;
    out.tables += 1;
    const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
    for (const h of heads) if (rawKey.test(h)) out.headers.push(`${table.id}: ${h}`);
    const unitCol = heads.findIndex(h => h.toLowerCase() === 'unit');
    for (const tr of table.querySelectorAll('tbody tr')) {
      const cells = [...tr.children];
      cells.forEach((td, i) => {
        if (!td.classList.contains('num')) return;
        const h = heads[i] || '';
        const unitHere = /%|\bt\b|×10/.test(td.textContent) ||
          (unitCol >= 0 && cells[unitCol] && cells[unitCol].textContent.trim() !== '');
        if (!label.test(h) && !unitHere) out.units.push(`${table.id}: ${h} = ${td.textContent}`);
      });
    }
    const wrap = table.closest('.table-wrap') || table.parentElement;
    if (wrap.scrollWidth > wrap.clientWidth + 1 || table.getBoundingClientRect().right >
        document.querySelector('main').getBoundingClientRect().right + 1)
      out.overflow.push(`${table.id}: ${table.scrollWidth}px in ${wrap.clientWidth}px`);
  }
  return out;
}"""


def audit(page, name: str) -> dict[str, list[str]]:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-1280.png"), full_page=False)
    result = page.evaluate(AUDIT_JS)
    assert result["tables"] >= 8, f"{name}: only {result['tables']} tables visible"
    return result


def open_page(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    page.goto(url, wait_until="load")
    return page


def check(result: dict[str, list[str]]) -> None:
    assert not result["headers"], f"raw JSON keys in table headers: {result['headers'][:20]}"
    assert not result["units"], f"numbers without a unit: {result['units'][:20]}"
    assert not result["overflow"], f"tables wider than their box: {result['overflow']}"


def test_flagship_report_reads_like_a_report(browser, flagship_home, cli, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    res = cli("report", flagship_home.run_id, "-o", out)
    assert res.exit_code == 0, res.stdout + res.stderr
    page = open_page(browser, out.as_uri())
    check(audit(page, "report"))
    # a table of contents, the warnings before the stages, and the full data one click away
    assert page.locator("nav.toc a").count() >= 8
    assert page.locator("#warnings li").count() >= 1
    full = page.locator("details.full-data").first
    assert not full.locator("table").is_visible()
    full.locator("summary").click()
    assert full.locator("table").is_visible()
    page.context.close()


def test_flagship_run_page_reads_like_a_report(browser, server) -> None:
    base, (rid, _) = server
    page = open_page(browser, f"{base}/runs/{rid}")
    check(audit(page, "run-page"))
    page.context.close()
