"""The resolution chooser: pick a problem order, move the seller's offer, the postage, the value of
keeping the item and of your time; the ranking and the chart follow.

The logic is ``Chooser.recompute`` (plain Python, testable without a browser); ``Chooser.widget``
only lays out ipywidgets around it (``views.live``: one output area, ``.result`` the last answer). The
chooser starts from an ``analysis.Analysis``: its setting (rules, costs, assumptions, currency,
language) and its delivery model; a slider changes only the value it names.
"""

from __future__ import annotations

import dataclasses
import html
from decimal import ROUND_HALF_EVEN, Decimal

import pandas as pd

from aliexp_lib.analysis import Analysis
from aliexp_lib.i18n import _, label
from aliexp_lib.money import minor_digits, money_text
from aliexp_lib.options import APPLIES_TO
from aliexp_lib.parameters import analysis_parameter
from aliexp_lib.resolve import rank_with_break_even
from aliexp_lib.validate import OrderBook
from aliexp_lib.views.figures import options_chart
from aliexp_lib.views.html_cells import table_html
from aliexp_lib.views.live import chooser_widget
from aliexp_lib.views.tables import ranking_table
from aliexp_lib.views.widgets import order_choices

#: CSS class of the ranking table, for people styling it and for the browser test.
RANKING_CLASS = "aliexp-ranking"


@dataclasses.dataclass
class Answer:
    """One recomputation: the ranked options (engine table), the table and chart to show, and the
    smallest offer worth taking instead of a return, in minor units of the display currency.

    Attributes
    ----------
    ranking : pandas.DataFrame
        ``resolve.COLUMNS`` for the order, best first; money in minor units of the display currency.
    table : pandas.DataFrame
        ``views.tables.ranking_table`` of ``ranking``, for people.
    figure : plotly.graph_objects.Figure
        ``views.figures.options_chart`` of ``ranking``.
    break_even : int [minor units of the display currency] or None
        None where there is no partial offer or no possible return (or no order).

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> empty = OrderBook.from_frame(pd.DataFrame([{"order_id": "1"}]))
    >>> answer = Chooser(analyse(empty, dt.date(2026, 3, 1), Setting.default())).recompute(None, 0, 0, 0, 0)
    >>> len(answer.ranking), answer.break_even
    (0, None)
    """

    ranking: pd.DataFrame
    table: pd.DataFrame
    figure: object
    break_even: int | None


