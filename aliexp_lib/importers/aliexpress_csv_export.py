"""The "AliExpress CSV Export" browser extension's file (comma-separated, one row per item).

Layout assumed (the extension writes it so; the fixtures under ``tests/importers/`` follow it):
each order has one row per item (``Item title``/``Item price`` filled, the ``Total ...`` columns
empty) followed by one totals row (item columns empty, ``Total price`` filled). The order's own
columns (date, status, store, currency, tracking, payment) are repeated on every row; the first
non-empty value of each is used. Variants are accepted: totals repeated on every item row (they
must agree), or an order with no totals row (its price is left empty, with a warning).

Dates, statuses, the currency and numbers come as the site showed them, in English, Russian or
German (``Aug 3, 2025``, ``3. Aug. 2025``, ``3 авг. 2025 г.``, ``Completed``, ``Abgeschlossen``,
``Завершено``, ``US $``, ``€``, ``руб.``). The buyer's name, address, phone, ZIP, city and region
are dropped; the buyer's country becomes ``destination``.
"""

from __future__ import annotations

import pandas as pd

from aliexp_lib.importers import _common as c

NAME = "aliexpress_csv_export"
TITLE = 'the "AliExpress CSV Export" browser extension'
SEP = ","
COLUMNS = (
    "Order Id", "Order date", "Order Status", "Order detail url", "Store Name", "Store url", "Currency",
    "Tracking number", "Tracking link", "Item title", "Item price", "Item quantity", "Item attributes",
    "Item image url", "Item product link", "Total order net price", "Total Shipping", "Total price adjustments",
    "Total discount", "Total EU Tax", "Total VAT", "Total price", "Buyer Full Name", "Buyer address",
    "Buyer Phone Number", "Buyer country", "Buyer region", "Buyer ZIP", "Buyer city", "Payment method",
)
#: Header names (folded) that together identify the format.
SIGNATURE = ("order id", "order date", "item title", "total price", "store url")
#: Personal columns: never read into the result.
PERSONAL = ("Buyer Full Name", "Buyer address", "Buyer Phone Number", "Buyer region", "Buyer ZIP", "Buyer city")
_READ = ("Order Id", "Order date", "Order Status", "Store Name", "Store url", "Currency", "Tracking number", "Item title",
         "Item price", "Total order net price", "Total Shipping", "Total discount", "Total price", "Buyer country",
         "Payment method")
_TEXT = ("Order Id", "Store Name", "Tracking number", "Item title", "Item price", "Total price", "Payment method")
_AMOUNTS = ("Item price", "Total order net price", "Total Shipping", "Total discount", "Total price")


def convert(source: c.Source) -> pd.DataFrame:
    raw = c.read_table(source, _READ, "an AliExpress CSV Export file", strip=_TEXT)
    order_id = raw["Order Id"]
    source.flag(order_id == "", order_id, "Order Id", "Order Id is required")
    is_item = (raw["Item title"] != "") | (raw["Item price"] != "")
    has_total = raw["Total price"] != ""

    status = c.statuses(raw["Order Status"], source, "Order Status")
    ordered_at, languages = c.dates(raw["Order date"], source, "Order date")
    languages |= c.status_languages(raw["Order Status"])
    point, why = c.decimal_point([raw[col] for col in _AMOUNTS], languages)
    number, symbol, readable = c.split_amount(raw["Total price"])
    source.flag(~readable, raw["Total price"], "Total price", "not an amount; expected e.g. 1234.56")
    price = c.numbers(number, source, "Total price", point, why)
    currency = c.currencies(raw["Currency"], source, "Currency")
    inline = c.currencies(symbol, source, "Total price")
    source.flag((inline != "") & (currency != "") & (inline != currency), raw["Total price"], "Total price",
                "its currency differs from the Currency column")
    currency = currency.where(currency != "", inline)
    source.flag((price != "") & (symbol == "") & (raw["Currency"] == ""), raw["Currency"], "Currency",
                "Total price needs its currency")
    c.check_precision(price, currency, raw["Total price"], source, "Total price")
    store_url = c.store_links(raw["Store url"], source, "Store url")
    destination = c.countries(raw["Buyer country"], source, "Buyer country")

    rows = pd.DataFrame({
        "order_id": order_id, "ordered_at": ordered_at, "store": raw["Store Name"], "status": status,
        "currency": currency, "tracking_number": raw["Tracking number"], "payment_method": raw["Payment method"],
        "destination": destination, "store_url": store_url, "price": price.where(has_total, ""),
        "first_title": raw["Item title"].where(is_item, ""),
    })
    rows = rows[order_id != ""]
    group = rows.groupby("order_id", sort=False)
    # Totals repeated on several rows of an order must agree.
    for column, label in (("price", "Total price"), ("currency", "Currency")):
        distinct = rows[column].replace("", pd.NA).groupby(rows["order_id"], sort=False).transform("nunique")
        source.flag(distinct > 1, raw.loc[rows.index, label], label, "differs from another row of the same order")
    first = rows.replace("", pd.NA).groupby("order_id", sort=False).first()
    orders = first.reset_index().fillna("")
    orders.index = group.head(1).index  # the row position where each order starts
    items = is_item[rows.index].groupby(rows["order_id"], sort=False).sum()
    orders["items"] = items.to_numpy()
    orders["title"] = c.titled(orders["first_title"], orders["items"].clip(lower=1)).where(orders["first_title"] != "", "")
    missing = orders["price"] == ""
    if missing.any():
        source.warn(f"{int(missing.sum())} order(s) without a totals row (Total price), price left empty "
                    f"({source.lines_of(orders.index[missing])})")
    return orders.drop(columns="first_title")
