"""The importers' parsers: statuses, countries, numbers, amounts with their currency, links and
dates as the site and the export tools write them.

Every parser runs on the distinct values of a column (``distinct.per_distinct``: a column has few)
and hands back a categorical; a value it cannot read with certainty is a problem naming the
value, and every assumption that settled a doubtful value is a warning. Dates and currencies go
through the one reader of each (``values``), with the exports' style: written months in three
languages, currency symbols and words.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from aliexp_lib.cells import Problems
from aliexp_lib.distinct import per_distinct
from aliexp_lib.importers._words import CURRENCY_WORDS, LANGUAGES, STATUSES, country_names, month_words, status_words
from aliexp_lib.money import known_currencies, minor_digits
from aliexp_lib.values import CurrencyStyle, DateStyle, lookup, read_currencies, read_dates


def fold(text: pd.Series) -> pd.Series:
    """Lower case, one space between words, no trailing dots.

    Examples
    --------
    >>> fold(pd.Series(["  Order   Completed. "])).tolist()
    ['order completed']
    """
    return text.str.lower().str.replace(r"\s+", " ", regex=True).str.strip().str.rstrip(".").str.strip()


@cache
def _currency_names() -> dict[str, str | None]:
    """Currency keys of the exports (ISO codes in lower case, symbols, words) -> ISO code or None."""
    return {code.lower(): code for code in known_currencies()} | CURRENCY_WORDS


#: Currencies as the exports write them: symbols, words or ISO codes (``US $``, ``€``, ``руб.``, ``CHF``).
EXPORT_CURRENCIES = CurrencyStyle(
    key=lambda text: text.str.lower().str.replace(r"\s+", "", regex=True),
    names=_currency_names,
    unknown="unknown currency; expected a symbol such as US $, €, руб. or an ISO code",
    ambiguous="ambiguous currency symbol (CNY or JPY? SEK, NOK or DKK?); give its ISO code",
    assumed={"$": "'$' read as US dollars (USD), as AliExpress shows them"},
)


def _currencies(text: pd.Series, source: Problems, column: str) -> pd.Series:
    """ISO codes from symbols, words or codes (``US $``, ``€``, ``руб.``, ``CHF``); "" where empty.

    An ambiguous symbol (``¥``, ``kr``) or unknown one is a problem (``EXPORT_CURRENCIES``).

    Examples
    --------
    >>> from pathlib import Path
    >>> from aliexp_lib.importers._common import Source
    >>> source = Source(Path("orders.csv"), "", ",")
    >>> currencies(pd.Series(["US $", "€", "руб.", "¥"]), source, "Currency").tolist()
    ['USD', 'EUR', 'RUB', '']
    """
    return read_currencies(text, source, column, EXPORT_CURRENCIES)


def _statuses(text: pd.Series, source: Problems, column: str) -> pd.Series:
    """Normalised statuses (``completed``, ``shipped``...); an unknown one is a problem naming it.

    Examples
    --------
    >>> from pathlib import Path
    >>> from aliexp_lib.importers._common import Source
    >>> statuses(pd.Series(["Abgeschlossen", "In transit", "Завершено"]), Source(Path("o.csv"), "", ","), "s").tolist()
    ['completed', 'shipped', 'completed']
    """
    folded = fold(text)
    words = status_words()
    status = lookup(folded, lambda w: words[w][0] if w in words else ("" if not w else "?")).astype(str)
    known = ", ".join(STATUSES)
    source.flag(
        status == "?",
        text,
        column,
        f"unknown order status; expected one meaning {known} (in English, Russian or German)",
    )
    return status.where(status != "?", "")


def status_languages(text: pd.Series) -> set[str]:
    """The languages (``en``, ``ru``, ``de``) of the statuses in ``text`` that are known.

    Examples
    --------
    >>> status_languages(pd.Series(["Abgeschlossen", "Abgeschlossen", "???"]))
    {'de'}
    """
    words = status_words()
    return {words[w][1] for w in fold(pd.Series(pd.unique(text), dtype=str)) if w in words}


def _countries(text: pd.Series, source: Problems, column: str) -> pd.Series:
    """ISO country codes; a name not recognised is left out (with a warning: it is not needed to import)."""
    names = country_names()
    folded = fold(text)
    code = lookup(folded, lambda w: names.get(w, "?") if w else "").astype(str)
    unknown = code == "?"
    if unknown.any():
        values = ", ".join(repr(v) for v in pd.unique(text[unknown])[:5])
        source.warn(
            f"column {column}: country {values} not recognised ({source.lines_of(text.index[unknown])}); "
            "destination left empty, so your setting's destination applies (default RU)"
        )
    return code.where(~unknown, "")


# ---------------------------------------------------------------------------------------------
# Dates

_TIME = r"(?:,?\s*(?:um|в)?\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:uhr|utc|gmt[+-]?\d*|[a-z]{3,4}))?)?"
#: Dates as the exports write them: ISO dates (a time after them is dropped), ``3.8.2025``,
#: ``3. Aug. 2025``, ``Aug 3, 2025``, ``3 авг. 2025 г.`` and ``03/08/2025`` (day or month first,
#: settled by the column's other values, else a problem).
EXPORT_DATES = DateStyle(
    patterns=(
        (r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ t].*)?", "ymd"),
        (rf"(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{4}}){_TIME}", "ymd"),
        (rf"(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<y>\d{{4}}){_TIME}", "slashed"),
        (rf"(?P<d>\d{{1,2}})\.?\s*(?P<w>[^\W\d_]+)\.?,?\s+(?P<y>\d{{4}})(?:\s*г\.?)?{_TIME}", "word"),
        (rf"(?P<w>[^\W\d_]+)\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}}){_TIME}", "word"),
    ),
    expected="not a date; expected e.g. 2025-08-03, 3.8.2025, Aug 3, 2025 or 3 авг. 2025 г.",
    fold=True,
    months=month_words,
    unknown_month="unknown month name; expected English, Russian or German",
)


def _dates(text: pd.Series, source: Problems, column: str) -> tuple[pd.Series, set[str]]:
    """ISO dates (``YYYY-MM-DD`` text, "" where empty) and the languages of the month names seen
    (``EXPORT_DATES`` says which are read).

    Examples
    --------
    >>> from pathlib import Path
    >>> from aliexp_lib.importers._common import Source
    >>> source = Source(Path("orders.csv"), "", ",")
    >>> iso, languages = dates(pd.Series(["Aug 3, 2025", "3. Aug. 2025", "3 авг. 2025 г.", ""]), source, "Order date")
    >>> iso.tolist(), languages
    (['2025-08-03', '2025-08-03', '2025-08-03', ''], {'ru'})
    """
    parsed, languages = read_dates(text, source, column, EXPORT_DATES)
    iso = parsed.dt.strftime("%Y-%m-%d")
    out = pd.Series("", index=text.index, dtype=str)
    ok = iso.notna()
    out[iso.index[ok]] = iso[ok]
    return out, languages


# ---------------------------------------------------------------------------------------------
# Numbers

_G = "[ \u00a0\u202f\u2009'\u2019]"  # characters that only ever group digits
_POINT_STYLE = (r"\d+\.\d+", r"\d{1,3}(?:,\d{3})+\.\d+", r"\d{1,3}(?:,\d{3}){2,}", rf"\d{{1,3}}(?:{_G}\d{{3}})+\.\d+")
_COMMA_STYLE = (r"\d+,\d+", r"\d{1,3}(?:\.\d{3})+,\d+", r"\d{1,3}(?:\.\d{3}){2,}", rf"\d{{1,3}}(?:{_G}\d{{3}})+,\d+")
_AMBIGUOUS = r"[1-9]\d{0,2}[.,]\d{3}"
_PLAIN = rf"\d+|\d{{1,3}}(?:{_G}\d{{3}})+"


def _styles(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Masks: plain integer, point-decimal, comma-decimal, ambiguous (``1,234``)."""
    ambiguous = text.str.fullmatch(_AMBIGUOUS).astype(bool)
    plain = text.str.fullmatch(_PLAIN).astype(bool)
    point = text.str.fullmatch("|".join(_POINT_STYLE)).astype(bool) & ~ambiguous
    comma = text.str.fullmatch("|".join(_COMMA_STYLE)).astype(bool) & ~ambiguous
    return plain, point, comma, ambiguous


