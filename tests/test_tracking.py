"""Tracking-number checks (rule 29): UPU S10 check digits, carrier formats, numbers shared by orders."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aliexp_lib.orders import OrderBook
from aliexp_lib.tracking import _normalise, check_tracking, duplicate_tracking, s10_check_digit
from aliexp_lib.tracking_shapes import OTHER_FORMATS, S10, shapes


def by_hand(serial: str) -> int:
    """The S10 rule written out: weights 8 6 4 2 3 5 9 7, sum mod 11, 11 - rest, 10 -> 0, 11 -> 5."""
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def one(number: str) -> dict:
    return check_tracking([number]).iloc[0].to_dict()


def book(*orders: dict) -> OrderBook:
    rows = [{"order_id": str(i), **order} for i, order in enumerate(orders, start=1)]
    return OrderBook.from_frame(pd.DataFrame(rows).fillna(""))


# Worked by hand:
#   12345678: 1*8 + 2*6 + 3*4 + 4*2 + 5*3 + 6*5 + 7*9 + 8*7 = 204; 204 mod 11 = 6; 11 - 6 = 5
#   10000000: 8; 11 - 8 = 3 (the README's example RB100000003CN)
#   47312482: 32 + 42 + 12 + 2 + 6 + 20 + 72 + 14 = 200; 200 mod 11 = 2; 11 - 2 = 9
#   02000000: 2*6 = 12; 12 mod 11 = 1; 11 - 1 = 10 -> 0
#   00000000: 0; 11 - 0 = 11 -> 5
@pytest.mark.parametrize(
    ("number", "check"),
    [
        ("RB123456785GB", 5),
        ("RB100000003CN", 3),
        ("LV473124829CN", 9),
        ("RR020000000CN", 0),
        ("EE000000005RU", 5),
    ],
)
def test_s10_valid_vectors(number, check):
    assert by_hand(number[2:10]) == check == s10_check_digit(number[2:10])
    row = one(number)
    assert row["valid"] and row["format"] == "UPU S10"
    assert f"check digit {check} matches" in row["reason"]


def test_issue_example_invalid_check_digit_names_the_expected_digit():
    row = one("RB123456786US")
    assert not row["valid"]
    assert row["format"] == "UPU S10" and row["country"] == "United States"
    assert "check digit is 6 but the S10 rule gives 5" in row["reason"]
    assert "rule 29" in row["reason"] and "not proof of fraud" in row["reason"]


@pytest.mark.parametrize("number", ["RR020000005CN", "EE000000000RU"])
def test_s10_mapped_check_digits_are_not_interchangeable(number):
    """10 -> 0 and 11 -> 5: the unmapped neighbour is wrong."""
    assert not one(number)["valid"]


def test_country_name_and_service_letter():
    row = one("EE000000005RU")
    assert row["country"] == "Russia"
    assert "EMS" in row["reason"]
    assert "registered letter" in one("RB123456785GB")["reason"]
    assert "untracked" in one("UA100107132CN")["reason"]


def test_unknown_service_letter_is_said_not_counted_against():
    row = one("AB123456785CN")
    assert row["valid"]
    assert "service letter A is not one of the common ones" in row["reason"]


@pytest.mark.parametrize("code", ["XX", "ZZ", "EU"])
def test_wrong_country_code_is_invalid(code):
    row = one(f"RB123456785{code}")
    assert not row["valid"] and row["format"] == "UPU S10" and row["country"] == ""
    assert f"{code} is not an ISO country code" in row["reason"]


def test_wrong_check_digit_and_country_gives_both_reasons():
    reason = one("RB123456786XX")["reason"]
    assert "gives 5" in reason and "XX is not an ISO country code" in reason


def test_lowercase_and_spaces_are_normalised():
    table = check_tracking(["  rb123456785gb ", "RB 123 456 785 GB"])
    assert table["number"].tolist() == ["RB123456785GB", "RB123456785GB"]
    assert table["valid"].all()


def test_every_white_space_python_knows_is_removed_and_nothing_else():
    # Arrow's whitespace split must remove exactly what Python's ``str.isspace`` (and ``re``'s \s) calls space.
    every = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000]
    numbers = pd.Series([f"rb{c}1" for c in every])
    expected = pd.Series([f"rb{'' if c.isspace() else c}1" for c in every]).str.upper()  # upper case as before
    assert _normalise(numbers).tolist() == expected.tolist()


@pytest.mark.parametrize(
    ("number", "fmt"),
    [
        ("LP00700000104729", "Cainiao LP"),  # 14 digits
        ("LP007000001047291", "Cainiao LP"),  # 15 digits
        ("LP0070000010472912", "Cainiao LP"),  # 16 digits
        ("YT2600000000031676", "YunExpress YT"),
        ("CNRUS1234567890", "Cainiao CN"),
        ("CN12345678901234", "Cainiao CN"),
        ("1234567890", "carrier-specific number"),
        ("1234567890123456789012", "carrier-specific number"),
    ],
)
def test_carrier_formats_are_valid_without_check_digit(number, fmt):
    row = one(number)
    assert row["valid"] and row["format"] == fmt and row["country"] == ""
    assert "no check digit" in row["reason"]


@pytest.mark.parametrize(
    "number",
    [
        "HELLO",
        "123456789",
        "12345678901234567890123",
        "LP123",
        "YT260000000003167",
        "RB12345678GB",
        "CNABCDEFGHIJ",
        "RB12345678X5GB",
    ],
)
def test_garbage_is_unknown_and_invalid(number):
    row = one(number)
    assert not row["valid"] and row["format"] == "unknown"
    assert (
        row["reason"]
        == "not a known tracking number format; a number no tracking service knows may be a fake (rule 29)"
    )


def test_table_shape_order_and_missing():
    numbers = ["YT2600000000031676", "garbage", "", None, "RB123456785GB"]
    table = check_tracking(numbers)
    assert list(table.columns) == ["number", "valid", "format", "country", "reason"]
    assert table["valid"].dtype == bool
    assert table["valid"].tolist() == [True, False, False, False, True]
    assert table["format"].tolist() == ["YunExpress YT", "unknown", "missing", "missing", "UPU S10"]
    assert check_tracking([]).empty


def test_s10_check_digit_refuses_a_bad_serial():
    with pytest.raises(ValueError):
        s10_check_digit("1234567")


@given(
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.sampled_from(["RB", "EE", "LV", "CP"]),
    st.sampled_from(["CN", "RU", "US"]),
)
def test_only_the_computed_check_digit_is_valid(serial, service, country):
    check = by_hand(serial)
    table = check_tracking([f"{service}{serial}{digit}{country}" for digit in range(10)])
    assert table["valid"].tolist() == [digit == check for digit in range(10)]
    assert table.loc[table["valid"] == False, "reason"].str.contains(f"gives {check}").all()  # noqa: E712


def test_duplicates_across_orders():
    orders = book(
        {"tracking_number": "RB123456785GB", "store": "A"},
        {"tracking_number": "rb123456785gb", "store": "B"},
        {"tracking_number": "LP00700000104729", "store": "A"},
        {"tracking_number": "", "store": "A"},
        {"tracking_number": "", "store": "A"},
        {"tracking_number": "RB123456785GB", "store": "C"},
    )
    table = duplicate_tracking(orders)
    assert list(table.columns) == ["order_id", "tracking_number", "other_orders", "reason"]
    assert table["order_id"].tolist() == ["1", "2", "6"]
    assert table["other_orders"].tolist() == ["2, 6", "1, 6", "1, 2"]
    assert (table["tracking_number"] == "RB123456785GB").all()
    assert table["reason"].str.contains("another customer's parcel").all()
    assert table["reason"].str.contains("rule 29").all()


def test_duplicates_of_one_store_or_saver_say_why_they_may_be_fine():
    orders = book(
        {"tracking_number": "LP00700000104729", "store": "A"},
        {"tracking_number": "LP00700000104729", "store": "A"},
        {"tracking_number": "1234567890", "store": "B", "shipping_method": "AliExpress Saver Shipping"},
        {"tracking_number": "1234567890", "store": "C", "shipping_method": "Cainiao saver"},
    )
    reasons = duplicate_tracking(orders).set_index("order_id")["reason"]
    assert "same store" in reasons["1"] and "same store" in reasons["2"]
    assert "Saver Shipping" in reasons["3"] and "rule 30" in reasons["4"]


def test_no_duplicates():
    table = duplicate_tracking(book({"tracking_number": "RB123456785GB"}, {"tracking_number": "RB100000003CN"}, {}))
    assert table.empty and list(table.columns) == ["order_id", "tracking_number", "other_orders", "reason"]


def test_check_tracking_in_russian():
    numbers = ["RB123456785GB", "RB123456786XX", "AB123456785CN", "LP00700000104729", "1234567890", "HELLO", ""]
    table = check_tracking(numbers, lang="ru")
    assert table["valid"].tolist() == check_tracking(numbers)["valid"].tolist()
    assert table["format"].tolist() == [
        "UPU S10",
        "UPU S10",
        "UPU S10",
        "Cainiao LP",
        "номер перевозчика",
        "неизвестный",
        "нет номера",
    ]
    assert table["country"].tolist()[:3] == ["Великобритания", "", "Китай"]
    assert table["reason"].str.contains("[а-яё]", regex=True).all()
    assert not table["reason"].str.contains("[{}]", regex=True).any()
    reasons = table["reason"].tolist()
    assert reasons[0] == "контрольная цифра 5 верна; RB: заказное письмо; страна выдачи: Великобритания"
    assert reasons[1].startswith("контрольная цифра 6, а по правилу S10 должна быть 5; кроме того, XX — не код страны")
    assert "(правило 29)" in reasons[1]
    assert "буква услуги A" in reasons[2]
    assert reasons[3].startswith("Cainiao LP: ") and reasons[4].startswith("номер перевозчика: ")


def test_check_tracking_refuses_an_unknown_language():
    with pytest.raises(ValueError, match="unknown language"):
        check_tracking(["RB123456785GB"], lang="xx")


def test_duplicate_tracking_in_russian():
    orders = book(
        {"tracking_number": "LP00700000104729", "store": "A"},
        {"tracking_number": "LP00700000104729", "store": "A"},
        {"tracking_number": "1234567890", "store": "B", "shipping_method": "Saver Shipping"},
        {"tracking_number": "1234567890", "store": "C", "shipping_method": "saver"},
        {"tracking_number": "RB123456785GB", "store": "B"},
        {"tracking_number": "RB123456785GB", "store": "C"},
    )
    table = duplicate_tracking(orders, lang="ru")
    assert table["other_orders"].tolist() == duplicate_tracking(orders)["other_orders"].tolist()
    reasons = table.set_index("order_id")["reason"]
    assert reasons.str.contains("[а-яё]", regex=True).all() and not reasons.str.contains("[{}]", regex=True).any()
    assert reasons["1"].startswith("этот же трек-номер указан и в заказах того же магазина: 2 ")
    assert "заказах: 3; все они отправлены через Saver Shipping" in reasons["4"] and "(правило 30)" in reasons["4"]
    assert "заказах: 6 — " in reasons["5"] and "не доказательство мошенничества" in reasons["5"]


@pytest.mark.parametrize(("sharing", "shown"), [(6, "2, 3, 4, 5, 6"), (7, "2, 3, 4, 5, 6 and 1 more")])
def test_a_number_on_many_orders_names_five_others_and_counts_the_rest(sharing, shown):
    """Named in full, a number on 10,000 orders was 100 million pairs; the warnings of a 10k book took 3 s."""
    orders = book(*({"tracking_number": "RB123456785GB", "store": f"S{i}"} for i in range(sharing)))
    table = duplicate_tracking(orders)
    assert table["other_orders"].iloc[0] == shown and shown in table["reason"].iloc[0]
    assert table["other_orders"].iloc[-1].startswith("1, 2, 3, 4, 5")
    assert duplicate_tracking(orders, lang="ru")["other_orders"].iloc[0] == shown.replace("and 1 more", "и ещё 1")


#: Numbers on both sides of every shape's edges, all ASCII (so read by RE2): lengths, the S10 check
#: digit's place, a Cainiao CN number with no digit.
EDGES = [
    *("RB123456785GB", "RB12345678GB", "RB1234567855GB", "R1123456785GB", "RB123456785G1"),
    *("CNABCDEFGHIJ", "CNABCDEFGH1", "CN1234567", "CN" + "1" * 8, "CN" + "1" * 22, "CN" + "1" * 23),
    *("LP" + "0" * 13, "LP" + "0" * 14, "LP" + "0" * 16, "LP" + "0" * 17, "LPA" + "0" * 14),
    *("YT" + "1" * 15, "YT" + "1" * 16, "YT" + "1" * 17, "1" * 9, "1" * 10, "1" * 22, "1" * 23, "", "HELLO"),
]
#: Numbers as ``check_tracking`` compares them (upper case, no white space), near every shape.
NEAR_SHAPES = st.tuples(
    st.sampled_from(["", "RB", "LP", "YT", "CN"]),
    st.text("0123456789", max_size=24) | st.text("AZ", max_size=24) | st.text("0123456789AZ", max_size=24),
    st.sampled_from(["", "GB", "9GB"]),
).map("".join)


def shapes_as_re_reads_them(numbers: list[str]) -> None:
    number = pd.Series(numbers, dtype="str")
    parts, matched = shapes(number)
    pd.testing.assert_frame_equal(parts, number.str.extract(S10), check_column_type=False)
    assert list(matched) == [name for name, _ in OTHER_FORMATS]
    for name, pattern in OTHER_FORMATS:
        assert matched[name].tolist() == number.str.match(pattern).tolist(), name


def test_every_shapes_edges_read_on_a_whole_column_as_pythons_re_reads_them():
    shapes_as_re_reads_them(EDGES)
    assert check_tracking(EDGES)["format"].value_counts().to_dict() == {
        "unknown": 15,
        "carrier-specific number": 2,
        "Cainiao LP": 2,
        "Cainiao CN": 3,
        "UPU S10": 1,
        "YunExpress YT": 1,
        "missing": 1,
    }


@given(st.lists(NEAR_SHAPES, min_size=1, max_size=12) | st.lists(NEAR_SHAPES | st.from_regex(S10, fullmatch=True)))
def test_the_shapes_on_a_whole_column_are_those_of_pythons_re(numbers):
    """RE2 on a column of ASCII numbers, Python's ``re`` on any other (``from_regex`` draws Unicode digits too)."""
    shapes_as_re_reads_them(numbers)
