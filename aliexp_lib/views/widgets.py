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
