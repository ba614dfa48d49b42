"""Widgets that own what they show: each keeps one output area and redraws it on every change, so a
notebook never needs a cell re-run (the tracking checker, the overview page with its case-log form,
the chooser's sliders).

An output area is filled by setting its ``outputs`` (``show``), not by printing into it: the page
updates through the widget's state, the same in JupyterLab, Voilà and a test without a kernel.
"""

from __future__ import annotations

import html as markup
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from aliexp_lib.analysis import Analysis, analyse
from aliexp_lib.i18n import _
from aliexp_lib.money import minor_digits
from aliexp_lib.options import APPLIES_TO
from aliexp_lib.orders import load_orders
from aliexp_lib.parameters import analysis_parameter, path_parameter, text_parameter
from aliexp_lib.views import figures, gaps, tables, todo
from aliexp_lib.views.html_cells import escaped, table_html
from aliexp_lib.views.widgets import calendar_button, record_form

#: Cells of a table in an output area: text from the left, on top. Inline, because a widget's output
#: is shown as untrusted HTML, whose ``<style>`` elements JupyterLab removes.
LEFT = ' style="text-align: left; vertical-align: top"'


def left_aligned(page: str) -> str:
    """``page`` (HTML) with every table cell's text on the left, inline.

    Examples
    --------
    >>> left_aligned('<tr style="text-align: right;"><th>A</th></tr>')
    '<tr><th style="text-align: left; vertical-align: top">A</th></tr>'
    >>> left_aligned("<td>1</td>")
    '<td style="text-align: left; vertical-align: top">1</td>'
    """
    page = page.replace('<tr style="text-align: right;">', "<tr>")
    return page.replace("<th>", f"<th{LEFT}>").replace("<td>", f"<td{LEFT}>")


def bundle(thing) -> dict:
    """One output of an output area: a plotly figure, an IPython display object or HTML text.

    Parameters
    ----------
    thing : plotly.graph_objects.Figure, IPython.display.HTML or Markdown, or str (HTML)

    Returns
    -------
    dict
        A ``display_data`` output (nbformat): the figure as plotly's JSON mimetype, HTML as ``text/html``.

    Examples
    --------
    >>> bundle("<p>hi</p>")["data"]["text/html"]
    '<p>hi</p>'
    >>> bundle(tables.heading("Checks", "en"))["data"]["text/markdown"]
    '## Checks'
    """
    if hasattr(thing, "to_plotly_json"):
        import plotly.io as pio

        data = pio.renderers["plotly_mimetype"].to_mimebundle(thing)
        return {"output_type": "display_data", "data": {**data, "text/plain": "Figure"}, "metadata": {}}
    if hasattr(thing, "_repr_markdown_"):
        return {"output_type": "display_data", "data": {"text/markdown": thing.data, "text/plain": thing.data}}
    text = left_aligned(thing.data if hasattr(thing, "_repr_html_") else str(thing))
    return {"output_type": "display_data", "data": {"text/html": text, "text/plain": ""}, "metadata": {}}


def show(area, *things) -> None:
    """Replace everything ``area`` (an ``ipywidgets.Output``) shows with ``things``, in order (``bundle``)."""
    area.outputs = tuple(bundle(thing) for thing in things)


def slider_range(price_minor: int, currency: str) -> tuple[Decimal, Decimal]:
    """A slider's step and top for amounts of an order that costs ``price_minor``.

    The step is a round number (1, 2 or 5 times a power of ten) near a hundredth of the price, never
    below the currency's minor unit; the top is twice the price, in whole steps.

    Parameters
    ----------
    price_minor : int [minor units of ``currency``]
        The order's price; 0 when unknown.
    currency : str
        ISO 4217 code of the order.

    Returns
    -------
    (Decimal, Decimal) [currency units]
        The step and the top of the slider.

    Examples
    --------
    >>> slider_range(60000, "RUB")  # 600 RUB: steps of 5 up to 1,200
    (Decimal('5'), Decimal('1200'))
    >>> slider_range(1999, "USD")  # 19.99 USD: steps of 0.1
    (Decimal('0.1'), Decimal('40'))
    >>> slider_range(0, "JPY")
    (Decimal('1'), Decimal('100'))
    """
    digits = minor_digits(currency)
    price = Decimal(price_minor).scaleb(-digits) if price_minor > 0 else Decimal(50)
    target, unit = price / 100, Decimal(1).scaleb(-digits)
    step = unit
    for power in range(-digits, 12):
        for factor in (1, 2, 5):
            candidate = Decimal(factor).scaleb(power)
            if candidate <= target:
                step = candidate
    top = (price * 2 / step).to_integral_value(rounding="ROUND_CEILING") * step
    return Decimal(format(step.normalize(), "f")), Decimal(format(top.normalize(), "f"))


