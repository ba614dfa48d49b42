"""Wait or act: delivery times from the buyer's own history (aliexp_lib.history)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliexp_lib import OrderBook, compute_deadlines, load_orders, load_rulebook
from aliexp_lib.arrival import SUMMARY_COLUMNS, arrival_chance, summary
from aliexp_lib.history import (
    DEFAULT_P_LOST,
    DEFAULT_PRIOR_WEIGHT,
    POOLED,
    delivery_days,
    fit_delivery_model,
    prior_range,
)
from aliexp_lib.rules import Rulebook
from tests.conftest import book

START = dt.date(2026, 1, 1)
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_orders.csv"


def iso(date: dt.date) -> str:
    return date.isoformat()


def delivered(days: int, method: str = "Standard", shipped: dt.date = START) -> dict:
    return {
        "shipped_at": iso(shipped),
        "received_at": iso(shipped + dt.timedelta(days=days)),
        "shipping_method": method,
    }


def travelling(shipped: dt.date, method: str = "Standard") -> dict:
    return {"shipped_at": iso(shipped), "shipping_method": method}


def deadlines(orders: OrderBook, *dates: dt.date | None) -> pd.Series:
    return pd.Series(pd.to_datetime([None if d is None else iso(d) for d in dates]), index=orders.table.index)


FIVE = [10, 20, 20, 30, 40]  # k = 5, prior uniform on [20, 40]


def blended(t: float, observed=FIVE, k=5, low=20, high=40) -> float:
    """The CDF written out for the tests: (n * ECDF + k * U) / (n + k)."""
    ecdf = sum(x <= t for x in observed) / len(observed) if observed else 0.0
    prior = min(max((t - low) / (high - low), 0.0), 1.0)
    return (len(observed) * ecdf + k * prior) / (len(observed) + k)


# --- delivery_days -------------------------------------------------------------------------


def test_delivery_days_keeps_delivered_orders_and_normalises_methods():
    orders = book(
        delivered(12, "  AliExpress   Standard Shipping "),
        delivered(0, "aliexpress standard shipping"),  # same day counts: 0 d
        travelling(START),
        {"received_at": "2026-02-01"},  # no shipment date
        {"shipped_at": "2026-02-10", "received_at": "2026-02-01"},  # impossible: left out
        delivered(30, ""),
    )
    frame = delivery_days(orders)
    assert list(frame.columns) == ["order_id", "shipping_method", "days"]
    assert frame["order_id"].tolist() == ["1", "2", "6"]
    assert frame["shipping_method"].tolist() == ["aliexpress standard shipping"] * 2 + ["unknown"]
    assert frame["days"].tolist() == [12, 0, 30]
    assert frame["days"].dtype == np.int64


# --- the model -----------------------------------------------------------------------------


def test_known_data_gives_hand_computed_cdf_and_summary():
    model = fit_delivery_model(book(*(delivered(d) for d in FIVE)))
    # t = 20: ECDF 3/5, prior 0 -> (3 + 0) / 10; t = 25: (3 + 5 * 0.25) / 10; t = 35: (4 + 5 * 0.75) / 10.
    assert model.cdf("standard", [20, 25, 35]) == pytest.approx([0.3, 0.425, 0.775])
    assert model.cdf(" STANDARD ", 25) == pytest.approx(blended(25))
    assert model.delivered_by("Standard", 25) == pytest.approx(0.95 * 0.425)
    row = summary(model).iloc[0]
    # median: t = 27 gives (3 + 1.75) / 10 = 0.475, t = 28 gives (3 + 2) / 10 = 0.5.
    # p90: t = 39 gives (4 + 4.75) / 10 = 0.875, t = 40 gives 1.
    assert row.to_dict() == {
        "shipping_method": "standard",
        "orders": 5,
        "median_days": 28,
        "p90_days": 40,
        "prior_share": 0.5,
    }


def test_defaults_are_the_documented_assumptions():
    assert (DEFAULT_PRIOR_WEIGHT, DEFAULT_P_LOST) == (5, 0.05)
    model = fit_delivery_model(book(delivered(10)))
    assert (model.low, model.high, model.prior_weight, model.p_lost) == (20, 40, 5, 0.05)


def test_no_data_uses_the_prior_alone():
    model = fit_delivery_model(book(travelling(START, "Cainiao")))
    assert model.days == {} and len(model.pooled) == 0
    assert model.cdf("cainiao", [0, 20, 30, 38, 40, 400]) == pytest.approx([0, 0, 0.5, 0.9, 1, 1])
    table = summary(model)
    assert list(table.columns) == list(SUMMARY_COLUMNS)
    assert table.to_dict("records") == [
        {"shipping_method": POOLED, "orders": 0, "median_days": 30, "p90_days": 38, "prior_share": 1.0}
    ]


def test_unknown_and_unseen_methods_use_all_orders_pooled():
    orders = book(
        delivered(10, "Fast"), delivered(10, "fast"), delivered(30, "Slow"), delivered(30, "Slow"), delivered(30, "")
    )
    model = fit_delivery_model(orders)
    assert sorted(model.days) == ["fast", "slow"]  # "unknown" is not a method of its own
    pooled = [10, 10, 30, 30, 30]
    for method in ("", "unknown", "Cainiao Saver"):
        assert model.cdf(method, 25) == pytest.approx(blended(25, pooled))
    assert model.cdf("FAST", 25) == pytest.approx(blended(25, [10, 10]))
    table = summary(model).set_index("shipping_method")
    assert table["orders"].to_dict() == {"fast": 2, "slow": 2, POOLED: 5}
    assert table.loc[POOLED, "prior_share"] == pytest.approx(5 / 10)
    assert table.loc["fast", "prior_share"] == pytest.approx(5 / 7)


def test_prior_range_comes_from_the_rulebook():
    assert prior_range(load_rulebook()) == (20, 40)
    assert prior_range(load_rulebook(overrides={"estimated_delivery_days": 30})) == (20, 30)
    assert prior_range(Rulebook({})) == (20, 40)  # rule absent: seller-stated range, seed L56
    model = fit_delivery_model(
        book(travelling(START)), rulebook=load_rulebook(overrides={"estimated_delivery_days": 30})
    )
    assert model.cdf("x", 25) == pytest.approx(0.5)


def test_parameters_change_the_blend_and_are_checked():
    orders = book(*(delivered(d) for d in FIVE))
    assert fit_delivery_model(orders, prior_weight=0).cdf("standard", 25) == pytest.approx(0.6)  # ECDF alone
    assert fit_delivery_model(orders, prior_weight=10).cdf("standard", 25) == pytest.approx(blended(25, k=10))
    assert fit_delivery_model(orders, p_lost=0.2).delivered_by("standard", 25) == pytest.approx(0.8 * 0.425)
    with pytest.raises(ValueError):
        fit_delivery_model(orders, p_lost=1)
    with pytest.raises(ValueError):
        fit_delivery_model(orders, prior_weight=-1)
    with pytest.raises(ValueError):
        fit_delivery_model(book(travelling(START)), prior_weight=0)


# --- arrival_chance ------------------------------------------------------------------------


def test_arrival_chance_hand_computed():
    today = START + dt.timedelta(days=25)  # the travelling order has waited t = 25 d
    orders = book(*(delivered(d) for d in FIVE), travelling(START), travelling(START))
    model = fit_delivery_model(orders)
    late, early = START + dt.timedelta(days=35), START + dt.timedelta(days=25)
    chance = arrival_chance(model, orders, today, deadlines(orders, *[None] * 5, late, early))
    f = lambda t: (1 - 0.05) * blended(t)  # noqa: E731
    assert chance.iloc[5] == pytest.approx((f(35) - f(25)) / (1 - f(25)))  # = 0.3325 / 0.59625
    assert chance.iloc[5] == pytest.approx(0.3325 / 0.59625)
    assert chance.iloc[6] == 0.0  # deadline today: it would have had to arrive already


def test_arrival_chance_on_both_sides_of_typical_delivery():
    orders = book(
        *(delivered(d, "Post") for d in (18, 19, 20, 21, 22, 20, 20)),
        travelling(START, "Post"),
        travelling(START, "Post"),
    )
    model = fit_delivery_model(orders)
    today = START + dt.timedelta(days=5)
    chance = arrival_chance(
        model,
        orders,
        today,
        deadlines(orders, *[None] * 7, START + dt.timedelta(days=10), START + dt.timedelta(days=60)),
    )
    assert chance.iloc[7] < 0.05  # deadline well before the usual 18-22 d: act
    assert chance.iloc[8] == pytest.approx(1 - DEFAULT_P_LOST, abs=1e-12)  # after everything: only loss remains


def test_orders_not_travelling_get_nan():
    today = dt.date(2026, 2, 1)
    orders = book(
        delivered(10),  # received
        {"shipped_at": "2026-01-01", "confirmed_at": "2026-01-20"},  # confirmed
        {"ordered_at": "2026-01-01"},  # not shipped
        {"shipped_at": "2026-02-05"},  # shipped after today
        {"shipped_at": "2026-01-01", "received_at": "2026-02-10"},  # received after today: still travelling
        {"shipped_at": "2026-01-01"},  # travelling, but no deadline
    )
    model = fit_delivery_model(orders)
    chance = arrival_chance(model, orders, today, deadlines(orders, *[dt.date(2026, 3, 1)] * 5, None))
    assert chance.dtype == np.float64
    assert chance.index.equals(orders.table.index)
    assert chance.isna().tolist() == [True, True, True, True, False, True]
    with pytest.raises(ValueError):
        arrival_chance(model, orders, today, pd.Series(pd.to_datetime(["2026-03-01"])))


def test_arrival_chance_with_protection_end_of_the_sample():
    orders = load_orders(SAMPLE)
    today = dt.date(2026, 3, 1)
    rows = compute_deadlines(orders, today)
    ends = rows[rows["kind"] == "protection_ends"].set_index("order_id")["due"]
    chance = arrival_chance(fit_delivery_model(orders), orders, today, orders.table["order_id"].map(ends))
    known = chance.dropna()
    assert len(known) > 0 and known.between(0, 1).all()
    table = orders.table
    gone = (table["received_at"] <= pd.Timestamp(today)) | (table["confirmed_at"] <= pd.Timestamp(today))
    assert chance[gone].isna().all()


# --- properties ----------------------------------------------------------------------------

history = st.lists(st.tuples(st.integers(0, 120), st.sampled_from(["A", "B", ""])), max_size=15)


@settings(max_examples=60)
@given(
    history,
    st.lists(st.tuples(st.integers(0, 150), st.sampled_from(["A", "B", "C", ""])), min_size=1, max_size=8),
    st.integers(0, 200),
    st.integers(0, 100),
    st.floats(0, 20),
    st.floats(0, 0.5),
)
def test_later_deadline_never_lowers_the_chance(past, waits, deadline_day, later_by, k, p_lost):
    today = dt.date(2026, 6, 1)
    rows = [delivered(d, m) for d, m in past] + [travelling(today - dt.timedelta(days=w), m) for w, m in waits]
    orders = book(*rows)
    if not past and k == 0:
        k = 1.0
    model = fit_delivery_model(orders, prior_weight=k, p_lost=p_lost)
    shipped = orders.table["shipped_at"]
    early = shipped + pd.Timedelta(days=deadline_day)
    late = early + pd.Timedelta(days=later_by)
    a = arrival_chance(model, orders, today, early).iloc[len(past) :]
    b = arrival_chance(model, orders, today, late).iloc[len(past) :]
    assert a.notna().all() and b.notna().all()
    assert ((a >= 0) & (a <= 1) & (b <= 1)).all()
    assert (b >= a - 1e-12).all()


@settings(max_examples=60)
@given(history, st.integers(0, 150), st.integers(0, 200), st.floats(0, 0.5))
def test_waiting_longer_keeps_the_chance_a_probability(past, deadline_in, most_waited, p_lost):
    today = dt.date(2026, 6, 1)
    orders = book(
        *[delivered(d, m) for d, m in past],
        *[travelling(today - dt.timedelta(days=w), "A") for w in range(0, most_waited + 1, 7)],
    )
    model = fit_delivery_model(orders, p_lost=p_lost)
    deadline = pd.Series(pd.Timestamp(today + dt.timedelta(days=deadline_in)), index=orders.table.index)
    chance = arrival_chance(model, orders, today, deadline).iloc[len(past) :]
    assert chance.between(0, 1).all()