def decimal_point(evidence: list[pd.Series], languages: set[str]) -> tuple[str | None, str]:
    """The decimal separator the file uses, and why: its unambiguous numbers, else its language.

    Parameters
    ----------
    evidence : list of pandas.Series
        Amount columns of the file, as text.
    languages : set of str
        Languages of the file's words (``LANGUAGES``).

    Returns
    -------
    point : str or None
        "." or ","; None when nothing tells.
    why : str

    Examples
    --------
    >>> decimal_point([pd.Series(["1.234,56", ""])], set())
    (',', "the file's other amounts use ',' for decimals")
    >>> decimal_point([pd.Series(["1,234"])], {"en"})
    ('.', "the file is in en, which writes '.' for decimals")
    """
    points = commas = 0
    for text in evidence:
        text = pd.Series(pd.unique(text[text != ""]), dtype=str).str.strip()
        _, point, comma, _ = _styles(text)
        points += int(point.sum())
        commas += int(comma.sum())
    if points and not commas:
        return ".", "the file's other amounts use '.' for decimals"
    if commas and not points:
        return ",", "the file's other amounts use ',' for decimals"
    seps = {LANGUAGES[language] for language in languages}
    if not points and not commas and len(seps) == 1:
        sep = seps.pop()
        return sep, f"the file is in {'/'.join(sorted(languages))}, which writes {sep!r} for decimals"
    return None, ""


