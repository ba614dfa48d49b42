"""Seller risk signals, Saver Shipping deliveries and cashback (rules 27, 28, 30, 34, 35)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from aliexp_lib.errors import InputError
from aliexp_lib.i18n import format_date
from aliexp_lib.orders import OrderBook
from aliexp_lib.risk import cashback, saver_marked_received_early, seller_signals
from aliexp_lib.thresholds import load_thresholds, thresholds_frame

TODAY = dt.date(2026, 3, 1)


def book(*orders: dict) -> OrderBook:
    rows = [{"order_id": str(i), **order} for i, order in enumerate(orders, start=1)]
    return OrderBook.from_frame(pd.DataFrame(rows).fillna(""))


def signals(order: dict, thresholds=None) -> set[str]:
    return set(seller_signals(book(order), TODAY, thresholds)["signal"])


def test_thresholds_have_sources_and_say_which_are_assumptions():
    t = load_thresholds()
    assert {k: v.value for k, v in t.items()} == {
        "min_seller_rating": 95,
        "min_store_age_days": 180,
        "few_orders": 2,
        "cashback_typical_low": 2.5,
        "cashback_typical_high": 7.5,
        "cashback_scam_above": 50,
        "saver_early_received_days": 10,
    }
    assert all(v.source.startswith("seed L") and v.applies_from == dt.date(2018, 1, 1) for v in t.values())
    assumed = {k for k, v in t.items() if "assumption, not from the seed" in v.note.lower()}
    assert assumed == {"min_store_age_days", "cashback_scam_above", "saver_early_received_days"}
    assert list(thresholds_frame()["id"]) == list(t)


def test_overrides():
    t = load_thresholds({"min_seller_rating": 97.5, "few_orders": "5"})
    assert t["min_seller_rating"].value == 97.5 and t["min_seller_rating"].source == "user setting"
    assert "default 95 percent (seed L127-139)" in t["min_seller_rating"].note
    assert t["few_orders"].value == 5
    assert load_thresholds()["min_seller_rating"].value == 95  # defaults untouched
    with pytest.raises(InputError, match="unknown threshold"):
        load_thresholds({"min_rating": 90})
    with pytest.raises(InputError, match="not a number"):
        load_thresholds({"few_orders": "many"})
    with pytest.raises(InputError, match="0 or more"):
        load_thresholds({"few_orders": -1})


@pytest.mark.parametrize(("rating", "flagged"), [("94.9", True), ("95", False), ("99", False), ("", False)])
def test_low_rating(rating, flagged):
    assert ("low_rating" in signals({"seller_rating": rating})) is flagged


@pytest.mark.parametrize(
    ("opened", "flagged"),
    [("2025-09-03", True), ("2025-09-02", False), ("2020-01-01", False), ("2026-02-28", True), ("", False)],
)
def test_young_store(opened, flagged):
    # 2025-09-02 is 180 days before 2026-03-01: old enough; a day later is not.
    assert (dt.date(2026, 3, 1) - dt.date(2025, 9, 2)).days == 180
    assert ("young_store" in signals({"store_opened_at": opened})) is flagged


@pytest.mark.parametrize(("orders", "flagged"), [("0", True), ("2", True), ("3", False), ("", False)])
def test_few_orders(orders, flagged):
    assert ("few_orders" in signals({"store_orders": orders})) is flagged


@pytest.mark.parametrize(("rate", "flagged"), [("50", False), ("50.5", True), ("99%", True), ("5", False)])
def test_cashback_scam(rate, flagged):
    assert ("cashback_scam" in signals({"cashback_rate": rate})) is flagged


def test_overridden_thresholds_move_the_line():
    order = {"seller_rating": "96", "store_opened_at": "2025-06-01", "store_orders": "4", "cashback_rate": "30"}
    assert signals(order) == set()
    t = load_thresholds(
        {"min_seller_rating": 97, "min_store_age_days": 365, "few_orders": 4, "cashback_scam_above": 20}
    )
    assert signals(order, t) == {"low_rating", "young_store", "few_orders", "cashback_scam"}


def test_signal_table_rows_order_and_wording():
    table = seller_signals(
        book(
            {"seller_rating": "99", "store_orders": "1"},
            {"seller_rating": "90", "store_opened_at": "2026-01-01", "store_orders": "1", "cashback_rate": "90"},
            {},
        ),
        TODAY,
    )
    assert list(table.columns) == ["order_id", "signal", "reason", "rule"]
    assert list(zip(table["order_id"], table["signal"], strict=True)) == [
        ("1", "few_orders"),
        ("2", "low_rating"),
        ("2", "young_store"),
        ("2", "few_orders"),
        ("2", "cashback_scam"),
    ]
    reasons = dict(zip(table["signal"].iloc[1:], table["reason"].iloc[1:], strict=True))
    assert reasons["low_rating"].startswith("store rating 90% is below 95%")
    assert "59 days before today" in reasons["young_store"]
    assert "only 1 order(s)" in reasons["few_orders"]
    assert "promised cashback 90% is above 50%" in reasons["cashback_scam"]
    assert table["rule"].tolist()[1:] == [
        "rule 27, seed L127-139",
        "rule 27, seed L137",
        "rule 28, seed L129",
        "rule 35, seed L251",
    ]


def test_no_signals_gives_an_empty_table_with_columns():
    table = seller_signals(book({}), TODAY)
    assert table.empty and list(table.columns) == ["order_id", "signal", "reason", "rule"]


@pytest.mark.parametrize(
    ("method", "received", "flagged"),
    [
        ("AliExpress Saver Shipping", "2026-01-05", True),  # 4 days
        ("Cainiao SAVER", "2026-01-10", True),  # 9 days
        ("AliExpress Saver Shipping", "2026-01-11", False),  # 10 days: not under 10
        ("AliExpress Saver Shipping", "2026-02-01", False),
        ("AliExpress Saver Shipping", "", False),  # not received yet
        ("AliExpress Standard Shipping", "2026-01-05", False),
        ("", "2026-01-05", False),
    ],
)
def test_saver_marked_received_early(method, received, flagged):
    order = {"shipping_method": method, "shipped_at": "2026-01-01", "received_at": received}
    table = saver_marked_received_early(book(order))
    assert list(table.columns) == ["order_id", "signal", "reason", "rule"]
    assert (len(table) == 1) is flagged
    if flagged:
        assert (
            "check that the parcel really reached you; Saver parcels travel in a bag under one number"
            in table["reason"].iat[0]
        )
        assert table["rule"].iat[0] == "rule 30, seed L79-85"


def test_saver_threshold_override():
    order = {"shipping_method": "Saver", "shipped_at": "2026-01-01", "received_at": "2026-01-16"}
    assert saver_marked_received_early(book(order)).empty
    assert len(saver_marked_received_early(book(order), load_thresholds({"saver_early_received_days": 20}))) == 1


@pytest.mark.parametrize(
    ("price", "currency", "rate", "expected"),
    [
        ("600.00", "RUB", "5", 3000),
        ("199.99", "RUB", "2.5", 500),  # 499.975 kopecks
        ("1.00", "RUB", "2.5", 2),  # 2.5 -> 2: half to even
        ("3.00", "RUB", "2.5", 8),  # 7.5 -> 8: half to even
        ("0.10", "USD", "5", 0),  # 0.5 -> 0
        ("0.30", "USD", "5", 2),  # 1.5 -> 2
        ("1000", "JPY", "7.3", 73),
        ("0.1", "USD", "0.1", 0),
        # 99999999999999 * 3333 / 10000 = 33329999999999.6667: past int64 before the division, exact all the same
        ("999999999999.99", "RUB", "33.33", 33330000000000),
        ("123.45", "EUR", "0", 0),
    ],
)
def test_cashback_amounts_are_exact(price, currency, rate, expected):
    table = cashback(book({"price": price, "currency": currency, "cashback_rate": rate}))
    assert table["expected_minor"].dtype == "Int64"
    assert table["expected_minor"].iat[0] == expected
    assert table["currency"].iat[0] == currency


def test_cashback_table_lost_and_reasons():
    table = cashback(
        book(
            {"price": "600", "currency": "RUB", "cashback_rate": "5", "shipped_at": "2026-01-01"},
            {
                "price": "600",
                "currency": "RUB",
                "cashback_rate": "5",
                "shipped_at": "2026-01-01",
                "dispute_opened_at": "2026-01-20",
            },
            {"price": "600", "currency": "RUB", "cashback_rate": "5", "refund_issued_at": "2026-02-01"},
            {"price": "600", "currency": "RUB"},  # no rate: no row
            {"cashback_rate": "10"},
            {"price": "600", "currency": "RUB", "cashback_rate": "80"},
        )
    )
    assert list(table.columns) == ["order_id", "expected_minor", "currency", "lost", "reason"]
    assert table["order_id"].tolist() == ["1", "2", "3", "5", "6"]
    assert table["lost"].dtype == bool
    assert table["lost"].tolist() == [False, True, True, False, False]
    assert table["expected_minor"].isna().tolist() == [False, False, False, True, False]
    reasons = table.set_index("order_id")["reason"]
    assert "within 10 minutes" in reasons["1"] and ";" not in reasons["1"]
    assert "usually cancel" in reasons["2"] and "assumption" in reasons["2"]
    assert "no price given" in reasons["5"] and "above the typical 2.5-7.5%" in reasons["5"]
    assert "offers near 100% are scams" in reasons["6"] and "typical" not in reasons["6"]


def cyrillic_and_filled(texts: pd.Series) -> bool:
    return bool(texts.str.contains("[а-яё]", regex=True).all() and not texts.str.contains("[{}]", regex=True).any())


def test_seller_signals_in_russian():
    orders = book(
        {"seller_rating": "90.5", "store_opened_at": "2026-01-01", "store_orders": "1", "cashback_rate": "90"}
    )
    table = seller_signals(orders, TODAY, lang="ru")
    assert table["signal"].tolist() == seller_signals(orders, TODAY)["signal"].tolist()  # codes stay codes
    assert cyrillic_and_filled(table["reason"]) and cyrillic_and_filled(table["rule"])
    reasons = dict(zip(table["signal"], table["reason"], strict=True))
    assert reasons["low_rating"].startswith("рейтинг магазина 90,5% ниже 95%")
    opened = format_date(dt.date(2026, 1, 1), "ru")  # "1 янв. 2026 г." with CLDR's narrow no-break space
    assert reasons["young_store"].startswith(f"магазин открыт {opened}, 59 дн. назад (меньше 180 дн.")
    assert reasons["few_orders"].startswith("всего заказов у магазина: 1 (порог — не больше 2)")
    assert reasons["cashback_scam"].startswith("обещанный кэшбэк 90% выше 50%")
    assert reasons["cashback_scam"].endswith("обычный кэшбэк — 2,5–7,5%")
    assert table["rule"].tolist() == [
        "правило 27, источник L127-139",
        "правило 27, источник L137",
        "правило 28, источник L129",
        "правило 35, источник L251",
    ]


def test_saver_marked_received_early_in_russian():
    order = {"shipping_method": "AliExpress Saver Shipping", "shipped_at": "2026-01-01", "received_at": "2026-01-05"}
    table = saver_marked_received_early(book(order), lang="ru")
    assert cyrillic_and_filled(table["reason"])
    assert table["reason"].iat[0].startswith("посылка Saver Shipping отмечена полученной через 4 дн. после отправки")
    assert "(меньше 10 дн.;" in table["reason"].iat[0]
    assert table["rule"].iat[0] == "правило 30, источник L79-85"


def test_cashback_in_russian():
    orders = book(
        {"price": "600", "currency": "RUB", "cashback_rate": "10.5", "dispute_opened_at": "2026-01-20"},
        {"cashback_rate": "80"},
    )
    table = cashback(orders, lang="ru")
    english = cashback(orders)
    assert table.drop(columns="reason").equals(english.drop(columns="reason"))
    assert cyrillic_and_filled(table["reason"])
    first, second = table["reason"]
    assert first.startswith("10,5% от цены: проверьте, что кэшбэк появился")
    assert "обычно отменяют кэшбэк" in first and "выше обычных 2,5–7,5%" in first
    assert "цена не указана" in second and "выше 50% (порог — допущение)" in second
    assert first.count("; ") == english["reason"].iat[0].count("; ")
