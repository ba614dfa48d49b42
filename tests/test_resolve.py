"""Ways out of a problem order: the seed's own cases, each option's conditions, money, monotonicity."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from fractions import Fraction
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliexp_lib import InputError, load_orders
from aliexp_lib.assumptions import load_assumptions
from aliexp_lib.costs import load_postage, postage_range
from aliexp_lib.rates import convert_minor, load_rates
from aliexp_lib.resolve import APPLIES_TO, OPTIONS, _first_of, break_even, rank_options
from aliexp_lib.setting import Setting
from tests.conftest import TODAY, book
from tests.test_orders import SAMPLE

SETTING = Setting.default()
RECEIVED = {"shipped_at": "2026-01-20", "received_at": "2026-02-20", "payment_method": "card", "currency": "RUB"}


def ranked(*orders: dict, today: dt.date = TODAY, setting: Setting = SETTING) -> pd.DataFrame:
    return rank_options(book(*orders), today, setting)


def row(table: pd.DataFrame, option: str) -> dict:
    (found,) = table[table["option"] == option].to_dict("records")
    return found


def test_cheap_defect_a_partial_refund_beats_posting_it_back():
    """Seed L107-111: posting a cheap item back costs more than it is worth; ask for a partial refund."""
    table = ranked(
        {
            **RECEIVED,
            "problem": "defective",
            "price": "600",
            "weight_g": "100",
            "offer_partial": "300",
            "value_if_kept": "150",
        }
    )
    partial, back = row(table, "partial_refund_keep"), row(table, "return_for_refund")
    assert partial["net_minor"] > back["net_minor"]
    assert partial["rank"] < back["rank"]
    # 0.95 x 300.00 + 150.00 = 435.00; 0.9 x 600.00 - (250..1050 tracked postage) - (30..150 packing)
    assert partial["net_minor"] == 43500
    assert (back["net_low_minor"], back["net_minor"], back["net_high_minor"]) == (
        54000 - 105000 - 15000,
        54000 - 65000 - 9000,
        54000 - 25000 - 3000,
    )


def test_laptop_the_return_beats_a_small_partial_offer():
    """Seed L113: a laptop costs at least 2000 RUB to send back, and it is still worth it."""
    table = ranked(
        {
            **RECEIVED,
            "problem": "defective",
            "price": "38990",
            "weight_g": "2500",
            "offer_partial": "2000",
            "value_if_kept": "3000",
        }
    )
    assert table.iloc[0]["option"] == "return_for_refund"
    assert row(table, "return_for_refund")["net_minor"] > row(table, "partial_refund_keep")["net_minor"]
    assert row(table, "return_for_refund")["net_minor"] == round(0.9 * 3899000) - 200000 - 9000


def test_every_problem_order_of_the_sample_is_ranked():
    orders = load_orders(SAMPLE)
    table = rank_options(orders, TODAY, SETTING)
    problems = orders.table.loc[orders.table["problem"] != "", "order_id"]
    assert set(table["order_id"]) == set(problems)
    assert (table.groupby("order_id")["rank"].min() == 1).all()
    assert set(orders.table["problem"]) - {""} == set(table["problem"])


@pytest.mark.parametrize(
    "problem",
    ["not_received", "defective", "not_as_described", "wrong_item", "incomplete", "arrived_after_refund", "duplicate"],
)
def test_options_offered_are_those_that_resolve_the_problem(problem):
    order = {**RECEIVED, "problem": problem, "price": "900", "offer_partial": "100"}
    if problem == "not_received":
        order = {"shipped_at": "2026-02-01", "problem": problem, "price": "900", "currency": "RUB"}
    if problem == "arrived_after_refund":
        order |= {"dispute_opened_at": "2026-02-21", "refund_issued_at": "2026-02-24"}
    offered = set(ranked(order)["option"])
    assert offered <= {o for o in OPTIONS if problem in APPLIES_TO[o]}
    assert "keep_and_close" in offered


def test_no_dispute_options_once_protection_is_over_for_a_lost_parcel():
    lost = {"shipped_at": "2025-12-01", "problem": "not_received", "price": "900", "currency": "RUB"}
    # what is left: support and the bank (seed L430-432), a replacement (not advised), giving up
    assert set(ranked(lost)["option"]) == {"keep_and_close", "accept_resend", "settle_off_platform", "ask_support"}
    in_time = {**lost, "shipped_at": "2026-01-15"}
    assert {"dispute_full_refund", "wait_and_extend"} <= set(ranked(in_time)["option"])


def test_a_dispute_cannot_be_opened_before_five_days_after_shipment():
    early = ranked(
        {
            "shipped_at": "2026-02-28",
            "problem": "not_received",
            "price": "900",
            "currency": "RUB",
            "payment_method": "card",
        }
    )
    # first possible day 03-05, + 15 escalation + 7 decision + 5 leaves the platform + 15 days to a card
    assert row(early, "dispute_full_refund")["money_by"] == pd.Timestamp("2026-03-05") + pd.Timedelta(days=42)


def test_settle_off_platform_is_never_first_even_when_it_pays_most():
    generous = ranked(
        {**RECEIVED, "problem": "defective", "price": "900", "offer_partial": "900", "value_if_kept": "900"},
        setting=Setting.default(p_off_platform_paid=1.0),
    )
    assert row(generous, "settle_off_platform")["rank"] == generous["rank"].max()


def test_money_in_another_currency_is_converted_exactly_at_a_dated_rate():
    bank = dataclasses.replace(
        SETTING, rates=load_rates(resources.files("aliexp_lib.data") / "exchange_rates_example.csv")
    )
    table = ranked({**RECEIVED, "problem": "defective", "price": "16.49", "currency": "USD"}, setting=bank)
    keep_all = row(table, "dispute_full_refund")
    assert keep_all["net_minor"] == round(0.5 * 148410)  # 16.49 USD x 90.00 = 1484.10 RUB
    assert "1 USD = 90.00 RUB (2026-02-27" in keep_all["rate"]


def test_the_buyers_own_postage_quote_wins_over_the_table():
    table = ranked({**RECEIVED, "problem": "defective", "price": "600", "postage_quote": "320"})
    back = row(table, "return_for_refund")
    assert back["net_low_minor"] == 54000 - 32000 - 15000
    assert back["net_high_minor"] == 54000 - 32000 - 3000


def test_time_counts_at_the_buyers_rate():
    order = {**RECEIVED, "problem": "defective", "price": "600"}
    free = row(ranked(order), "return_for_refund")["net_minor"]
    paid = row(ranked(order, setting=Setting.default(time_rate=300)), "return_for_refund")["net_minor"]
    assert free - paid == 2 * 30000  # hours_return = 2 at 300 RUB/h


def test_cashback_lost_on_a_refund_is_counted():
    order = {**RECEIVED, "problem": "defective", "price": "600"}
    plain = row(ranked(order), "dispute_full_refund")["net_minor"]
    with_cashback = row(ranked({**order, "cashback_rate": "5"}), "dispute_full_refund")["net_minor"]
    assert plain - with_cashback == 3000


def test_break_even_offer_and_where_the_ranking_flips():
    order = {**RECEIVED, "problem": "defective", "price": "1000", "offer_partial": "100", "weight_g": "300"}
    result = break_even(book(order), TODAY, Setting.default(p_win_without_return=0.0, p_resend_arrives=0.0))
    (found,) = result.to_dict("records")
    # return: 0.9 x 1000 - postage (250..1050) - packing (30..150); partial = 0.95 x offer
    assert found["break_even_minor"] == round((90000 - 65000 - 9000) / 0.95)
    assert found["break_even_low_minor"] == 0  # at the dear end the return loses money
    assert found["break_even_high_minor"] == round((90000 - 25000 - 3000) / 0.95)
    # best other option: the partial offer (9500); the return ties with it at a postage of 775.00
    assert (found["best_if_postage_cheap"], found["best_if_postage_dear"], found["flips"]) == (
        "return_for_refund",
        "partial_refund_keep",
        True,
    )
    assert found["flip_postage_minor"] == 90000 - 3000 - 9500


orders = st.fixed_dictionaries(
    {
        "problem": st.sampled_from(["defective", "not_as_described", "wrong_item", "incomplete"]),
        "price": st.integers(100, 100_000).map(str),
        "weight_g": st.integers(10, 5000).map(str),
        "value_if_kept": st.integers(0, 1000).map(str),
    }
)


@settings(max_examples=60)
@given(orders, st.integers(0, 50_000), st.integers(0, 50_000))
def test_a_larger_offer_never_makes_the_partial_refund_worse(order, a, b):
    low, high = sorted((a, b))
    nets = [
        row(ranked({**RECEIVED, **order, "offer_partial": str(o)}), "partial_refund_keep")["net_minor"]
        for o in (low, high)
    ]
    assert nets[0] <= nets[1]


@settings(max_examples=60)
@given(orders, st.integers(0, 5000), st.integers(0, 5000))
def test_dearer_postage_never_makes_a_return_better(order, a, b):
    cheap, dear = sorted((a, b))
    nets = [
        row(ranked({**RECEIVED, **order, "postage_quote": str(p)}), "return_for_refund")["net_minor"]
        for p in (cheap, dear)
    ]
    assert nets[1] <= nets[0]


@settings(max_examples=60)
@given(st.lists(orders, min_size=1, max_size=5), st.floats(0, 1))
def test_ranges_hold_the_middle_and_settling_off_platform_is_never_first(order_list, p_off):
    table = ranked(*[{**RECEIVED, **o} for o in order_list], setting=Setting.default(p_off_platform_paid=p_off))
    assert (table["net_low_minor"] <= table["net_minor"]).all()
    assert (table["net_minor"] <= table["net_high_minor"]).all()
    assert not (table.loc[table["rank"] == 1, "option"] == "settle_off_platform").any()
    assert table.groupby("order_id")["rank"].apply(lambda r: sorted(r) == list(range(1, len(r) + 1))).all()


@settings(max_examples=200)
@given(st.integers(1, 6), st.integers(1, 5), st.data())
def test_the_first_candidate_is_the_first_a_sort_by_the_same_keys_gives(rows, columns, data):
    # _first_of stands in for np.lexsort in the ranking: the same option first, ties and NaN included.
    shape = (rows, columns)
    candidates = np.array(data.draw(st.lists(st.booleans(), min_size=rows * columns, max_size=rows * columns)))
    candidates = candidates.reshape(shape)
    small = st.lists(st.integers(-2, 2), min_size=rows * columns, max_size=rows * columns)
    chances = st.lists(st.sampled_from([0.0, 0.5, 1.0, np.nan]), min_size=rows * columns, max_size=rows * columns)
    keys = (
        np.array(data.draw(small)).reshape(shape) > 0,
        np.array(data.draw(small), dtype=np.int64).reshape(shape),
        np.array(data.draw(chances)).reshape(shape),
    )
    ranked = np.lexsort((np.broadcast_to(np.arange(columns), shape), *keys[::-1], ~candidates), axis=-1)
    first = np.zeros(shape, dtype=bool)
    for row in range(rows):
        if candidates[row].any():
            first[row, ranked[row, 0]] = True
    assert (_first_of(candidates, keys) == first).all()


class TestCosts:
    @pytest.mark.parametrize(
        ("minor", "factor", "expected"),
        [
            (1649, Fraction(90), 148410),  # 16.49 USD at 90 RUB
            (5, Fraction(1, 2), 2),  # 2.5 -> 2 (half to even)
            (7, Fraction(1, 2), 4),  # 3.5 -> 4
            (-7, Fraction(1, 2), -4),
            (100, Fraction(1, 3), 33),
        ],
    )
    def test_conversion_rounds_half_even(self, minor, factor, expected):
        assert convert_minor(np.array([minor]), factor)[0] == expected

    def test_the_newest_rate_on_or_before_the_day_is_used(self, tmp_path):
        path = tmp_path / "rates.csv"
        path.write_text(
            "date,currency,rub_per_unit,source\n2026-01-01,USD,80,a\n2026-02-01,USD,85,b\n", encoding="utf-8"
        )
        rates = load_rates(path)
        assert rates.lookup("USD", dt.date(2026, 1, 31))[:2] == (80, dt.date(2026, 1, 1))
        assert rates.lookup("USD", dt.date(2026, 2, 1))[:2] == (85, dt.date(2026, 2, 1))
        assert rates.lookup("USD", dt.date(2025, 12, 31)) is None  # none yet: the amount stays in USD

    def test_a_bad_rates_file_names_line_and_column(self, tmp_path):
        path = tmp_path / "rates.csv"
        path.write_text("date,currency,rub_per_unit,source\n2026-01-01,USD,eighty,a\n", encoding="utf-8")
        with pytest.raises(InputError, match="line 2, column rub_per_unit: 'eighty'"):
            load_rates(path)

    def test_postage_bands_are_the_seeds_tracked_prices(self):
        low, high, band = postage_range(np.array([100, 1000, 1001, 2500, 40_000]), load_postage())
        assert list(low) == [25000, 25000, 200000, 200000, -1]
        assert list(high) == [105000, 105000, 200000, 200000, -1]
        assert band[-1] == -1

    def test_assumptions_can_be_changed_and_are_checked(self):
        assert load_assumptions(overrides={"p_win_not_received": "0.7"})["p_win_not_received"] == Decimal("0.7")
        assert load_assumptions(overrides={"p_win_not_received": 0.7})["p_win_not_received"] == Decimal("0.7")
        assert load_assumptions()["p_partial_paid"] == Decimal("0.95")  # read exactly, not as a binary float
        assert "p_win_not_received" in load_assumptions(overrides={"p_win_not_received": 0.7}).changed
        with pytest.raises(InputError, match="out of range"):
            load_assumptions(overrides={"p_win_not_received": 1.5})
        with pytest.raises(InputError, match="unknown assumption 'p_win'"):
            load_assumptions(overrides={"p_win": 0.5})


every_order = st.fixed_dictionaries(
    {
        "problem": st.sampled_from(
            [
                "not_received",
                "defective",
                "not_as_described",
                "wrong_item",
                "incomplete",
                "arrived_after_refund",
                "duplicate",
            ]
        ),
        "price": st.integers(100, 100_000).map(str),
        "shipped_at": st.dates(dt.date(2025, 11, 1), dt.date(2026, 2, 28)).map(str),
    },
    optional={
        "weight_g": st.integers(10, 40_000).map(str),
        "offer_partial": st.integers(0, 50_000).map(str),
        "value_if_kept": st.integers(0, 5000).map(str),
        "postage_quote": st.integers(0, 3000).map(str),
        "cashback_rate": st.integers(0, 10).map(str),
        "confirmed_at": st.dates(dt.date(2026, 1, 1), dt.date(2026, 3, 10)).map(str),
        "dispute_opened_at": st.dates(dt.date(2026, 1, 1), dt.date(2026, 3, 10)).map(str),
        "refund_issued_at": st.dates(dt.date(2026, 1, 1), dt.date(2026, 3, 10)).map(str),
        "return_shipped_at": st.dates(dt.date(2026, 1, 1), dt.date(2026, 3, 10)).map(str),
        "extension_days": st.integers(0, 40).map(str),
        "payment_method": st.sampled_from(["card", "WebMoney", "PayPal", "cash"]),
    },
)


@settings(max_examples=100)
@given(st.lists(every_order, min_size=1, max_size=8), st.sampled_from([0, 250]))
def test_engine_ranks_like_the_per_row_reference(order_list, time_rate):
    from tests.oracles.reference_resolve import case_records, reference_ranking

    setting = Setting.default(time_rate=time_rate)
    orders = book(*[{"currency": "RUB", **o} for o in order_list])
    table = rank_options(orders, TODAY, setting)
    got = list(
        zip(
            table["order_id"],
            table["option"],
            table["rank"],
            table["net_minor"],
            table["net_low_minor"],
            table["net_high_minor"],
            table["money_by"].dt.date,
            strict=True,
        )
    )
    records, arrival = case_records(orders, TODAY, setting)
    assert got == reference_ranking(records, arrival, TODAY, setting)
