"""The "Aliexpress Shopper Inventory" browser extension's JSON export: a list of items.

Each item is an object with ``orderId``, ``orderDateIso``, ``price`` (the unit price as shown, or a
number), ``quantity``, ``currency``, ``status``, ``storeName``, ``title`` (and ``storeUrl`` where
given; other fields are not read). Recognised from its content, whatever the file is called. Read
whole (bounded: ``MAX_BYTES``, ``MAX_ITEMS``); numbers are kept as written, never as floats. The
items are then orders exactly as the CSV export's (``shopper_inventory_csv.orders_of_items``);
problems name the item (``item 3``: the third of the list) and its field.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from aliexp_lib.cells import Lines
from aliexp_lib.errors import InputError
from aliexp_lib.importers import _common as c
from aliexp_lib.importers.shopper_inventory_csv import ITEM_COLUMNS, orders_of_items

NAME = "shopper_inventory_json"
TITLE = 'the "Aliexpress Shopper Inventory" browser extension (JSON)'
SEP = None
KIND = "json"
#: Field -> the CSV export's column it is.
FIELDS = {
    "orderId": "Order ID",
    "orderDateIso": "Order Date",
    "title": "Title",
    "quantity": "Qty",
    "price": "Price",
    "currency": "Currency",
    "status": "Status",
    "storeName": "Store",
    "storeUrl": "Store Url",
}
COLUMNS = tuple(FIELDS)
#: Fields that together identify the format (in the file's first ``_HEAD`` bytes).
SIGNATURE = ("orderId", "orderDateIso")
#: Bytes a file may have [bytes], and items a list may hold [items].
MAX_BYTES = 64 * 1024 * 1024
MAX_ITEMS = 200_000
_HEAD = 1 << 16


def sniff(path: Path, data: bytes) -> bool:
    """True if ``data`` starts as a JSON list (or object) naming the ``SIGNATURE`` fields.

    Examples
    --------
    >>> sniff(Path("x.json"), b' [{"orderId": "81", "orderDateIso": "2025-08-03"}]'), sniff(Path("x"), b"[1]")
    (True, False)
    """
    head = data[:_HEAD].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] in (b"[", b"{") and all(f'"{field}"'.encode() in head for field in SIGNATURE)


def convert(source: c.Source) -> pd.DataFrame:
    """One row per order (indexed by its first item), from the list of items.

    Parameters
    ----------
    source : _common.Source
        The file being imported (``source.data``).

    Returns
    -------
    pandas.DataFrame
        As ``shopper_inventory_csv.convert``.

    Examples
    --------
    >>> text = '[{"orderId": "81", "orderDateIso": "2025-08-03", "price": "129,46zł", "quantity": 2, "currency": "PLN",'
    >>> text += ' "status": "Completed", "storeName": "Shop", "title": "Lamp"}]'
    >>> table = convert(c.Source(Path("items.json"), text, ","))
    >>> table.loc[0, ["price", "currency", "items", "status"]].astype(str).tolist()
    ['258.92', 'PLN', '1', 'completed']
    """
    items = _items(source)
    table = {}
    for field, column in FIELDS.items():
        values = [_text(item.get(field)) if isinstance(item, dict) else "" for item in items]
        table[column] = pd.Categorical([value.strip() for value in values])
    raw = pd.DataFrame(table, index=pd.RangeIndex(len(items)))
    source.lines = Lines(list(range(1, len(items) + 1)), word="item")
    source.rows = len(items)
    not_objects = pd.Series([not isinstance(item, dict) for item in items], dtype=bool)
    source.flag(not_objects, pd.Series([_text(item) for item in items], dtype=str), "(item)", "not an object of fields")
    return orders_of_items(raw[list(ITEM_COLUMNS)], source, {column: field for field, column in FIELDS.items()})


def _items(source: c.Source) -> list:
    """The file's list of items (an object holding one list is accepted too)."""
    if len(source.data) > MAX_BYTES:
        raise InputError(f"{source.path}: {len(source.data)} bytes, over the limit of {MAX_BYTES} (MAX_BYTES)")
    try:
        document = json.loads(source.data.decode("utf-8-sig"), parse_float=str, parse_int=str)
    except UnicodeDecodeError as exc:
        raise InputError(f"{source.path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        where = f"line {exc.lineno}, column {exc.colno}: " if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(f"{source.path}: {where}not readable as JSON ({exc})") from None
    if isinstance(document, dict):
        lists = [value for value in document.values() if isinstance(value, list)]
        document = lists[0] if len(lists) == 1 else None
    if not isinstance(document, list):
        raise InputError(f"{source.path}: expected a list of items (with orderId, orderDateIso, price...)")
    if len(document) > MAX_ITEMS:
        raise InputError(f"{source.path}: {len(document)} items, over the limit of {MAX_ITEMS} (MAX_ITEMS)")
    return document


def _text(value: object) -> str:
    """A field's value as text ("" for none; numbers as written)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)[:200]
    return str(value)