def _numbers(text: pd.Series, source: Problems, column: str, point: str | None = None, why: str = "") -> pd.Series:
    """Plain decimals (``1234.56``) from ``1,234.56``, ``1 234,56``, ``1.234,56``, ``1'234.56``...

    The last separator is the decimal one when the grouping shows it; ``1,234`` and ``1.234``
    (thousands or decimals?) are read with ``point`` (the file's decimal separator) and are a
    problem without one. "" where empty or bad.

    Examples
    --------
    >>> from pathlib import Path
    >>> from aliexp_lib.importers._common import Source
    >>> source = Source(Path("orders.csv"), "", ",")
    >>> numbers(pd.Series(["1 234,56", "1,234.56", "1,234"]), source, "Total price").tolist()
    ['1234.56', '1234.56', '']
    >>> numbers(pd.Series(["1,234"]), source, "Total price", ",", "the file is in ru").tolist()
    ['1.234']
    """
    value = text.str.strip()
    filled = value != ""
    plain, point_style, comma_style, ambiguous = _styles(value)
    out = pd.Series("", index=text.index, dtype=str)
    out[plain] = value[plain].str.replace(_G, "", regex=True)
    out[point_style] = value[point_style].str.replace(rf",|{_G}", "", regex=True)
    out[comma_style] = value[comma_style].str.replace(rf"\.|{_G}", "", regex=True).str.replace(",", ".", regex=False)
    if point is None:
        source.flag(
            ambiguous, text, column, "thousands or decimals? write 1234 or 1.234 (no other value of the file tells)"
        )
    elif ambiguous.any():
        if point == ".":
            out[ambiguous] = value[ambiguous].str.replace(",", "", regex=False)
        else:
            out[ambiguous] = value[ambiguous].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        source.warn(
            f"column {column}: {value[ambiguous].iat[0]!r} read with {point!r} as the decimal separator, as "
            f"{why} ({source.lines_of(value.index[ambiguous])})"
        )
    source.flag(
        filled & ~(plain | point_style | comma_style | ambiguous),
        text,
        column,
        "not an amount; expected e.g. 1234.56, 1,234.56, 1 234,56 or 1.234,56",
    )
    return out


_AMOUNT_TEXT = rf"^(?P<pre>[^\d]*?)\s*(?P<num>\d(?:[\d.,]|{_G})*\d|\d)\s*(?P<post>[^\d]*)$"


