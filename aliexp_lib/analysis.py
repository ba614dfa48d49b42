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
from aliexp_lib.deadlines import compute_deadlines, next_actions
from aliexp_lib.history import DeliveryModel, fit_delivery_model
from aliexp_lib.missing import missing_dates
from aliexp_lib.orders import load_orders
from aliexp_lib.parameters import notebook_parameters
from aliexp_lib.rates import amounts_in, missing_rates_note
from aliexp_lib.refund_amounts import refund_or_price
from aliexp_lib.refund_timing import refund_transit_days
from aliexp_lib.resolve import rank_with_break_even
from aliexp_lib.risk import cashback
from aliexp_lib.setting import Setting, build_setting
from aliexp_lib.totals import SPEND_BY, order_prices, spend_tables, stake_by_status
from aliexp_lib.validate import OrderBook


@dataclasses.dataclass(frozen=True, eq=False)
class Analysis:
    """The results for ``book`` on ``today`` under ``setting``; each computed once, on first use.

    Money is integer minor units of ``setting.currency`` (columns ending ``_minor``); dates are
    ``datetime64``; ``today`` is the day every status is computed for. Build it with ``analyse``.

    Parameters
    ----------
    book : OrderBook
        The orders (``validate.OrderBook``).
    today : datetime.date
        The day every status, days-left count and exchange rate is taken for.
    setting : Setting
        Rules, assumptions, rates, postage, payout times, thresholds, display currency, language.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib.setting import Setting
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "store": "Lamps", "price": "1500", "currency": "RUB", "ordered_at": "2026-01-05",
    ...      "shipped_at": "2026-01-10", "problem": "not_received", "cashback_rate": "5"},
    ...     {"order_id": "2", "store": "Cables", "price": "300", "currency": "RUB", "ordered_at": "2026-02-02",
    ...      "shipped_at": "2026-02-03", "received_at": "2026-02-20", "refund_issued_at": "2026-02-25",
    ...      "payment_method": "card"},
    ... ]))
    >>> analysis = Analysis(book, dt.date(2026, 3, 1), Setting.default())
    >>> analysis.deadlines is analysis.deadlines  # computed once, then kept
    True
    >>> analysis.next_actions.loc[:, ["order_id", "kind", "due", "days_left", "status"]]  # tomorrow before missed
      order_id                    kind        due  days_left    status
    0        2  refund_leaves_platform 2026-03-02          1  upcoming
    1        1          tracking_check 2026-01-20        -40   overdue
    >>> analysis.options.loc[:0, ["order_id", "option", "rank", "net_minor", "currency", "likelihood"]]
      order_id               option  rank  net_minor currency  likelihood
    0        1  dispute_full_refund     1     120000      RUB        0.85
    >>> analysis.refunds.loc[:, ["order_id", "amount_minor", "expected_by", "late"]]
      order_id  amount_minor expected_by   late
    0        2         30000  2026-03-17  False
    >>> analysis.money_at_stake["amount_minor"].tolist()  # RUB: overdue, check now, due today, upcoming, expired, done
    [150000, 0, 0, 30000, 0, 0]
    >>> analysis.cashback["expected_minor"].tolist(), analysis.history.pooled.tolist()
    ([7500], [17])
    """

    book: OrderBook
    today: dt.date
    setting: Setting

    @cached_property
    def deadlines(self) -> pd.DataFrame:
        """Every deadline of every order (``deadlines.compute_deadlines``) under ``setting.rulebook``.

        Returns
        -------
        pandas.DataFrame
            One row per order and kind whose clock has started, in book order then lifecycle order:
            ``order_id`` (str), ``kind`` (category), ``due`` (datetime64 [date]), ``days_left``
            (int32 [d], due - today), ``status`` (category of ``kinds.STATUSES``), ``action``
            (category, plain English words), ``rule`` (category, the rulebook ids behind ``due``),
            ``estimated`` (bool) and ``assumption`` (category, plain English; "" where exact).
        """
        return compute_deadlines(self.book, self.today, self.setting.rulebook, self.setting.payout)

    @cached_property
    def next_actions(self) -> pd.DataFrame:
        """Each order's most urgent open deadline, most urgent first (``deadlines.next_actions``).

        Returns
        -------
        pandas.DataFrame
            The columns of ``deadlines``, one row per order with an open (not ``done``) deadline.
        """
        return next_actions(self.deadlines)

    @cached_property
    def history(self) -> DeliveryModel:
        """Delivery times per shipping method from the book's delivered orders, prior in force on ``today``.

        Returns
        -------
        DeliveryModel
            ``history.fit_delivery_model`` on ``book``, with the seller-stated range
            (``estimated_delivery_days``, rule 2) of ``setting.rulebook`` in force on ``today``.
        """
        return fit_delivery_model(self.book, rulebook=self.setting.rulebook, on=self.today)

    @cached_property
    def _ranked(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """``options`` and ``break_even``, computed together (``resolve.rank_with_break_even``)."""
        return rank_with_break_even(self.book, self.today, self.setting, self.history)

    @property
    def options(self) -> pd.DataFrame:
        """Every way out of every problem order, ranked (``resolve.rank_options``), with ``history``.

        Returns
        -------
        pandas.DataFrame
            ``resolve.COLUMNS``, best first within each order: ``order_id`` (str), ``problem`` and
            ``option`` (category), ``rank`` (int64, 1 = best), ``net_minor``, ``net_low_minor``,
            ``net_high_minor`` (int64 [minor units of ``currency``]), ``currency`` (str, the display
            currency), ``money_by`` (datetime64 [date]), ``likelihood`` (float [0-1]), ``reason`` and
            ``risk`` (category, words), ``rate`` (str, the exchange rate used, in words).
        """
        return self._ranked[0]

    @property
    def break_even(self) -> pd.DataFrame:
        """The smallest partial offer worth taking instead of a return (``resolve.break_even``).

        Returns
        -------
        pandas.DataFrame
            ``resolve.BREAK_EVEN_COLUMNS``, one row per problem order with a partial offer and a possible
            return: ``offer_minor``, ``break_even_minor``, ``break_even_low_minor``, ``break_even_high_minor``
            (int64 [minor units of ``currency``]), ``best_if_postage_cheap``, ``best_if_postage_dear``
            (str, option codes), ``flips`` (bool), ``flip_postage_minor`` (Int64 [minor units], NA: no flip).
        """
        return self._ranked[1]

    @cached_property
    def checks(self) -> pd.DataFrame:
        """Every warning about the book (``checks.order_checks``), words in ``setting.lang``.

        Returns
        -------
        pandas.DataFrame
            ``checks.COLUMNS``: ``order_id`` (str), ``check`` (str, a code), ``reason`` (str), ``rule``
            (str); thresholds from ``setting.thresholds``, store ages counted to ``today``.
        """
        return order_checks(self.book, self.today, self.setting.thresholds, lang=self.setting.lang)

    @cached_property
    def cashback(self) -> pd.DataFrame:
        """Cashback expected per order and whether it is lost (``risk.cashback``, rules 34-35).

        Returns
        -------
        pandas.DataFrame
            ``risk.CASHBACK_COLUMNS``, orders with a ``cashback_rate``: ``order_id`` (str), ``expected_minor``
            (Int64 [minor units of ``currency``], the order's own currency), ``currency`` (str), ``lost``
            (bool), ``reason`` (str, in ``setting.lang``).
        """
        return cashback(self.book, self.setting.thresholds, lang=self.setting.lang)

    @cached_property
    def prices(self) -> pd.DataFrame:
        """Each order's price in the display currency at the rates of its order date (else ``today``;
        ``totals.order_prices``).

        Returns
        -------
        pandas.DataFrame
            Per order (book order): ``order_id`` (str), ``price_minor`` (Int64 [minor units of
            ``currency``], NA where unknown), ``currency`` (str: ``setting.currency``, or the
            order's own where no rate is known) and ``rate`` (str, the exchange rate used with its
            date, or the one missing, in words).
        """
        return order_prices(self.book, self.setting, self.today)

    @property
    def destinations(self) -> pd.Series:
        """Each order's country (ISO 3166): the file's, else the setting's ``destination`` (default RU)."""
        given = self.book.table["destination"].fillna("").astype(str)
        return given.where(given != "", self.setting.destination)

    @property
    def missing_rates(self) -> tuple[str, ...]:
        """The currencies of orders whose amounts could not be shown in ``setting.currency`` (no rate)."""
        shown = self.prices["currency"]
        return tuple(sorted(set(shown[shown != self.setting.currency])))

    @property
    def rates_note(self) -> str:
        """The one note naming the missing exchange rates and how to add them ("" when none is missing)."""
        return missing_rates_note(self.missing_rates, self.setting.currency, self.setting.lang)

    @cached_property
    def refunds(self) -> pd.DataFrame:
        """Refunds issued by ``today`` and not received, soonest expected first.

        expected_by = refund issued + ``refund_timing.refund_transit_days`` (rule 24 in force that day + the
        slow end of the payment method's payout time, ``data/payout_times.csv``) [d]: the due of ``refund_overdue``.

        Returns
        -------
        pandas.DataFrame
            ``order_id`` (str), ``amount_minor`` (int64 [minor units of ``setting.currency``], the amount
            recorded in the case log, else the price, at the rates of the refund's date), ``currency`` (str,
            ``setting.currency`` or the order's own where no rate is known), ``payment_method`` (str), ``expected_by``
            (datetime64 [date]) and ``late`` (bool, expected_by < today).
        """
        table = self.book.table
        flying = (
            table["refund_issued_at"].notna()
            & table["refund_received_at"].isna()
            & (table["refund_issued_at"] <= pd.Timestamp(self.today))
        ).to_numpy()
        rows = refund_or_price(table[flying])
        issued = rows["refund_issued_at"].to_numpy().astype("datetime64[D]")
        transit = refund_transit_days(issued, rows["payment_method"], self.setting.rulebook, self.setting.payout)
        expected = issued + transit.astype("timedelta64[D]")
        day = rows["refund_issued_at"]
        amounts, _, shown = amounts_in(
            rows, ("amount_minor",), self.setting.currency, self.setting.rates, self.today, days=day
        )
        out = pd.DataFrame(
            {
                "order_id": rows["order_id"].to_numpy(),
                "amount_minor": amounts["amount_minor"],
                "currency": shown,
                "payment_method": rows["payment_method"].to_numpy(),
                "expected_by": expected.astype("datetime64[s]"),
                "late": expected < np.datetime64(self.today, "D"),
            }
        )
        return out.iloc[np.argsort(expected, kind="stable")].reset_index(drop=True)

    @cached_property
    def missing(self) -> pd.DataFrame:
        """The dates that would make each unfinished order's deadlines exact, most valuable first (``missing``)."""
        return missing_dates(self.book, self.today, self.setting, self.deadlines, self.prices)

    @cached_property
    def money_at_stake(self) -> pd.DataFrame:
        """What the orders cost by the status of each order's most urgent open deadline (``done`` where
        nothing is open and the order's status does not say it is unfinished; ``totals.stake_by_status``),
        per currency: the display currency, then each one without a rate.

        Returns
        -------
        pandas.DataFrame
            One row per currency and status of ``kinds.STATUSES``, in that order: ``status`` (str),
            ``currency`` (str), ``amount_minor`` (int64 [minor units of ``currency``]; an unknown
            price counts 0) and ``orders`` (int64 [orders]).
        """
        shown, expired = [self.setting.currency, *self.missing_rates], self.deadlines.query("status == 'expired'")
        return stake_by_status(self.book, self.next_actions, self.prices, shown, expired["order_id"])

    def spend(self, by: str) -> pd.DataFrame:
        """Money spent per month of ordering or per store; orders without a price are left out.

        Parameters
        ----------
        by : {"month", "store"}
            ``"month"`` of ordering (``YYYY-MM``; ``""`` without ``ordered_at``), months in order, or
            ``"store"``, dearest first.

        Returns
        -------
        pandas.DataFrame
            ``by`` (str), ``currency`` (str: ``setting.currency``, or an order's own where no rate is
            known: one row per currency), ``spent_minor`` (int64 [minor units of ``currency``]) and
            ``orders`` (int64 [orders]).

        Raises
        ------
        ValueError
            If ``by`` is not one of ``SPEND_BY``.

        Examples
        --------
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from aliexp_lib.setting import Setting
        >>> book = OrderBook.from_frame(pd.DataFrame([
        ...     {"order_id": "1", "store": "Lamps", "price": "1500", "currency": "RUB", "ordered_at": "2026-01-05"},
        ...     {"order_id": "2", "store": "Cables", "price": "300", "currency": "RUB", "ordered_at": "2026-02-02"},
        ...     {"order_id": "3", "store": "Cables", "price": "200", "currency": "RUB", "ordered_at": "2026-02-09"},
        ... ]))
        >>> analyse(book, dt.date(2026, 3, 1), Setting.default()).spend("month")
             month currency  spent_minor  orders
        0  2026-01      RUB       150000       1
        1  2026-02      RUB        50000       2
        """
        if by not in SPEND_BY:
            raise ValueError(f"by must be one of {SPEND_BY}, not {by!r}")
        return self._spend[by]

    @cached_property
    def _spend(self) -> dict[str, pd.DataFrame]:
        """``spend`` for every grouping of ``SPEND_BY``, computed together."""
        return spend_tables(self.book, self.prices)


def analyse(book: OrderBook, today: dt.date, setting: Setting) -> Analysis:
    """The analysis of ``book`` on ``today`` [date] under ``setting``; results computed on first use.

    Parameters
    ----------
    book : OrderBook
        The orders.
    today : datetime.date
        The day to compute for.
    setting : Setting
        The one setting of the run (``Setting.default()``, ``setting.build_setting``).

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
    """Load ``orders_path`` and the setting for it, and analyse it on ``today``.

    What a notebook's first cell calls. The setting is built first (``setting.build_setting``: the
    user's ``aliexp.toml`` files, one beside ``orders_path``, ``config``, then ``chosen``), then the
    orders are read (``orders.load_orders``).

    Parameters
    ----------
    orders_path : str or Path
        The order book (.csv or .xlsx) or an export of a known format.
    today : datetime.date or str
        The day to compute for, or its ``YYYY-MM-DD`` text; ``""`` for the local date (the day it runs).
    fmt : str, optional
        The file's format; ``None`` (or ``""``) to detect it from the header.
    config : str or Path, optional
        An ``aliexp.toml`` named explicitly; ``None`` or ``""`` for none.
    **chosen
        Keyword arguments of ``build_setting``: ``user_config`` and the keys of ``Choices``
        (``set``, ``assume``, ``currency``, ``lang``...).

    Returns
    -------
    Analysis

    Raises
    ------
    InputError
        A file that cannot be read, a bad setting, or a bad parameter named with its value
        (``parameters.notebook_parameters``: ``today: '2026-13-45' is not a date (YYYY-MM-DD)``).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> orders = Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = orders.write_text("order_id,shipped_at\\n1,2026-01-10\\n", encoding="utf-8")
    >>> analysis = analyse_file(orders, "2026-03-01", user_config=False, set={"protection_days": 75})
    >>> analysis.today, analysis.deadlines.loc[3, "kind"], analysis.deadlines.loc[3, "due"]  # 75 d after shipment
    (datetime.date(2026, 3, 1), 'protection_ends', Timestamp('2026-03-26 00:00:00'))
    """
    orders_path, day, fmt, config, chosen = notebook_parameters(orders_path, today, fmt, config, chosen)
    setting = build_setting(orders_path, config or None, **chosen)
    return Analysis(load_orders(orders_path, fmt or None, currency=setting.choices.currency), day, setting)