class Chooser:
    """The resolution chooser of an analysis: everything that does not change while the sliders move
    is prepared once, here.

    Parameters
    ----------
    analysis : Analysis
        Its book, day, setting (currency, language, assumptions) and delivery model (``history``).

    Attributes
    ----------
    book, today, setting, lang, currency, history
        Taken from ``analysis``.
    rows : dict of str to pandas.DataFrame
        Each problem order's row of ``book.table``, by ``order_id``, in book order.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "price": "1500",
    ...     "currency": "RUB", "received_at": "2026-02-01", "problem": "defective", "offer_partial": "500"}]))
    >>> chooser = Chooser(analyse(book, dt.date(2026, 3, 1), Setting.default()))
    >>> list(chooser.rows)
    ['1']
    """

    def __init__(self, analysis: Analysis):
        analysis = analysis_parameter("analysis", analysis, Analysis)  # None (the first cell failed): say so, by name
        self.book, self.today, self.setting = analysis.book, analysis.today, analysis.setting
        self.lang, self.currency = self.setting.lang, self.setting.currency
        self.history = analysis.history
        problems = self.book.table[self.book.table["problem"] != ""]
        self.rows = {
            order_id: problems.loc[[i]] for i, order_id in zip(problems.index, problems["order_id"], strict=True)
        }

    def problem_orders(self) -> list[tuple[str, str]]:
        """(label, order_id) for each problem order, for a dropdown.

        Returns
        -------
        list of (str, str)
            The label is ``title · order_id · problem`` (the problem's display name in ``lang``).

        Examples
        --------
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from aliexp_lib import OrderBook, Setting, analyse
        >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "price": "1500",
        ...     "currency": "RUB", "received_at": "2026-02-01", "problem": "defective", "offer_partial": "500"}]))
        >>> chooser = Chooser(analyse(book, dt.date(2026, 3, 1), Setting.default()))
        >>> chooser.problem_orders()
        [('Lamp · 1 · defective', '1')]
        """
        titles = dict((oid, text) for text, oid in order_choices(self.book.table))
        return [(f"{titles[oid]} · {label(row['problem'].iloc[0], self.lang)}", oid) for oid, row in self.rows.items()]

    def defaults(self, order_id: str) -> dict[str, float]:
        """Starting slider values from the order: offer, postage quote, value kept (order currency), time rate.

        Parameters
        ----------
        order_id : str
            A problem order (a key of ``rows``).

        Returns
        -------
        dict of str to float
            ``offer``, ``postage``, ``kept`` and ``price`` [order currency units; 0.0 where unknown] and
            ``time_rate`` [RUB per hour] (the assumption ``time_rate``).

        Raises
        ------
        KeyError
            If ``order_id`` is not a problem order.

        Examples
        --------
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from aliexp_lib import OrderBook, Setting, analyse
        >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "price": "1500",
        ...     "currency": "RUB", "received_at": "2026-02-01", "problem": "defective", "offer_partial": "500"}]))
        >>> chooser = Chooser(analyse(book, dt.date(2026, 3, 1), Setting.default()))
        >>> chooser.defaults("1")
        {'offer': 500.0, 'postage': 0.0, 'kept': 0.0, 'time_rate': 0.0, 'price': 1500.0}
        """
        row = self.rows[order_id].iloc[0]
        scale = 10 ** minor_digits(row["currency"] if pd.notna(row["currency"]) else self.currency)

        def amount(column, default=0.0):
            return float(row[column]) / scale if pd.notna(row[column]) else default

        return {
            "offer": amount("offer_partial_minor"),
            "postage": amount("postage_quote_minor"),
            "kept": amount("value_if_kept_minor"),
            "time_rate": float(self.setting.assumptions["time_rate"]),
            "price": amount("price_minor"),
        }

    def recompute(self, order_id: str | None, offer: float, postage: float, kept: float, time_rate: float) -> Answer:
        """Rank the ways out of ``order_id`` with the given offer, postage quote (0 = use the postage
        table), value of keeping it (order currency) and time rate (RUB per hour). No order (an
        order book without problems) gives an empty answer.

        Parameters
        ----------
        order_id : str or None
            A problem order (a key of ``rows``), or None for none.
        offer : float [order currency units]
            The seller's partial offer; 0 for none.
        postage : float [order currency units]
            The return postage quote; 0 to use the postage table.
        kept : float [order currency units]
            What keeping the item is worth to the buyer.
        time_rate : float [RUB per hour]
            The value of the buyer's time; replaces the assumption ``time_rate``.

        Returns
        -------
        Answer
            Money in minor units of the display currency; amounts typed are taken exactly as the
            decimals the sliders show (``_minor``).

        Examples
        --------
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from aliexp_lib import OrderBook, Setting, analyse
        >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "price": "1500",
        ...     "currency": "RUB", "received_at": "2026-02-01", "problem": "defective", "offer_partial": "500"}]))
        >>> chooser = Chooser(analyse(book, dt.date(2026, 3, 1), Setting.default()))
        >>> answer = chooser.recompute("1", offer=500.0, postage=400.0, kept=0.0, time_rate=300.0)
        >>> answer.ranking.loc[:, ["option", "rank", "net_minor"]].head(2), answer.break_even
        (                option  rank  net_minor
        0  dispute_full_refund     1      60000
        1  partial_refund_keep     2      40000, 35263)
        """
        if order_id is None:
            empty = rank_with_break_even(OrderBook(self.book.table.iloc[:0]), self.today, self.setting, self.history)[0]
            return Answer(empty, ranking_table(empty, self.lang), options_chart(empty, self.lang), None)
        row = self.rows[order_id].copy()
        code = row["currency"].iloc[0] if pd.notna(row["currency"].iloc[0]) else self.currency
        row["offer_partial_minor"] = pd.array([_minor(offer, code)] if offer > 0 else [pd.NA], dtype="Int64")
        row["postage_quote_minor"] = pd.array([_minor(postage, code)] if postage > 0 else [pd.NA], dtype="Int64")
        row["value_if_kept_minor"] = pd.array([_minor(kept, code)], dtype="Int64")
        setting = dataclasses.replace(self.setting, assumptions=_with(self.setting.assumptions, time_rate=time_rate))
        book = OrderBook(row.reset_index(drop=True), self.book.source)
        ranking, even = rank_with_break_even(book, self.today, setting, self.history)
        offer_at = None
        if len(even) and pd.notna(even["break_even_minor"].iloc[0]):
            offer_at = int(even["break_even_minor"].iloc[0])
        return Answer(ranking, ranking_table(ranking, self.lang), options_chart(ranking, self.lang, offer_at), offer_at)

    def ranking_html(self, answer: Answer) -> str:
        """The ranking as an HTML table (text escaped), best first.

        Parameters
        ----------
        answer : Answer
            A ``recompute`` result.

        Returns
        -------
        str
            A ``<table>`` of class ``RANKING_CLASS``, then the break-even offer as a paragraph if there is one.

        Examples
        --------
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from aliexp_lib import OrderBook, Setting, analyse
        >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "price": "1500",
        ...     "currency": "RUB", "received_at": "2026-02-01", "problem": "defective", "offer_partial": "500"}]))
        >>> chooser = Chooser(analyse(book, dt.date(2026, 3, 1), Setting.default()))
        >>> page = chooser.ranking_html(chooser.recompute("1", 500.0, 400.0, 0.0, 300.0))
        >>> page.startswith('<table class="dataframe aliexp-ranking">'), page.endswith("RUB352.63</p>")
        (True, True)
        """
        note = ""
        if answer.break_even is not None:
            note = (
                f"<p>{html.escape(_('Smallest offer worth taking instead of a return', self.lang))}: "
                f"{html.escape(money_text(answer.break_even, _shown_in(answer, self.currency), self.lang))}</p>"
            )
        return table_html(answer.table, RANKING_CLASS) + note

    def break_even_line(self, order_id: str | None, answer: Answer) -> str:
        """The break-even offer in one sentence for people, or why there is none for this order.

        Parameters
        ----------
        order_id : str or None
            The order ``answer`` is for.
        answer : Answer
            A ``recompute`` result.

        Returns
        -------
        str
            Plain text in ``lang``; "" for no order.

        Examples
        --------
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from aliexp_lib import OrderBook, Setting, analyse
        >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "price": "1500",
        ...     "currency": "RUB", "received_at": "2026-02-01", "problem": "defective"}]))
        >>> chooser = Chooser(analyse(book, dt.date(2026, 3, 1), Setting.default()))
        >>> chooser.break_even_line("1", chooser.recompute("1", 0, 0, 0, 0))
        'No offer from the seller yet: move the offer to see from which amount keeping the item beats a return'
        """
        if order_id is None:
            return ""
        if answer.break_even is not None and answer.break_even <= 0:
            return _("Any offer from the seller is worth more than a return here", self.lang)
        if answer.break_even is not None:
            offer = money_text(answer.break_even, _shown_in(answer, self.currency), self.lang)
            return f"{_('Smallest offer worth taking instead of a return', self.lang)}: {offer}"
        problem = self.rows[order_id]["problem"].iloc[0]
        if problem not in APPLIES_TO["partial_refund_keep"]:
            return _("No partial refund for this problem, so no break-even offer", self.lang)
        options = set(answer.ranking["option"].astype(str))
        if "return_for_refund" not in options:
            return _("No return possible for this order, so no break-even offer", self.lang)
        if "partial_refund_keep" not in options:
            return _(
                "No offer from the seller yet: move the offer to see from which amount keeping the item beats a return",
                self.lang,
            )
        return ""

    def widget(self):
        """The chooser: a dropdown, four sliders in the order's currency and one output area
        (``views.live.chooser_widget``).

        Returns
        -------
        ipywidgets.VBox
            Children: the order dropdown, the offer, postage, value and time-rate sliders, the output
            area; ``.result`` holds the last ``Answer``.

        Examples
        --------
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from aliexp_lib import OrderBook, Setting, analyse
        >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "price": "1500",
        ...     "currency": "RUB", "received_at": "2026-02-01", "problem": "defective", "offer_partial": "500"}]))
        >>> widget = Chooser(analyse(book, dt.date(2026, 3, 1), Setting.default())).widget()
        >>> [child.description for child in widget.children[:5]]
        ['Order', "Seller's offer (RUB)", 'Postage quote (RUB)', 'Worth to you (RUB)', 'Your hour (RUB)']
        >>> widget.result.break_even  # the first order, its own offer, the postage table
        64211
        """
        return chooser_widget(self)


def _shown_in(answer: Answer, display: str) -> str:
    """The currency of ``answer``'s money: the display one, or the order's own where no rate is known."""
    return str(answer.ranking["currency"].iloc[0]) if len(answer.ranking) else display


def _minor(value: float, currency: str) -> int:
    """A slider's value (``currency`` units) as whole minor units, exactly: the decimal the slider
    shows (the float's shortest text), scaled by the currency's digits, half-even."""
    exact = Decimal(repr(float(value))).scaleb(minor_digits(currency))
    return int(exact.to_integral_value(rounding=ROUND_HALF_EVEN))


def _with(assumptions, **changes):
    """``assumptions`` with ``changes`` (floats, read as the decimals they show) on top, marked changed."""
    values = dict(assumptions.values)
    values.update({k: Decimal(repr(float(v))) for k, v in changes.items()})
    return dataclasses.replace(assumptions, values=values, changed=assumptions.changed | frozenset(changes))
