"""The report in a real browser: order titles and store names with HTML in them stay text.

The weekly report is written for an order book whose titles and stores hold script, an image with
``onerror`` and an attribute break-out; headless Debian Chromium (Python ``playwright``, never
``playwright install``) opens the HTML from disk. Nothing may run: ``window.__pwned`` stays
undefined and no dialog opens, and the script tag is shown as text.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from playwright.sync_api import sync_playwright

from aliexp_lib import Setting
from aliexp_lib.report import write_report
from tests.conftest import CHROMIUM_ARGS, papermill_run

SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=2">'
BREAKOUT = '"><svg onload=window.__pwned=3>'
TODAY = dt.date(2026, 3, 1)


def _orders(path: Path) -> None:
    """Three orders due soon (so they show in this week's actions), each with a payload in title and store."""
    header = [
        "order_id",
        "store",
        "title",
        "price",
        "currency",
        "ordered_at",
        "shipped_at",
        "problem",
        "dispute_opened_at",
        "tracking_number",
    ]
    rows = [
        [
            "8100000000000001",
            SCRIPT,
            SCRIPT,
            "600.00",
            "RUB",
            "2026-01-20",
            "2026-01-25",
            "not_received",
            "",
            "RB100000003CN",
        ],
        ["8100000000000002", IMAGE, IMAGE, "300.00", "RUB", "2026-02-20", "2026-02-24", "", "", ""],
        [
            "8100000000000003",
            BREAKOUT,
            BREAKOUT,
            "900.00",
            "RUB",
            "2026-01-10",
            "2026-01-15",
            "defective",
            "2026-02-26",
            "",
        ],
    ]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows(rows)


def test_report_shows_html_in_titles_as_text_and_runs_none_of_it(tmp_path, chromium):
    orders = tmp_path / "orders.csv"
    _orders(orders)
    html, _notebook = write_report(orders, tmp_path / "report.html", TODAY, Setting.default())
    source = html.read_text(encoding="utf-8")
    for payload in (SCRIPT, IMAGE, BREAKOUT):
        assert payload not in source  # escaped in the file itself

    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(html.resolve().as_uri(), wait_until="load")
            page.wait_for_load_state("load")
            assert page.evaluate("typeof window.__pwned") == "undefined"
            text = page.inner_text("body")
        finally:
            browser.close()
    assert dialogs == []
    for payload in (SCRIPT, IMAGE, BREAKOUT):
        assert payload in text  # shown as typed


# Charts: plotly reads a subset of HTML in every text it draws (tick labels, hover text, legends,
# annotations): an order id holding <a href> became a clickable link in the timeline (issue 14).
LINK = '<a href="https://evil.example">x</a>'
BOLD = "<b>bold</b>"
ALERT = "<img src=x onerror=alert(1)>"
#: Elements plotly makes of markup in a label: a link, bold text, an image; none may appear.
MARKUP = (
    ".plotly-graph-div svg a, .plotly-graph-div svg image, .plotly-graph-div svg img, .plotly-graph-div [style*=bold]"
)


def _chart_orders(path: Path) -> None:
    """Three shipped orders (each on the timeline): an id that is a link (no title, so the id is its
    label), a bold title, an image title; stores with markup too."""
    rows = [
        ["order_id", "store", "title", "price", "currency", "ordered_at", "shipped_at", "problem"],
        [LINK, BOLD, "", "600.00", "RUB", "2026-01-20", "2026-01-25", "not_received"],
        ["8100000000000002", ALERT, BOLD, "300.00", "RUB", "2026-02-20", "2026-02-24", ""],
        ["8100000000000003", LINK, ALERT, "900.00", "RUB", "2026-01-10", "2026-01-15", "defective"],
    ]
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)


def _charts_show_markup_as_text(page_path: Path, chromium: Path, shot: Path) -> None:
    """Open the page in Chromium: no link, bold text or image inside any chart, no dialog, and the
    labels (ticks and the hover of an order) show the markup as typed."""
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            timeline = page.locator(".plotly-graph-div").filter(has_text="Every clock")
            timeline.locator("svg.main-svg").first.wait_for(timeout=15_000)
            timeline.scroll_into_view_if_needed()
            ticks = timeline.locator(".ytick text").all_text_contents()
            timeline.locator(".scatterlayer .points path").first.hover(force=True)  # through the drag layer
            page.wait_for_timeout(300)
            hover = " ".join(timeline.locator(".hoverlayer text").all_text_contents())
            markup = page.eval_on_selector_all(MARKUP, "found => found.map(e => e.outerHTML)")
            page.screenshot(path=str(shot))
            markup += page.eval_on_selector_all(MARKUP, "found => found.map(e => e.outerHTML)")  # after the hover
        finally:
            browser.close()
    assert markup == []
    assert dialogs == []
    assert LINK in ticks and BOLD in ticks and ALERT in ticks  # each label shown as typed
    assert "order" in hover and any(text in hover for text in (LINK, BOLD, ALERT))  # the hover too, tags and all


def test_chart_labels_in_the_report_show_html_as_text(tmp_path, chromium):
    orders = tmp_path / "orders.csv"
    _chart_orders(orders)
    html, _notebook = write_report(orders, tmp_path / "report.html", TODAY, Setting.default())
    _charts_show_markup_as_text(html, chromium, tmp_path / "report.png")


def test_chart_labels_of_a_notebook_show_html_as_text(tmp_path, chromium):
    """The overview notebook run by papermill; its charts (in its live output areas) drawn in a page."""
    import nbformat

    from aliexp_lib.offline_page import PLOTLY_JSON, offline_html

    orders = tmp_path / "orders.csv"
    _chart_orders(orders)
    root = Path(__file__).resolve().parents[1]
    executed = tmp_path / "overview.ipynb"
    papermill_run(
        root / "notebooks" / "overview.ipynb",
        executed,
        root / "notebooks",
        {"orders_path": str(orders), "today": TODAY.isoformat(), "calendar_path": str(tmp_path / "d.ics")},
    )
    notebook = nbformat.read(executed, as_version=4)
    states = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"].values()
    outputs = [o for cell in notebook.cells for o in cell.get("outputs", [])]
    outputs += [o for model in states for o in model["state"].get("outputs", [])]
    charts = [o for o in outputs if PLOTLY_JSON in o.get("data", {})]
    assert len(charts) == 2  # the timeline and the money at stake
    cells = [nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output("display_data", o["data"])]) for o in charts]
    page = tmp_path / "charts.html"
    page.write_text(offline_html(nbformat.v4.new_notebook(cells=cells)), encoding="utf-8")
    _charts_show_markup_as_text(page, chromium, tmp_path / "notebook.png")
