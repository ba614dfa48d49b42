"""aliexp: deadlines and money decisions for AliExpress buyers whose orders go wrong.

Data flows one way: orders in (``orders``) -> setting (``rules``, ``costs``, ``rates``, ``setting``) ->
deadlines (``deadlines``) -> options (``resolve``) -> one analysis (``analysis``) -> views
(``views``, ``report``, ``cli``). See ARCHITECTURE.md.

Units: days [d] are whole days (a clock's start day is day 0; ``days_left`` = due - today); dates are
``datetime.date`` in the API, ``datetime64`` in tables and ``YYYY-MM-DD`` in files; money is integer
minor units of its currency (columns ending ``_minor``: kopecks, cents; yen for JPY).

Examples
--------
>>> import datetime as dt
>>> import pandas as pd
>>> from aliexp_lib import OrderBook, Setting, analyse
>>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "shipped_at": "2026-01-10"}]))
>>> first = analyse(book, dt.date(2026, 3, 1), Setting.default()).next_actions.loc[0]
>>> first["kind"], str(first["due"].date()), int(first["days_left"]), first["status"]
('tracking_check', '2026-01-20', -40, 'overdue')
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for type checkers; at run time each name is imported on first use (``__getattr__``)
    from aliexp_lib.analysis import Analysis, analyse, analyse_file
    from aliexp_lib.deadlines import compute_deadlines, next_actions
    from aliexp_lib.errors import InputError
    from aliexp_lib.money import Money
    from aliexp_lib.orders import OrderBook, load_orders
    from aliexp_lib.resolve import break_even, rank_options
    from aliexp_lib.rules import Rulebook, load_rulebook
    from aliexp_lib.setting import Setting, build_setting
    from aliexp_lib.tracking import check_tracking

#: Public name -> the module defining it. ``import aliexp_lib`` imports none of them (nor pandas): the
#: command line's ``--help`` and a program that needs one engine start fast.
_HOMES = {
    "Analysis": "analysis",
    "analyse": "analysis",
    "analyse_file": "analysis",
    "compute_deadlines": "deadlines",
    "next_actions": "deadlines",
    "InputError": "errors",
    "Money": "money",
    "OrderBook": "orders",
    "load_orders": "orders",
    "break_even": "resolve",
    "rank_options": "resolve",
    "Rulebook": "rules",
    "load_rulebook": "rules",
    "Setting": "setting",
    "build_setting": "setting",
    "check_tracking": "tracking",
}


def __getattr__(name: str) -> object:
    """``aliexp_lib.analyse`` and ``from aliexp_lib import analyse``: the module is imported on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module 'aliexp_lib' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"aliexp_lib.{_HOMES[name]}"), name)
    globals()[name] = value  # found directly next time
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])


__all__ = [
    "Analysis",
    "InputError",
    "Money",
    "OrderBook",
    "Rulebook",
    "Setting",
    "analyse",
    "analyse_file",
    "break_even",
    "build_setting",
    "check_tracking",
    "compute_deadlines",
    "load_orders",
    "load_rulebook",
    "next_actions",
    "rank_options",
]
