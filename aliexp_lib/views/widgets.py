"""Small widgets around library functions: the calendar button and the case-log form.

ipywidgets is imported where a widget is built, so the command line (which writes calendars with
``calendar_file``) does not load it.
"""

from __future__ import annotations

from pathlib import Path

from aliexp_lib.analysis import Analysis
from aliexp_lib.caselog import EVENTS, CaseLog, default_log_path
from aliexp_lib.errors import InputError
from aliexp_lib.i18n import _, label
from aliexp_lib.ics import deadlines_calendar


def calendar_file(analysis: Analysis) -> bytes:
    """Every open deadline of ``analysis`` as an iCalendar file, summaries in the setting's language."""
    lang = analysis.setting.lang
    return deadlines_calendar(
        analysis.deadlines,
        analysis.today,
        summary=lambda row: f"{label(row['kind'], lang)}: {_('order', lang)} {row['order_id']}",
    )


def calendar_button(analysis: Analysis, path: str):
    """A button that writes ``calendar_file`` to ``path`` and says where."""
    import ipywidgets as widgets

    lang = analysis.setting.lang

    button = widgets.Button(
        description=_("Save deadlines to a calendar file", lang), icon="calendar", layout={"width": "auto"}
    )
    said = widgets.Label()

    def save(_button):
        Path(path).write_bytes(calendar_file(analysis))
        said.value = f"{_('Saved', lang)}: {Path(path).resolve()}"

    button.on_click(save)
    return widgets.HBox([button, said])


def record_form(analysis: Analysis, orders_path: str):
    """A small form that records an event in the case log beside ``orders_path`` (never in the file)."""
    import ipywidgets as widgets

    book, today, lang = analysis.book, analysis.today, analysis.setting.lang

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
                log.record(
                    order.value,
                    event.value,
                    day.value,
                    amount.value.strip() or None,
                    money if isinstance(money, str) else None,
                )
            said.value = f"{_('Recorded', lang)}: {order.value} · {label(event.value, lang)} · {day.value}"
        except InputError as problem:
            said.value = str(problem)

    button.on_click(save)
    return widgets.VBox([widgets.HBox([order, event, day]), widgets.HBox([amount, button]), said])
