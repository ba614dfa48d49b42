"""Where each problem order already is, for the ranking: a return accepted or posted, tracking that
gives no reason to wait, protection over. One pass over whole columns, none per order.

The states (``SITUATIONS``), each with the rule it follows:

- ``return_accepted``: the seller gave the return address (``return_address_at``) and nothing is
  posted yet: post it back within ``return_ship_days`` or give the refund up (rule 20, seed L344-354).
- ``return_posted``: the return is posted (``return_shipped_at``): wait for its refund, at the
  latest ``return_refund_days`` after posting (rule 21, seed L356-358).
- ``tracking_bad``: the tracking number fails its check (rule 29, seed L179-183).
- ``tracking_shared``: the number is also on an order of another store, not all Saver Shipping (rule 29).
- ``tracking_stalled``: the tracking has not changed for ``tracking_stalled_days`` (rule 6, seed L69).
- ``saver_delivered``: a Saver Shipping parcel marked received that did not reach the buyer (rule 30, seed L79-85).

The first that holds is the order's ``code`` (position in ``SITUATIONS``, -1 for none).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from aliexp_lib.cases import Case
from aliexp_lib.estimates import day_numbers
from aliexp_lib.options import SITUATIONS, problem_codes
from aliexp_lib.rules import Rulebook
from aliexp_lib.tracking import _normalise, check_tracking
from aliexp_lib.validate import OrderBook

#: The states in which waiting for the parcel is not advised.
NO_WAIT = ("tracking_bad", "tracking_shared", "tracking_stalled", "saver_delivered")


@dataclasses.dataclass(frozen=True)
class Situation:
    """Per problem order (as ``Case``): its state and the days it depends on.

    Attributes
    ----------
    code : numpy.ndarray of int
        Position in ``SITUATIONS``; -1 where none holds.
    post_by : numpy.ndarray of int64 [d since 1970-01-01]
        Last day to post an accepted return (0 where no address is given).
    posted_day : numpy.ndarray of int64 [d since 1970-01-01]
        Day the return was posted (0 where not posted).
    """

    code: np.ndarray
    post_by: np.ndarray
    posted_day: np.ndarray

    def is_(self, *names: str) -> np.ndarray:
        """Where the state is one of ``names``."""
        return np.isin(self.code, [SITUATIONS.index(n) for n in names])


def build_situation(book: OrderBook, case: Case, rules: Rulebook) -> Situation:
    """The state of every order of ``case`` on its ``today_day``.

    Parameters
    ----------
    book : OrderBook
        The book ``case`` was built from.
    case : Case
    rules : Rulebook
        ``return_ship_days`` and ``tracking_stalled_days`` are read, the entry in force on the day each clock starts.

    Returns
    -------
    Situation

    Examples
    --------
    >>> import datetime as dt
    >>> from aliexp_lib.cases import build_case
    >>> from aliexp_lib.setting import Setting
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "A", "price": "10", "currency": "RUB", "shipped_at": "2026-01-10", "problem": "defective",
    ...      "received_at": "2026-02-01", "dispute_opened_at": "2026-02-02", "return_address_at": "2026-02-05"},
    ...     {"order_id": "B", "price": "10", "currency": "RUB", "shipped_at": "2026-01-10", "problem": "not_received",
    ...      "last_tracking_update_at": "2026-01-20", "tracking_number": "RB123456785GB"},
    ... ]))
    >>> setting = Setting.default()
    >>> situation = build_situation(book, build_case(book, dt.date(2026, 2, 10), setting), setting.rulebook)
    >>> [SITUATIONS[c] for c in situation.code], situation.post_by[:1].astype("datetime64[D]")
    (['return_accepted', 'tracking_stalled'], array(['2026-02-15'], dtype='datetime64[D]'))
    """
    sub = book.table.iloc[case.rows]
    today = np.int32(case.today_day)
    day, happened = {}, {}
    for column in ("return_address_at", "return_shipped_at", "last_tracking_update_at", "received_at"):
        day[column], happened[column] = day_numbers(sub[column], today)
    day = {k: v.astype(np.int64) for k, v in day.items()}
    posted = happened["return_shipped_at"]
    accepted = happened["return_address_at"] & ~posted & ~case.refunded
    post_by = np.where(happened["return_address_at"], rules.clock("return_ship_days", day["return_address_at"]), 0)

    waiting = (case.problem_code == problem_codes(("not_received",))[0]) & ~case.refunded
    number = sub["tracking_number"].fillna("").astype(str)
    has_number = (number.str.strip() != "").to_numpy()
    bad = np.zeros(len(sub), dtype=bool)
    if has_number.any():
        bad[has_number] = ~check_tracking(number[has_number])["valid"].to_numpy(dtype=bool)
    stalled = happened["last_tracking_update_at"] & (
        rules.clock("tracking_stalled_days", day["last_tracking_update_at"]) <= case.today_day
    )
    saver = sub["shipping_method"].fillna("").astype(str).str.contains("saver", case=False).to_numpy()
    states = (
        posted & ~case.refunded,
        accepted,
        waiting & bad,
        waiting & _shared_with_other_store(book)[case.rows],
        waiting & stalled,
        waiting & saver & happened["received_at"],
    )
    code = np.select(states, np.arange(len(SITUATIONS)), default=-1)
    return Situation(code, post_by, np.where(posted, day["return_shipped_at"], 0))


def _shared_with_other_store(book: OrderBook) -> np.ndarray:
    """Per order of the book: its tracking number is also on an order of another store, and not all of them
    went by Saver Shipping (whose bags carry one number, rule 30)."""
    table = book.table
    key = _normalise(table["tracking_number"])
    frame = pd.DataFrame(
        {
            "key": key.to_numpy(),
            "store": table["store"].fillna("").astype(str).to_numpy(),
            "saver": table["shipping_method"].fillna("").astype(str).str.contains("saver", case=False).to_numpy(),
        }
    )
    groups = frame.groupby("key")
    stores = groups["store"].transform("nunique")
    all_saver = groups["saver"].transform("all")
    count = groups["key"].transform("size")
    same_store = (stores == 1) & (frame["store"] != "")
    return ((frame["key"] != "") & (count > 1) & ~same_store & ~all_saver).to_numpy(dtype=bool)
