"""AliExpress's own data backup (account settings, "download your data"): an XLSX workbook.

Its sheet "Order Information" holds one row per item (``order_id`` is the item's sub-order); the
items of one order share ``parent_orderid``, the number the buyer sees, which becomes our
``order_id``. Only the columns below are read (``_sheet.read_sheet`` drops the others as each row
is read; the buyer's names, addresses and phones, in this sheet or others, never are).

- ``order_status`` is one of AliExpress's codes, mapped onto ``schema.STATUSES`` by
  ``data/aliexpress_codes.toml`` (each with its reasoning); ``FINISH`` is resolved by
  ``end_reason``, and ``gmt_trade_end_time`` is the day it names (``confirmed_at`` for a receipt
  confirmed, ``refund_issued_at`` for a refund; a cancellation has no dated column). An unknown
  code or reason is a problem naming the sheet, row, column and value: never guessed. An order
  whose items differ takes the status of its least finished item (a dispute first), with a warning.
- ``gmt_create_order_time`` -> ``ordered_at``, ``gmt_pay_order_time`` -> ``paid_at`` (the earliest
  of the order's items); times of day are dropped, the date is taken as written.
- ``payable_amt`` is an integer in minor units with no currency column: the price is their sum per
  order in the buyer's own currency (``Source.currency``, from ``--currency`` or ``currency`` in
  ``aliexp.toml``). Without it the prices stay empty and one warning says how to set it.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.importers import _common as c
from aliexp_lib.importers._minor import decimal_text
from aliexp_lib.importers._sheet import is_workbook, read_sheet, sheet_header
from aliexp_lib.schema import DATE_COLUMNS, STATUSES

NAME = "aliexpress_data_backup"
TITLE = 'AliExpress\'s own data backup ("download your data", an .xlsx)'
SEP = None
KIND = "xlsx"
SHEET = "Order Information"
COLUMNS = (
    "parent_orderid",
    "order_id",
    "gmt_create_order_time",
    "order_status",
    "item_name",
    "unit_price",
    "payable_amt",
    "gmt_pay_order_time",
    "gmt_trade_end_time",
    "end_reason",
    "is_success_pay",
    "frozen_status",
)
#: Header names (folded) of the sheet ``SHEET`` that together identify the format.
SIGNATURE = ("parent orderid", "order status", "payable amt", "gmt create order time")
_READ = (
    "parent_orderid",
    "gmt_create_order_time",
    "order_status",
    "item_name",
    "payable_amt",
    "gmt_pay_order_time",
    "gmt_trade_end_time",
    "end_reason",
)
#: Which status an order of mixed items takes: the least finished first.
_PRECEDENCE = ("in_dispute", "shipped", "awaiting_shipment", "awaiting_payment", "completed", "refunded", "closed")
#: How the buyer sets the currency the backup's amounts are in.
HOW_TO_SET = 'run with --currency CODE (e.g. --currency EUR) or put currency = "EUR" in aliexp.toml'


@cache
def codes() -> dict[str, dict[str, dict[str, str]]]:
    """``data/aliexpress_codes.toml``: ``status`` (code -> status, why) and ``end_reason`` (code -> status, date, why).

    Examples
    --------
    >>> codes()["status"]["WAIT_BUYER_ACCEPT_GOODS"]["status"], codes()["end_reason"]["buyer_accept_goods"]["date"]
    ('shipped', 'confirmed_at')
    """
    text = resources.files("aliexp_lib.data").joinpath("aliexpress_codes.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)
    for code, entry in (*table["status"].items(), *table["end_reason"].items()):
        assert entry["status"] in (*STATUSES, "by_end_reason"), (code, entry)
        assert entry.get("date", "") in ("", *DATE_COLUMNS), (code, entry)
    return table


def sniff(path: Path, data: bytes) -> bool:
    """True if ``data`` is a workbook with a sheet ``SHEET`` whose header has the ``SIGNATURE`` columns."""
    if not is_workbook(data):
        return False
    header = sheet_header(data, SHEET, path)
    names = {c.normal_header(name) for name in header or ()}
    return all(column in names for column in SIGNATURE)


def convert(source: c.Source) -> pd.DataFrame:
    """One row per order (indexed by the row where it starts), from the item rows of ``SHEET``.

    Parameters
    ----------
    source : _common.Source
        The workbook being imported (``source.currency``: the buyer's currency, or None).

    Returns
    -------
    pandas.DataFrame
        Text columns of our schema (ISO dates, plain decimal amounts [currency units]) plus
        ``paid_at``, ``items`` (count) and ``status``; problems are left for ``source.raise_problems()``.
    """
    raw = read_sheet(source, SHEET, _READ, TITLE)
    order_id = raw["parent_orderid"].astype(str).str.strip()
    source.flag(order_id == "", raw["parent_orderid"], "parent_orderid", "parent_orderid is required")
    status, end_column = _statuses(raw, source)
    ordered_at, _ = c.dates(raw["gmt_create_order_time"], source, "gmt_create_order_time")
    paid_at, _ = c.dates(raw["gmt_pay_order_time"], source, "gmt_pay_order_time")
    ended_at, _ = c.dates(raw["gmt_trade_end_time"], source, "gmt_trade_end_time")
    amount = raw["payable_amt"].astype(str).str.strip()
    whole = amount.str.fullmatch(r"\d{1,15}").astype(bool)
    source.flag(
        (amount != "") & ~whole, raw["payable_amt"], "payable_amt", "not a whole number of minor units (e.g. 12095)"
    )

    rows = pd.DataFrame(
        {
            "order": pd.factorize(order_id)[0],
            "rank": status.map({s: i for i, s in enumerate(_PRECEDENCE)}).fillna(len(_PRECEDENCE)).astype(int),
            "ordered_at": ordered_at.astype(str).replace("", np.nan),
            "paid_at": paid_at.astype(str).replace("", np.nan),
            "minor": pd.to_numeric(amount.where(whole)).astype("Int64"),
            "item_name": raw["item_name"].astype(str).str.strip(),
        }
    )
    for column in ("confirmed_at", "refund_issued_at"):
        rows[column] = ended_at.astype(str).where(end_column == column, "").replace("", np.nan)
    rows = rows[order_id != ""]
    groups = rows.groupby("order", sort=False)
    first = groups.head(1).index
    table = pd.DataFrame(index=first)
    table["order_id"] = order_id[first].to_numpy()
    rank = groups["rank"].transform("min")
    table["status"] = np.array([*_PRECEDENCE, ""], dtype=object)[groups["rank"].min().to_numpy()]
    for column in ("ordered_at", "paid_at"):
        table[column] = groups[column].min().fillna("").to_numpy()
    # A date said by the order's end is kept only where the order has the status it implies.
    for column in ("confirmed_at", "refund_issued_at"):
        table[column] = rows[column].where(rows["rank"] == rank).groupby(rows["order"]).min().fillna("").to_numpy()
    table["items"] = groups.size().to_numpy()
    table["title"] = c.titled(pd.Series(groups["item_name"].first().to_numpy(), index=first), table["items"])
    _warn_mixed(rows, rank, source)
    _prices(table, groups["minor"].sum(min_count=1).to_numpy(), source)
    return table


def _statuses(raw: pd.DataFrame, source: c.Source) -> tuple[pd.Series, pd.Series]:
    """Each row's normalised status and the date column its end fills ("" for none); unknown codes are problems."""
    table = codes()
    code = raw["order_status"].astype(str).str.strip().str.upper()
    known = ", ".join(table["status"])
    status = code.map({k: v["status"] for k, v in table["status"].items()}).fillna("?")
    source.flag((status == "?") & (code == ""), raw["order_status"], "order_status", "order_status is required")
    source.flag(
        (status == "?") & (code != ""),
        raw["order_status"],
        "order_status",
        f"unknown AliExpress order status code; known codes: {known}",
    )
    finished = np.asarray(status == "by_end_reason")
    reason = raw["end_reason"].astype(str).str.strip().str.lower()
    reasons = table["end_reason"]
    by_reason = reason.map({k: v["status"] for k, v in reasons.items()}).fillna("?")
    source.flag(
        finished & (reason == ""),
        raw["end_reason"],
        "end_reason",
        "FINISH needs its end_reason (completed, cancelled or refunded?); it is empty",
    )
    source.flag(
        finished & (reason != "") & (by_reason == "?"),
        raw["end_reason"],
        "end_reason",
        f"unknown end_reason of a finished order; known reasons: {', '.join(reasons)}",
    )
    status = status.where(~finished, by_reason).where(lambda s: ~s.isin(["?", "by_end_reason"]), "")
    end_column = reason.map({k: v.get("date", "") for k, v in reasons.items()}).fillna("").where(finished, "")
    return status.astype(str), end_column.astype(str)


def _warn_mixed(rows: pd.DataFrame, rank: pd.Series, source: c.Source) -> None:
    """One warning for the orders whose items have different statuses."""
    mixed = rows.loc[rows["rank"] != rank, "order"].unique()
    if len(mixed):
        where = rows.index[rows["order"].isin(mixed)]
        source.warn(
            f"{len(mixed)} order(s) with items of different statuses: each takes its least finished item's "
            f"({source.lines_of(where)})"
        )


def _prices(table: pd.DataFrame, minor: np.ndarray, source: c.Source) -> None:
    """``price`` and ``currency``: the sum of ``payable_amt`` in the buyer's currency, or empty with one warning."""
    currency = source.currency or ""
    table["currency"] = currency
    if not currency:
        table["price"] = ""
        if len(table):
            source.warn(
                "the data backup's amounts (payable_amt) carry no currency, and none is set: prices left "
                f"empty (dates and deadlines still work). To have them, {HOW_TO_SET} with the currency "
                "your AliExpress account shows prices in"
            )
        return
    table["price"] = decimal_text(pd.Series(minor, index=table.index, dtype="Int64"), table["currency"]).to_numpy()
    if len(table):
        source.warn(f"amounts (payable_amt) read as minor units of {currency}, your currency setting")
