"""Deadlines as an iCalendar (RFC 5545) file, for any calendar application.

Built with the ``icalendar`` library. Each open deadline is one all-day event on its ``due``
date with a reminder; its UID depends only on the order and the kind of deadline, so importing
a newer export updates the events instead of duplicating them. The output depends only on the
inputs (DTSTAMP is ``today`` at 00:00 UTC), so the same inputs give byte-identical files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd

from aliexp_lib.own_marks import ics_prodid

PRODID = "-//aliexp//deadlines//EN"
CALENDAR_NAME = "AliExpress deadlines"


def default_summary(row: pd.Series) -> str:
    """``"protection ends: order 8100..."``: the kind in words, then the order.

    The default ``summary`` of ``deadlines_calendar``.

    Parameters
    ----------
    row : pandas.Series
        One row of ``compute_deadlines``; only ``kind`` (str, a code) and ``order_id`` (str) are read.

    Returns
    -------
    str
        The event title (English: the calendar's own language is not known here).

    Examples
    --------
    >>> import pandas as pd
    >>> default_summary(pd.Series({"order_id": "8100", "kind": "protection_ends"}))
    'protection ends: order 8100'
    """
    estimated = "(estimated) " if row.get("estimated", False) else ""
    return f"{estimated}{str(row['kind']).replace('_', ' ')}: order {row['order_id']}"


def default_description(row: pd.Series) -> str:
    """The action, and for an estimated day the assumption behind it (English).

    The default ``description`` of ``deadlines_calendar``.

    Parameters
    ----------
    row : pandas.Series
        One row of ``compute_deadlines``; ``action`` (str), ``estimated`` (bool, optional) and
        ``assumption`` (str, optional) are read.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> row = pd.Series({"action": "Check tracking", "estimated": True, "assumption": "date unknown"})
    >>> print(default_description(row))
    Check tracking
    <BLANKLINE>
    Estimated date: date unknown
    """
    if not row.get("estimated", False):
        return str(row["action"])
    return f"{row['action']}\n\nEstimated date: {row.get('assumption', '')}"


def event_uid(order_id: str, kind: str) -> str:
    """The stable UID of one order's deadline of one kind: ``"{order_id}-{kind}@aliexp"``.

    It depends on nothing else (not the due date, not ``today``), so a calendar that imports a
    newer export updates the event instead of adding a second one.

    Parameters
    ----------
    order_id : str
        The order's id.
    kind : str
        The deadline kind, a code of ``compute_deadlines`` (e.g. ``"protection_ends"``).

    Returns
    -------
    str
        The iCalendar UID (RFC 5545 3.8.4.7).

    Examples
    --------
    >>> event_uid("8100", "protection_ends")
    '8100-protection_ends@aliexp'
    """
    return f"{order_id}-{kind}@aliexp"


def deadlines_calendar(
    deadlines: pd.DataFrame,
    today: dt.date,
    summary: Callable[[pd.Series], str] | None = None,
    reminder_days: int = 1,
    description: Callable[[pd.Series], str] | None = None,
    name: str = CALENDAR_NAME,
) -> bytes:
    """The open (not ``done``) rows of ``compute_deadlines`` as an iCalendar file (UTF-8 bytes).

    One all-day VEVENT per row, on ``due`` (DTEND = due + 1 d, exclusive), ordered by due then
    order_id: SUMMARY ``summary(row)`` (default ``default_summary``), DESCRIPTION ``description(row)``
    (default ``default_description``: the action, and for an estimated day its assumption),
    CATEGORIES the status, UID ``event_uid``, SEQUENCE 0, DTSTAMP ``today`` 00:00 UTC, and a
    display alarm ``reminder_days`` [d] before the start of the day (0: at its start).

    The output depends only on the arguments: the same inputs give byte-identical files.

    Parameters
    ----------
    deadlines : pandas.DataFrame
        Rows as ``compute_deadlines`` gives them; read are ``order_id`` (str), ``kind`` (str, a code),
        ``due`` (datetime64 [day]), ``status`` (str; ``"done"`` and ``"expired"`` rows are left out) and
        ``action`` (str).
    today : datetime.date
        The export day: DTSTAMP is its 00:00 UTC (not the clock, so output is reproducible).
    summary : callable, optional
        ``summary(row) -> str``, the event title; default ``default_summary``.
    reminder_days : int [d], default 1
        Days before the start of the due day at which the reminder shows; 0 for at its start.
    description : callable, optional
        ``description(row) -> str``, the event's text; default ``default_description``.
    name : str, default ``CALENDAR_NAME``
        The calendar's name (``X-WR-CALNAME``), in the user's language.

    Returns
    -------
    bytes
        The calendar (VCALENDAR 2.0), UTF-8, lines ending in CRLF.

    Examples
    --------
    >>> import datetime as dt
    >>> import icalendar
    >>> import pandas as pd
    >>> deadlines = pd.DataFrame({
    ...     "order_id": ["8100", "8100", "8101"],
    ...     "kind": ["protection_ends", "dispute_opens", "protection_ends"],
    ...     "due": pd.to_datetime(["2026-03-20", "2026-02-15", "2026-03-10"]),
    ...     "status": ["upcoming", "done", "upcoming"],
    ...     "action": ["Open a dispute before this day", "", "Open a dispute before this day"],
    ... })
    >>> data = deadlines_calendar(deadlines, dt.date(2026, 3, 1))
    >>> events = icalendar.Calendar.from_ical(data).walk("VEVENT")
    >>> [(str(e["uid"]), e.decoded("dtstart").isoformat()) for e in events]  # done row left out; by due date
    [('8101-protection_ends@aliexp', '2026-03-10'), ('8100-protection_ends@aliexp', '2026-03-20')]
    >>> str(events[0].walk("VALARM")[0]["trigger"].to_ical(), "ascii")
    '-P1D'
    >>> data == deadlines_calendar(deadlines, dt.date(2026, 3, 1))
    True
    """
    summary = summary if summary is not None else default_summary
    describe = description if description is not None else default_description
    stamp = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
    trigger = -dt.timedelta(days=reminder_days)

    import icalendar  # 0.05 s: loaded by the calendar, not by every command that imports this module

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)

    open_rows = deadlines[~deadlines["status"].isin(("done", "expired"))]  # nothing to do about those
    # Stable: rows due the same day for the same order keep the engine's lifecycle order.
    open_rows = open_rows.sort_values(["due", "order_id"], kind="stable")
    for _, row in open_rows.iterrows():
        due = pd.Timestamp(row["due"]).date()
        title = summary(row)
        event = icalendar.Event()
        event.add("uid", event_uid(row["order_id"], row["kind"]))
        event.add("sequence", 0)
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + dt.timedelta(days=1))
        event.add("summary", title)
        event.add("description", describe(row))
        event.add("categories", [str(row["status"])])
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", title)  # required for a DISPLAY alarm (RFC 5545 3.6.6)
        alarm.add("trigger", trigger)
        event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()


def ours_ics(path) -> bool:
    """Whether the calendar file at ``path`` was written by this program (``PRODID`` and every UID ours).

    ``safe_write.write_file`` replaces such a file without ``--overwrite``; any other calendar is kept.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "deadlines.ics"
    >>> _ = path.write_bytes(deadlines_calendar(pd.DataFrame(columns=["order_id", "kind", "due", "status"]),
    ...                                         dt.date(2026, 3, 1)))
    >>> ours_ics(path)
    True
    >>> _ = path.write_bytes(b"BEGIN:VCALENDAR\\r\\nPRODID:-//Family//EN\\r\\nVERSION:2.0\\r\\nEND:VCALENDAR\\r\\n")
    >>> ours_ics(path)
    False
    """
    return ics_prodid(path) == PRODID
