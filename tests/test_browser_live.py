"""A real browser on the notebooks that respond without a cell re-run: the chooser redraws one table
and one chart for another order or offer, pasted tracking numbers get their verdicts, a recorded
event changes the week's table (served by JupyterLab with the helpers of ``tests/browser.py``).

The tests share one JupyterLab and one page (its front end loads once: ~3 s of Chromium a test), each
on its own copy of the notebooks and the sample (a case log of its own), opened in the page's JupyterLab.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser import (
    PANEL,
    UPDATE_TIMEOUT,
    Lab,
    browser_page,
    copy_notebooks,
    drive_chooser,
    pictured,
    run_notebook,
    screenshot,
    serve_lab,
    wait_until,
)

# Tables the page shows inside widgets' own output areas, read in one go.
AREA_TABLES = """(panelSelector) => {
    const panel = document.querySelector(panelSelector);
    if (!panel) return null;
    const track = window.__aliexpTrack;
    const tables = Array.from(panel.querySelectorAll('.widget-output table'), table =>
        Array.from(table.querySelectorAll('tbody tr'), tr => Array.from(tr.cells, td => td.textContent.trim())));
    return {unanswered: track ? [...track.sent].filter(id => !track.done.has(id)).length : null,
            sent: track ? track.sent.size : null, tables: tables,
            said: Array.from(panel.querySelectorAll('.widget-label'), l => l.textContent.trim())};
}"""


def areas(page: Page) -> dict:
    return page.evaluate(AREA_TABLES, PANEL) or {}


@pytest.fixture(scope="module")
def shared_lab(tmp_path_factory, chromium: Path) -> Iterator[tuple[Page, Lab, Path]]:
    """One JupyterLab on a folder of the tests' copies, and one headless Chromium page."""
    root = tmp_path_factory.mktemp("lab")
    with serve_lab(root, root) as lab, browser_page(root, chromium, 1400, 1000, UPDATE_TIMEOUT) as page:
        yield page, lab, root


@contextlib.contextmanager
def lab_copy(shared_lab: tuple[Page, Lab, Path], shot: str) -> Iterator[tuple[Page, Lab, str]]:
    """The shared page and JupyterLab, and the folder (``<shot>/notebooks``) of this test's own copy."""
    page, lab, root = shared_lab
    copy_notebooks(root / shot)
    with pictured(page, shot):
        yield page, lab, f"{shot}/notebooks"


def test_switching_orders_and_moving_the_offer_redraws_one_table_and_one_chart(shared_lab) -> None:
    with lab_copy(shared_lab, "chooser") as (page, lab, folder):
        drive_chooser(page, lab, f"{folder}/resolution_chooser.ipynb")


def test_pasted_tracking_numbers_get_their_verdicts_without_running_a_cell(shared_lab) -> None:
    with lab_copy(shared_lab, "checks") as (page, lab, folder):
        run_notebook(page, lab, f"{folder}/checks.ipynb")
        box = page.locator(PANEL).locator(".widget-textarea textarea")
        first = wait_until(
            "the tracking checker's verdicts",
            lambda: areas(page),
            lambda s: bool(s.get("tables")) and any(row[0] == "RB123456785GB" for row in s["tables"][0]),
            UPDATE_TIMEOUT,
        )
        assert len(first["tables"]) == 1, "one verdict table, in the checker's own output"
        box.fill("RR123456785CN\nNOTATRACKNUMBER")  # a paste: the text area's value changes at once
        after = wait_until(
            "verdicts for the pasted numbers",
            lambda: areas(page),
            lambda s: (
                bool(s.get("tables"))
                and [row[0] for row in s["tables"][0]] == ["RR123456785CN", "NOTATRACKNUMBER"]
                and s["unanswered"] == 0
            ),
            UPDATE_TIMEOUT,
        )
        verdicts = {row[0]: row[1] for row in after["tables"][0]}
        assert verdicts == {"RR123456785CN": "yes", "NOTATRACKNUMBER": "no"}, after["tables"][0]
        screenshot(page, ".widget-textarea", "checks")


