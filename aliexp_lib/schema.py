"""The order book's schema: the ground floor of "orders in".

Column names and kinds, the problems an order can have, the native format's name and the range of
plausible dates. Plain data, importing nothing of ours: the native reader (``native``), the
validator (``validate``), the importers (``importers``), the case log (``caselog``) and the loader
(``orders``) all build on it.

Examples
--------
>>> SCHEMA[:5], len(SCHEMA), set(DATE_COLUMNS) <= set(SCHEMA)
(('order_id', 'store', 'title', 'price', 'currency'), 38, True)
>>> STATUS_EVENTS["completed"]
('shipped_at', 'confirmed_at')
>>> str(EARLIEST), str(LATEST)
('2000-01-01', '2099-12-31')
"""

from __future__ import annotations

import numpy as np

#: Events that end things (``episodes``): how a dispute closed (seed L185-200, L400), its reopening
#: (L400), and an order closed without the buyer's confirmation (L77, L390).
ENDING_COLUMNS = (
    "dispute_won_at",
    "dispute_lost_at",
    "dispute_cancelled_at",
    "dispute_agreed_at",
    "dispute_reopened_at",
    "order_closed_at",
)
#: Dated events of an order, in the order they usually happen.
DATE_COLUMNS = (
    "ordered_at",
    "paid_at",
    "shipped_at",
    "last_tracking_update_at",
    "received_at",
    "confirmed_at",
    "dispute_opened_at",
    "dispute_escalated_at",
    "return_address_at",
    "return_shipped_at",
    "refund_issued_at",
    "refund_received_at",
    *ENDING_COLUMNS,
)
#: Every column of calendar dates: the events and the day the store opened.
CALENDAR_COLUMNS = (*DATE_COLUMNS, "store_opened_at")
#: Whole numbers of days.
DAY_COLUMNS = ("protection_days", "extension_days")
TEXT_COLUMNS = ("store", "title", "shipping_method", "tracking_number", "payment_method")
#: Amounts in the order's currency, held as ``<name>_minor`` (exact minor units).
AMOUNT_COLUMNS = ("price", "offer_partial", "value_if_kept", "postage_quote")
COUNT_COLUMNS = ("weight_g", "store_orders")
PERCENT_COLUMNS = ("seller_rating", "cashback_rate")
#: What went wrong with an order (the ``problem`` column).
PROBLEMS = (
    "not_received",
    "defective",
    "not_as_described",
    "wrong_item",
    "incomplete",
    "arrived_after_refund",
    "duplicate",
)
#: Every column the engines know, in the documented order of the input file.
SCHEMA = (
    "order_id",
    "store",
    "title",
    "price",
    "currency",
    "ordered_at",
    "paid_at",
    "shipped_at",
    "protection_days",
    "extension_days",
    "destination",
    "shipping_method",
    "tracking_number",
    "payment_method",
    "received_at",
    "confirmed_at",
    "dispute_opened_at",
    "dispute_escalated_at",
    "return_address_at",
    "return_shipped_at",
    "refund_issued_at",
    "refund_received_at",
    "last_tracking_update_at",
    *ENDING_COLUMNS,
    # What went wrong and the facts the resolution needs (all optional).
    "problem",
    "weight_g",
    "postage_quote",
    "offer_partial",
    "value_if_kept",
    "seller_rating",
    "store_opened_at",
    "store_orders",
    "cashback_rate",
)
#: An order's status as the exports say it, normalised (the ``status`` column of an imported book;
#: empty where the file has none).
STATUSES = (
    "awaiting_payment",
    "awaiting_shipment",
    "shipped",
    "completed",
    "closed",
    "in_dispute",
    "refunded",
)
#: Status -> the dated events it says have happened, in the order they happen. An event named here
#: whose date the file lacks is known to have happened on an unknown day: the engines estimate from
#: it (never later than the true deadline can be) and ``missing`` asks for it.
STATUS_EVENTS = {
    "awaiting_payment": (),
    "awaiting_shipment": (),
    "shipped": ("shipped_at",),
    "completed": ("shipped_at", "confirmed_at"),
    "closed": (),
    "in_dispute": ("shipped_at", "dispute_opened_at"),
    "refunded": ("refund_issued_at",),
}
DEFAULT_DESTINATION = "RU"
#: ``fmt`` of our own schema, for ``load_orders``.
NATIVE_FORMAT = "aliexp"

#: (earlier, later): the later event cannot happen before the earlier one.
CHRONOLOGY = (
    ("ordered_at", "paid_at"),
    ("ordered_at", "shipped_at"),
    ("paid_at", "shipped_at"),
    ("shipped_at", "last_tracking_update_at"),
    ("shipped_at", "received_at"),
    ("shipped_at", "confirmed_at"),
    ("shipped_at", "dispute_opened_at"),
    ("dispute_opened_at", "dispute_escalated_at"),
    ("dispute_opened_at", "return_address_at"),
    ("return_address_at", "return_shipped_at"),
    ("refund_issued_at", "refund_received_at"),
    *(("dispute_opened_at", end) for end in ("dispute_won_at", "dispute_lost_at", "dispute_cancelled_at")),
    ("dispute_opened_at", "dispute_agreed_at"),
    ("dispute_opened_at", "dispute_reopened_at"),
    ("shipped_at", "order_closed_at"),
)
#: The days an order book's dates may fall on; outside them a date is a typo.
EARLIEST, LATEST = np.datetime64("2000-01-01"), np.datetime64("2099-12-31")
