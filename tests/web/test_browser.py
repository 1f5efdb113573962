"""The dashboard in a real chromium (Playwright) against a real `shigen serve`.

Submit a shipped study through the form, wait for it, check that every figure draws
(plotly traces, a non-blank screenshot) and that the numbers shown equal the API's;
compare two runs; open the catalogue; narrow screens and keyboard navigation.
"""

from __future__ import annotations

import io

import pytest
from webhelpers import CHROMIUM

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")]

# Idle, a page loads in < 1 s, a figure draws in < 3 s and the BLUE study runs in ~10 s;
# these limits are 100x and 60x that, so a loaded machine does not fail the tests.
PAGE_TIMEOUT_MS = 300_000
RUN_TIMEOUT_MS = 600_000

@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(PAGE_TIMEOUT_MS)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    ctx.close()
    assert not errors, errors


def non_blank(png: bytes) -> bool:
    """More than a handful of distinct colours, and some dark ink."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    colours = img.getcolors(maxcolors=1 << 20) or []
    return len(colours) > 20 and img.convert("L").getextrema()[0] < 128


def check_figures(page, expected: int) -> None:
    """The ``expected`` visible plots are drawn, with traces and a non-blank image."""
    page.wait_for_function(
        f"document.querySelectorAll('.plot[data-drawn]').length >= {expected}",
        timeout=PAGE_TIMEOUT_MS)
    plots = page.locator(".plot:visible")
    assert plots.count() == expected
    for i in range(expected):
        plot = plots.nth(i)
        traces = plot.locator("g.trace, g.sankey, g.hm, g.heatmaplayer image").count()
        assert traces > 0, plot.get_attribute("id")
        plot.scroll_into_view_if_needed()
        assert non_blank(plot.screenshot()), plot.get_attribute("id")


def visible_figures(figs: list[dict]) -> int:
    """Figures open on a run page: a stage's own figures, or its generic ones if it has none
    (generic figures of a stage with its own are folded into a closed <details>)."""
    n = 0
    for stage in {f["stage"] for f in figs}:
        own = [f for f in figs if f["stage"] == stage and not f["generic"]]
        n += len(own) or sum(1 for f in figs if f["stage"] == stage)
    return n


def check_numbers(page, base: str, run_id: str) -> int:
    """Every numeric cell on the run page equals the API's table value."""
    tables = page.request.get(f"{base}/api/runs/{run_id}/tables").json()
    checked = 0
    for t in tables:
        rows = page.locator(f"#table-{t['id']} tbody tr")
        assert rows.count() == len(t["rows"])
        for r, row in enumerate(t["rows"]):
            cells = rows.nth(r).locator("td")
            for c, value in enumerate(row):
                if isinstance(value, int | float) and not isinstance(value, bool):
                    shown = cells.nth(c).get_attribute("data-value")
                    assert float(shown) == value, (t["id"], r, c)
                    checked += 1
    return checked


@pytest.mark.slow
def test_submit_a_shipped_study_and_see_its_figures(page, server):
    base, ids = server
    page.goto(base + "/")
    assert page.title() == "Runs and studies — shigen"
    # the shipped BLUE study (exact: etp2008-blue-nuclear-limit-30 starts with the same name)
    page.get_by_role("link", name="edit and run etp2008-blue", exact=True).click()
    textarea = page.get_by_label("Study file (TOML)")
    text = textarea.input_value()
    assert "[energy]" in text
    edited = text.replace('title = "ETP 2008 BLUE Map (world)"', 'title = "BLUE, edited"')
    assert edited != text
    textarea.fill(edited)  # a run the store lacks
    page.get_by_role("button", name="Run this study").click()
    page.wait_for_url("**/jobs/*")
    try:
        page.locator("#run-link").wait_for(timeout=RUN_TIMEOUT_MS)
    except Exception as exc:  # say what the job page showed instead
        raise AssertionError(f"no run link after {RUN_TIMEOUT_MS / 1000:.0f} s; the job "
                             f"page says: {page.locator('main').inner_text()[:2000]}") from exc
    assert page.locator("#job-state").inner_text() == "done"
    run_id = page.locator("#run-link").inner_text()
    assert run_id not in ids
    page.locator("#run-link").click()
    page.wait_for_url(f"**/runs/{run_id}")
    figs = page.request.get(f"{base}/api/runs/{run_id}/figures").json()
    check_figures(page, visible_figures(figs))
    # the folded generic figures draw when their section is opened
    folded = page.locator("details.more-figures")
    if folded.count():
        folded.first.locator("summary").click()
        n = folded.first.locator(".plot").count()
        page.wait_for_function(
            "[...document.querySelectorAll('details.more-figures')][0]"
            f".querySelectorAll('.plot[data-drawn]').length === {n}", timeout=PAGE_TIMEOUT_MS)
    assert check_numbers(page, base, run_id) >= 10
    # the energy pathway's figures, drawn from the API's data
    ids = {f["id"] for f in figs}
    assert {"energy-mix-generation", "energy-co2", "energy-plants"} <= ids
    co2 = next(f for f in figs if f["id"] == "energy-co2")
    drawn = page.evaluate("document.getElementById('plot-energy-co2').data.map(t => t.name)")
    assert drawn == [t["name"] for t in co2["figure"]["data"]]
    # the numbers on the page are the run's --json
    result = page.request.get(f"{base}/api/runs/{run_id}/result").json()
    co2_2050 = result["energy"]["co2_gt"]["2050"]
    assert page.locator(f'#table-energy-series td[data-value="{co2_2050}"]').count() >= 1