def _split_amount(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(number text, currency text, readable) of display text such as ``US $12.34`` or ``1 234,56 руб.``.

    Examples
    --------
    >>> [part.tolist() for part in split_amount(pd.Series(["US $12.34", "1 234,56 руб.", "n/a"]))]
    [['12.34', '1 234,56', ''], ['US $', 'руб.', ''], [True, True, False]]
    """
    value = text.str.strip()
    parts = value.str.extract(_AMOUNT_TEXT)
    readable = parts["num"].notna() | (value == "")
    number = parts["num"].fillna("").astype(str)
    symbol = (parts["pre"].fillna("") + " " + parts["post"].fillna("")).str.strip().astype(str)
    return number, symbol, readable


def check_precision(amount: pd.Series, currency: pd.Series, text: pd.Series, source: Problems, column: str) -> None:
    """A problem where an amount has more decimal places than its currency.

    Examples
    --------
    >>> from pathlib import Path
    >>> from aliexp_lib.importers._common import Source
    >>> source = Source(Path("orders.csv"), "", ",")
    >>> amount, currency = pd.Series(["12.5", "3.25"]), pd.Series(["JPY", "USD"])
    >>> check_precision(amount, currency, pd.Series(["¥12.5", "$3.25"]), source, "Total")
    >>> source.problems
    [(0, 0, 'Total', '¥12.5', 'more decimal places than JPY has (0)')]
    """

    def places(values: pd.Series) -> pd.Series:  # digits after the decimal point, 0 without one
        point = values.str.find(".")
        return (values.str.len() - point - 1).where(point >= 0, 0)

    decimals = per_distinct(amount, places)
    for code in pd.unique(currency[(amount != "") & (currency != "")]):
        digits = minor_digits(code)
        source.flag(
            (currency == code) & (decimals > digits), text, column, f"more decimal places than {code} has ({digits})"
        )


def _store_links(text: pd.Series, source: Problems, column: str) -> pd.Series:
    """Store links as ``https://`` URLs; protocol-relative (``//aliexpress.ru/store/1``) and bare ones are accepted."""
    link = text.str.strip()
    relative = link.str.startswith("//")
    bare = link.str.match(r"^[\w-]+(?:\.[\w-]+)+/").astype(bool)
    link = link.where(~relative, "https:" + link).where(~bare, "https://" + link)
    good = link.str.match(r"^https?://[\w-]+(?:\.[\w-]+)+(?:[/?#]\S*)?$").astype(bool)
    source.flag((link != "") & ~good, text, column, "not a link; expected e.g. https://aliexpress.com/store/123")
    return link.where(good, "")


def titled(first_title: pd.Series, count: pd.Series) -> pd.Series:
    """The first item's title, with ``(+N more)`` when the order has more items; "" without a title.

    Examples
    --------
    >>> titled(pd.Series(["USB cable", ""]), pd.Series([3, 1])).tolist()
    ['USB cable (+2 more)', '']
    """
    more, distinct = pd.factorize(count.fillna(1).astype(int) - 1)  # few distinct counts: one suffix each
    suffix = np.array([f" (+{n} more)" if n > 0 else "" for n in distinct], dtype=object)
    title = first_title.astype(str).fillna("").to_numpy(object)
    return pd.Series(np.where(title != "", title + suffix[more], ""), index=first_title.index, dtype=str)


def currencies(text: pd.Series, source: Problems, column: str) -> pd.Series:
    return per_distinct(text, lambda values, rows: _currencies(values, rows, column), source)


def statuses(text: pd.Series, source: Problems, column: str) -> pd.Series:
    return per_distinct(text, lambda values, rows: _statuses(values, rows, column), source)


def countries(text: pd.Series, source: Problems, column: str) -> pd.Series:
    return per_distinct(text, lambda values, rows: _countries(values, rows, column), source)


def dates(text: pd.Series, source: Problems, column: str) -> tuple[pd.Series, set[str]]:
    return per_distinct(text, lambda values, rows: _dates(values, rows, column), source)


def numbers(text: pd.Series, source: Problems, column: str, point: str | None = None, why: str = "") -> pd.Series:
    return per_distinct(text, lambda values, rows: _numbers(values, rows, column, point, why), source)


def store_links(text: pd.Series, source: Problems, column: str) -> pd.Series:
    return per_distinct(text, lambda values, rows: _store_links(values, rows, column), source)


def split_amount(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    return per_distinct(text, _split_amount)


for _public, _private in (
    (currencies, _currencies),
    (statuses, _statuses),
    (countries, _countries),
    (dates, _dates),
    (numbers, _numbers),
    (store_links, _store_links),
    (split_amount, _split_amount),
):
    _public.__doc__ = _private.__doc__
