"""Importers: AliExpress export files in three formats and three languages -> one order book."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from aliexp_lib.errors import CellError, InputError
from aliexp_lib.importers import (
    EXTRA_COLUMNS,
    FORMATS,
    Imported,
    _common,
    aliexpress_csv_export,
    detect,
    orders_csv,
    read_export,
)
from aliexp_lib.orders import SCHEMA, OrderBook

HERE = Path(__file__).parent / "importers"
FIXTURES = {
    "aliexpress_csv_export_en.csv": "aliexpress_csv_export",
    "aliexpress_csv_export_de.csv": "aliexpress_csv_export",
    "aliexpress_csv_export_ru.csv": "aliexpress_csv_export",
    "tsv_order_list_en.tsv": "tsv_order_list",
    "orders_csv_ru.csv": "orders_csv",
}
#: The three orders every fixture describes.
EXPECTED = pd.DataFrame(
    {
        "order_id": ["8100000000000101", "8100000000000102", "8100000000000103"],
        "price_minor": [1234, 123456, 123450],
        "currency": ["USD", "EUR", "RUB"],
        "ordered_at": pd.to_datetime(["2025-08-03", "2025-09-15", "2025-12-01"]).astype("datetime64[s]"),
        "store": ["Fake Gadgets Store", "Example Home Store", "Sample Tools Store"],
    }
)
#: Invented personal data in the fixtures, which must never reach the result.
PERSONAL = (
    "Testy McTestface",
    "Nowhere Lane",
    "+00 000 0000000",
    "ZIP-FAKE-1",
    "Fakeville",
    "Nowhere Region",
    "apt 000",
)


def problems_of(path: Path, fmt: str | None = None) -> list[str]:
    with pytest.raises(CellError) as caught:
        read_export(path, fmt)
    return caught.value.problems


def write_export(tmp_path: Path, rows: list[dict], name: str = "export.csv") -> Path:
    """An "AliExpress CSV Export" file of ``rows`` (column -> text; the rest empty)."""
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=aliexpress_csv_export.COLUMNS, quoting=csv.QUOTE_ALL, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_orders(tmp_path: Path, rows: list[dict], name: str = "orders.csv") -> Path:
    """An ``orders.csv`` of ``rows`` (column -> text; the rest empty)."""
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=orders_csv.COLUMNS, restval="")
        writer.writeheader()
        for n, row in enumerate(rows, start=1):
            writer.writerow(
                {
                    "order_id": f"81{n:014d}",
                    "order_date": "2025-08-03",
                    "status": "Completed",
                    "total_price_text": "US $1.00",
                    "order_line_count": "1",
                    **row,
                }
            )
    return path


def one(path: Path, column: str, fmt: str | None = None) -> list[str]:
    return read_export(path, fmt).table[column].tolist()


# ---------------------------------------------------------------------------------------------
# Same orders, any format and language


@pytest.mark.parametrize("name", FIXTURES)
def test_every_format_gives_the_same_order_book(name):
    imported = read_export(HERE / name)
    assert isinstance(imported, Imported)
    assert imported.format == FIXTURES[name]
    book = OrderBook.from_frame(imported.table, name)
    pd.testing.assert_frame_equal(book.table[list(EXPECTED.columns)], EXPECTED, check_dtype=False)
    assert book.warnings == ()
    table = imported.table
    assert list(table.columns[: len(SCHEMA)]) == list(SCHEMA)
    assert table["items"].tolist() == ["2", "1", "3"]
    assert table["title"].tolist() == [
        "USB-C cable 2 m (+1 more)",
        "LED desk lamp",
        "Screwdriver set 24 in 1 (+2 more)",
    ]
    assert table["status"].tolist() == ["completed", "shipped", "closed"]
    assert table.map(lambda value: type(value) is str).all().all()


@pytest.mark.parametrize("name", FIXTURES)
def test_statuses_fill_no_dates_and_say_so(name):
    imported = read_export(HERE / name)
    assert (imported.table[["shipped_at", "confirmed_at", "received_at"]] == "").all().all()
    text = "\n".join(imported.warnings)
    assert "confirmed_at left empty" in text and "shipped_at left empty" in text
    assert "`aliexp missing` lists the dates to record" in text


def test_extension_export_maps_the_order_columns():
    table = read_export(HERE / "aliexpress_csv_export_de.csv").table
    assert table["tracking_number"].tolist() == ["LP00000000000101", "LP00000000000102", ""]
    assert table["payment_method"].tolist() == ["Visa", "Mastercard", "Visa"]
    assert table["destination"].tolist() == ["RU"] * 3  # "Russland"


def test_tsv_tracking_update_is_the_date_part():
    table = read_export(HERE / "tsv_order_list_en.tsv").table
    assert table["last_tracking_update_at"].tolist() == ["2025-08-20", "2025-09-30", ""]


def test_protocol_relative_store_links_are_accepted():
    table = read_export(HERE / "aliexpress_csv_export_en.csv").table
    assert table["store_url"].tolist() == [
        "https://aliexpress.ru/store/1101",
        "https://www.aliexpress.com/store/1102",
        "https://de.aliexpress.com/store/1103",
    ]


def test_a_bad_store_link_is_a_problem(tmp_path):
    path = write_export(
        tmp_path, [{"Order Id": "1", "Store url": "store 1101", "Total price": "1.00", "Currency": "€"}]
    )
    assert problems_of(path) == [
        "line 2, column Store url: 'store 1101': not a link; expected e.g. https://aliexpress.com/store/123"
    ]


# ---------------------------------------------------------------------------------------------
# Personal data


@pytest.mark.parametrize("name", FIXTURES)
def test_personal_data_is_dropped(name):
    assert any(word in (HERE / name).read_text(encoding="utf-8") for word in PERSONAL) or name.startswith("tsv")
    imported = read_export(HERE / name)
    everything = "\n".join([*imported.table.columns, *imported.table.to_numpy().ravel().tolist(), *imported.warnings])
    for word in PERSONAL:
        assert word not in everything
    assert list(imported.table.columns) == [*SCHEMA, *EXTRA_COLUMNS]  # no source column comes through


# ---------------------------------------------------------------------------------------------
# Formats: detection, forcing, unknown


@pytest.mark.parametrize("name", FIXTURES)
def test_the_format_is_detected_from_the_header(name):
    sep = "\t" if name.endswith(".tsv") else ","
    with (HERE / name).open(encoding="utf-8") as f:
        header = next(csv.reader(f, delimiter=sep))
    assert detect(header) == FIXTURES[name]
    assert detect([h.upper() for h in header]) == FIXTURES[name]


def test_detect_says_none_for_other_headers():
    assert detect(["order_id", "price", "currency"]) is None
    assert detect([]) is None


def test_fmt_forces_the_format(tmp_path):
    path = tmp_path / "my orders.txt"
    shutil.copy(HERE / "tsv_order_list_en.tsv", path)
    assert read_export(path, "tsv_order_list").format == "tsv_order_list"
    with pytest.raises(InputError, match="no .Order Id. column, so this is not an AliExpress CSV Export file"):
        read_export(path, "aliexpress_csv_export")
    with pytest.raises(InputError, match="line 1: no 'Order Number' column, so this is not a tab-separated order list"):
        read_export(HERE / "orders_csv_ru.csv", "tsv_order_list")


def test_an_unknown_format_lists_the_known_ones(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("id,when,amount\n1,2025-08-03,5\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_export(path)
    message = str(caught.value)
    assert "--from FORMAT" in message and "'id'" in message
    assert all(name in message for name in FORMATS)
    with pytest.raises(InputError, match="unknown format 'xlsx'.*orders_csv"):
        read_export(HERE / "orders_csv_ru.csv", "xlsx")


def test_an_empty_or_non_utf8_file_is_an_input_error(tmp_path):
    (tmp_path / "empty.csv").write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_export(tmp_path / "empty.csv")
    (tmp_path / "latin.csv").write_bytes("order_id,order_date\n1,M\xe4rz\n".encode("latin-1"))
    with pytest.raises(InputError, match="line 2: not UTF-8"):
        read_export(tmp_path / "latin.csv", "orders_csv")


# ---------------------------------------------------------------------------------------------
# Statuses and currencies: never guessed


def test_an_unknown_status_is_a_problem_naming_it(tmp_path):
    path = write_export(
        tmp_path,
        [
            {"Order Id": "1", "Order Status": "Abgeschlossen", "Total price": "1,00", "Currency": "€"},
            {"Order Id": "2", "Order Status": "Verschollen", "Total price": "1,00", "Currency": "€"},
        ],
    )
    [problem] = problems_of(path)
    assert problem.startswith("line 3, column Order Status: 'Verschollen': unknown order status")


def test_an_unknown_currency_is_a_problem_naming_it(tmp_path):
    path = write_orders(tmp_path, [{"total_price_text": "12.34 Taler"}, {"total_price_text": "5", "currency": "XYZ"}])
    assert problems_of(path) == [
        "line 2, column total_price_text: 'Taler': unknown currency; "
        "expected a symbol such as US $, €, руб. or an ISO code",
        "line 3, column currency: 'XYZ': unknown currency; expected a symbol such as US $, €, руб. or an ISO code",
    ]


def test_a_bare_yen_sign_is_ambiguous(tmp_path):
    path = write_orders(tmp_path, [{"total_price_text": "¥500"}, {"total_price_text": "CN¥500"}])
    [problem] = problems_of(path)
    assert problem.startswith("line 2, column total_price_text: '¥': ambiguous currency symbol")


@pytest.mark.parametrize(
    ("status", "normal"),
    [
        ("Awaiting payment", "awaiting_payment"),
        ("Ожидает оплаты", "awaiting_payment"),
        ("Warten auf Zahlung", "awaiting_payment"),
        ("Awaiting shipment", "awaiting_shipment"),
        ("Ожидает отправки", "awaiting_shipment"),
        ("Versand ausstehend", "awaiting_shipment"),
        ("Awaiting delivery", "shipped"),
        ("Отправлен", "shipped"),
        ("Versandt", "shipped"),
        ("Finished", "completed"),
        ("Завершено", "completed"),
        ("Abgeschlossen", "completed"),
        ("Cancelled", "closed"),
        ("Закрыт", "closed"),
        ("Storniert", "closed"),
        ("In dispute", "in_dispute"),
        ("Открыт спор", "in_dispute"),
        ("Im Streitfall", "in_dispute"),
        ("Refunded", "refunded"),
        ("Средства возвращены", "refunded"),
        ("Rückerstattet", "refunded"),
    ],
)
def test_statuses_in_three_languages(tmp_path, status, normal):
    assert one(write_orders(tmp_path, [{"status": status}]), "status") == [normal]


@pytest.mark.parametrize(
    ("text", "currency", "price"),
    [
        ("US $12.34", "USD", "12.34"),
        ("€ 5,99", "EUR", "5.99"),
        ("1 234,56 руб.", "RUB", "1234.56"),
        ("RUB 1,234.56", "RUB", "1234.56"),
        ("1\u00a0234,56 ₽", "RUB", "1234.56"),
        ("CHF 1'234.50", "CHF", "1234.50"),
        ("£7.50", "GBP", "7.50"),
        ("CN¥ 88.00", "CNY", "88.00"),
        ("EUR 1.234,56", "EUR", "1234.56"),
        ("$3.00", "USD", "3.00"),
    ],
)
def test_display_prices(tmp_path, text, currency, price):
    table = read_export(write_orders(tmp_path, [{"total_price_text": text}])).table
    assert (table["currency"].iat[0], table["price"].iat[0]) == (currency, price)


def test_currency_column_and_symbol_must_agree(tmp_path):
    path = write_orders(tmp_path, [{"total_price_text": "€ 5,99", "currency": "USD"}])
    assert problems_of(path) == [
        "line 2, column total_price_text: '€ 5,99': its currency differs from the currency column"
    ]


def test_more_decimals_than_the_currency_has_is_a_problem(tmp_path):
    path = write_orders(tmp_path, [{"total_price_text": "US $1.234,567"}])
    assert problems_of(path) == [
        "line 2, column total_price_text: 'US $1.234,567': more decimal places than USD has (2)"
    ]


# ---------------------------------------------------------------------------------------------
# Dates


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Aug 3, 2025", "2025-08-03"),
        ("August 3, 2025", "2025-08-03"),
        ("Sept. 15, 2025", "2025-09-15"),
        ("3 Aug 2025", "2025-08-03"),
        ("Dec 1, 2025 10:22 PM", "2025-12-01"),
        ("3. Aug. 2025", "2025-08-03"),
        ("3. August 2025", "2025-08-03"),
        ("1. März 2025", "2025-03-01"),
        ("1. Mär 2025", "2025-03-01"),
        ("5. Mai 2025", "2025-05-05"),
        ("31. Okt. 2025, 23:59", "2025-10-31"),
        ("24. Dez. 2025", "2025-12-24"),
        ("3 авг. 2025 г.", "2025-08-03"),
        ("3 августа 2025 г.", "2025-08-03"),
        ("15 сент. 2025", "2025-09-15"),
        ("1 мая 2025 г.", "2025-05-01"),
        ("7 нояб 2025", "2025-11-07"),
        ("2 февр. 2025 г. в 10:00", "2025-02-02"),
        ("2025-08-03", "2025-08-03"),
        ("2025-08-03 14:22:05", "2025-08-03"),
        ("03.08.2025", "2025-08-03"),
    ],
)
def test_localised_dates(tmp_path, text, iso):
    assert one(write_orders(tmp_path, [{"order_date": text}]), "ordered_at") == [iso]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3 Augustus 2025", "unknown month name"),
        ("31 Feb 2025", "not a calendar date"),
        ("yesterday", "not a date"),
    ],
)
def test_bad_dates_are_problems(tmp_path, text, message):
    [problem] = problems_of(write_orders(tmp_path, [{"order_date": text}]))
    assert problem.startswith(f"line 2, column order_date: {text!r}: {message}")


def test_day_month_order_is_reported_unless_the_column_settles_it(tmp_path):
    [problem] = problems_of(write_orders(tmp_path, [{"order_date": "03/04/2025"}, {"order_date": "05/05/2025"}]))
    assert problem.startswith("line 2, column order_date: '03/04/2025': day and month could be either way round")
    imported = read_export(write_orders(tmp_path, [{"order_date": "03/04/2025"}, {"order_date": "25/04/2025"}]))
    assert imported.table["ordered_at"].tolist() == ["2025-04-03", "2025-04-25"]
    assert any("read day first" in w for w in imported.warnings)
    imported = read_export(write_orders(tmp_path, [{"order_date": "03/04/2025"}, {"order_date": "04/25/2025"}]))
    assert imported.table["ordered_at"].tolist() == ["2025-03-04", "2025-04-25"]


# ---------------------------------------------------------------------------------------------
# Numbers


@pytest.mark.parametrize(
    ("text", "price"),
    [
        ("US $1,234.56", "1234.56"),
        ("€ 1.234,56", "1234.56"),
        ("1 234,56 руб.", "1234.56"),
        ("US $12,345,678", "12345678"),
        ("€ 1.234.567", "1234567"),
        ("0,125 руб.", ""),
        ("US $0.50", "0.50"),
        ("€ 12345,5", "12345.5"),
    ],
)
def test_localised_numbers(tmp_path, text, price):
    path = write_orders(tmp_path, [{"total_price_text": text}])
    if price:
        assert one(path, "price") == [price]
    else:
        assert "more decimal places" in problems_of(path)[0]


def test_thousands_or_decimals_is_reported_without_a_hint(tmp_path):
    path = write_orders(
        tmp_path,
        [
            {"total_price_text": "US $1,234", "status": "Завершено"},
            {"total_price_text": "US $2,500", "status": "Completed"},
        ],
    )
    assert [p.split(": ")[0] + ": " + p.split(": ")[1] for p in problems_of(path)] == [
        "line 2, column total_price_text: '1,234'",
        "line 3, column total_price_text: '2,500'",
    ]


def test_thousands_or_decimals_is_settled_by_the_other_values_or_the_language(tmp_path):
    imported = read_export(
        write_orders(tmp_path, [{"total_price_text": "US $1,234"}, {"total_price_text": "US $2.50"}])
    )
    assert imported.table["price"].tolist() == ["1234", "2.50"]
    assert any("'1,234' read with '.' as the decimal separator" in w for w in imported.warnings)
    imported = read_export(write_orders(tmp_path, [{"total_price_text": "1.234 €", "status": "Abgeschlossen"}]))
    assert imported.table["price"].tolist() == ["1234"]
    assert any("the file is in de" in w for w in imported.warnings)


def test_extension_numbers_in_three_languages(tmp_path):
    for currency, total, price in (
        ("US $", "1,234.56", "1234.56"),
        ("€", "1.234,56", "1234.56"),
        ("руб.", "1\u00a0234,56", "1234.56"),
        ("CHF", "1'234.56", "1234.56"),
    ):
        path = write_export(
            tmp_path,
            [
                {"Order Id": "1", "Item title": "A", "Item price": total, "Currency": currency},
                {"Order Id": "1", "Total price": total, "Currency": currency},
            ],
        )
        assert one(path, "price") == [price]


# ---------------------------------------------------------------------------------------------
# The extension's totals rows


def test_an_order_without_totals_row_has_no_price_and_a_warning(tmp_path):
    path = write_export(tmp_path, [{"Order Id": "1", "Item title": "A", "Item price": "2.00", "Currency": "€"}])
    imported = read_export(path)
    assert imported.table["price"].tolist() == [""]
    assert any("without a totals row" in w for w in imported.warnings)


def test_totals_repeated_on_item_rows_must_agree(tmp_path):
    rows = [
        {"Order Id": "1", "Item title": "A", "Total price": "3.00", "Currency": "€"},
        {"Order Id": "1", "Item title": "B", "Total price": "3.00", "Currency": "€"},
    ]
    assert read_export(write_export(tmp_path, rows)).table[["price", "items"]].to_numpy().tolist() == [["3.00", "2"]]
    rows[1]["Total price"] = "4.00"
    assert problems_of(write_export(tmp_path, rows)) == [
        "line 2, column Total price: '3.00': differs from another row of the same order",
        "line 3, column Total price: '4.00': differs from another row of the same order",
    ]


def test_problems_name_the_physical_line(tmp_path):
    path = write_export(
        tmp_path,
        [
            {"Order Id": "1", "Item title": "Cable\nwith a line break", "Currency": "€"},
            {"Order Id": "1", "Total price": "1,00", "Currency": "Taler"},
        ],
    )
    [problem] = problems_of(path)
    assert problem.startswith("line 4, column Currency: 'Taler': unknown currency")


# ---------------------------------------------------------------------------------------------
# The number parser never gives a wrong value

_STYLES = ("en", "de", "ru", "fr", "swiss", "plain")


def _format(amount: Decimal, style: str) -> str:
    """``amount`` as a locale writes it (CLDR via Babel); ``swiss``: 1'234.50."""
    if style == "plain":
        return str(amount)
    places = -amount.as_tuple().exponent
    pattern = "#,##0" + ("." + "0" * places if places else "")
    if style == "swiss":
        return format_decimal(amount, format=pattern, locale="en").replace(",", "'")
    return format_decimal(amount, format=pattern, locale=style)


@settings(max_examples=300)
@given(
    whole=st.integers(min_value=0, max_value=10**10),
    places=st.sampled_from([0, 1, 2, 3]),
    fraction=st.integers(min_value=0, max_value=999),
    style=st.sampled_from(_STYLES),
)
def test_the_number_parser_never_returns_a_wrong_value(whole, places, fraction, style):
    amount = Decimal(whole) + (Decimal(fraction % 10**places).scaleb(-places) if places else 0)
    text = _format(amount, style)
    source = _common.Source(Path("<test>"), "", ",")
    got = _common.numbers(pd.Series([text]), source, "x").iat[0]
    if got:
        assert Decimal(got) == amount, text
    else:
        assert source.problems and "thousands or decimals?" in source.problems[0][4], text
    # With the writing locale's decimal separator as the hint, every value is read, and right.
    point = "." if style in ("en", "swiss", "plain") else ","
    source = _common.Source(Path("<test>"), "", ",")
    got = _common.numbers(pd.Series([text]), source, "x", point, "test").iat[0]
    assert not source.problems and Decimal(got) == amount, text
