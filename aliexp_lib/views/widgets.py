"""Small widgets around library functions: the calendar button and the case-log form.

ipywidgets is imported where a widget is built, so the command line (which writes calendars with
``calendar_file``) does not load it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from aliexp_lib.analysis import Analysis
from aliexp_lib.caselog import EVENTS, CaseLog, default_log_path
from aliexp_lib.errors import InputError
from aliexp_lib.guidance import advice
from aliexp_lib.i18n import _, label
from aliexp_lib.ics import deadlines_calendar, ours_ics
from aliexp_lib.record_many import read_events, record_events, summary
from aliexp_lib.refund_amounts import refuse_refunds
from aliexp_lib.safe_write import write_file

#: Characters of an item's title shown in a calendar event's summary.
TITLE_CHARACTERS = 40


def calendar_file(analysis: Analysis, past: bool = False) -> bytes:
    """Every open deadline of ``analysis`` from today on as an iCalendar file, in the setting's language.

    Parameters
    ----------
    analysis : Analysis
        Its ``deadlines`` on its ``today`` (``ics.deadlines_calendar``).
    past : bool
        Also the deadlines already missed (``overdue``), which a calendar would show as past events.

    Returns
    -------
    bytes
        The ``.ics`` file: one all-day event per open deadline, summary ``<kind>: <item> · order <id>``
        (the item's title shortened to ``TITLE_CHARACTERS``); an estimated day is marked ``≈ ...
        (estimated)`` and its description says the assumption behind it; the description ends with
        the seed's advice for that kind of deadline (``guidance.advice``, with its seed lines).

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "shipped_at": "2026-01-10"}]))
    >>> analysis = analyse(book, dt.date(2026, 3, 1), Setting.default())
    >>> calendar = calendar_file(analysis).decode()
    >>> "SUMMARY:Buyer protection ends: order 1" in calendar, "DTSTART;VALUE=DATE:20260311" in calendar
    (True, True)
    >>> "20260120" in calendar, "20260120" in calendar_file(analysis, past=True).decode()  # missed: tracking
    (False, True)
    """
    lang = analysis.setting.lang
    deadlines = analysis.deadlines
    if not past:  # missed, or an estimate already past (the to-do list raises that alarm)
        deadlines = deadlines[~deadlines["status"].isin(["overdue", "check_now"])]
    titles = analysis.book.table.set_index("order_id")["title"].fillna("").astype(str).str.strip()

    def summary(row) -> str:
        title = titles.get(row["order_id"], "")
        title = title if len(title) <= TITLE_CHARACTERS else title[: TITLE_CHARACTERS - 1].rstrip() + "…"
        order = f"{_('order', lang)} {row['order_id']}"
        text = f"{label(row['kind'], lang)}: {title} · {order}" if title else f"{label(row['kind'], lang)}: {order}"
        return f"≈ {text} ({_('estimated', lang)})" if row["estimated"] else text

    tips = advice(deadlines, "kind", lang, orders=analysis.book.table)  # the seed's advice, with its lines

    def description(row) -> str:
        action = _(str(row["action"]), lang)
        if row["estimated"]:
            action = f"{action}\n\n{_('Estimated date', lang)}: {_(str(row['assumption']), lang)}"
        return f"{action}\n\n{tips[row.name]}" if tips[row.name] else action

    name = _("AliExpress deadlines", lang)
    return deadlines_calendar(deadlines, analysis.today, summary=summary, description=description, name=name)


def calendar_button(analysis: Analysis, path: str, current: Callable[[], Analysis] | None = None):
    """A button that writes ``calendar_file`` to ``path`` and says where.

    Parameters
    ----------
    analysis : Analysis
        The analysis whose deadlines are saved; words in ``setting.lang``.
    current : callable, optional
        Gives the analysis at the moment of the click (a page that follows the case log), else ``analysis``.
    path : str
        The ``.ics`` file written on each click: replaced if it is a calendar this program wrote
        (``ics.ours_ics``); any other file there is kept and the label says why nothing was saved.

    Returns
    -------
    ipywidgets.HBox
        The button and a label saying where the file was saved.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "shipped_at": "2026-01-10"}]))
    >>> analysis = analyse(book, dt.date(2026, 3, 1), Setting.default())
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "deadlines.ics"
    >>> button, said = calendar_button(analysis, str(path)).children
    >>> button.description
    'Save deadlines to a calendar file'
    >>> button.click()
    >>> path.read_bytes().startswith(b"BEGIN:VCALENDAR"), said.value.startswith("Saved: ")
    (True, True)
    """
    import ipywidgets as widgets

    lang = analysis.setting.lang

    button = widgets.Button(
        description=_("Save deadlines to a calendar file", lang), icon="calendar", layout={"width": "auto"}
    )
    said = widgets.Label()

    def save(_button):
        try:
            write_file(path, calendar_file(current() if current is not None else analysis), ours_ics)
        except InputError as exc:
            said.value = f"{_('Not saved', lang)}: {exc}"
            return
        said.value = f"{_('Saved', lang)}: {Path(path).resolve()}"

    button.on_click(save)
    return widgets.HBox([button, said])


def order_choices(table) -> list[tuple[str, str]]:
    """(label, order_id) for each order of an order book's table, for a dropdown: ``title · id``.

    Parameters
    ----------
    table : pandas.DataFrame
        ``OrderBook.table`` (``order_id`` and ``title``).

    Returns
    -------
    list of (str, str)
        The label is the title (shortened to ``TITLE_CHARACTERS``) and the id, or the id alone.

    Examples
    --------
    >>> import pandas as pd
    >>> order_choices(pd.DataFrame({"order_id": ["1", "2"], "title": ["Lamp", None]}))
    [('Lamp · 1', '1'), ('2', '2')]
    """
    out = []
    for order_id, title in zip(table["order_id"], table["title"], strict=True):
        title = "" if not isinstance(title, str) else title.strip()
        title = title if len(title) <= TITLE_CHARACTERS else title[: TITLE_CHARACTERS - 1].rstrip() + "…"
        out.append((f"{title} · {order_id}" if title else str(order_id), str(order_id)))
    return out


def record_form(analysis: Analysis, orders_path: str, on_record=None):
    """A small form that records an event in the case log beside ``orders_path`` (never in the file).

    An amount is recorded in the order's currency (none for an ``extension``, whose amount is days);
    a bad entry is said in the form's label (``InputError``), not raised.

    Parameters
    ----------
    analysis : Analysis
        Its orders (the dropdown), ``today`` (the date's start value) and ``setting.lang``.
    orders_path : str
        The order file; the case log is ``caselog.default_log_path(orders_path)``.
    on_record : callable, optional
        Called (without arguments) after each event recorded, to redraw what depends on the orders.

    Returns
    -------
    ipywidgets.VBox
        Order, event and date pickers; the amount field and the Record button; a label for the result.

    Examples
    --------
    >>> import datetime as dt
    >>> import pandas as pd
    >>> from aliexp_lib import OrderBook, Setting, analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "shipped_at": "2026-01-10"}]))
    >>> analysis = analyse(book, dt.date(2026, 3, 1), Setting.default())
    >>> form = record_form(analysis, "orders.csv")
    >>> [widget.description for widget in form.children[0].children]
    ['Order', 'Event', 'Date']
    >>> form.children[0].children[0].options, form.children[1].children[1].description
    ((('1', '1'),), 'Record')
    >>> form.children[0].children[1].value = "extension"
    >>> form.children[1].children[1].click()
    >>> form.children[2].value
    'Not recorded: type the number of days agreed, such as 10'

    """
    import ipywidgets as widgets

    book, today, lang = analysis.book, analysis.today, analysis.setting.lang

    order = widgets.Dropdown(
        options=order_choices(book.table), description=_("Order", lang), layout={"width": "max-content"}
    )
    event = widgets.Dropdown(options=[(label(e, lang), e) for e in EVENTS], description=_("Event", lang))
    day = widgets.DatePicker(value=today, description=_("Date", lang))
    amount = widgets.Text(description=_("Amount", lang), placeholder=_("refund amount or days", lang))
    button = widgets.Button(description=_("Record", lang), icon="check")
    said = widgets.Label()

    def save(_button):
        currency = book.table.loc[book.table["order_id"] == order.value, "currency"]
        money = None if event.value == "extension" or not amount.value.strip() else currency.iloc[0]
        if event.value == "extension" and not amount.value.strip():
            said.value = f"{_('Not recorded', lang)}: {_('type the number of days agreed, such as 10', lang)}"
            return
        try:
            refuse_refunds(
                pd.DataFrame(
                    [{"order_id": order.value, "event": event.value, "amount": amount.value.strip(), "currency": money}]
                ),
                book.table,
            )
            with CaseLog(default_log_path(orders_path)) as log:
                log.record(
                    order.value,
                    event.value,
                    day.value,
                    amount.value.strip() or None,
                    money if isinstance(money, str) else None,
                )
        except InputError as problem:
            said.value = f"{_('Not recorded', lang)}: {problem}"
            return
        said.value = f"{_('Recorded', lang)}: {order.label} · {label(event.value, lang)} · {day.value}"
        if on_record is not None:
            on_record()

    many = widgets.Textarea(
        placeholder=_("many events at once: order_id,event,date[,amount], one a line", lang),
        layout={"width": "60%", "height": "6em"},
    )
    record_all = widgets.Button(description=_("Record all", lang), icon="check")

    def save_all(_button):
        try:
            events, notes = read_events(many.value, _("pasted text", lang), book.table)
            refuse_refunds(events, book.table)  # over the price: not recorded
            with CaseLog(default_log_path(orders_path)) as log:
                recorded, skipped = record_events(log, events)
        except InputError as problem:  # every bad line named; nothing recorded
            said.value = f"{_('Not recorded', lang)}: {problem}"
            return
        said.value = summary(events, recorded, skipped, notes, str(default_log_path(orders_path)), lang)
        many.value = ""
        if on_record is not None:
            on_record()

    button.on_click(save)
    record_all.on_click(save_all)
    return widgets.VBox(
        [widgets.HBox([order, event, day]), widgets.HBox([amount, button]), said, widgets.HBox([many, record_all])]
    )
