"""One analysis of an order book on a day under one setting: every result the views show.

``analyse(book, today, setting)`` is the only place the engines are run for a view: deadlines,
next actions, the delivery model, the ranked ways out and break-even offers, the checks, cashback,
refunds on their way, money at stake and spend. Each result is computed on first use and kept, so
a command that shows only deadlines runs only the deadline engine, and a report that shows
everything runs each engine once. The command line, the report, the calendar, the notebooks and
the widgets render these results; none of them computes with settings of its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.checks import order_checks
from aliexp_lib.costs import slowest_payout_days
from aliexp_lib.deadlines import compute_deadlines, next_actions
from aliexp_lib.history import DeliveryModel, fit_delivery_model
from aliexp_lib.kinds import STATUSES
from aliexp_lib.orders import load_orders
from aliexp_lib.rates import amounts_in
from aliexp_lib.resolve import rank_with_break_even
from aliexp_lib.risk import cashback
from aliexp_lib.setting import Setting, build_setting
from aliexp_lib.validate import OrderBook

#: Groupings of ``Analysis.spend``.
SPEND_BY = ("month", "store")


@dataclasses.dataclass(frozen=True, eq=False)
class Analysis:
    """The results for ``book`` on ``today`` under ``setting``; each computed once, on first use.

    Money is integer minor units of ``setting.currency`` (columns ending ``_minor``); dates are
    ``datetime64``; ``today`` is the day every status is computed for.
    """

    book: OrderBook
    today: dt.date
    setting: Setting

    @cached_property
    def deadlines(self) -> pd.DataFrame:
        """Every deadline of every order (``deadlines.compute_deadlines``)."""
        return compute_deadlines(self.book, self.today, self.setting.rulebook)

    @cached_property
    def next_actions(self) -> pd.DataFrame:
        """Each order's most urgent open deadline, most urgent first (``deadlines.next_actions``)."""
        return next_actions(self.deadlines)

    @cached_property
    def history(self) -> DeliveryModel:
        """Delivery times per shipping method from the book's delivered orders, prior in force on ``today``."""
        return fit_delivery_model(self.book, rulebook=self.setting.rulebook, on=self.today)

    @cached_property
    def _ranked(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        return rank_with_break_even(self.book, self.today, self.setting, self.history)

    @property
    def options(self) -> pd.DataFrame:
        """Every way out of every problem order, ranked (``resolve.rank_options``)."""
        return self._ranked[0]

    @property
    def break_even(self) -> pd.DataFrame:
        """The smallest partial offer worth taking instead of a return (``resolve.break_even``)."""
        return self._ranked[1]

    @cached_property
    def checks(self) -> pd.DataFrame:
        """Every warning about the book (``checks.order_checks``), words in ``setting.lang``."""
        return order_checks(self.book, self.today, self.setting.thresholds, lang=self.setting.lang)

    @cached_property
    def cashback(self) -> pd.DataFrame:
        """Cashback expected per order and whether it is lost (``risk.cashback``), in the order's currency."""
        return cashback(self.book, self.setting.thresholds, lang=self.setting.lang)

    @cached_property
    def prices(self) -> pd.DataFrame:
        """Per order (book order): ``price_minor`` in the display currency (NA where unknown) and
        ``rate``, the exchange rate used with its date, in words."""
        amounts, rate = amounts_in(
            self.book.table, ("price_minor",), self.setting.currency, self.setting.rates, self.today
        )
        return pd.DataFrame(
            {"order_id": self.book.table["order_id"].to_numpy(), "price_minor": amounts["price_minor"], "rate": rate}
        )

    @cached_property
    def refunds(self) -> pd.DataFrame:
        """Refunds issued by ``today`` and not received: ``order_id``, ``amount_minor`` (the price, in the
        display currency), ``payment_method``, ``expected_by`` and ``late`` (expected_by < today), soonest first.

        expected_by = refund issued + days to leave the platform in force that day (rule 24) + the slow end
        of the payment method's payout time (``data/payout_times.csv``) [d].
        """
        table = self.book.table
        flying = (
            table["refund_issued_at"].notna()
            & table["refund_received_at"].isna()
            & (table["refund_issued_at"] <= pd.Timestamp(self.today))
        ).to_numpy()
        rows = table[flying]
        issued = rows["refund_issued_at"].to_numpy().astype("datetime64[D]")
        payout = slowest_payout_days(rows["payment_method"], self.setting.payout)
        leave = self.setting.rulebook.days("refund_leaves_platform_days", issued)
        expected = issued + (payout + leave).astype("timedelta64[D]")
        out = pd.DataFrame(
            {
                "order_id": rows["order_id"].to_numpy(),
                "amount_minor": self.prices["price_minor"].to_numpy()[flying],
                "payment_method": rows["payment_method"].to_numpy(),
                "expected_by": expected.astype("datetime64[s]"),
                "late": expected < np.datetime64(self.today, "D"),
            }
        )
        return out.iloc[np.argsort(expected, kind="stable")].reset_index(drop=True)

    @cached_property
    def money_at_stake(self) -> pd.DataFrame:
        """What the orders cost (display currency) by the status of each order's most urgent open
        deadline (``done`` where nothing is open): ``status``, ``amount_minor``, ``orders``; every status."""
        status = self.next_actions.set_index("order_id")["status"].astype(str)
        per_order = pd.DataFrame(
            {
                "status": self.book.table["order_id"].map(status).fillna("done").to_numpy(),
                "amount_minor": self.prices["price_minor"].fillna(0).to_numpy(dtype=np.int64),
            }
        )
        sums = per_order.groupby("status")["amount_minor"].agg(["sum", "size"]).reindex(list(STATUSES), fill_value=0)
        return pd.DataFrame(
            {
                "status": list(STATUSES),
                "amount_minor": sums["sum"].to_numpy(dtype=np.int64),
                "orders": sums["size"].to_numpy(dtype=np.int64),
            }
        )

    def spend(self, by: str) -> pd.DataFrame:
        """Money spent per ``by`` (``"month"`` of ordering, ``YYYY-MM``, or ``"store"``): ``spent_minor``
        (display currency) and ``orders``; months in order, stores dearest first. Orders without a price
        are left out."""
        if by not in SPEND_BY:
            raise ValueError(f"by must be one of {SPEND_BY}, not {by!r}")
        return self._spend[by]

    @cached_property
    def _spend(self) -> dict[str, pd.DataFrame]:
        table = self.book.table
        priced = self.prices["price_minor"].notna().to_numpy()
        spent = self.prices["price_minor"].to_numpy()[priced].astype(np.int64)
        keys = {"month": table["ordered_at"].dt.strftime("%Y-%m"), "store": table["store"]}
        out = {}
        for by, key in keys.items():
            grouped = pd.DataFrame({by: key[priced].fillna("").to_numpy(), "spent_minor": spent}).groupby(by, sort=True)
            result = grouped.agg(spent_minor=("spent_minor", "sum"), orders=("spent_minor", "size")).reset_index()
            if by == "store":
                result = result.sort_values("spent_minor", ascending=False, kind="stable")
            out[by] = result.reset_index(drop=True)
        return out


def analyse(book: OrderBook, today: dt.date, setting: Setting) -> Analysis:
    """The analysis of ``book`` on ``today`` [date] under ``setting``; results computed on first use.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib.setting import build_setting
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "shipped_at": "2026-01-10"}]))
    >>> setting = build_setting(user_config=False, set={"protection_days": 75})
    >>> found = analyse(book, dt.date(2026, 3, 1), setting).deadlines
    >>> found.loc[found["kind"] == "protection_ends", "due"].dt.date.tolist()
    [datetime.date(2026, 3, 26)]
    """
    return Analysis(book, today, setting)


def analyse_file(
    orders_path: str | Path, today: dt.date | str, *, fmt: str | None = None, config: str | Path | None = None, **chosen
) -> Analysis:
    """Load ``orders_path`` (``fmt``: its format, ``None`` to detect) and the setting for it
    (``setting.build_setting``: the user's ``aliexp.toml`` files, ``config``, then ``chosen``), and
    analyse it on ``today`` (a date or ``YYYY-MM-DD``). What a notebook's first cell calls."""
    setting = build_setting(orders_path, config or None, **chosen)
    day = today if isinstance(today, dt.date) else dt.date.fromisoformat(today)
    return Analysis(load_orders(orders_path, fmt or None), day, setting)
