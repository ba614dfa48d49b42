"""Recorded events are checked like the file's (issue 14, point 4), through the command line.

Each test failed before: a recorded "received" before the shipping date gave no warning; the same
extension recorded twice added up; a recorded partial refund showed the full price on its way; a
refund larger than the price or in another currency was recorded and used.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from aliexp_lib.analysis import analyse_file
from aliexp_lib.caselog import CaseLog, default_log_path
from aliexp_lib.views.tables import refunds_in_flight
from tests.conftest import aliexp

ROOT = Path(__file__).parents[1]
TODAY = "2026-03-01"
HEADER = "order_id,store,title,price,currency,ordered_at,shipped_at,received_at,payment_method\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return aliexp(*args, cwd=cwd)


@pytest.fixture
def orders(tmp_path) -> Path:
    """Order 81: 600.00 RUB, shipped 2026-02-03, not received; order 82: shipped after it was received (the file's
    own mistake)."""
    path = tmp_path / "orders.csv"
    path.write_text(
        HEADER
        + "81,Lamps,Lamp,600.00,RUB,2026-02-01,2026-02-03,,card\n"
        + "82,Cables,Cable,100.00,RUB,2026-02-01,2026-02-10,2026-02-08,card\n",
        encoding="utf-8",
    )
    return path


def record(orders: Path, *args: str) -> subprocess.CompletedProcess:
    return run("record", *args, "--orders", str(orders), cwd=orders.parent)


def deadlines(orders: Path) -> tuple[pd.DataFrame, str]:
    done = run("deadlines", str(orders), "--today", TODAY, "--format", "csv", cwd=orders.parent)
    assert done.returncode == 0, done.stderr
    return pd.read_csv(io.StringIO(done.stdout), dtype=str), done.stderr


def due(table: pd.DataFrame, order: str, kind: str) -> dt.date:
    row = table[(table["order_id"] == order) & (table["kind"] == kind)]
    return dt.date.fromisoformat(row["due"].iloc[0])


# -- chronology ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "warned"), [("2026-02-02", True), ("2026-02-03", False), ("2026-02-04", False)])
def test_a_recorded_date_before_the_shipping_date_is_warned_after_the_log_is_applied(orders, day, warned):
    assert record(orders, "81", "received", day).returncode == 0
    _, stderr = deadlines(orders)
    said = (
        f"case log: order 81: received_at {day} (recorded in the case log) is before shipped_at 2026-02-03; "
        "dates kept as given"
    )
    assert (said in stderr) is warned, stderr
    # the file's own mistake (order 82) is warned once, by the file's check, not again for the log
    assert stderr.count("is before") == (2 if warned else 1), stderr
    assert "row 3: received_at 2026-02-08 is before shipped_at 2026-02-10" in stderr or "line 3" in stderr


def test_a_recorded_shipping_date_after_the_files_receipt_is_warned_too(orders):
    assert record(orders, "82", "shipped", "2026-02-07").returncode == 0  # corrects the file's mistake
    _, stderr = deadlines(orders)
    assert "case log: order 82" not in stderr
    assert record(orders, "82", "shipped", "2026-02-12").returncode == 0  # recorded last: wins, and is checked
    _, stderr = deadlines(orders)
    assert (
        "case log: order 82: received_at 2026-02-08 is before shipped_at 2026-02-12 (recorded in the case log)"
        in stderr
    )


# -- repeated extensions ------------------------------------------------------------------------


def test_the_same_extension_recorded_twice_counts_once_and_distinct_ones_add_up(orders):
    base, _ = deadlines(orders)
    ends = due(base, "81", "protection_ends")
    for _ in range(2):
        assert record(orders, "81", "extension", "2026-02-20", "5").returncode == 0
    table, stderr = deadlines(orders)
    assert due(table, "81", "protection_ends") == ends + dt.timedelta(days=5)
    assert "case log: order 81: the extension of 5 days on 2026-02-20 is recorded 2 times; counted once" in stderr
    assert record(orders, "81", "extension", "2026-02-21", "5").returncode == 0  # another day: another extension
    assert record(orders, "81", "extension", "2026-02-20", "3").returncode == 0  # another amount: another one
    table, stderr = deadlines(orders)
    assert due(table, "81", "protection_ends") == ends + dt.timedelta(days=5 + 5 + 3)
    assert stderr.count("counted once") == 1


# -- refund amounts -----------------------------------------------------------------------------


def _refunds(orders: Path) -> list[list[str]]:
    analysis = analyse_file(orders, dt.date.fromisoformat(TODAY))
    return refunds_in_flight(analysis).iloc[:, :2].values.tolist()  # order, amount


@pytest.mark.parametrize(("amount", "shown"), [("50.00", "RUB50.00"), ("600", "RUB600.00"), (None, "RUB600.00")])
def test_a_recorded_partial_refund_is_the_amount_on_its_way(orders, amount, shown):
    assert record(orders, "81", "refund_issued", "2026-02-25", *([amount] if amount else [])).returncode == 0
    assert _refunds(orders) == [["81", shown]]


def test_the_report_shows_the_recorded_refund_not_the_price(orders):
    assert record(orders, "81", "refund_issued", "2026-02-25", "50,00").returncode == 0
    out = orders.parent / "report.html"
    done = run("report", str(orders), "--today", TODAY, "-o", str(out), cwd=orders.parent)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    section = re.sub(r"<[^>]+>", " ", text[text.index("Refunds on their way") :])[:3000]
    words = " ".join(section.split())
    assert "order 81 RUB50.00 Bank card" in words, words[:400]
    assert "RUB600.00" not in words


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("600.01",), "refund_issued 600.01 RUB is more than the order's price 600.00 RUB; not recorded"),
        (("50", "--currency", "USD"), "refund_issued 50.00 USD is not in the order's currency RUB; not recorded"),
    ],
)
def test_record_refuses_a_refund_over_the_price_or_in_another_currency(orders, args, said):
    done = record(orders, "81", "refund_issued", "2026-02-25", *args)
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert not default_log_path(orders).exists()  # nothing written
    events = orders.parent / "events.csv"
    events.write_text("order_id,event,date,amount\n81,refund_received,2026-02-26,600.01\n", encoding="utf-8")
    many = record(orders, str(events))
    assert many.returncode == 2 and "more than the order's price" in many.stderr, many.stderr
    assert not default_log_path(orders).exists()


def test_a_refund_over_the_price_or_in_another_currency_already_in_the_log_is_a_warning_and_the_price_shows(orders):
    with CaseLog(default_log_path(orders)) as log:  # written by an older version, or by hand
        log.record("81", "refund_issued", "2026-02-25", amount="700", currency="RUB")
        log.record("82", "refund_issued", "2026-02-25", amount="5", currency="USD")
    _, stderr = deadlines(orders)
    assert "order 81: refund_issued 700.00 RUB is more than the order's price 600.00 RUB; not used" in stderr
    assert "order 82: refund_issued 5.00 USD is not in the order's currency RUB; not used" in stderr
    assert sorted(_refunds(orders)) == [["81", "RUB600.00"], ["82", "RUB100.00"]]