ORDER = "8100000000024312"  # a soldering iron kit whose dispute's automatic escalation is overdue
ESCALATION = "Automatic escalation"


def _escalation_rows(state: dict) -> list[list[str]]:
    week = (state.get("tables") or [[]])[0]
    return [row for row in week if ORDER in row and ESCALATION in row]


def test_recording_an_event_changes_the_week_table_without_running_a_cell(shared_lab) -> None:
    with lab_copy(shared_lab, "overview") as (page, lab, folder):
        run_notebook(page, lab, f"{folder}/overview.ipynb")
        before = wait_until(
            "the week's table with the overdue escalation",
            lambda: areas(page),
            lambda s: len(_escalation_rows(s)) == 1,
            UPDATE_TIMEOUT,
        )
        panel = page.locator(PANEL)
        label = page.locator(".widget-label", has_text=re.compile(r"^\s*Order\s*$"))  # not "Order closed"
        order = panel.locator(".widget-dropdown").filter(has=label).locator("select")
        labels = [t.replace("\xa0", " ") for t in order.locator("option").all_text_contents()]
        assert f"Soldering iron kit · {ORDER}" in labels, labels[:5]
        assert all(not label.isdigit() for label in labels), "orders are named by their title"
        order.select_option(value=None, label=f"Soldering\xa0iron\xa0kit\xa0·\xa0{ORDER}")
        panel.locator(".widget-dropdown").filter(has_text="Event").locator("select").select_option(
            label="Dispute\xa0escalated"
        )
        sent = areas(page)["sent"]
        panel.get_by_title("Record", exact=True).click()  # not "Record all", the pasted column's button
        after = wait_until(
            "the week's table without the escalation recorded",
            lambda: areas(page),
            lambda s: (s.get("sent") or 0) > sent and s["unanswered"] == 0 and not _escalation_rows(s),
            UPDATE_TIMEOUT,
        )
        assert any(text.startswith(f"Recorded: Soldering iron kit · {ORDER}") for text in after["said"]), after["said"]
        assert after["tables"][0] != before["tables"][0]
        screenshot(page, ".widget-button", "overview")


def test_a_pasted_column_of_events_is_recorded_in_one_step_without_running_a_cell(shared_lab) -> None:
    with lab_copy(shared_lab, "overview-many") as (page, lab, folder):
        run_notebook(page, lab, f"{folder}/overview.ipynb")
        wait_until(
            "the week's table with the overdue escalation",
            lambda: areas(page),
            lambda s: len(_escalation_rows(s)) == 1,
            UPDATE_TIMEOUT,
        )
        panel = page.locator(PANEL)
        box = panel.locator(".widget-textarea textarea")
        box.fill(f"{ORDER},dispute_escalated,2026-02-27\n999,shipped,2026-02-30")  # one bad line: nothing recorded
        sent = areas(page)["sent"]
        panel.get_by_role("button", name="Record all").click()
        refused = wait_until(
            "the bad lines named",
            lambda: areas(page),
            lambda s: (
                (s.get("sent") or 0) > sent and s["unanswered"] == 0 and any("Not recorded" in t for t in s["said"])
            ),
            UPDATE_TIMEOUT,
        )
        said = " ".join(refused["said"])
        assert "line 2, column order_id: '999'" in said and "line 2, column date: '2026-02-30'" in said, said
        assert len(_escalation_rows(refused)) == 1, "nothing recorded"
        box.fill(f"{ORDER},dispute_escalated,2026-02-27")
        sent = areas(page)["sent"]
        panel.get_by_role("button", name="Record all").click()
        after = wait_until(
            "the week's table without the escalation recorded",
            lambda: areas(page),
            lambda s: (s.get("sent") or 0) > sent and s["unanswered"] == 0 and not _escalation_rows(s),
            UPDATE_TIMEOUT,
        )
        assert any(text.startswith("events recorded: 1 (Dispute escalated 1)") for text in after["said"]), after["said"]
        screenshot(page, ".widget-textarea", "overview-many")
