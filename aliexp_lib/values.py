"""The one date reader and the one currency reader, for the native format and every importer.

Ground floor of "orders in", beside ``schema`` and ``cells``. Each reader runs on the distinct
values of a column (see ``distinct.per_distinct``) and flags problems through the ``rows`` it is
given. What differs between the native format and the exports is data, a *style*:

- ``DateStyle``: the accepted shapes (regular expressions with named groups), whether text is
  folded to lower case first, month names for written months, hints for common mistakes, the
  plausible range. ``NATIVE_DATES`` reads ``YYYY-MM-DD`` and ``DD.MM.YYYY`` only; the importers'
  style (``importers._parse.EXPORT_DATES``) also reads ``3. Aug 2025``, ``Aug 3, 2025``...
- ``CurrencyStyle``: how a cell is folded into a key, and the key -> ISO code table (symbols and
  words for the exports; ISO codes only for the native format).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from functools import cache

import numpy as np
import pandas as pd

from aliexp_lib.money import known_currencies
from aliexp_lib.schema import EARLIEST, LATEST


def lookup(text: pd.Series, function) -> pd.Series:
    """``function`` of each value, computed once per distinct value (a column has few).

    Parameters
    ----------
    text : pandas.Series
    function : callable
        Called once per distinct value of ``text``.

    Returns
    -------
    pandas.Series
        ``function(value)`` for each row, indexed as ``text``.

    Examples
    --------
    >>> lookup(pd.Series(["RUB", "USD", "RUB"]), str.lower).tolist()
    ['rub', 'usd', 'rub']
    """
    distinct = pd.unique(text)
    return text.map(dict(zip(distinct, map(function, distinct), strict=True)))


# ---------------------------------------------------------------------------------------------
# Dates


@dataclasses.dataclass(frozen=True)
class DateStyle:
    """How a column of dates is written.

    Parameters
    ----------
    patterns : tuple of (str, str)
        (regex, kind), tried in order; groups ``y`` and ``m``/``d`` (kind ``ymd``), ``a``/``b``
        (kind ``slashed``: day or month first, as the column's other values show) or ``w``/``d``
        (kind ``word``: the month written, looked up in ``months()``).
    expected : str
        The message for a value matching no pattern and no hint.
    hints : tuple of (str, str), default ()
        (regex, message) for a value matching no pattern, first match wins; else ``expected``.
    fold : bool, default False
        Fold text to lower case (and single spaces) first.
    months : callable, optional
        Month word -> (month number, languages spelling it so); needed by ``word`` patterns.
    unknown_month : str, default ""
        The message for a month word ``months()`` does not know.
    bounds : tuple of numpy.datetime64, optional
        Earliest and latest plausible day [date]; None: no bounds.

    Examples
    --------
    >>> NATIVE_DATES.bounds[0], NATIVE_DATES.fold, [kind for _, kind in NATIVE_DATES.patterns]
    (np.datetime64('2000-01-01'), False, ['ymd', 'ymd'])
    """

    patterns: tuple[tuple[str, str], ...]
    expected: str
    hints: tuple[tuple[str, str], ...] = ()
    fold: bool = False
    months: Callable[[], Mapping[str, tuple[int, frozenset[str]]]] | None = None
    unknown_month: str = ""
    bounds: tuple[np.datetime64, np.datetime64] | None = None


#: Our own format: ``YYYY-MM-DD`` (a time part is dropped) or ``DD.MM.YYYY``; 2000-2099.
NATIVE_DATES = DateStyle(
    patterns=(
        (r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", "ymd"),
        (r"(?P<d>\d{2})\.(?P<m>\d{2})\.(?P<y>\d{4})", "ymd"),
    ),
    expected="not a date; expected YYYY-MM-DD",
    hints=(
        (r"^\d{1,2}[./-]\d{1,2}[./-]\d{2}$", "not a date; expected YYYY-MM-DD (a 2-digit year is ambiguous)"),
        (
            r"^\d{1,2}/\d{1,2}/\d{2,4}$",
            "not a date; expected YYYY-MM-DD (with slashes, day and month cannot be told apart)",
        ),
    ),
    bounds=(EARLIEST, LATEST),
)


def read_dates(values: pd.Series, rows, column: str, style: DateStyle) -> tuple[pd.Series, set[str]]:
    """The dates of ``values`` (distinct cells, indexed by position) written as ``style`` says.

    Problems go to ``rows.flag``, assumptions to ``rows.warn``: a value matching no pattern, not a
    calendar date, or outside ``style.bounds``.

    Parameters
    ----------
    values : pandas.Series
        Distinct text cells, indexed by position.
    rows : cells.Problems or the view ``distinct.per_distinct`` passes
        Takes ``flag``, ``warn`` and ``lines_of``.
    column : str
        The column's name, for messages.
    style : DateStyle

    Returns
    -------
    parsed : pandas.Series
        ``to_datetime`` of the rows read [date], indexed as ``values``; rows empty or not read are
        left out, NaT where not a calendar date.
    languages : set of str
        The languages of the month names seen.

    Examples
    --------
    >>> from aliexp_lib.cells import Lines, Problems
    >>> problems = Problems("orders.csv", Lines())
    >>> text = pd.Series(["2025-08-03", "03.08.2025", "", "2025-02-30", "8/3/25"])
    >>> parsed, languages = read_dates(text, problems, "shipped_at", NATIVE_DATES)
    >>> parsed.dt.strftime("%Y-%m-%d").to_dict(), languages
    ({0: '2025-08-03', 1: '2025-08-03', 3: nan}, set())
    >>> [(row, message) for row, _, _, _, message in problems.problems]
    [(4, 'not a date; expected YYYY-MM-DD (a 2-digit year is ambiguous)'), (3, 'not a calendar date')]
    """
    if _reads_iso(style):  # a column of nothing but YYYY-MM-DD (our own files): read as such, no pattern tried
        filled = (values != "").to_numpy(dtype=bool)
        if values[filled].str.fullmatch(_ISO).all():
            return _calendar_days(values[filled], values[filled], rows, column, style), set()
    key = values.str.lower().str.replace(r"\s+", " ", regex=True).str.strip() if style.fold else values
    filled = key != ""
    year = pd.Series(None, index=values.index, dtype=object)
    month, day = year.copy(), year.copy()
    matched = pd.Series(False, index=values.index)
    languages: set[str] = set()
    for pattern, kind in style.patterns:
        todo = filled & ~matched
        if not todo.any():
            break
        parts = key[todo].str.extract(f"^{pattern}$")
        parts = parts[parts["y"].notna()]
        if parts.empty:
            continue
        matched[parts.index] = True
        if kind == "ymd":
            m, d = parts["m"], parts["d"]
        elif kind == "slashed":
            m, d = _day_or_month(parts["a"].astype(int), parts["b"].astype(int), values[parts.index], rows, column)
        else:  # "word"
            if style.months is None:
                raise ValueError(f"date style {style.expected!r} has month-word patterns but no months")
            words = style.months()
            word = parts["w"].str.rstrip(".")
            m = lookup(word, lambda w, words=words: words[w][0] if w in words else np.nan)
            for w in pd.unique(word[m.notna()]):
                if len(words[w][1]) == 1:
                    languages |= words[w][1]
            unknown = m.isna()
            rows.flag(unknown, values[parts.index], column, style.unknown_month)
            m, d, parts = m[~unknown], parts["d"][~unknown], parts[~unknown]
        year[parts.index] = parts["y"]
        month[parts.index] = _digits(m)
        day[parts.index] = _digits(d)
    unmatched = np.asarray(filled & ~matched, dtype=bool)
    for pattern, message in style.hints:
        hinted = unmatched & key.str.match(pattern).to_numpy(dtype=bool)
        rows.flag(hinted, values, column, message)
        unmatched = unmatched & ~hinted
    rows.flag(unmatched, values, column, style.expected)
    got = (year.notna() & month.notna() & day.notna()).to_numpy()
    text = year[got] + "-" + month[got].str.zfill(2) + "-" + day[got].str.zfill(2)
    return _calendar_days(text, values[got], rows, column, style), languages


#: A date as ``YYYY-MM-DD`` in ASCII digits, nothing else.
_ISO = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


@cache
def _reads_iso(style: DateStyle) -> bool:
    """Whether ``style``'s first pattern reads ``YYYY-MM-DD`` as year, month and day (then a column of
    only such dates is read without trying the patterns: the same dates, the same problems)."""
    pattern, kind = style.patterns[0]
    found = re.fullmatch(pattern, "2025-08-03")
    return kind == "ymd" and found is not None and found.group("y", "m", "d") == ("2025", "08", "03")


def _calendar_days(text: pd.Series, values: pd.Series, rows, column: str, style: DateStyle) -> pd.Series:
    """``YYYY-MM-DD`` ``text`` as dates; a problem on ``values`` (the cells it was read from) for a day
    that is not a calendar date or is outside ``style.bounds``."""
    parsed = pd.to_datetime(text.astype(str), format="%Y-%m-%d", errors="coerce")
    rows.flag(parsed.isna(), values, column, "not a calendar date")
    if style.bounds is not None:
        days = parsed.to_numpy().astype("datetime64[D]")
        rows.flag(
            ~np.isnat(days) & ((days < style.bounds[0]) | (days > style.bounds[1])),
            values,
            column,
            f"outside {style.bounds[0].astype(object).year}-{style.bounds[1].astype(object).year}; a typo?",
        )
    return parsed


def _digits(numbers: pd.Series) -> pd.Series:
    """Day or month numbers as text (as matched, or from a number), None where unknown."""
    return pd.Series(
        [None if pd.isna(n) else n if isinstance(n, str) else str(int(n)) for n in numbers],
        index=numbers.index,
        dtype=object,
    )


def _day_or_month(a: pd.Series, b: pd.Series, text: pd.Series, rows, column: str):
    """(month, day) of ``a/b/yyyy``: day first or month first, as the column's other values show."""
    day_first, month_first = bool((a > 12).any()), bool((b > 12).any())
    unsure = (a <= 12) & (b <= 12) & (a != b)
    if day_first != month_first:
        order = "day" if day_first else "month"
        if unsure.any():
            rows.warn(
                f"column {column}: {text[unsure].iat[0]!r} read {order} first, as other dates of the column "
                f"show ({rows.lines_of(text.index[unsure])})"
            )
        return (b, a) if day_first else (a, b)
    why = "this column has both orders" if day_first else "no other date of the column tells"
    rows.flag(
        unsure,
        text,
        column,
        f"day and month could be either way round (DD/MM or MM/DD?; {why}); write the date as YYYY-MM-DD",
    )
    month = b.where(a > 12, a).where(~unsure, np.nan)
    day = a.where(a > 12, b).where(~unsure, np.nan)
    return month, day