def tracking_checker(numbers: str, lang: str):
    """A box to paste tracking numbers into, with their verdicts below, updated as you type.

    Parameters
    ----------
    numbers : str
        The numbers shown first, separated by spaces or new lines.
    lang : {"en", "ru"}

    Returns
    -------
    ipywidgets.VBox
        The text area and an output area holding one table (``tables.tracking_verdicts``).

    Examples
    --------
    >>> box = tracking_checker("RR123456785CN", "en")
    >>> text, area = box.children
    >>> text.value = "RR123456785CN X"
    >>> area.outputs[0]["data"]["text/html"].count("<tr")  # the header and two numbers
    3
    """
    import ipywidgets as widgets

    text = widgets.Textarea(
        value=text_parameter("numbers", numbers),  # a number typed without quotes: an InputError naming it
        description=_("Tracking numbers", lang),
        placeholder=_("Paste tracking numbers here", lang),
        layout={"width": "48em", "height": "6em"},
        style={"description_width": "initial"},
    )
    area = widgets.Output()

    def check(_change=None):
        show(area, tables.html(tables.tracking_verdicts(text.value.split(), lang)))

    text.observe(check, names="value")
    check()
    return widgets.VBox([text, area])


class Overview:
    """The overview page of one order file: the week's actions, the timeline and the money at stake,
    each in its own output area, redrawn when the case-log form records an event.

    Parameters
    ----------
    analysis : Analysis
        The first analysis (its day and setting are kept when the file is read again).
    orders_path : str
        The order file; recording reads it again with its case log (``orders.load_orders``).
    fmt : str
        The file's format ("" to recognise it).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from aliexp_lib import analyse_file
    >>> orders = Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = orders.write_text("order_id,title,shipped_at\\n1,Lamp,2026-01-10\\n", encoding="utf-8")
    >>> page = Overview(analyse_file(orders, "2026-03-01", user_config=False), str(orders))
    >>> week = page.week()
    >>> "Lamp" in week.outputs[0]["data"]["text/html"]
    True
    """

    def __init__(self, analysis: Analysis, orders_path: str, fmt: str = ""):
        self.analysis, self.orders_path = (
            analysis_parameter("analysis", analysis, Analysis),
            path_parameter("orders_path", orders_path),
        )
        self.fmt = text_parameter("orders_format", fmt)
        self.areas: list[tuple[Any, Callable[[Analysis], list]]] = []  # (output area, how to draw it from an Analysis)

    def _area(self, draw):
        import ipywidgets as widgets

        area = widgets.Output()
        show(area, *draw(self.analysis))
        self.areas.append((area, draw))
        return area

    def week(self):
        """The week's actions (``tables.week_actions``) in an output area that follows the case log."""
        return self._area(lambda a: [week_table(a)])

    def timeline(self):
        """The orders' clocks (``figures.timeline``) in an output area that follows the case log."""
        return self._area(lambda a: [figures.timeline(a)])

    def money_at_stake(self):
        """The money at stake (``figures.money_at_stake``) in an output area that follows the case log."""
        return self._area(lambda a: [figures.money_at_stake(a)])

    def missing(self):
        """The dates we need (``gaps.missing_view``) in an output area that follows the case log."""
        return self._area(lambda a: [gaps.missing_view(a)])

    def calendar_button(self, path: str):
        """``widgets.calendar_button`` that saves the page's analysis as it is at the click (after any record)."""
        return calendar_button(self.analysis, path_parameter("calendar_path", path), current=lambda: self.analysis)

    def record_form(self):
        """``widgets.record_form`` whose every record redraws this page's areas (``refresh``)."""
        return record_form(self.analysis, self.orders_path, on_record=self.refresh)

    def refresh(self) -> Analysis:
        """Read the order file again with its case log, analyse it on the same day, redraw every area.

        Returns
        -------
        Analysis
            The new analysis, also kept as ``analysis``.
        """
        book = load_orders(self.orders_path, self.fmt or None, currency=self.analysis.setting.choices.currency)
        self.analysis = analyse(book, self.analysis.today, self.analysis.setting)
        for area, draw in self.areas:
            show(area, *draw(self.analysis))
        return self.analysis


def week_table(analysis: Analysis):
    """``tables.week_actions`` as HTML (as ``tables.html``), each item linked to its order page where
    the file gives one (``todo.order_links``); every text escaped.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> from aliexp_lib import OrderBook, Setting
    >>> url = "https://www.aliexpress.com/p/order/detail.html?orderId=1"
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "<Lamp>", "shipped_at": "2026-02-20",
    ...                                            "order_url": url}]))
    >>> f'<a href="{url}" target="_blank" rel="noopener">&lt;Lamp&gt;</a>' in week_table(
    ...     analyse(book, dt.date(2026, 3, 2), Setting.default())).data
    True
    """
    table, lang = tables.week_actions(analysis), analysis.setting.lang
    links = todo.order_links(analysis)
    shown = table.astype(object).where(table.notna(), "").map(lambda v: escaped(str(v)))
    item, order = _("Item", lang), _("Order", lang)
    if item in shown and order in shown and len(links):
        for i, order_id in enumerate(table[order]):
            url = links.get(order_id, "")
            if url and shown[item].iat[i]:
                shown.loc[shown.index[i], item] = (
                    f'<a href="{markup.escape(url)}" target="_blank" rel="noopener">{shown[item].iat[i]}</a>'
                )
    linked = tables.html(shown.iloc[:0])  # the page's table style, then the escaped cells with their links
    body = shown.rename(columns=escaped).to_html(index=False, escape=False, border=0, classes="aliexp-table")
    return type(linked)(linked.data.split("<table", 1)[0] + body)


