"""The choices the command line offers, in the standard library only, so ``aliexp --help`` starts fast.

Building the parser needs the names of languages, file formats and case-log events, not the
modules that define them (which import pandas, Babel and the importers). Each tuple here is a copy
of the library's own value; ``tests/test_startup.py`` checks that each copy equals its source.

Examples
--------
>>> LANGUAGES, NATIVE_FORMAT, CONFIG_NAME
(('en', 'ru'), 'aliexp', 'aliexp.toml')
"""

from __future__ import annotations

#: ``i18n.LANGUAGES``.
LANGUAGES = ("en", "ru")
#: ``schema.NATIVE_FORMAT``: ``--from`` of our own schema.
NATIVE_FORMAT = "aliexp"
#: ``setting.CONFIG_NAME``.
CONFIG_NAME = "aliexp.toml"
#: The keys of ``importers.FORMATS``, in their order.
FORMATS = (
    "aliexpress_csv_export",
    "tsv_order_list",
    "orders_csv",
    "aliexpress_data_backup",
    "shopper_inventory_csv",
    "shopper_inventory_json",
)
#: ``caselog.EVENTS``: every event ``aliexp record`` accepts.
EVENTS = (
    "paid",
    "shipped",
    "last_tracking_update",
    "received",
    "confirmed",
    "dispute_opened",
    "dispute_escalated",
    "return_address",
    "return_shipped",
    "refund_issued",
    "refund_received",
    "dispute_won",
    "dispute_lost",
    "dispute_cancelled",
    "dispute_agreed",
    "dispute_reopened",
    "order_closed",
    "extension",
)
