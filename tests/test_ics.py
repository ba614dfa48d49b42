"""The calendar export: open deadlines as all-day events with reminders and stable UIDs."""

from __future__ import annotations

import datetime as dt

import icalendar
import pandas as pd
import pytest

from aliexp_lib import OrderBook, compute_deadlines
from aliexp_lib.ics import deadlines_calendar

TODAY = dt.date(2026, 3, 1)
ORDERS = [
    # Travelling: tracking_check overdue, ask_extension and protection_ends upcoming, dispute_opens done.
    {"order_id": "1001", "shipped_at": "2026-02-10"},
    # Dispute open: seller_reply_due and auto_escalation open, protection_ends done.
    {"order_id": "1002", "shipped_at": "2026-01-05", "dispute_opened_at": "2026-02-25"},
    # Refund received: everything done.
    {
        "order_id": "1003",
        "shipped_at": "2026-01-05",
        "refund_issued_at": "2026-02-01",
        "refund_received_at": "2026-02-06",
    },
]


def deadlines(orders=ORDERS, today=TODAY) -> pd.DataFrame:
    return compute_deadlines(OrderBook.from_frame(pd.DataFrame(orders).fillna("")), today)


def events(data: bytes) -> list[icalendar.Event]:
    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def by_uid(data: bytes) -> dict[str, icalendar.Event]:
    found = {str(e["uid"]): e for e in events(data)}
    assert len(found) == len(events(data)), "UIDs are unique"
    return found


def test_open_deadlines_become_all_day_events_and_done_ones_are_left_out():
    table = deadlines()
    data = deadlines_calendar(table, TODAY)
    found = by_uid(data)
    open_rows = table[table["status"] != "done"]
    done_rows = table[table["status"] == "done"]
    assert len(open_rows) and len(done_rows)  # the book exercises both sides
    assert set(found) == {f"{r.order_id}-{r.kind}@aliexp" for r in open_rows.itertuples()}
    for r in done_rows.itertuples():
        assert f"{r.order_id}-{r.kind}@aliexp" not in found
    assert not any(uid.startswith("1003-") for uid in found)
    for r in open_rows.itertuples():
        event = found[f"{r.order_id}-{r.kind}@aliexp"]
        due = r.due.date()
        assert event.decoded("dtstart") == due and type(event.decoded("dtstart")) is dt.date
        assert event.decoded("dtend") == due + dt.timedelta(days=1)
        assert event["dtstart"].params["VALUE"] == "DATE"
        assert str(event["description"]) == r.action
        assert [str(c) for c in event["categories"].cats] == [r.status]
        assert event.decoded("sequence") == 0
        assert event.decoded("dtstamp") == dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    # Spot checks against the rules: protection 60 d after 2026-02-10, seller reply 5 d after the dispute.
    assert found["1001-protection_ends@aliexp"].decoded("dtstart") == dt.date(2026, 4, 11)
    assert str(found["1001-protection_ends@aliexp"]["summary"]) == "protection ends: order 1001"
    assert found["1002-seller_reply_due@aliexp"].decoded("dtstart") == dt.date(2026, 3, 2)
    assert [str(c) for c in found["1001-tracking_check@aliexp"]["categories"].cats] == ["overdue"]


def test_events_are_ordered_by_due_then_order():
    keys = [(e.decoded("dtstart"), str(e["uid"]).split("-")[0]) for e in events(deadlines_calendar(deadlines(), TODAY))]
    assert keys == sorted(keys)


@pytest.mark.parametrize(("days", "trigger"), [(1, b"-P1D"), (3, b"-P3D")])
def test_each_event_has_a_display_alarm_days_before(days, trigger):
    data = deadlines_calendar(deadlines(), TODAY, reminder_days=days)
    for event in events(data):
        (alarm,) = event.walk("VALARM")
        assert str(alarm["action"]) == "DISPLAY"
        assert alarm.decoded("trigger") == dt.timedelta(days=-days)
        assert alarm["trigger"].params.get("RELATED", "START") == "START"
        assert str(alarm["description"])  # a DISPLAY alarm needs one
    assert data.count(b"TRIGGER:" + trigger + b"\r\n") == len(events(data))


def test_calendar_properties_and_custom_summary():
    data = deadlines_calendar(deadlines(), TODAY, summary=lambda row: f"AliExpress {row['order_id']}")
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["prodid"]) == "-//aliexp//deadlines//EN"
    assert str(calendar["version"]) == "2.0"
    assert str(calendar["x-wr-calname"]) == "AliExpress deadlines"
    assert {str(e["summary"]) for e in calendar.walk("VEVENT")} == {"AliExpress 1001", "AliExpress 1002"}


def test_same_inputs_give_identical_bytes():
    assert deadlines_calendar(deadlines(), TODAY) == deadlines_calendar(deadlines(), TODAY)


def test_a_moved_deadline_keeps_its_uid():
    before = by_uid(deadlines_calendar(deadlines(), TODAY))
    extended = [dict(ORDERS[0], extension_days="15"), *ORDERS[1:]]
    after = by_uid(deadlines_calendar(deadlines(extended), TODAY))
    uid = "1001-protection_ends@aliexp"
    assert before[uid].decoded("dtstart") == dt.date(2026, 4, 11)
    assert after[uid].decoded("dtstart") == dt.date(2026, 4, 26)
    assert set(after) == set(before)  # updated in place, nothing duplicated


def test_output_is_valid_icalendar():
    data = deadlines_calendar(deadlines(), TODAY)
    calendar = icalendar.Calendar.from_ical(data)
    assert all(not component.errors for component in calendar.walk())
    assert calendar.to_ical() == data  # round trip
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded


def test_nothing_open_gives_an_empty_calendar():
    table = deadlines()
    data = deadlines_calendar(table[table["status"] == "done"], TODAY)
    assert events(data) == []
    assert icalendar.Calendar.from_ical(data).to_ical() == data
