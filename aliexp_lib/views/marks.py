"""How days are written for people: dates in the reader's language, and the mark of an estimated day.

An estimated day (``compute_deadlines``' ``estimated`` column: the file lacks a date its status
implies) is written ``≈ <day> (estimated)`` in every table, the to-do list and the calendar, and
its ``assumption`` says why, in the reader's language.
"""

from __future__ import annotations

import pandas as pd

from aliexp_lib.i18n import _, format_date

#: The mark in front of an estimated day.
MARK = "≈"


def dates_text(days, lang: str) -> list[str]:
    """Each of ``days`` as a date for people in ``lang`` (``i18n.format_date``; "" where missing).

    Parameters
    ----------
    days : iterable of datetime.date, pandas.Timestamp, str or missing
    lang : {"en", "ru"}

    Returns
    -------
    list of str

    Examples
    --------
    >>> dates_text(pd.to_datetime(["2026-03-02", None]), "en")
    ['Mar 2, 2026', '']
    """
    return [format_date(d, lang) for d in days]


def marked(texts, estimated, lang: str) -> list[str]:
    """``texts`` with each estimated one marked ``≈ <text> (estimated)`` in ``lang``.

    Parameters
    ----------
    texts : iterable of str
    estimated : iterable of bool
    lang : {"en", "ru"}

    Returns
    -------
    list of str

    Examples
    --------
    >>> marked(["Mar 2, 2026", "Mar 3, 2026"], [True, False], "en")
    ['≈ Mar 2, 2026 (estimated)', 'Mar 3, 2026']
    >>> marked(["today"], [True], "ru")
    ['≈ today (расчётная)']
    """
    word = _("estimated", lang)
    return [f"{MARK} {t} ({word})" if e else t for t, e in zip(texts, estimated, strict=True)]


def assumptions(rows: pd.DataFrame, lang: str) -> list[str]:
    """The assumption behind each row's day in ``lang`` ("" where the day is exact).

    Parameters
    ----------
    rows : pandas.DataFrame
        Rows of ``compute_deadlines``: ``estimated`` (bool) and ``assumption`` (English text).
    lang : {"en", "ru"}

    Returns
    -------
    list of str

    Examples
    --------
    >>> from aliexp_lib.estimates import assumption_text
    >>> rows = pd.DataFrame({"estimated": [True, False], "assumption": [assumption_text("paid_at", "ordered_at"), ""]})
    >>> [text[:22] for text in assumptions(rows, "ru")]
    ['дата оплаты неизвестна', '']
    """
    return [_(str(a), lang) if e else "" for a, e in zip(rows["assumption"], rows["estimated"], strict=True)]
