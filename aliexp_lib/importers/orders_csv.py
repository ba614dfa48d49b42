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
    "order_id", "order_date", "status", "total_price_text", "currency", "store_name", "order_title", "order_titles",
    "item_image_url", "order_line_count", "payment_method", "shipping_contact_name", "shipping_country_code",
    "shipping_post_code", "shipping_region_address", "shipping_detail_address", "shipping_phone", "order_detail_url",
    "invoice_page_url", "invoice_pdf_paths", "list_json", "detail_json", "invoice_info_json",
)
SIGNATURE = ("order id", "order date", "total price text", "order line count")
PERSONAL = ("shipping_contact_name", "shipping_post_code", "shipping_region_address", "shipping_detail_address",
            "shipping_phone", "list_json", "detail_json", "invoice_info_json")
_READ = ("order_id", "order_date", "status", "total_price_text", "currency", "store_name", "order_title",
         "order_line_count", "payment_method", "shipping_country_code")


def convert(source: c.Source) -> pd.DataFrame:
    raw = c.read_table(source, _READ, "an orders.csv file",
                       strip=("order_id", "total_price_text", "currency", "store_name", "order_title", "order_line_count",
                              "payment_method"))
    order_id = raw["order_id"]
    source.flag(order_id == "", order_id, "order_id", "order_id is required")
    duplicate = order_id.duplicated() & (order_id != "")
    if duplicate.any():
        first = pd.Series(order_id.index, index=order_id).groupby(level=0).first()
        for row in order_id.index[duplicate]:
            source.flag([True], order_id[[row]], "order_id", f"duplicate order_id, first on line {source.line(first[order_id[row]])}")
    status = c.statuses(raw["status"], source, "status")
    ordered_at, languages = c.dates(raw["order_date"], source, "order_date")
    languages |= c.status_languages(raw["status"])
    number, symbol, readable = c.split_amount(raw["total_price_text"])
    source.flag(~readable, raw["total_price_text"], "total_price_text", "not an amount; expected e.g. US $12.34")
    point, why = c.decimal_point([number], languages)
    price = c.numbers(number, source, "total_price_text", point, why)
    inline = c.currencies(symbol, source, "total_price_text")
    currency = c.currencies(raw["currency"], source, "currency")
    source.flag((inline != "") & (currency != "") & (inline != currency), raw["total_price_text"], "total_price_text",
                "its currency differs from the currency column")
    currency = currency.where(currency != "", inline)
    source.flag((price != "") & (symbol == "") & (raw["currency"] == ""), raw["total_price_text"], "total_price_text",
                "no currency; expected it with its symbol or code, e.g. US $12.34")
    c.check_precision(price, currency, raw["total_price_text"], source, "total_price_text")
    count = raw["order_line_count"]
    whole = count.str.fullmatch(r"\d+").astype(bool)
    source.flag((count != "") & ~whole, count, "order_line_count", "expected a whole number of items")
    items = count.where(whole, "")
    destination = c.countries(raw["shipping_country_code"], source, "shipping_country_code")
    title = raw["order_title"]
    return pd.DataFrame({
        "order_id": order_id, "ordered_at": ordered_at, "store": raw["store_name"], "status": status,
        "price": price, "currency": currency, "payment_method": raw["payment_method"], "destination": destination,
        "items": items,
        "title": c.titled(title, pd.to_numeric(items, errors="coerce").clip(lower=1)).where(title != "", ""),
    })[order_id != ""]
