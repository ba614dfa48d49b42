"""The deadline engine, rule by rule: both sides of every boundary and every "applies while"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from aliexp_lib import compute_deadlines, load_orders, load_rulebook, next_actions
from aliexp_lib.deadlines import open_deadlines
from aliexp_lib.kinds import CLOSED
from aliexp_lib.rules import _parse
from tests.conftest import TODAY, book, day, deadline

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_orders.csv"
SAMPLE_DAY = dt.date(2026, 3, 1)

ONE = dt.timedelta(days=1)

# kind, the order (its clock starts at the event named), due date, status the day after due.
BOUNDARIES = [
    # Rule 9 (L173): a dispute may be opened from shipment + 5 d; after that the wait is over.
    ("dispute_opens", {"shipped_at": "2026-02-10"}, "2026-02-15", "done"),
    # Rule 5 (L54): tracking may be missing for 10 d after shipment.
    ("tracking_check", {"shipped_at": "2026-02-10"}, "2026-02-20", "overdue"),
    # Rule 6 (L69): no tracking change for 14 d.
    (
        "tracking_stalled",
        {"shipped_at": "2026-02-01", "last_tracking_update_at": "2026-02-10"},
        "2026-02-24",
        "overdue",
    ),
    # Rule 7 (L75): ask for an extension at the latest 2 d before protection ends (2026-03-02).
    ("ask_extension", {"shipped_at": "2026-01-01"}, "2026-02-28", "overdue"),
    # Rule 2 (L56): protection ends 60 d after shipment (Jan 31 days + Feb 28 days + 1). The day after, the
    # order has closed and the seller is paid (L390): that window is closed for good (issue 10).
    ("protection_ends", {"shipped_at": "2026-01-01"}, "2026-03-02", "expired"),
    # Rule 10 (L77): 15 d after confirming receipt of a parcel that never came; then closed for good.
    ("dispute_after_close", {"shipped_at": "2026-01-01", "confirmed_at": "2026-02-10"}, "2026-02-25", "expired"),
    # Rule 10 (L77, L390): 15 d after an order closed without confirmation (recorded); then closed for good.
    (
        "dispute_after_auto_close",
        {"shipped_at": "2026-01-01", "order_closed_at": "2026-02-10"},
        "2026-02-25",
        "expired",
    ),
    # Rule 13 (L392): the seller answers within 5 d.
    ("seller_reply_due", {"shipped_at": "2026-01-01", "dispute_opened_at": "2026-02-10"}, "2026-02-15", "overdue"),
    # Rule 14 (L197): escalation 15 d after the dispute opened.
    ("auto_escalation", {"shipped_at": "2026-01-01", "dispute_opened_at": "2026-02-10"}, "2026-02-25", "overdue"),
    # Rule 15 (L200): the platform decides within 7 d of escalation.
    (
        "decision_due",
        {"shipped_at": "2026-01-01", "dispute_opened_at": "2026-02-01", "dispute_escalated_at": "2026-02-20"},
        "2026-02-27",
        "overdue",
    ),
    # Rule 20 (L350): post the return within 10 d of getting the address.
    (
        "return_ship_by",
        {"shipped_at": "2026-01-01", "dispute_opened_at": "2026-02-01", "return_address_at": "2026-02-12"},
        "2026-02-22",
        "overdue",
    ),
    # Rule 21 (L358): refund at the latest 30 d after the return is posted.
    (
        "return_refund_by",
        {
            "shipped_at": "2025-12-01",
            "dispute_opened_at": "2026-01-05",
            "return_address_at": "2026-01-10",
            "return_shipped_at": "2026-01-20",
        },
        "2026-02-19",
        "overdue",
    ),
    # Rule 24 (L422): the refund leaves the platform 5 d after it is issued; past that it is in transit, not late.
    ("refund_leaves_platform", {"shipped_at": "2026-01-01", "refund_issued_at": "2026-02-10"}, "2026-02-15", "done"),
    # Rules 24, 26 (L422, L430): late once past 5 d + the payment method's slowest payout (a card: 15 d).
    (
        "refund_overdue",
        {"shipped_at": "2026-01-01", "refund_issued_at": "2026-02-10", "payment_method": "card"},
        "2026-03-02",
        "overdue",
    ),
    # The same for WebMoney, "almost at once" (L422): 5 + 1 d.
    (
        "refund_overdue",
        {"shipped_at": "2026-01-01", "refund_issued_at": "2026-02-10", "payment_method": "WebMoney"},
        "2026-02-16",
        "overdue",
    ),
]


@pytest.mark.parametrize(("kind", "order", "due", "after"), BOUNDARIES, ids=[b[0] for b in BOUNDARIES])
def test_each_kind_on_both_sides_of_its_due_date(kind, order, due, after):
    due = day(due)
    before = deadline(order, kind, today=due - ONE)
    on = deadline(order, kind, today=due)
    past = deadline(order, kind, today=due + ONE)
    assert (before["due"], before["days_left"], before["status"]) == (due, 1, "upcoming")
    assert (on["due"], on["days_left"], on["status"]) == (due, 0, "due_today")
    assert (past["due"], past["days_left"], past["status"]) == (due, -1, after)


#: How a dispute ends (issue 10; seed L185-200, L400): every clock of the dispute and its return stops.
ENDS = ["dispute_won_at", "dispute_lost_at", "dispute_cancelled_at", "dispute_agreed_at"]
# kind, the order while the clock runs, the events that each stop it ("applies while").
CLOSERS = [
    ("dispute_opens", {"shipped_at": "2026-02-27"}, ["dispute_opened_at", "confirmed_at", "refund_issued_at"]),
    (
        "tracking_check",
        {"shipped_at": "2026-02-25"},
        ["last_tracking_update_at", "received_at", "confirmed_at", "refund_issued_at"],
    ),
    (
        "tracking_stalled",
        {"shipped_at": "2026-02-10", "last_tracking_update_at": "2026-02-20"},
        ["received_at", "confirmed_at", "dispute_opened_at", "refund_issued_at"],
    ),
    (
        "ask_extension",
        {"shipped_at": "2026-02-01"},
        ["received_at", "confirmed_at", "dispute_opened_at", "refund_issued_at"],
    ),
    ("protection_ends", {"shipped_at": "2026-02-01"}, ["confirmed_at", "dispute_opened_at", "refund_issued_at"]),
    (
        "dispute_after_close",
        {"shipped_at": "2026-02-01", "confirmed_at": "2026-02-20"},
        ["dispute_opened_at", "refund_issued_at"],
    ),
    (
        "dispute_after_auto_close",
        {"shipped_at": "2025-12-01", "order_closed_at": "2026-02-20"},
        ["dispute_opened_at", "confirmed_at", "refund_issued_at"],
    ),
    (
        "seller_reply_due",
        {"shipped_at": "2026-02-01", "dispute_opened_at": "2026-02-26"},
        ["dispute_escalated_at", "return_address_at", "refund_issued_at", *ENDS],
    ),
    (
        "auto_escalation",
        {"shipped_at": "2026-02-01", "dispute_opened_at": "2026-02-20"},
        ["dispute_escalated_at", "return_address_at", "refund_issued_at", *ENDS],
    ),
    (
        "decision_due",
        {"shipped_at": "2026-01-10", "dispute_opened_at": "2026-02-10", "dispute_escalated_at": "2026-02-27"},
        ["return_address_at", "refund_issued_at", *ENDS],
    ),
    (
        "return_ship_by",
        {"shipped_at": "2026-01-10", "dispute_opened_at": "2026-02-10", "return_address_at": "2026-02-25"},
        ["return_shipped_at", "refund_issued_at", *ENDS],
    ),
    (
        "return_refund_by",
        {
            "shipped_at": "2026-01-10",
            "dispute_opened_at": "2026-02-01",
            "return_address_at": "2026-02-05",
            "return_shipped_at": "2026-02-10",
        },
        ["refund_issued_at", *ENDS],
    ),
    ("refund_leaves_platform", {"shipped_at": "2026-02-01", "refund_issued_at": "2026-02-27"}, ["refund_received_at"]),
    ("refund_overdue", {"shipped_at": "2026-02-01", "refund_issued_at": "2026-02-20"}, ["refund_received_at"]),
]
CLOSER_CASES = [(kind, order, event) for kind, order, events in CLOSERS for event in events]


@pytest.mark.parametrize(("kind", "order", "event"), CLOSER_CASES, ids=[f"{c[0]}-{c[2]}" for c in CLOSER_CASES])
def test_each_kind_applies_only_while_its_closing_events_have_not_happened(kind, order, event):
    running = deadline(order, kind)
    assert running["status"] == "upcoming"
    stopped = deadline({**order, event: "2026-02-28"}, kind)
    assert stopped["status"] == "done"
    assert stopped["due"] == running["due"]
    # The same event recorded for a later day has not happened yet on TODAY.
    assert deadline({**order, event: "2026-03-05"}, kind)["status"] == "upcoming"


@pytest.mark.parametrize(
    ("start", "kinds"),
    [
        ("shipped_at", {"dispute_opens", "tracking_check", "ask_extension", "protection_ends"}),
        ("last_tracking_update_at", {"tracking_stalled"}),
        ("confirmed_at", {"dispute_after_close"}),
        ("order_closed_at", {"dispute_after_auto_close"}),
        ("dispute_opened_at", {"seller_reply_due", "auto_escalation"}),
        ("dispute_escalated_at", {"decision_due"}),
        ("return_address_at", {"return_ship_by"}),
        ("return_shipped_at", {"return_refund_by"}),
        ("refund_issued_at", {"refund_leaves_platform", "refund_overdue"}),
    ],
)
def test_a_clock_starts_with_its_event_and_not_before(start, kinds):
    with_event = compute_deadlines(book({start: "2026-02-20"}), TODAY)
    assert kinds <= set(with_event["kind"])
    tomorrow = compute_deadlines(book({start: "2026-03-02"}), TODAY)
    assert not kinds & set(tomorrow["kind"])


def test_an_order_not_yet_shipped_has_no_deadlines():
    assert compute_deadlines(book({"ordered_at": "2026-02-27"}), TODAY).empty


@pytest.mark.parametrize(
    ("shipped", "ends"),
    [
        ("2024-01-01", "2024-03-01"),  # leap year: February has 29 days
        ("2023-01-01", "2023-03-02"),
        ("2026-12-31", "2027-03-01"),  # across the year end
        ("2028-02-29", "2028-04-29"),  # shipped on a leap day
    ],
)
def test_protection_counts_calendar_days_across_month_ends_and_leap_years(shipped, ends):
    row = deadline({"shipped_at": shipped}, "protection_ends", today=day(shipped))
    assert row["due"] == day(ends)


@pytest.mark.parametrize(
    ("issued", "overdue_from"),
    # 5 d to leave the platform + 15 d, the slowest payout (no payment method given), seed L422
    [("2028-02-20", "2028-03-11"), ("2027-02-20", "2027-03-12"), ("2026-01-31", "2026-02-20")],
)
def test_refund_clock_across_february(issued, overdue_from):
    row = deadline({"refund_issued_at": issued}, "refund_overdue", today=day(issued))
    assert row["due"] == day(overdue_from)


@pytest.mark.parametrize(
    ("order", "ends"),
    [
        ({}, "2026-03-02"),  # default 60 d
        ({"extension_days": "20"}, "2026-03-22"),  # 80 d (rule 3: extension agreed with the seller)
        ({"extension_days": "30"}, "2026-04-01"),  # exactly the 90-day cap
        ({"extension_days": "31"}, "2026-04-01"),  # one day over: capped at 90
        ({"protection_days": "75"}, "2026-03-17"),  # the order's own term
        ({"protection_days": "75", "extension_days": "30"}, "2026-04-01"),  # 105 capped at 90
        ({"protection_days": "120"}, "2026-04-01"),
    ],
)
def test_protection_term_extension_and_cap(order, ends):
    assert deadline({"shipped_at": "2026-01-01", **order}, "protection_ends", today=day("2026-01-02"))["due"] == day(
        ends
    )


def test_no_extension_to_ask_for_once_protection_is_at_its_cap():
    below = deadline({"shipped_at": "2026-01-01", "extension_days": "29"}, "ask_extension", today=day("2026-01-02"))
    at_cap = deadline({"shipped_at": "2026-01-01", "extension_days": "30"}, "ask_extension", today=day("2026-01-02"))
    assert below["status"] == "upcoming"
    assert at_cap["status"] == "done"


def test_protection_running_out_on_a_received_order_is_a_window_that_closed_not_an_alarm():
    lost = {"shipped_at": "2026-01-01"}
    arrived = {**lost, "received_at": "2026-01-25"}
    assert deadline(lost, "protection_ends", today=day("2026-03-03"))["status"] == "expired"  # the order closed
    assert deadline(arrived, "protection_ends", today=day("2026-03-03"))["status"] == "done"
    assert deadline(arrived, "protection_ends", today=day("2026-03-02"))["status"] == "due_today"


def test_dispute_after_confirming_is_lost_for_good_only_if_nothing_arrived():
    # Rule 10 (L77): 15 d after the close; past them the window is closed for good (issue 10), unless the item came.
    confirmed = {"shipped_at": "2026-01-01", "confirmed_at": "2026-02-01"}
    assert deadline(confirmed, "dispute_after_close")["status"] == "expired"
    assert deadline({**confirmed, "received_at": "2026-02-01"}, "dispute_after_close")["status"] == "done"


def test_user_override_moves_the_deadline():
    rulebook = load_rulebook(overrides={"protection_days": 75})
    row = deadline({"shipped_at": "2026-01-01"}, "protection_ends", today=day("2026-01-02"), rulebook=rulebook)
    assert row["due"] == day("2026-03-17")


def test_a_dated_rule_applies_to_clocks_started_from_its_date():
    newer = _parse(
        '[[rule]]\nid = "seller_reply_days"\nvalue = 3\napplies_from = 2026-02-01\n',
        "mine.toml",
        defaults=load_rulebook(),
    )
    before = deadline({"dispute_opened_at": "2026-01-31"}, "seller_reply_due", today=day("2026-02-01"), rulebook=newer)
    on = deadline({"dispute_opened_at": "2026-02-01"}, "seller_reply_due", today=day("2026-02-01"), rulebook=newer)
    assert before["due"] == day("2026-02-05")  # old 5 d
    assert on["due"] == day("2026-02-04")  # new 3 d


def test_rows_follow_the_order_book_then_the_lifecycle():
    table = compute_deadlines(book({"shipped_at": "2026-02-01"}, {"refund_issued_at": "2026-02-20"}), TODAY)
    assert list(table["order_id"]) == ["1"] * 4 + ["2"] * 2
    assert list(table["kind"]) == [
        "dispute_opens",
        "tracking_check",
        "ask_extension",
        "protection_ends",
        "refund_leaves_platform",
        "refund_overdue",
    ]
    assert list(table.columns) == [
        "order_id",
        "kind",
        "due",
        "days_left",
        "status",
        "actor",
        "action",
        "rule",
        "estimated",
        "assumption",
    ]


def test_every_row_says_what_to_do_and_which_rules():
    table = compute_deadlines(book({"shipped_at": "2026-01-01", "dispute_opened_at": "2026-02-01"}), TODAY)
    assert table["action"].str.len().min() > 10
    assert table.set_index("kind").loc["protection_ends", "rule"] == "protection_days, protection_cap_days"


class TestNextActions:
    def test_due_today_comes_before_overdue_before_upcoming(self):
        table = compute_deadlines(
            book(
                {"shipped_at": "2026-02-25"},  # dispute_opens upcoming on 03-02
                {"refund_issued_at": "2026-02-24"},  # refund leaves the platform today
                {"dispute_opened_at": "2026-02-20"},  # seller reply overdue since 02-25
            ),
            TODAY,
        )
        top = next_actions(table)
        # Issue 10: today's last day is never hidden behind one already missed; the day a dispute may
        # open is news, ranked after the order's own clocks (tracking_check on 03-07).
        assert list(zip(top["order_id"], top["kind"], top["status"], strict=True)) == [
            ("2", "refund_leaves_platform", "due_today"),
            ("3", "seller_reply_due", "overdue"),
            ("1", "tracking_check", "upcoming"),
        ]

    def test_the_most_recently_missed_deadline_of_an_order_wins(self):
        # The seller did not answer, then the dispute was not escalated either: the escalation matters now.
        order = {"shipped_at": "2026-01-05", "dispute_opened_at": "2026-02-01"}
        top = next_actions(compute_deadlines(book(order), TODAY))
        assert list(top["kind"]) == ["auto_escalation"]

    def test_orders_with_nothing_open_are_left_out(self):
        happy = {"shipped_at": "2026-01-01", "received_at": "2026-01-20", "confirmed_at": "2026-01-20"}
        assert next_actions(compute_deadlines(book(happy), TODAY)).empty


@pytest.mark.parametrize("block", [1, 7, 1000])
def test_open_deadlines_in_blocks_are_the_open_rows_of_the_whole_book(block):
    sample = load_orders(SAMPLE)
    whole = compute_deadlines(sample, SAMPLE_DAY)
    expected = whole[~whole["status"].isin(CLOSED)].reset_index(drop=True)
    in_blocks = open_deadlines(sample, SAMPLE_DAY, block=block)
    pd.testing.assert_frame_equal(in_blocks, expected)
    assert len(in_blocks) < len(whole)  # the closed rows are left out
