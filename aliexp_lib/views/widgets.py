"""Small widgets around library functions: the calendar button."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from aliexp_lib.deadlines import compute_deadlines
from aliexp_lib.i18n import _, label
from aliexp_lib.ics import deadlines_calendar
from aliexp_lib.orders import OrderBook


def calendar_file(book: OrderBook, today: dt.date, lang: str) -> bytes:
    """Every open deadline as an iCalendar file, summaries in ``lang``."""
    return deadlines_calendar(
        compute_deadlines(book, today), today,
        summary=lambda row: f"{label(row['kind'], lang)}: {_('order', lang)} {row['order_id']}",
    )


def calendar_button(book: OrderBook, today: dt.date, lang: str, path: str):
    """A button that writes ``calendar_file`` to ``path`` and says where."""
    import ipywidgets as widgets

    button = widgets.Button(description=_("Save deadlines to a calendar file", lang), icon="calendar",
                            layout={"width": "auto"})
    said = widgets.Label()

    def save(_button):
        Path(path).write_bytes(calendar_file(book, today, lang))
        said.value = f"{_('Saved', lang)}: {Path(path).resolve()}"

    button.on_click(save)
    return widgets.HBox([button, said])


def record_form(book: OrderBook, orders_path: str, today: dt.date, lang: str):
    """A small form that records an event in the case log beside ``orders_path`` (never in the file)."""
    import ipywidgets as widgets

    from aliexp_lib.caselog import EVENTS, CaseLog, default_log_path
    from aliexp_lib.errors import InputError

    order = widgets.Dropdown(options=list(book.table["order_id"]), description=_("Order", lang))
    event = widgets.Dropdown(options=[(label(e, lang), e) for e in EVENTS], description=_("Event", lang))
    day = widgets.DatePicker(value=today, description=_("Date", lang))
    amount = widgets.Text(description=_("Amount", lang), placeholder=_("refund amount or days", lang))
    button = widgets.Button(description=_("Record", lang), icon="check")
    said = widgets.Label()

    def save(_button):
        currency = book.table.loc[book.table["order_id"] == order.value, "currency"]
        money = None if event.value == "extension" or not amount.value.strip() else currency.iloc[0]
        try:
            with CaseLog(default_log_path(orders_path)) as log:
                log.record(order.value, event.value, day.value, amount.value.strip() or None,
                           money if isinstance(money, str) else None)
            said.value = f"{_('Recorded', lang)}: {order.value} · {label(event.value, lang)} · {day.value}"
        except InputError as problem:
            said.value = str(problem)

    button.on_click(save)
    return widgets.VBox([widgets.HBox([order, event, day]), widgets.HBox([amount, button]), said])
