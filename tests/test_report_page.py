"""The weekly report in a real browser: the buyer's actions on the first screen, a page that fits a phone.

``aliexp report data/sample_orders.csv --today 2026-03-01`` is run as the README says; the HTML is
opened in Chromium at 1280x800 (a laptop) and 390x844 (a phone). Screenshots are left in the test's
temporary folder for a person to look at.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.conftest import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]


def test_the_first_screen_shows_todays_actions_and_the_page_fits_a_phone(tmp_path, chromium):
    out = tmp_path / "report.html"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "aliexp_lib",
            "report",
            "data/sample_orders.csv",
            "--today",
            "2026-03-01",
            "-o",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no 5 MB notebook unless asked
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(out.as_uri(), wait_until="load")
            page.screenshot(path=str(tmp_path / "laptop.png"))
            heading = page.get_by_role("heading", name="To do today and this week")
            assert heading.bounding_box()["y"] < 800
            rows = page.locator("table.aliexp-table").first.locator("tbody tr")
            assert rows.count() == 3  # the top three; the rest of the week folded under them
            for i in range(3):
                box = rows.nth(i).bounding_box()
                assert box["y"] + box["height"] <= 800  # above the fold
            first = rows.first.inner_text()
            assert "today" in first and "order 81" in first  # the day in words, the item with its order
            assert "rule" not in page.locator("table.aliexp-table").first.inner_text()  # references in tooltips
            assert "rules:" in (rows.first.locator("td[title]").first.get_attribute("title") or "")
            waiting = page.get_by_role("heading", name="Waiting on the seller, AliExpress or your bank")
            assert waiting.bounding_box()["y"] > box["y"]  # after the buyer's own actions
            aligns = page.eval_on_selector_all(
                "table.aliexp-table td", "cells => cells.map(c => getComputedStyle(c).textAlign)"
            )
            assert aligns and set(aligns) <= {"left", "start"}

            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.goto(out.as_uri(), wait_until="load")
            phone.screenshot(path=str(tmp_path / "phone.png"))
            phone.screenshot(path=str(tmp_path / "phone_full.png"), full_page=True)
            width = phone.evaluate("[document.documentElement.scrollWidth, document.body.scrollWidth, innerWidth]")
            assert max(width[:2]) <= width[2], width  # no sideways scrolling of the page
            assert phone.get_by_role("heading", name="To do today and this week").bounding_box()["y"] < 844
        finally:
            browser.close()
