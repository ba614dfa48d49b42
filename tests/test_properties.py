"""Properties of the deadline engine over generated order books (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from aliexp_lib import OrderBook, compute_deadlines, load_rulebook
from aliexp_lib.kinds import KINDS
from aliexp_lib.schema import STATUSES
from tests.oracles.reference_deadlines import order_records, reference_deadlines

RULES = load_rulebook()
START = dt.date(2023, 1, 1)
days = st.integers(min_value=0, max_value=120)
maybe_days = st.none() | days


@st.composite
def orders(draw) -> dict:
    """One order: each later event some days after the one it follows, or missing."""
    shipped = START + dt.timedelta(days=draw(st.integers(0, 1500)))
    order = {"shipped_at": shipped}

    def after(name, base, gap):
        if base is not None and draw(st.booleans()):
            order[name] = base + dt.timedelta(days=draw(gap))
        return order.get(name)

    after("last_tracking_update_at", shipped, days)
    received = after("received_at", shipped, days)
    after("confirmed_at", received if received is not None else shipped, st.integers(0, 30))
    opened = after("dispute_opened_at", shipped, days)
    after("dispute_escalated_at", opened, st.integers(0, 30))
    address = after("return_address_at", opened, st.integers(0, 30))
    after("return_shipped_at", address, st.integers(0, 15))
    refund = after("refund_issued_at", opened, days)
    after("refund_received_at", refund, st.integers(0, 30))
    # Events that end things (issue 10): a dispute's outcome, its reopening, an order closed unconfirmed.
    outcome = draw(st.sampled_from(("dispute_won_at", "dispute_lost_at", "dispute_cancelled_at", "dispute_agreed_at")))
    ended = after(outcome, opened, st.integers(0, 40))
    after("dispute_reopened_at", ended, st.integers(0, 20))
    if received is None and opened is None and draw(st.booleans()):
        after("order_closed_at", shipped, st.integers(30, 90))
    order["payment_method"] = draw(st.sampled_from(("", "card", "WebMoney", "barter")))
    order["protection_days"] = draw(maybe_days)
    order["extension_days"] = draw(maybe_days)
    return order


@st.composite
def exported_orders(draw) -> dict:
    """An order as an export may give it: an order date and a status, some dates the status implies missing."""
    order = draw(orders())
    ordered = order["shipped_at"] - dt.timedelta(days=draw(st.integers(0, 60)))
    order["ordered_at"] = ordered
    if draw(st.booleans()):
        order["paid_at"] = ordered + dt.timedelta(days=draw(st.integers(0, 25)))
    for column in ("shipped_at", "confirmed_at", "dispute_opened_at", "refund_issued_at"):
        if draw(st.booleans()):
            order.pop(column, None)
    order["status"] = draw(st.sampled_from(("", *STATUSES)))
    return order


def as_book(order_list: list[dict]) -> OrderBook:
    rows = [
        {"order_id": f"o{i}", **{k: ("" if v is None else str(v)) for k, v in o.items()}}
        for i, o in enumerate(order_list)
    ]
    return OrderBook.from_frame(pd.DataFrame(rows))


todays = st.dates(min_value=START, max_value=dt.date(2027, 6, 30))


@settings(max_examples=150)
@given(st.lists(orders() | exported_orders(), min_size=1, max_size=20), todays)
def test_engine_agrees_with_the_per_row_reference(order_list, today):
    book = as_book(order_list)
    engine = compute_deadlines(book, today, RULES)
    rows = list(
        zip(
            engine["order_id"],
            engine["kind"],
            engine["due"].dt.date,
            engine["days_left"],
            engine["status"],
            engine["estimated"],
            engine["assumption"].astype(str),
            strict=True,
        )
    )
    assert rows == reference_deadlines(order_records(book), today, RULES)


def protection_end(order: dict, today: dt.date) -> dt.date:
    table = compute_deadlines(as_book([order]), today, RULES)
    return table.loc[table["kind"] == "protection_ends", "due"].iloc[0].date()


@given(orders(), days, days, todays)
def test_an_extension_never_shortens_protection(order, a, b, today):
    low, high = sorted((a, b))
    today = max(today, order["shipped_at"])
    assert protection_end({**order, "extension_days": high}, today) >= protection_end(
        {**order, "extension_days": low}, today
    )


@given(orders(), todays)
def test_protection_never_exceeds_the_cap(order, today):
    today = max(today, order["shipped_at"])
    term = (protection_end(order, today) - order["shipped_at"]).days
    assert 0 <= term <= RULES.days_on("protection_cap_days", order["shipped_at"])


@given(st.lists(orders(), min_size=1, max_size=10), todays)
def test_no_deadline_before_the_event_that_starts_it(order_list, today):
    book = as_book(order_list)
    table = compute_deadlines(book, today, RULES)
    if table.empty:
        return
    start_column = table["kind"].map({k.name: k.start for k in KINDS})
    starts = [book.table.set_index("order_id").at[o, c] for o, c in zip(table["order_id"], start_column, strict=True)]
    # An order closed when protection ran out (not recorded): the clock starts on protection's last day.
    ends = table[table["kind"] == "protection_ends"].set_index("order_id")["due"].astype("datetime64[ns]")
    closed_at = table["order_id"].map(ends).astype("datetime64[ns]").reset_index(drop=True)
    starts = pd.Series(starts, dtype="datetime64[ns]").fillna(closed_at)
    assert (table["due"].to_numpy() >= pd.Series(starts).to_numpy()).all()
    assert (pd.Series(starts) <= pd.Timestamp(today)).all()


@given(st.lists(orders(), min_size=1, max_size=10), todays)
def test_days_left_is_due_minus_today_and_status_follows_it(order_list, today):
    table = compute_deadlines(as_book(order_list), today, RULES)
    assert ((table["due"] - pd.Timestamp(today)).dt.days == table["days_left"]).all()
    assert (table.loc[table["status"] == "expired", "days_left"] < 0).all()  # only a missed day is closed for good
    open_rows = table[~table["status"].isin(["done", "expired"])]
    expected = open_rows["days_left"].map(lambda d: "overdue" if d < 0 else "due_today" if d == 0 else "upcoming")
    assert (open_rows["status"].astype(str) == expected).all()
