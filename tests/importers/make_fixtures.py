"""Writes the synthetic fixtures of AliExpress's data backup and the Shopper Inventory extension.

Run from anywhere: ``python tests/importers/make_fixtures.py``. Every name, address and number is
invented. The data backup has every order status code and a FINISH per end reason mapped in
``data/aliexpress_codes.toml``, plus personal data (its own sheet, and columns of the order sheet)
that the importer must never read.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl

from aliexp_lib.importers import shopper_inventory_csv

HERE = Path(__file__).parent
#: (status code, end reason) of each order of the data backup, in order.
BACKUP_ORDERS = (
    ("PLACE_ORDER_SUCCESS", ""),
    ("RISK_CONTROL", ""),
    ("WAIT_SELLER_EXAMINE_MONEY", ""),
    ("WAIT_SELLER_SEND_GOODS", ""),
    ("IN_CANCEL", ""),
    ("SELLER_PART_SEND_GOODS", ""),
    ("WAIT_BUYER_ACCEPT_GOODS", ""),
    ("FUND_PROCESSING", ""),
    ("IN_ISSUE", ""),
    ("IN_FROZEN", ""),
    ("FINISH", "buyer_accept_goods"),
    ("FINISH", "buyer_accept_goods_timeout"),
    ("FINISH", "buyer_cancel_notpay_order"),
    ("FINISH", "buyer_pay_timeout"),
    ("FINISH", "buyer_cancel_order_in_risk"),
    ("FINISH", "risk_reject_closed"),
    ("FINISH", "cancel_order_close_trade"),
    ("FINISH", "seller_send_goods_timeout"),
    ("FINISH", "seller_accept_issue_no_goods_return"),
    ("FINISH", "seller_response_issue_timeout"),
)
BACKUP_HEADER = (
    "order_id",
    "parent_orderid",
    "gmt_create_order_time",
    "order_status",
    "receiver_name",
    "item_name",
    "unit_price",
    "payable_amt",
    "gmt_pay_order_time",
    "gmt_trade_end_time",
    "end_reason",
    "is_success_pay",
    "frozen_status",
    "receiver_phone",
    "receiver_address",
)
PERSONAL = ("Testy McTestface", "+00 000 0000000", "1 Nowhere Lane, Fakeville")


def backup_parent(n: int) -> str:
    """The order number of backup order ``n`` (1-based)."""
    return f"81000000000{n:05d}"


def write_backup(path: Path) -> None:
    book = openpyxl.Workbook()
    personal = book.active
    personal.title = "Personal Information"
    personal.append(["name", "phone", "address", "email"])
    personal.append([*PERSONAL, "testy@example.invalid"])
    sheet = book.create_sheet("Order Information")
    sheet.append(BACKUP_HEADER)
    for n, (code, reason) in enumerate(BACKUP_ORDERS, start=1):
        created = dt.datetime(2026, 1, 1, 10, 30) + dt.timedelta(days=n)
        paid = "" if code == "PLACE_ORDER_SUCCESS" or "notpay" in reason or "pay_timeout" in reason else created
        ended = created + dt.timedelta(days=30) if code == "FINISH" else None
        items = [("Desk lamp", 1234), ("USB cable", 5678)] if n == 4 else [(f"Item {n}", 1000 + n)]
        for k, (title, amount) in enumerate(items, start=1):
            sheet.append(
                [
                    f"{backup_parent(n)}{k}",
                    backup_parent(n),
                    created if n % 2 else created.strftime("%Y-%m-%d %H:%M:%S"),  # cells of both kinds
                    code,
                    PERSONAL[0],
                    title,
                    amount,
                    amount,
                    paid,
                    ended,
                    reason,
                    "N" if paid == "" else "Y",
                    "IN_FROZEN" if code == "IN_FROZEN" else "NO_FROZEN",
                    PERSONAL[1],
                    PERSONAL[2],
                ]
            )
    book.create_sheet("Logistics").append(["order_id", "tracking"])
    book.save(path)


#: The extension's header, as the importer knows it.
INVENTORY_HEADER = list(shopper_inventory_csv.COLUMNS)
#: Language -> statuses (completed, shipped, closed, awaiting shipment) and the three orders' items:
#: (order, title, qty, price as shown, currency).
INVENTORY = {
    "en": (
        ("Completed", "Awaiting delivery", "Closed", "Awaiting shipment"),
        [
            ("1", "Desk lamp", "2", "US $120.95", "USD"),
            ("1", "USB cable", "1", "US $3.10", "USD"),
            ("2", "Screwdriver set", "3", "129,46zł", "PLN"),
            ("3", "Phone case", "1", "US $0.99", "USD"),
            ("4", "Socks", "5", "US $1.01", "USD"),
        ],
    ),
    "ru": (
        ("Завершено", "Ожидает получения", "Закрыт", "Ожидает отправки"),
        [
            ("1", "Настольная лампа", "2", "1 234,56 руб.", "RUB"),
            ("1", "Кабель USB", "1", "99,90 руб.", "RUB"),
            ("2", "Набор отвёрток", "3", "129,46zł", "PLN"),
            ("3", "Чехол", "1", "50,00 руб.", "RUB"),
            ("4", "Носки", "5", "10,01 руб.", "RUB"),
        ],
    ),
    "de": (
        ("Abgeschlossen", "Warten auf Lieferung", "Storniert", "Warten auf Versand"),
        [
            ("1", "Schreibtischlampe", "2", "12,34 €", "EUR"),
            ("1", "USB-Kabel", "1", "3,10 €", "EUR"),
            ("2", "Schraubendreher-Set", "3", "129,46zł", "PLN"),
            ("3", "Handyhülle", "1", "0,99 €", "EUR"),
            ("4", "Socken", "5", "1,01 €", "EUR"),
        ],
    ),
}


def inventory_rows(language: str) -> list[dict[str, str]]:
    statuses, items = INVENTORY[language]
    rows = []
    for n, (order, title, qty, price, currency) in enumerate(items, start=1):
        number = int(order)
        rows.append(
            {
                "Order Date": f"2026-02-{number:02d}",
                "Order ID": f"81000000000003{number:02d}",
                "Title": title,
                "Qty": qty,
                "Price": price,
                "Store": f"Example Store {number}",
                "Product ID": f"10050000000{n:02d}",
                "SKU ID": f"120000000{n:02d}",
                "Attributes": "Color: Black",
                "Price Info": "",
                "Currency": currency,
                "Status": statuses[number - 1],
                "Product Url": f"https://www.aliexpress.com/item/10050000000{n:02d}.html",
                "Product Image Url": f"https://ae01.alicdn.com/kf/S{n:02d}.jpg",
                "Store Url": f"https://www.aliexpress.com/store/{1000 + number}",
                "Tags": "",
            }
        )
    return rows


def write_inventory_csv(path: Path, language: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=INVENTORY_HEADER)
        writer.writeheader()
        writer.writerows(inventory_rows(language))


def write_inventory_json(path: Path) -> None:
    items = [
        {
            "orderId": row["Order ID"],
            "orderDateIso": row["Order Date"] + "T08:15:00.000Z",
            "title": row["Title"],
            "quantity": int(row["Qty"]),
            "price": row["Price"],
            "currency": row["Currency"],
            "status": row["Status"],
            "storeName": row["Store"],
            "storeUrl": row["Store Url"],
            "productUrl": row["Product Url"],
        }
        for row in inventory_rows("en")
    ]
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_backup(HERE / "aliexpress_data_backup.xlsx")
    for language in INVENTORY:
        write_inventory_csv(HERE / f"shopper_inventory_{language}.csv", language)
    write_inventory_json(HERE / "shopper_inventory.json")