def test_compare_two_runs(page, server):
    base, (rid, rid2) = server
    page.goto(base + "/")
    page.get_by_label(f"select {rid[:8]}").check()
    page.get_by_label(f"select {rid2[:8]}").check()
    page.get_by_role("button", name="Compare selected runs").click()
    page.wait_for_url("**/compare?*")
    api = page.request.get(f"{base}/api/compare?runs={rid}&runs={rid2}").json()
    assert sorted(page.locator("#compared a code").all_inner_texts()) == sorted(api["runs"])
    n = page.locator(".plot:visible").count()
    assert n >= 1
    check_figures(page, n)
    assert page.locator("#table-compare tbody tr").count() == min(len(api["rows"]), 500)


def test_catalogue_with_provenance(page, server):
    base, _ = server
    page.goto(base + "/")
    page.get_by_role("link", name="Data catalogue").click()
    api = page.request.get(f"{base}/api/datasets").json()
    assert page.locator("#table-catalogue tbody tr").count() == len(api)
    page.get_by_role("link", name="ree-mine-production", exact=True).click()
    meta = next(d for d in api if d["name"] == "ree-mine-production")
    prov = page.locator("#provenance").inner_text()
    assert meta["source"] in prov and meta["edition"] in prov and meta["license"] in prov


def test_narrow_screen_and_keyboard(browser, server):
    base, (rid, _) = server
    ctx = browser.new_context(viewport={"width": 375, "height": 740})
    page = ctx.new_page()
    page.goto(f"{base}/runs/{rid}")
    check_figures(page, page.locator(".plot:visible").count())
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1  # nothing wider than the screen; wide tables scroll inside their box
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    # every form control on the edit page has a label
    page.goto(f"{base}/studies/japan-2009/edit")
    unlabelled = page.evaluate("""[...document.querySelectorAll('textarea, input, select')]
        .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length)).length""")
    assert unlabelled == 0
    ctx.close()


def test_report_opens_offline_with_its_figures(browser, seeded_home, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from shigen.cli import app

    home, (rid, _) = seeded_home
    monkeypatch.setenv("SHIGEN_HOME", str(home))
    out = tmp_path / "report.html"
    assert CliRunner().invoke(app, ["report", rid, "-o", str(out)]).exit_code == 0
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, offline=True)
    page = ctx.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(out.as_uri())
    check_figures(page, page.locator(".plot:visible").count())
    assert all(u.startswith(("file:", "data:", "blob:")) for u in requests), requests
    ctx.close()


def test_api_docs_render_offline(page, server):
    """/docs is Swagger UI whose assets come from this server: with every request to
    another host blocked, the operations are listed."""
    base, _ = server
    outside: list[str] = []

    def only_loopback(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith(base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.goto(base + "/docs")
    page.wait_for_selector(".opblock", timeout=30_000)  # one block per operation
    assert page.locator(".opblock").count() >= 12
    assert "/api/studies" in page.inner_text("body")
    assert outside == [], outside
    assert non_blank(page.screenshot(full_page=True))


def test_a_cross_site_form_cannot_start_a_job(page, server, tmp_path):
    """A page elsewhere (here a file:// page, Origin null) posts the study form: 403."""
    import json
    import urllib.request

    base, _ = server
    with urllib.request.urlopen(base + "/api/jobs", timeout=30) as r:
        before = len(json.loads(r.read()))
    evil = tmp_path / "evil.html"
    evil.write_text(f'<form id="f" method="post" action="{base}/studies/submit">'
                    '<input name="toml" value="x"><input name="name" value="x"></form>'
                    '<script>document.getElementById("f").submit()</script>')
    with page.expect_response(lambda r: r.url.endswith("/studies/submit")) as answer:
        page.goto(evil.as_uri())
    assert answer.value.status == 403
    with urllib.request.urlopen(base + "/api/jobs", timeout=30) as r:
        assert len(json.loads(r.read())) == before
