"""The resolution chooser: pick a problem order, move the seller's offer, the postage, the value of
keeping the item and of your time; the ranking and the chart follow.

The logic is ``Chooser.recompute`` (plain Python, testable without a browser); ``Chooser.widget``
only lays out ipywidgets around it (``interactive``, so ``.result`` holds the last answer). The
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
from aliexp_lib.resolve import rank_with_break_even
from aliexp_lib.validate import OrderBook
from aliexp_lib.views.figures import options_chart
from aliexp_lib.views.tables import ranking_table

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
            The label is ``order_id · title · problem`` (the problem's display name in ``lang``).

        Examples
        --------
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from aliexp_lib import OrderBook, Setting, analyse
        >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "price": "1500",
        ...     "currency": "RUB", "received_at": "2026-02-01", "problem": "defective", "offer_partial": "500"}]))
        >>> chooser = Chooser(analyse(book, dt.date(2026, 3, 1), Setting.default()))
        >>> chooser.problem_orders()
        [('1 · Lamp · defective', '1')]
        """
        return [
            (f"{oid} · {row['title'].iloc[0]} · {label(row['problem'].iloc[0], self.lang)}", oid)
            for oid, row in self.rows.items()
        ]

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
                f"{html.escape(money_text(answer.break_even, self.currency, self.lang))}</p>"
            )
        return answer.table.to_html(index=False, classes=RANKING_CLASS, escape=True, border=0) + note

    def widget(self):
        """The chooser: a dropdown and four sliders around ``recompute``; returns the ``interactive``.

        Choosing another order moves the offer, postage and value sliders to its ``defaults``. Each
        change shows ``ranking_html`` and the chart (``display``); ``.result`` holds the last ``Answer``.

        Returns
        -------
        ipywidgets.interactive
            Children: the order dropdown, the offer, postage, value and time-rate sliders, the output.

        Examples
        --------
        >>> import datetime as dt
        >>> import pandas as pd
        >>> from aliexp_lib import OrderBook, Setting, analyse
        >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "price": "1500",
        ...     "currency": "RUB", "received_at": "2026-02-01", "problem": "defective", "offer_partial": "500"}]))
        >>> chooser = Chooser(analyse(book, dt.date(2026, 3, 1), Setting.default()))
        >>> import contextlib, io
        >>> with contextlib.redirect_stdout(io.StringIO()):  # outside a notebook, display() prints
        ...     widget = chooser.widget()
        >>> [child.description for child in widget.children[:5]]
        ['Order', "Seller's offer", 'Postage quote', 'Worth to you', 'Your hour']
        >>> widget.result.break_even  # the first order, its own offer, the postage table
        64211
        """
        import ipywidgets as widgets
        from IPython.display import HTML, display

        options = self.problem_orders()
        first = (
            self.defaults(options[0][1])
            if options
            else {
                "offer": 0.0,
                "postage": 0.0,
                "kept": 0.0,
                "price": 0.0,
                "time_rate": float(self.setting.assumptions["time_rate"]),
            }
        )
        top = max(first["price"], 1.0) * 2
        controls = {
            "order_id": widgets.Dropdown(options=options, description=_("Order", self.lang)),
            "offer": widgets.FloatSlider(
                value=first["offer"],
                min=0,
                max=top,
                step=10,
                description=_("Seller's offer", self.lang),
                continuous_update=False,
            ),
            "postage": widgets.FloatSlider(
                value=first["postage"],
                min=0,
                max=5000,
                step=10,
                description=_("Postage quote", self.lang),
                continuous_update=False,
            ),
            "kept": widgets.FloatSlider(
                value=first["kept"],
                min=0,
                max=top,
                step=10,
                description=_("Worth to you", self.lang),
                continuous_update=False,
            ),
            "time_rate": widgets.FloatSlider(
                value=first["time_rate"],
                min=0,
                max=max(2000, first["time_rate"]),
                step=50,
                description=_("Your hour", self.lang),
                continuous_update=False,
            ),
        }

        def show(order_id, offer, postage, kept, time_rate):
            answer = self.recompute(order_id, offer, postage, kept, time_rate)
            display(HTML(self.ranking_html(answer)))
            display(answer.figure)
            return answer

        def follow(change):  # a new order: its own offer, quote and value as the starting point
            values = self.defaults(change["new"])
            for name in ("offer", "kept"):
                controls[name].max = max(values["price"], 1.0) * 2
            for name in ("offer", "postage", "kept"):
                controls[name].value = values[name]

        controls["order_id"].observe(follow, names="value")
        for slider in list(controls.values())[1:]:
            slider.style = {"description_width": "initial"}
        return widgets.interactive(show, **controls)


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
