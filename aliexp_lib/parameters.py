"""A notebook's parameters checked where it reads them: a bad one is an ``InputError`` naming it and its value.

The notebooks' ``parameters`` cell holds literals that papermill (or the user) may replace with
anything: ``today="2026-13-45"``, ``orders_path=None``, ``currency=12``. Python's own messages for
these ("month must be in 1..12", "expected str, bytes or os.PathLike object, not NoneType") do not
say which parameter is wrong; these checks do, in one line such as
``today: '2026-13-45' is not a date (YYYY-MM-DD)``, which the report command prints as it is
(exit 2). ``analysis.analyse_file`` and the view helpers that take parameters call them.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

from aliexp_lib.errors import InputError

#: A day as the parameters give it.
DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_parameter(name: str, value: Any) -> dt.date:
    """The day ``value`` names: a date, its ``YYYY-MM-DD`` text, or ``""``/None for the local date (the day it runs).

    Raises
    ------
    InputError
        Anything else, naming ``name`` and the value.

    Examples
    --------
    >>> date_parameter("today", "2026-03-01")
    datetime.date(2026, 3, 1)
    >>> date_parameter("today", "2026-13-45")
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: today: '2026-13-45' is not a date (YYYY-MM-DD)
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or value == "":
        return dt.date.today()
    if isinstance(value, str) and DATE_TEXT.fullmatch(value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"{name}: {value!r} is not a date (YYYY-MM-DD)")


def text_parameter(name: str, value: Any) -> str:
    """``value`` as text: text as it is, None as ``""`` (the parameter's "not chosen").

    Raises
    ------
    InputError
        A value that is not text (a number, a list), naming ``name`` and the value.

    Examples
    --------
    >>> text_parameter("currency", None)
    ''
    >>> text_parameter("currency", 12)
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: currency: 12 is not text; write it in quotes, e.g. "RUB"
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise InputError(f'{name}: {value!r} is not text; write it in quotes, e.g. "{_EXAMPLES.get(name, "...")}"')


def path_parameter(name: str, value: Any, *, required: bool = True) -> str:
    """``value`` as a file path (text or path-like); ``""`` where it is not ``required`` and not given.

    Raises
    ------
    InputError
        A value that is no path, or nothing where a path is ``required``, naming ``name``.

    Examples
    --------
    >>> path_parameter("config_path", None, required=False)
    ''
    >>> path_parameter("orders_path", "")
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: orders_path: '' is no file path; give the path of your order file, e.g. "orders.csv"
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if value is None and not required:
        return ""
    if isinstance(value, str) and (value.strip() or not required):
        return value
    what = "your order file" if name == "orders_path" else "a file"
    example = _EXAMPLES.get(name, "orders.csv")
    raise InputError(f'{name}: {value!r} is no file path; give the path of {what}, e.g. "{example}"')


def notebook_parameters(
    orders_path: Any, today: Any, fmt: Any, config: Any, chosen: dict[str, Any]
) -> tuple[str, dt.date, str, str, dict[str, Any]]:
    """The parameters of ``analysis.analyse_file`` checked: (orders path, day, format, setting file, choices).

    ``chosen``'s ``lang`` and ``currency`` must be text (None: not chosen); its other keys pass as they are.

    Raises
    ------
    InputError
        The first bad parameter, named with its value.

    Examples
    --------
    >>> notebook_parameters("orders.csv", "2026-03-01", None, None, {"lang": None})
    ('orders.csv', datetime.date(2026, 3, 1), '', '', {'lang': ''})
    >>> notebook_parameters(None, "2026-03-01", None, None, {})
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: orders_path: None is no file path; give the path of your order file, e.g. "orders.csv"
    """
    path = path_parameter("orders_path", orders_path)
    day = date_parameter("today", today)
    fmt = text_parameter("orders_format", fmt)
    config = path_parameter("config_path", config, required=False)
    checked = {key: text_parameter(key, value) if key in _TEXT else value for key, value in chosen.items()}
    return path, day, fmt, config, checked


def analysis_parameter(name: str, value: Any, expected: type):
    """``value`` if it is an ``expected`` (``analysis.Analysis``, passed by the caller: this module is
    imported by ``analysis``), else an ``InputError`` saying where one comes from.

    Examples
    --------
    >>> from aliexp_lib.analysis import Analysis
    >>> analysis_parameter("analysis", None, Analysis)
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: analysis: None is not an analysis of your orders; run the first cell \
(analyse_file(orders_path, today, ...)) and look at its error
    """
    if isinstance(value, expected):
        return value
    raise InputError(
        f"{name}: {_short(value)} is not an analysis of your orders; run the first cell "
        "(analyse_file(orders_path, today, ...)) and look at its error"
    )


#: The parameters given as text, and an example of each for the messages.
_EXAMPLES = {
    "currency": "RUB",
    "lang": "en",
    "orders_format": "orders_csv",
    "orders_path": "orders.csv",
    "config_path": "aliexp.toml",
    "calendar_path": "deadlines.ics",
    "numbers": "RB123456785GB",
}
_TEXT = ("lang", "currency")


def _short(value: Any) -> str:
    """``repr(value)`` cut to 60 characters (a whole table would fill the screen)."""
    text = repr(value) if not isinstance(value, Path) else str(value)
    return text if len(text) <= 60 else text[:59] + "…"