# ---------------------------------------------------------------------------------------------
# Currencies


@dataclasses.dataclass(frozen=True)
class CurrencyStyle:
    """How a column of currencies is written.

    Parameters
    ----------
    key : callable
        Folds a Series of cells into keys.
    names : callable
        Returns key -> ISO 4217 code (None: ambiguous, never guessed).
    unknown : str
        The message for an unknown key.
    ambiguous : str, default ""
        The message for an ambiguous key.
    assumed : mapping of str to str, default {}
        Key -> warning where it is used.
    keep_unknown : bool, default False
        An unknown value comes back (as its key) instead of "".

    Examples
    --------
    >>> NATIVE_CURRENCIES.key(pd.Series(["rub"])).tolist(), NATIVE_CURRENCIES.keep_unknown
    (['RUB'], True)
    """

    key: Callable[[pd.Series], pd.Series]
    names: Callable[[], Mapping[str, str | None]]
    unknown: str
    ambiguous: str = ""
    assumed: Mapping[str, str] = dataclasses.field(default_factory=dict)
    keep_unknown: bool = False


@cache
def iso_codes() -> dict[str, str]:
    """ISO 4217 code -> itself, for the currencies legal tender today (``money.known_currencies``).

    Examples
    --------
    >>> iso_codes()["RUB"], "XYZ" in iso_codes()
    ('RUB', False)
    """
    return {code: code for code in known_currencies()}


