"""An ``orders.csv`` scraped from the order list and order pages: one row per order.

The price is ``total_price_text`` as displayed (``US $12.34``, ``€ 5,99``, ``1 234,56 руб.``,
``RUB 1,234.56``); ``currency``, where given, must agree with its symbol. ``items`` is
``order_line_count``. The shipping contact, post code, addresses and phone are dropped, and so
are the links and the raw JSON blobs (which hold the same personal data).
"""

from __future__ import annotations

import pandas as pd

from aliexp_lib.importers import _common as c

NAME = "orders_csv"
TITLE = "an orders.csv of the order list (one row per order, prices as display text)"
SEP = ","
COLUMNS = (
    "order_id",
    "order_date",
    "status",
    "total_price_text",
    "currency",
    "store_name",
    "order_title",
    "order_titles",
    "item_image_url",
    "order_line_count",
    "payment_method",
    "shipping_contact_name",
    "shipping_country_code",
    "shipping_post_code",
    "shipping_region_address",
    "shipping_detail_address",
    "shipping_phone",
    "order_detail_url",
    "invoice_page_url",
    "invoice_pdf_paths",
    "list_json",
    "detail_json",
    "invoice_info_json",
)
SIGNATURE = ("order id", "order date", "total price text", "order line count")
PERSONAL = (
    "shipping_contact_name",
    "shipping_post_code",
    "shipping_region_address",
    "shipping_detail_address",
    "shipping_phone",
    "list_json",
    "detail_json",
    "invoice_info_json",
)
_READ = (
    "order_id",
    "order_date",
    "status",
    "total_price_text",
    "currency",
    "store_name",
    "order_title",
    "order_line_count",
    "payment_method",
    "shipping_country_code",
)


def convert(source: c.Source) -> pd.DataFrame:
    """One row per order (indexed by its row), from the order list's rows.

    Parameters
    ----------
    source : _common.Source
        The file being imported; its problems and warnings are collected there.

    Returns
    -------
    pandas.DataFrame
        Text columns of our schema (ISO dates, ISO currency codes, plain decimal amounts [currency
        units]) plus ``items`` (count) and ``status``; problems are left for ``source.raise_problems()``.

    Examples
    --------
    >>> from pathlib import Path
    >>> text = ("order_id,order_date,status,total_price_text,order_line_count\\n"
    ...         '81,2025-08-03,Completed,"€ 5,99",1\\n')
    >>> convert(c.Source(Path("orders.csv"), text, SEP)).loc[0, ["price", "currency", "status", "items"]].tolist()
    ['5.99', 'EUR', 'completed', '1']
    """
    raw = c.read_table(
        source,
        _READ,
        "an orders.csv file",
        strip=(
            "order_id",
            "total_price_text",
            "currency",
            "store_name",
            "order_title",
            "order_line_count",
            "payment_method",
        ),
    )
    order_id = raw["order_id"]
    source.flag(order_id == "", order_id, "order_id", "order_id is required")
    c.flag_duplicates(order_id, source, "order_id")
    status = c.statuses(raw["status"], source, "status")
    ordered_at, languages = c.dates(raw["order_date"], source, "order_date")
    languages |= c.status_languages(raw["status"])
    number, symbol, readable = c.split_amount(raw["total_price_text"])
    source.flag(~readable, raw["total_price_text"], "total_price_text", "not an amount; expected e.g. US $12.34")
    point, why = c.decimal_point([number], languages)
    price = c.numbers(number, source, "total_price_text", point, why)
    inline = c.currencies(symbol, source, "total_price_text")
    currency = c.currencies(raw["currency"], source, "currency")
    currency = c.combined_currency(currency, inline, raw["total_price_text"], source, "total_price_text", "currency")
    source.flag(
        (price != "") & (symbol == "") & (raw["currency"] == ""),
        raw["total_price_text"],
        "total_price_text",
        "no currency; expected it with its symbol or code, e.g. US $12.34",
    )
    c.check_precision(price, currency, raw["total_price_text"], source, "total_price_text")
    items = c.per_distinct(
        raw["order_line_count"], lambda values, rows: _counts(values, rows, "order_line_count"), source
    )
    destination = c.countries(raw["shipping_country_code"], source, "shipping_country_code")
    title = raw["order_title"]
    count = c.per_distinct(items, lambda values: pd.to_numeric(values, errors="coerce"))
    return pd.DataFrame(
        {
            "order_id": order_id,
            "ordered_at": ordered_at,
            "store": raw["store_name"],
            "status": status,
            "price": price,
            "currency": currency,
            "payment_method": raw["payment_method"],
            "destination": destination,
            "items": items,
            "title": c.titled(title, count.clip(lower=1)),
        }
    )[order_id != ""]


def _counts(values: pd.Series, source, column: str) -> pd.Series:
    """Whole numbers of items ("" where empty or not a whole number, a problem for the latter)."""
    whole = values.str.fullmatch(r"\d+").astype(bool)
    source.flag((values != "") & ~whole, values, column, "expected a whole number of items")
    return values.where(whole, "")
