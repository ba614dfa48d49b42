"""The report needs nothing from the network: no script or stylesheet from a CDN, and charts drawn
with every network request blocked.

nbconvert's page loaded require.js, MathJax and mermaid from cdnjs, and plotly's notebook renderer a
MathJax script per chart (issue 14): opened offline the page waited on them, opened online it ran
code from a third party. Links in the tables (an order's page on AliExpress) are fine: they load
nothing until followed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from aliexp_lib import Setting
from aliexp_lib.report import write_report
from tests.conftest import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
#: A script, stylesheet, module import or CSS import that names another machine.
NETWORK = re.compile(
    r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//"
    r"|\bimport\s*\(\s*[\"'](?:https?:)?//"
    r"|@import\s+(?:url\()?[\"']?(?:https?:)?//",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    write_report(ROOT / "data" / "sample_orders.csv", out, dt.date(2026, 3, 1), Setting.default())
    return out


def test_the_report_names_no_script_or_stylesheet_on_another_machine(report):
    html = report.read_text(encoding="utf-8")
    assert NETWORK.findall(html) == []
    assert html.count("Plotly.newPlot") == 3  # three charts ...
    assert len(re.findall(r"\* plotly\.js v\d", html)) == 1  # ... and plotly.js inlined once


def test_the_pattern_finds_what_nbconvert_used_to_load():
    assert NETWORK.search('<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js">')
    assert NETWORK.search('const m = (await import("https://cdnjs.cloudflare.com/ajax/libs/mermaid.mjs"))')
    assert not NETWORK.search('<a href="https://www.aliexpress.com/p/order/detail.html?orderId=81">81</a>')


def test_the_report_shows_its_charts_with_the_network_blocked(report, tmp_path, chromium):
    asked: list[str] = []

    def only_files(route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            asked.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.route("**/*", only_files)
            page.goto(report.resolve().as_uri(), wait_until="load")
            charts = page.locator(".plotly-graph-div")
            assert charts.count() == 3
            for i in range(3):
                charts.nth(i).locator("svg.main-svg").first.wait_for(timeout=15_000)
            drawn = page.eval_on_selector_all(
                ".plotly-graph-div", "divs => divs.map(d => d.querySelectorAll('.bars path, .points path').length)"
            )
            charts.last.scroll_into_view_if_needed()
            page.screenshot(path=str(tmp_path / "offline.png"))
        finally:
            browser.close()
    assert asked == []  # the page asked for nothing beyond its own file
    assert errors == []
    assert all(n > 0 for n in drawn), drawn  # every chart has its bars or marks
