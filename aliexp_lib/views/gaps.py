"""What we need from you: the dates that would make the deadlines exact, as a table for people.

``missing_table`` renders ``Analysis.missing`` (``aliexp_lib.missing``) for the overview notebook
and the report: most valuable order first, each date with where the order page shows it and its
label as the page says it in English, Russian and German. Nothing here runs an engine.
"""

from __future__ import annotations

import html

import pandas as pd
from IPython.display import HTML, Markdown

from aliexp_lib.analysis import Analysis
from aliexp_lib.i18n import _, localise
from aliexp_lib.money import money_text
from aliexp_lib.views.todo import order_links, page_table


def missing_table(analysis: Analysis) -> pd.DataFrame:
    """The dates each unfinished order still needs, most valuable order first, in ``setting.lang``.

    Parameters
    ----------
    analysis : Analysis
        Its ``missing`` result and ``setting.lang``.

    Returns
    -------
    pandas.DataFrame
        Headings in ``setting.lang``: the order, the date needed, where the page shows it, the
        page's label in English, Russian and German, and the order's price (money text in its own
        currency). Empty when nothing is missing.

    Examples
    --------
    >>> import datetime as dt
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "price": "5", "currency": "USD",
    ...     "ordered_at": "2026-01-05", "status": "shipped"}]))
    >>> table = missing_table(analyse(book, dt.date(2026, 3, 1), Setting.default()))
    >>> list(table.columns)
    ['Order', 'Date needed', 'Where it is shown', 'Label in English', 'Label in Russian', 'Label in German', 'Price']
    >>> table.iloc[0].tolist()[:2], table.iloc[0].tolist()[-2:]
    (['1', 'Shipped'], ['Bestellung versandt', '$5.00'])
    """
    found, lang = analysis.missing, analysis.setting.lang
    table = pd.DataFrame(
        {
            "order_id": found["order_id"].to_numpy(),
            "date_needed": found["label"].to_numpy(),
            "where": found["where"].to_numpy(),
            "page_en": found["page_en"].to_numpy(),
            "page_ru": found["page_ru"].to_numpy(),
            "page_de": found["page_de"].to_numpy(),
            "price": money_text(found["price_minor"], found["currency"].to_numpy(), lang),
        }
    )
    return localise(table, lang)


def missing_view(analysis: Analysis) -> HTML | Markdown:
    """``missing_table`` as a page table (``todo.page_table``: each item with its order number, linked to the
    order's page where the file gives one), or a note that nothing is missing.

    Examples
    --------
    >>> import datetime as dt
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "status": "shipped"}]))
    >>> "Order shipped" in missing_view(analyse(book, dt.date(2026, 3, 1), Setting.default())).data
    True
    >>> many = OrderBook.from_frame(pd.DataFrame([{"order_id": str(i), "status": "shipped"} for i in range(7)]))
    >>> "2 more orders</summary>" in missing_view(analyse(many, dt.date(2026, 3, 1), Setting.default())).data
    True
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "status": "shipped", "shipped_at": "2026-02-01"}]))
    >>> missing_view(analyse(book, dt.date(2026, 3, 1), Setting.default())).data
    'Nothing missing: every date the deadlines need is known.'
    """
    table, lang = missing_table(analysis), analysis.setting.lang
    if table.empty:
        return Markdown(_("Nothing missing: every date the deadlines need is known.", lang))
    titles = analysis.book.table.set_index("order_id")["title"]
    links = order_links(analysis)
    orders = analysis.missing["order_id"]
    first = orders.isin(pd.unique(orders)[:TOP_ORDERS]).to_numpy()  # the most valuable orders in full view
    shown = page_table(table[first], lang, titles=titles, links=links).data
    more = orders[~first].nunique()
    if more:
        summary = html.escape(_("{n} more orders", lang).format(n=more))
        rest = page_table(table[~first], lang, titles=titles, links=links).data
        shown += f"<details><summary>{summary}</summary>{rest}</details>"
    return HTML(shown)


#: Orders whose missing dates are shown unfolded; the rest are folded under one line.
TOP_ORDERS = 5