#: Our own format: ISO codes in any case.
NATIVE_CURRENCIES = CurrencyStyle(
    key=lambda text: text.str.upper(),
    names=iso_codes,
    keep_unknown=True,
    unknown="unknown currency; expected an ISO 4217 code such as RUB, USD, EUR",
)


def read_currencies(values: pd.Series, rows, column: str, style: CurrencyStyle) -> pd.Series:
    """The ISO currency code of each of ``values`` (distinct cells), "" where empty or unknown (a problem).

    With ``style.keep_unknown`` an unknown value comes back as its key (still a problem). An
    ambiguous key is a problem too; a key of ``style.assumed`` is a warning.

    Parameters
    ----------
    values : pandas.Series
        Distinct text cells, indexed by position.
    rows : cells.Problems or the view ``distinct.per_distinct`` passes
    column : str
    style : CurrencyStyle

    Returns
    -------
    pandas.Series
        ISO 4217 codes, indexed as ``values``.

    Examples
    --------
    >>> from aliexp_lib.cells import Lines, Problems
    >>> problems = Problems("orders.csv", Lines())
    >>> read_currencies(pd.Series(["rub", "", "XYZ"]), problems, "currency", NATIVE_CURRENCIES).tolist()
    ['RUB', '', 'XYZ']
    >>> problems.problems
    [(2, 0, 'currency', 'XYZ', 'unknown currency; expected an ISO 4217 code such as RUB, USD, EUR')]
    """
    key = style.key(values)
    mapping = style.names()
    code = lookup(key, lambda k: (mapping.get(k, "?") or "?") if k else "").astype(str)
    ambiguous = lookup(key, lambda k: k in mapping and mapping[k] is None).astype(bool)
    code = code.where(~ambiguous, "?")
    rows.flag(ambiguous, values, column, style.ambiguous)
    rows.flag((code == "?") & ~ambiguous, values, column, style.unknown)
    for word, warning in style.assumed.items():
        if (key == word).any():
            rows.warn(f"{warning} ({rows.lines_of(key.index[key == word])})")
    return key if style.keep_unknown else code.where(code != "?", "")
