"""The order book: CSV and XLSX in, exact money, calendar dates, clear errors, the file untouched."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliexp_lib import InputError, Money, OrderBook, load_orders
from aliexp_lib.orders import AMOUNT_COLUMNS, SCHEMA

SAMPLE = Path(__file__).parents[1] / "data" / "sample_orders.csv"


def write(tmp_path: Path, text: str, name: str = "orders.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_orders(path)
    return str(caught.value)


def test_the_sample_loads_without_warnings():
    book = load_orders(SAMPLE)
    assert 30 <= len(book) <= 60
    assert book.warnings == ()
    assert book.table["order_id"].is_unique


def test_header_names_are_case_insensitive_and_unknown_columns_are_kept(tmp_path):
    path = write(tmp_path, "Order_ID, Shipped_At ,My Note\nA1,2026-02-01,fragile\n")
    table = load_orders(path).table
    assert table.loc[0, "shipped_at"] == pd.Timestamp("2026-02-01")
    assert table.loc[0, "my note"] == "fragile"
    assert set(SCHEMA) - set(AMOUNT_COLUMNS) <= set(table.columns)
    assert {f"{c}_minor" for c in AMOUNT_COLUMNS} <= set(table.columns)


def test_a_header_of_thousands_of_unknown_columns_loads_with_every_column_kept(tmp_path):
    # Linear in the header (measured in benchmarks/bench_import.py): 20,000 columns once took minutes.
    path = tmp_path / "wide.csv"
    path.write_text("order_id," + ",".join(f"x{i}" for i in range(5000)) + "\n81," + ",".join(["v"] * 5000) + "\n")
    table = load_orders(path).table
    assert table.loc[0, "x4999"] == "v" and table.loc[0, "order_id"] == "81"
    assert list(table.columns[-5000:]) == [f"x{i}" for i in range(5000)]


def test_missing_optional_columns_are_allowed_and_defaulted(tmp_path):
    table = load_orders(write(tmp_path, "order_id\nA1\n")).table
    assert table.loc[0, "destination"] == ""  # blank: the setting's destination applies (Analysis.destinations)
    assert table.loc[0, "extension_days"] == 0
    assert pd.isna(table.loc[0, "protection_days"])
    assert pd.isna(table.loc[0, "shipped_at"])


def test_money_is_exact_minor_units_with_its_currency(tmp_path):
    path = write(tmp_path, 'order_id,price,currency\nA,600.5,rub\nB,"1234,56",RUB\nC,1500,JPY\nD,0.1,USD\n')
    book = load_orders(path)
    assert list(book.table["price_minor"]) == [60050, 123456, 1500, 10]
    assert list(book.table["currency"]) == ["RUB", "RUB", "JPY", "USD"]
    assert book.price("A") == Money(Decimal("600.50"), "RUB")
    assert book.price("D") + book.price("D") + book.price("D") == Money(Decimal("0.30"), "USD")


def test_money_refuses_floats_and_mixed_currencies():
    with pytest.raises(TypeError):
        Money(0.1, "USD")
    with pytest.raises(TypeError, match="without an exchange rate"):
        Money(Decimal(1), "USD") + Money(Decimal(1), "RUB")


def test_dates_in_iso_with_time_or_russian_dotted_form(tmp_path):
    path = write(tmp_path, "order_id,shipped_at\nA,2026-02-01\nB,2026-02-01T23:59:00\nC,01.02.2026\n")
    assert set(load_orders(path).table["shipped_at"]) == {pd.Timestamp("2026-02-01")}


def test_xlsx_loads_like_csv_including_real_date_cells(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Order_Id", "price", "currency", "shipped_at", "protection_days"])
    sheet.append(["A1", 600.5, "RUB", dt.datetime(2026, 2, 1), 75])
    sheet.append(["A2", "199", "RUB", "2026-02-03", None])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)
    table = load_orders(path).table
    assert list(table["shipped_at"]) == [pd.Timestamp("2026-02-01"), pd.Timestamp("2026-02-03")]
    assert list(table["price_minor"]) == [60050, 19900]
    assert table.loc[0, "protection_days"] == 75


def test_xlsx_errors_name_the_sheet_row_and_column(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.append(["order_id", "shipped_at"])
    workbook.active.append(["A1", "2026-02-30"])
    path = tmp_path / "orders.xlsx"
    workbook.save(path)
    assert "row 2, column shipped_at: '2026-02-30': not a calendar date" in problems(path)


def test_empty_xlsx_rows_are_skipped_and_later_rows_keep_their_numbers(tmp_path):
    workbook = openpyxl.Workbook()
    for row in (["order_id", "shipped_at"], ["A1", "2026-02-01"], [], [None, None], ["A2", "2026-02-30"]):
        workbook.active.append(row)
    path = tmp_path / "orders.xlsx"
    workbook.save(path)
    assert "row 5, column shipped_at: '2026-02-30': not a calendar date" in problems(path)
    workbook.active["B5"] = "2026-02-03"
    workbook.save(path)
    assert load_orders(path).table["order_id"].tolist() == ["A1", "A2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("order_id,shipped_at\nA,2026-02-30\n", "line 2, column shipped_at: '2026-02-30': not a calendar date"),
        (
            "order_id,shipped_at\nA,2026-02-01\nB,Feb 3\n",
            "line 3, column shipped_at: 'Feb 3': not a date; expected YYYY-MM-DD",
        ),
        ("order_id,shipped_at\nA,2206-02-01\n", "line 2, column shipped_at: '2206-02-01': outside 2000-2099"),
        ("order_id,price,currency\nA,-5,RUB\n", "line 2, column price: '-5': expected an amount"),
        (
            "order_id,price,currency\nA,12.345,RUB\n",
            "line 2, column price: '12.345': more decimal places than RUB has (2)",
        ),
        ("order_id,price,currency\nA,12,RUR\n", "line 2, column currency: 'RUR': unknown currency"),
        ("order_id,price\nA,12\n", "line 2, column currency: '': price needs its currency"),
        ("order_id,protection_days\nA,sixty\n", "line 2, column protection_days: 'sixty': expected a whole number"),
        ("order_id,destination\nA,Russia\n", "line 2, column destination: 'Russia': unknown country"),
        ("order_id,title\nA,x\n,y\n", "line 3, column order_id: '': order_id is required"),
        ("order_id\nA\nB\nA\n", "line 4, column order_id: 'A': duplicate order_id, first on line 2"),
        # A quoted title over two lines: the next record starts on line 4.
        ('order_id,title,shipped_at\nA,"two\nlines",2026-02-01\nB,x,2026-13-01\n', "line 4, column shipped_at"),
        ("id,title\nA,x\n", "line 1: no order_id column; the header has 'id', 'title'"),
        ("order_id,ORDER_ID\nA,B\n", "line 1: column 'order_id' appears twice"),
        ("", "the file is empty"),
        # A short record is found with or without quotes in the file, and after a lone CR line break.
        ("order_id,price,currency\nA,1,RUB\nB,2\n", "line 3, column currency: (missing): 2 fields, the header has 3"),
        (
            'order_id,title,currency\nA,"x, y",RUB\nB,z\n',
            "line 3, column currency: (missing): 2 fields, the header has 3",
        ),
        ("order_id,price,currency\nA,1,RUB\rB,2\n", "line 3, column currency: (missing): 2 fields, the header has 3"),
        # A header ending in a tab is tab-separated; a record of empty cells is a record, not a blank line.
        ("order_id\t\n\t\n", "line 2, column order_id: '': order_id is required"),
        ("order_id,price,currency\nA,\u0663,RUB\n", "line 2, column price: '\u0663': expected an amount"),
        ("order_id,price,currency\nA,5.,RUB\n", "line 2, column price: '5.': expected an amount"),
        ("order_id,price,currency\nA,.5,RUB\n", "line 2, column price: '.5': expected an amount"),
        ("order_id,price,currency\nA,1.2.3,RUB\n", "line 2, column price: '1.2.3': expected an amount"),
        ("order_id,price,currency\nA,1234567890123,RUB\n", "line 2, column price: '1234567890123': expected an amount"),
    ],
)
def test_a_bad_value_names_file_line_column_and_value(tmp_path, text, message):
    path = write(tmp_path, text)
    shown = problems(path)
    assert str(path) in shown
    assert message in shown


def test_all_problems_are_reported_at_once(tmp_path):
    path = write(tmp_path, "order_id,shipped_at,price,currency\nA,2026-02-30,1,RUB\nB,2026-02-01,x,RUB\n")
    shown = problems(path)
    assert "2 problems" in shown
    assert "line 2, column shipped_at" in shown and "line 3, column price" in shown


def test_russian_excel_cp1251_loads_with_a_warning_and_other_bytes_are_refused_with_their_line(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_bytes("order_id,title\nA,ok\nB,Чехол для телефона\n".encode("cp1251"))
    book = load_orders(path)
    assert list(book.table["title"]) == ["ok", "Чехол для телефона"]
    assert any("read as Windows-1251" in w for w in book.warnings)
    path.write_bytes(b"order_id,title\nA,ok\nB,\x98\x98\n")  # 0x98: no character in UTF-8 or Windows-1251
    assert "line 3" in problems(path)


def test_events_out_of_order_load_with_a_warning(tmp_path):
    path = write(tmp_path, "order_id,shipped_at,received_at\nA,2026-02-10,2026-02-01\n")
    (warning,) = load_orders(path).warnings
    assert "line 2: received_at 2026-02-01 is before shipped_at 2026-02-10" in warning


def test_unknown_file_type_and_missing_file(tmp_path):
    assert "unknown file type '.txt'" in problems(write(tmp_path, "order_id\n", "orders.txt"))
    assert "cannot read" in problems(tmp_path / "absent.csv")


def test_loading_never_writes_the_users_file(tmp_path):
    good = write(tmp_path, SAMPLE.read_text(encoding="utf-8"), "good.csv")
    bad = write(tmp_path, "order_id,shipped_at\nA,2026-02-30\n", "bad.csv")
    before = {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in (good, bad)}
    load_orders(good)
    with pytest.raises(InputError):
        load_orders(bad)
    assert {p: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in (good, bad)} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "good.csv"]


def _amount_by_the_rule(text: str, digits: int) -> int | str | None:
    """The amount rule read plainly: empty is no amount; else ASCII digits, 1 to 12 before an optional
    point (or comma) and at least one after it, no more decimal places than the currency has; exact
    minor units."""
    if not text:
        return None
    whole, point, fraction = text.replace(",", ".").partition(".")
    ascii_digits = set("0123456789")
    if not (whole and set(whole) <= ascii_digits and len(whole) <= 12):
        return "expected an amount"
    if point and not (fraction and set(fraction) <= ascii_digits):
        return "expected an amount"
    if len(fraction) > digits:
        return "more decimal places"
    return int(Decimal(whole + "." + (fraction or "0")) * 10**digits)


@settings(max_examples=300, derandomize=True, database=None)
@given(
    st.lists(st.text(alphabet="0123456789.,-+e ٣", min_size=1, max_size=16), min_size=1, max_size=8),
    st.sampled_from([("RUB", 2), ("JPY", 0), ("KWD", 3)]),
)
def test_amounts_are_read_exactly_as_the_rule_says(prices, currency):
    code, digits = currency
    raw = pd.DataFrame({"order_id": [f"A{i}" for i in range(len(prices))], "price": prices, "currency": code})
    expected = [_amount_by_the_rule(price.strip(), digits) for price in prices]
    if not any(isinstance(e, str) for e in expected):
        read = OrderBook.from_frame(raw).table["price_minor"].tolist()
        assert [None if pd.isna(r) else r for r in read] == expected
    else:
        with pytest.raises(InputError) as caught:
            OrderBook.from_frame(raw)
        for line, (price, e) in enumerate(zip(prices, expected, strict=True), start=2):
            if isinstance(e, str):
                assert f"line {line}, column price: {price.strip()!r}: {e}" in str(caught.value)


iso_like = st.tuples(st.integers(1990, 2110), st.integers(0, 13), st.integers(0, 32)).map(
    lambda ymd: f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}"
)


@settings(max_examples=150, deadline=None)
@given(st.lists(iso_like | st.just(""), min_size=1, max_size=8, unique=True))
def test_a_column_of_iso_dates_reads_as_the_patterns_read_it(texts):
    # A column of nothing but YYYY-MM-DD skips the patterns (values.read_dates); one DD.MM.YYYY cell
    # makes the same column go through them: both must give the same dates and the same problems.
    from aliexp_lib.cells import Lines, Problems
    from aliexp_lib.values import NATIVE_DATES, read_dates

    def read(values):
        problems = Problems("orders.csv", Lines())
        parsed, _ = read_dates(pd.Series(values), problems, "shipped_at", NATIVE_DATES)
        return parsed.astype("datetime64[s]").to_dict(), problems.problems

    fast, fast_problems = read(texts)
    slow, slow_problems = read([*texts, "03.08.2025"])
    assert fast == {i: d for i, d in slow.items() if i < len(texts)}
    assert fast_problems == [p for p in slow_problems if p[0] < len(texts)]
