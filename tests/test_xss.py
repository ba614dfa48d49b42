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
from tests.conftest import CHROMIUM_ARGS

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
