"""Plotly figures: built here, shown by one call in a notebook or the report.

Each takes an ``analysis.Analysis`` and draws its results (words in the setting's language, money
in its display currency); none runs an engine of its own. Figures are deterministic for fixed
inputs (no random ids in their JSON), so notebooks that store them can be compared. Every text
from the user's data (order ids, titles, currencies) passes through ``plot_text.plot_text`` before it
enters a figure, so plotly shows it as typed instead of reading its ``<a href>`` or ``<b>`` as markup.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from babel.dates import format_date as babel_date

from aliexp_lib.analysis import Analysis
from aliexp_lib.i18n import _, format_date, label
from aliexp_lib.kinds import CLOSED
from aliexp_lib.money import minor_digits, money_text
from aliexp_lib.views.plot_text import plot_text

#: A plain look, set directly: plotly's named templates are deep-copied on every figure (slow).
LOOK = {"template": None, "plot_bgcolor": "white", "paper_bgcolor": "white", "font": {"family": "sans-serif"}}
#: Colour of each deadline status (``kinds.STATUSES``).
STATUS_COLOURS = {
    "overdue": "#c0392b",
    "check_now": "#8e44ad",
    "due_today": "#e67e22",
    "upcoming": "#2e86c1",
    "expired": "#bdc3c7",
    "done": "#95a5a6",
}
#: Orders shown at most on the timeline: the most urgent ones.
TIMELINE_ORDERS = 40


def timeline(analysis: Analysis, limit: int = TIMELINE_ORDERS) -> go.Figure:
    """One row per order (the ``limit`` most urgent), labelled by its item (the order number in the
    hover): a bar from shipment to the end of protection, a mark per open deadline coloured by
    status, and today as a vertical line.

    Parameters
    ----------
    analysis : Analysis
        Its ``deadlines``, ``next_actions`` and ``today``; words in ``setting.lang``.
    limit : int [orders], default ``TIMELINE_ORDERS``
        The most urgent orders (``Analysis.next_actions``) shown, most urgent at the top.

    Returns
    -------
    plotly.graph_objects.Figure
        A bar trace (buyer protection), then one marker trace per open status: overdue, due today, upcoming.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "shipped_at": "2026-01-10"}]))
    >>> figure = timeline(analyse(book, dt.date(2026, 3, 1), Setting.default()))
    >>> [trace.name for trace in figure.data], figure.data[0].base
    (['Buyer protection', 'overdue', 'due today', 'upcoming'], ('2026-01-10',))
    """
    book, today, lang = analysis.book, analysis.today, analysis.setting.lang
    deadlines = analysis.deadlines
    urgent = analysis.next_actions["order_id"].head(limit)
    rows = deadlines[deadlines["order_id"].isin(set(urgent)) & ~deadlines["status"].isin(CLOSED)]
    order = list(urgent)[::-1]  # most urgent at the top
    ends = deadlines[deadlines["kind"] == "protection_ends"].set_index("order_id")["due"]
    shipped = book.table.set_index("order_id")["shipped_at"]
    names = _item_names(book.table.set_index("order_id")["title"], order)
    figure = go.Figure()
    span = [o for o in order if o in ends.index and pd.notna(shipped.get(o))]
    figure.add_trace(
        go.Bar(
            y=[names[o] for o in span],
            x=[(ends[o] - shipped[o]) / pd.Timedelta(milliseconds=1) for o in span],
            base=[shipped[o].strftime("%Y-%m-%d") for o in span],
            orientation="h",
            marker_color="rgba(46,134,193,0.18)",
            name=_("Buyer protection", lang),
            hoverinfo="skip",
        )
    )
    for status in ("overdue", "due_today", "upcoming"):
        part = rows[rows["status"] == status]
        figure.add_trace(
            go.Scatter(
                x=part["due"].dt.strftime("%Y-%m-%d"),
                y=[names[o] for o in part["order_id"]],
                mode="markers",
                marker={"color": STATUS_COLOURS[status], "size": 10, "symbol": "diamond"},
                name=label(status, lang),
                text=[label(k, lang) for k in part["kind"]],
                customdata=[_("order {id}", lang).format(id=o) for o in plot_text(part["order_id"])],
                hovertext=[format_date(d, lang) for d in part["due"]],  # plotly.js names months in English only
                hovertemplate="%{y}<br>%{customdata}<br>%{text}<br>%{hovertext}<extra></extra>",
            )
        )
    figure.add_vline(x=pd.Timestamp(today).timestamp() * 1000, line_dash="dash", line_color="#333")
    figure.add_annotation(x=today.isoformat(), y=1.02, yref="paper", text=_("today", lang), showarrow=False)
    days = pd.concat([shipped.reindex(span), ends.reindex(span), rows["due"], pd.Series([pd.Timestamp(today)])])
    figure.update_layout(
        title=_("Every clock of the most urgent orders", lang),
        xaxis=date_ticks(days.min(), days.max(), lang),
        barmode="overlay",
        yaxis={
            "categoryorder": "array",
            "categoryarray": [names[o] for o in order],
            "type": "category",
            "automargin": True,
        },
        height=max(300, 24 * len(order) + 120),
        legend={"orientation": "h"},
        **LOOK,
    )
    return figure


def _item_names(titles: pd.Series, orders: list[str]) -> dict[str, str]:
    """Each order's label on an axis: its item title, cut to 30 characters; the end of the order
    number added where two orders would share a label (or the number alone without a title); as
    text for plotly (``plot_text``), cut before it is escaped so no entity is cut in half."""
    short = {o: str(titles.get(o, "") or "")[:30] or o for o in orders}
    counts = pd.Series(list(short.values())).value_counts()
    shown = [f"{t} (…{o[-4:]})" if counts[t] > 1 else t for o, t in short.items()]
    return dict(zip(short, plot_text(shown), strict=True))


def money_at_stake(analysis: Analysis) -> go.Figure:
    """What the orders cost, grouped by the status of each order's most urgent deadline
    (``Analysis.money_at_stake``).

    Parameters
    ----------
    analysis : Analysis
        Money in ``setting.currency``, words in ``setting.lang``.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar per status and currency (``check_now`` and ``expired`` only where an order is in it; status colours for
        one currency, a colour per currency for several); heights in currency units, labels as money text.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "price": "1500", "currency": "RUB",
    ...     "shipped_at": "2026-01-10"}]))
    >>> bars = money_at_stake(analyse(book, dt.date(2026, 3, 1), Setting.default())).data[0]
    >>> list(bars.x), list(bars.text)
    (['overdue', 'due today', 'upcoming', 'done'], ['RUB1,500.00', 'RUB0.00', 'RUB0.00', 'RUB0.00'])
    """
    lang = analysis.setting.lang
    stake = analysis.money_at_stake
    rare = stake["status"].isin(["check_now", "expired"])
    stake = stake[~rare | (stake["orders"] > 0)]  # a bar for estimates or expired windows only where there are
    counted = stake.groupby("currency", sort=False)["orders"].transform("sum") > 0
    if counted.any():  # a currency no order is shown in is left out (the display one when none converts)
        stake = stake[counted.to_numpy()]
    several = stake["currency"].nunique() > 1
    figure = go.Figure()
    for currency, sums in stake.groupby("currency", sort=False):  # one set of bars per currency, never added up
        amounts = sums["amount_minor"].to_numpy() / 10 ** minor_digits(currency)  # plotly plots floats
        figure.add_bar(
            x=[label(s, lang) for s in sums["status"]],
            y=amounts,
            name=plot_text(str(currency)),
            marker_color=None if several else [STATUS_COLOURS[s] for s in sums["status"]],  # several: one per currency
            text=plot_text(money_text(sums["amount_minor"].to_numpy(dtype=np.int64), currency, lang)),
            textposition="outside",
        )
    currencies = list(pd.unique(stake["currency"]))
    figure.update_layout(
        title=_("Money at stake by status", lang),
        yaxis_title=", ".join(plot_text(currencies)),
        showlegend=len(currencies) > 1,
    )
    figure.update_layout(**LOOK)
    return figure


def options_chart(ranking: pd.DataFrame, lang: str, break_even_offer: int | None = None) -> go.Figure:
    """Net money per way out (bars, in currency units), with the range of each cost as error bars;
    the break-even offer (minor units of the ranking's currency), if given, said above the chart,
    and a line at the return's net, the net a partial refund must beat.

    Parameters
    ----------
    ranking : pandas.DataFrame
        The ranked options of one order (``resolve.COLUMNS``), money in minor units of its ``currency``.
    lang : {"en", "ru"}
    break_even_offer : int [minor units of currency], optional
        The smallest offer worth taking instead of a return (``Analysis.break_even``).

    Returns
    -------
    plotly.graph_objects.Figure
        Horizontal bars, best option at the top (highlighted); x in currency units.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "price": "1500", "currency": "RUB",
    ...     "received_at": "2026-02-01", "problem": "defective", "offer_partial": "500", "postage_quote": "400"}]))
    >>> analysis = analyse(book, dt.date(2026, 3, 1), Setting.default())
    >>> figure = options_chart(analysis.options, "en", int(analysis.break_even.loc[0, "break_even_minor"]))
    >>> figure.data[0].y[-1], figure.layout.annotations[0].text
    ('Return it for a refund', 'Smallest offer worth taking instead of a return: RUB905.26')
    """
    currency = ranking["currency"].iloc[0] if len(ranking) else "RUB"
    scale = 10 ** minor_digits(currency)
    net = ranking["net_minor"].to_numpy() / scale
    figure = go.Figure(
        go.Bar(
            y=[label(o, lang) for o in ranking["option"]][::-1],
            x=net[::-1],
            orientation="h",
            error_x={
                "type": "data",
                "symmetric": False,
                "array": (ranking["net_high_minor"].to_numpy() / scale - net)[::-1],
                "arrayminus": (net - ranking["net_low_minor"].to_numpy() / scale)[::-1],
            },
            marker_color=["#2e86c1" if r == 1 else "#aab7c4" for r in ranking["rank"]][::-1],
        )
    )
    if break_even_offer is not None:
        figure.add_annotation(
            xref="paper",
            x=1,
            yref="paper",
            y=1.08,
            showarrow=False,
            text=f"{_('Smallest offer worth taking instead of a return', lang)}: "
            f"{plot_text(money_text(break_even_offer, currency, lang))}",
        )
        returned = ranking.loc[ranking["option"] == "return_for_refund", "net_minor"]
        if len(returned):
            figure.add_vline(x=returned.iloc[0] / scale, line_dash="dot", line_color="#c0392b")
    figure.update_layout(
        title=_("Net money per way out", lang),
        xaxis_title=plot_text(str(currency)),
        **LOOK,
        height=320,
        margin={"l": 220},
    )
    return figure


def spend_chart(analysis: Analysis) -> go.Figure:
    """Money spent per month of ordering (``Analysis.spend``), in the display currency.

    Parameters
    ----------
    analysis : Analysis
        Money in ``setting.currency``, title in ``setting.lang``.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar per month (``YYYY-MM``); heights in currency units [``setting.currency``].

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "price": "1500.50", "currency": "RUB",
    ...     "ordered_at": "2026-01-05"}]))
    >>> bars = spend_chart(analyse(book, dt.date(2026, 3, 1), Setting.default())).data[0]
    >>> list(bars.x), [float(y) for y in bars.y]
    (['2026-01'], [1500.5])
    """
    lang = analysis.setting.lang
    spent = analysis.spend("month")
    figure = go.Figure()
    for currency, rows in spent.groupby("currency", sort=False):  # one set of bars per currency, never added up
        units = rows["spent_minor"].to_numpy(dtype=np.int64) / 10 ** minor_digits(currency)  # plotly plots floats
        figure.add_bar(x=rows["month"], y=units, name=plot_text(str(currency)))
    currencies = list(pd.unique(spent["currency"])) or [analysis.setting.currency]
    # months as categories: on a date axis each bar sits on the 1st, half a month off its label
    months = pd.unique(spent["month"])
    figure.update_layout(
        title=_("Spend by month", lang),
        yaxis_title=", ".join(plot_text(currencies)),
        xaxis={"type": "category", "tickvals": months, "ticktext": [month_name(m, lang) for m in months]},
        **LOOK,
    )
    figure.update_layout(showlegend=len(currencies) > 1)
    return figure


def month_name(month: str, lang: str) -> str:
    """A month ``YYYY-MM`` in words for ``lang`` (Babel's CLDR names): "January 2026" / "январь 2026".

    ``""`` (orders without an order date, ``Analysis.spend``) is said as such.

    Examples
    --------
    >>> month_name("2026-01", "en"), month_name("2026-03", "ru"), month_name("", "en")
    ('January 2026', 'март 2026', 'no order date')
    """
    if not month:
        return _("no order date", lang)
    return babel_date(dt.date.fromisoformat(f"{month}-01"), "LLLL y", locale=lang)


def date_ticks(first, last, lang: str) -> dict:
    """A date axis from ``first`` to ``last`` with its ticks named in ``lang``: the 1st and the 15th of each
    month, "1 Mar" / "1 мар." (plotly.js would name the months in English), the year on the first tick and on 1 January.

    Examples
    --------
    >>> axis = date_ticks(pd.Timestamp("2026-02-20"), pd.Timestamp("2026-03-20"), "ru")
    >>> axis["tickvals"], axis["ticktext"]
    (['2026-03-01', '2026-03-15'], ['1 мар. 2026', '15 мар.'])
    >>> date_ticks(pd.Timestamp("2026-03-02"), pd.Timestamp("2026-03-12"), "en")["ticktext"]
    ['2 Mar 2026', '9 Mar']
    """
    if pd.isna(first) or pd.isna(last):
        return {"type": "date"}
    starts = pd.date_range(pd.Timestamp(first).to_period("M").start_time, last, freq="MS")
    ticks = sorted(d for d in (*starts, *(starts + pd.Timedelta(days=14))) if first <= d <= last)
    if len(ticks) < 2:  # a short span: a tick a week
        ticks = list(pd.date_range(pd.Timestamp(first).normalize(), last, freq="7D"))
    yearly = [i == 0 or (d.month, d.day) == (1, 1) for i, d in enumerate(ticks)]  # the year where it starts
    text = [babel_date(d.date(), "d MMM y" if y else "d MMM", locale=lang) for d, y in zip(ticks, yearly, strict=True)]
    return {"type": "date", "tickvals": [d.strftime("%Y-%m-%d") for d in ticks], "ticktext": text}