def order_heading(title: str, order_id: str, url: str = "") -> str:
    """An order named for people, as HTML: its title (a link to the order page if known) and its id.

    Examples
    --------
    >>> order_heading("Lamp <b>", "81", "https://aliexpress.com/p/order/detail.html?orderId=81")
    '<p><a href="https://aliexpress.com/p/order/detail.html?orderId=81" target="_blank">Lamp &lt;b&gt;</a> · 81</p>'
    >>> order_heading("", "81")
    '<p>81</p>'
    """
    name = markup.escape(title)
    if name and url.startswith(("https://", "http://")):
        name = f'<a href="{markup.escape(url)}" target="_blank">{name}</a>'
    return f"<p>{name} · {markup.escape(order_id)}</p>" if name else f"<p>{markup.escape(order_id)}</p>"


__all__ = ["Overview", "bundle", "order_heading", "show", "slider_range", "tracking_checker"]


def chooser_widget(chooser):
    """The resolution chooser's widget: the order, four sliders and one output area that shows the
    order, one ranking table, the break-even sentence and one chart, redrawn on every change.

    The offer, postage and value sliders are in the order's currency (named in their description),
    with steps and tops fitted to its price (``slider_range``); a slider that cannot change the
    answer for the order's problem is hidden (no partial refund: the offer; no return: the postage;
    not received: the value of keeping it).

    Parameters
    ----------
    chooser : views.chooser.Chooser

    Returns
    -------
    ipywidgets.VBox
        Children: the order dropdown, the offer, postage, value and time-rate sliders, the output
        area; ``.result`` is the last ``Answer``.
    """
    import ipywidgets as widgets

    lang = chooser.lang
    options = chooser.problem_orders()
    wide = {"description_width": "14em"}
    order = widgets.Dropdown(options=options, description=_("Order", lang), layout={"width": "max-content"})
    names = {"offer": "Seller's offer", "postage": "Postage quote", "kept": "Worth to you"}
    sliders = {
        name: widgets.FloatSlider(continuous_update=False, style=wide, layout={"width": "40em"}) for name in names
    }
    rate = float(chooser.setting.assumptions["time_rate"])
    sliders["time_rate"] = widgets.FloatSlider(
        value=rate,
        min=0,
        max=max(2000.0, rate),
        step=50,
        readout_format=",.0f",
        description=f"{_('Your hour', lang)} (RUB)",
        continuous_update=False,
        style=wide,
        layout={"width": "40em"},
    )
    area = widgets.Output()
    box = widgets.VBox([order, *sliders.values(), area])
    busy = [False]

    def redraw(_change=None):
        if busy[0]:
            return
        oid = order.value
        values = {name: slider.value for name, slider in sliders.items()}
        answer = chooser.recompute(oid, **values)
        box.result = answer
        if oid is None:
            show(area, f"<p>{markup.escape(_('No problem orders', lang))}</p>")
            return
        row = chooser.rows[oid].iloc[0]
        title = row["title"] if isinstance(row["title"], str) else ""
        url = row["order_url"] if isinstance(row.get("order_url"), str) else ""
        line = markup.escape(chooser.break_even_line(oid, answer))
        table = table_html(answer.table, "aliexp-ranking")
        show(area, order_heading(title, oid, url) + table + f'<p class="aliexp-break-even">{line}</p>', answer.figure)

    def follow(_change=None):  # a new order: its currency, its ranges, its own values as the start
        oid = order.value
        if oid is None:
            for slider in sliders.values():
                slider.layout.display = "none"
            return
        row = chooser.rows[oid].iloc[0]
        code = row["currency"] if isinstance(row["currency"], str) else chooser.currency
        price = int(row["price_minor"]) if not _missing(row["price_minor"]) else 0
        step, top = slider_range(price, code)
        start = chooser.defaults(oid)
        problem = str(row["problem"])
        shown = {
            "offer": problem in APPLIES_TO["partial_refund_keep"],
            "postage": problem in APPLIES_TO["return_for_refund"],
            "kept": problem != "not_received",
        }
        busy[0] = True
        try:
            for name, slider in sliders.items():
                if name == "time_rate":
                    continue
                digits = max(0, -step.as_tuple().exponent)  # type: ignore[operator]
                slider.description = f"{_(names[name], lang)} ({code})"
                slider.readout_format = f",.{digits}f"
                slider.max = max(float(top), start[name])
                slider.step = float(step)
                slider.value = start[name]
                slider.layout.display = None if shown[name] else "none"
        finally:
            busy[0] = False
        redraw()

    order.observe(follow, names="value")
    for slider in sliders.values():
        slider.observe(redraw, names="value")
    follow()
    if order.value is None:
        redraw()
    return box


def _missing(value) -> bool:
    try:
        return bool(value != value) or value is None or str(value) == "<NA>"
    except TypeError:  # pd.NA compares to NA
        return True
