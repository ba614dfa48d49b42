"""Shared parsing for the importers: localised dates, statuses, currencies, countries and numbers.

Every parser is vectorised (pandas ``.str`` operations over a whole column); Python loops run only
over a handful of patterns or over the distinct values of a column. A parser never guesses: a
value it cannot read with certainty is a problem naming the value, and every assumption that
settled a doubtful value is a warning.

Series passed around here are indexed by the *row position* in the source table, so a problem
can always be traced back to its line in the source file. Text columns of the source table are
categoricals (each distinct value stored once, rows hold codes): a column has few distinct values,
so every parser runs on those (``per_distinct``) and hands back a categorical again, and a
comparison such as ``column == ""`` compares codes instead of a million strings.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from babel import Locale
from babel.dates import get_month_names

from aliexp_lib.errors import CellError, InputError
from aliexp_lib.money import known_currencies, minor_digits
from aliexp_lib.orders import csv_record_lines

#: Languages whose spellings are understood, and the decimal separator each one writes.
LANGUAGES = {"en": ".", "de": ",", "ru": ","}


# ---------------------------------------------------------------------------------------------
# The source file and its problems


class Source:
    """A source file being imported: its bytes and text, separator, problems and warnings.

    With ``data`` (the file's bytes, checked to be UTF-8), ``text`` may be None: it is then decoded
    only if it is needed, to find the line of a record.
    """

    def __init__(self, path: Path, text: str | None, sep: str, data: bytes | None = None):
        self.path, self.sep, self._text = path, sep, text
        self.data = text.encode("utf-8") if data is None else data
        self.problems: list[tuple[int, int, str, str, str]] = []  # row, column order, column, value, message
        self.warnings: list[str] = []
        self._lines: list[int] | range | None = None
        self.rows: int | None = None  # data rows read, set by read_table

    @property
    def text(self) -> str:
        """The file's text, decoded on first use."""
        if self._text is None:
            self._text = self.data.decode("utf-8-sig")
        return self._text

    def line(self, row: int) -> int:
        """The physical line where data row ``row`` starts (found by a second read, only when needed)."""
        if self._lines is None and self.rows is not None:
            newlines = self.data.count(b"\n") + (0 if self.data.endswith(b"\n") else 1)
            if newlines == self.rows + 1:  # one line per record: no blank lines, no line breaks in cells
                self._lines = range(2, self.rows + 2)
        if self._lines is None:
            self._lines = csv_record_lines(self.text, self.sep)
        return self._lines[row] if row < len(self._lines) else row + 2

    def flag(self, bad, values: pd.Series, column: str, message: str | list[str]) -> None:
        """A problem for every row of ``values`` (indexed by row position) where ``bad`` holds, saying
        ``message`` (or one message per such row, in row order)."""
        bad = np.asarray(bad, dtype=bool)
        if not bad.any():
            return
        flagged = values[bad]
        messages = [message] * len(flagged) if isinstance(message, str) else message
        for row, text, said in zip(flagged.index.to_numpy(), flagged.to_numpy(), messages, strict=True):
            self.problems.append((int(row), 0, column, "" if pd.isna(text) else str(text), said))

    def warn(self, message: str) -> None:
        self.warnings.append(f"{self.path}: {message}")

    def lines_of(self, rows, limit: int = 5) -> str:
        """``line 3, line 9 and 2 more`` for warnings."""
        rows = np.asarray(rows)
        shown = ", ".join(f"line {self.line(int(r))}" for r in rows[:limit])
        return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")

    def raise_problems(self) -> None:
        if self.problems:
            ordered = sorted(self.problems, key=lambda p: (p[0], p[2]))
            raise CellError(str(self.path), [f"line {self.line(r)}, column {c}: {v!r}: {m}" for r, _, c, v, m in ordered])


def read_table(source: Source, columns: tuple[str, ...], name: str, strip: tuple[str, ...] = ()) -> pd.DataFrame:
    """The source's ``columns`` as a table of categorical text (C parser), named as ``columns`` spells them.

    Header names are matched case-insensitively; a missing column is an empty one, but the
    format's key column (the first of ``columns``) must be present. Other columns are not read,
    and neither are cells beyond the header's columns (a delimiter at the end of each line, as some
    spreadsheets write, is not a column of row labels). Only the ``strip`` columns are stripped of
    surrounding spaces here (the parsers strip theirs).
    """
    wanted = {normal_header(column) for column in columns}
    # Only the columns we use are parsed: personal columns never become values in memory. The bytes
    # are known to be UTF-8: the C parser reads them as they are and skips a BOM ("utf-8-sig" would
    # have pandas decode and re-encode the whole file first).
    try:
        raw = pd.read_csv(
            io.BytesIO(source.data), sep=source.sep, dtype=object, keep_default_na=False, na_filter=False, engine="c",
            encoding="utf-8", index_col=False, usecols=lambda name: normal_header(name) in wanted,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{source.path}: not readable as {name} ({exc})") from None
    given = {normal_header(c): c for c in raw.columns}
    key = normal_header(columns[0])
    if key not in given:
        raise InputError(f"{source.path}: line 1: no {columns[0]!r} column, so this is not {name}")
    source.rows = len(raw)
    table = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for column in columns:
        original = given.get(normal_header(column))
        values = raw[original].to_numpy() if original is not None else np.full(len(raw), "", dtype=object)
        table[column] = _categorical(values, strip=column in strip)
    return table


def _categorical(values: np.ndarray, strip: bool) -> pd.Categorical:
    """Text ``values`` as a categorical, stripped of surrounding spaces with ``strip``."""
    codes, distinct = _factorize_runs(values)
    if strip:
        stripped = np.array([value.strip() for value in distinct], dtype=object)
        if (stripped != distinct).any():  # values that differ only in spaces become one
            recode, distinct = pd.factorize(stripped)
            codes = recode[codes]
    return pd.Categorical.from_codes(codes, pd.Index(distinct, dtype=str))


def _factorize_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize(values)``, hashing each run of equal neighbours once (an export repeats the
    values of an order on each of its rows, so most columns are long runs)."""
    starts = np.ones(len(values), bool)
    starts[1:] = values[1:] != values[:-1]
    starts = np.flatnonzero(starts)
    codes, distinct = pd.factorize(values[starts])
    return np.repeat(codes, np.diff(starts, append=len(values))), distinct


def per_distinct(text: pd.Series, parse, source: Source | None = None):
    """``parse`` run once per distinct value of ``text`` (a column has few), its results spread back to the rows.

    ``parse(values)`` (or ``parse(values, proxy)`` with ``source``) gets the distinct values as a
    Series and returns a Series, or a tuple whose Series items are spread back (text as a
    categorical); problems flagged through the proxy land on every row holding the value.
    """
    codes, uniques = pd.factorize(text, sort=False)
    values = pd.Series(uniques, dtype=str)
    result = parse(values) if source is None else parse(values, _Rows(source, text, codes))

    def spread(item):
        if not isinstance(item, pd.Series):
            return item
        if pd.api.types.is_string_dtype(item.dtype):
            item_codes, item_values = pd.factorize(item)
            return pd.Series(pd.Categorical.from_codes(item_codes[codes], item_values), index=text.index)
        return pd.Series(item.to_numpy()[codes], index=text.index, dtype=item.dtype)

    return tuple(spread(item) for item in result) if isinstance(result, tuple) else spread(result)


def combined_currency(currency: pd.Series, inline: pd.Series, price_text: pd.Series, source: Source,
                      price_column: str, currency_column: str) -> pd.Series:
    """Each row's currency: the currency column's, else the one written with the price (``inline``);
    a problem where both are given and differ."""
    currency, inline = same_categories(currency, inline)
    source.flag((inline != "") & (currency != "") & (inline != currency), price_text, price_column,
                f"its currency differs from the {currency_column} column")
    return currency.where(currency != "", inline)


def same_categories(*columns: pd.Series) -> list[pd.Series]:
    """Categorical ``columns`` recoded to the same categories, so that they compare and combine."""
    categories = columns[0].cat.categories
    for column in columns[1:]:
        categories = categories.union(column.cat.categories)
    return [column.cat.set_categories(categories) for column in columns]


class _Rows:
    """A ``Source`` seen through distinct values: flags and line lists go to every row holding the value."""

    def __init__(self, source: Source, text: pd.Series, codes: np.ndarray):
        self.source, self.text, self.codes = source, text, codes

    def flag(self, bad, values: pd.Series, column: str, message: str) -> None:
        bad = np.asarray(bad, dtype=bool)
        if bad.any():
            wrong = np.zeros(int(self.codes.max()) + 1, bool)
            wrong[values.index.to_numpy()[bad]] = True
            self.source.flag(wrong[self.codes], self.text, column, message)

    def warn(self, message: str) -> None:
        self.source.warn(message)

    def lines_of(self, distinct, limit: int = 5) -> str:
        return self.source.lines_of(self.text.index[np.isin(self.codes, np.asarray(distinct))], limit)


class Orders:
    """The rows of each order: rows with an order id, grouped by it, orders in order of first appearance."""

    def __init__(self, order_id: pd.Series):
        self.rows = np.flatnonzero(order_id != "")  # the rows that belong to an order
        self.order, ids = pd.factorize(order_id.iloc[self.rows])  # the order of each of those rows
        self.n_orders, self.n_rows = len(ids), len(order_id)
        self.start = self._first(np.ones(self.n_rows, bool))  # each order's first row

    def _first(self, where: np.ndarray) -> np.ndarray:
        """Per order, the first of its rows where ``where`` (a mask over all rows) holds; ``n_rows`` if none."""
        first = np.full(self.n_orders, self.n_rows)
        held = where[self.rows]
        np.minimum.at(first, self.order[held], self.rows[held])
        return first

    def _first_filled(self, values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
        """Where ``values`` is non-empty, and per order the first such row (else its first row, an empty one)."""
        filled = np.asarray(values != "")
        first = self._first(filled)
        return filled, np.where(first < self.n_rows, first, self.start)

    def first(self, values: pd.Series) -> pd.Series:
        """Per order, its first non-empty value ("" if it has none), indexed by the order's first row."""
        return values.iloc[self._first_filled(values)[1]].set_axis(self.start)

    def disagree(self, values: pd.Series) -> np.ndarray:
        """A mask over all rows: the rows of orders whose non-empty ``values`` are not all the same."""
        filled, first = self._first_filled(values)
        codes = pd.factorize(values)[0]
        differs = filled[self.rows] & (codes[self.rows] != codes[first][self.order])
        split = np.bincount(self.order[differs], minlength=self.n_orders) > 0
        mask = np.zeros(self.n_rows, bool)
        mask[self.rows] = split[self.order]
        return mask

    def tally(self, where: np.ndarray) -> np.ndarray:
        """Per order, the number of its rows where ``where`` (a mask over all rows) holds."""
        return np.bincount(self.order[where[self.rows]], minlength=self.n_orders)


def normal_header(name: str) -> str:
    return " ".join(str(name).replace("\ufeff", "").replace("_", " ").split()).lower()


# ---------------------------------------------------------------------------------------------
# Words: months, statuses, currencies, countries


def lookup(text: pd.Series, function) -> pd.Series:
    """``function`` of each value, computed once per distinct value (a column has few)."""
    distinct = pd.unique(text)
    return text.map(dict(zip(distinct, map(function, distinct), strict=True)))


def _fold(text: pd.Series) -> pd.Series:
    """Lower case, one space between words, no trailing dots."""
    return text.str.lower().str.replace(r"\s+", " ", regex=True).str.strip().str.rstrip(".").str.strip()


@cache
def month_words() -> dict[str, tuple[int, frozenset[str]]]:
    """Month name (folded) -> (month number, languages spelling it so), from CLDR plus common variants."""
    words: dict[str, tuple[int, set[str]]] = {}

    def add(word: str, month: int, language: str) -> None:
        word = word.lower().rstrip(".")
        known = words.setdefault(word, (month, set()))
        assert known[0] == month, (word, month)
        known[1].add(language)

    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, language).items():
                    add(name, month, language)
    extras = {
        "en": {"sept": 9, "june": 6, "july": 7},
        "de": {"mrz": 3, "mär": 3, "jun": 6, "jul": 7, "sep": 9},
        "ru": {"янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8, "сен": 9,
               "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12},
    }
    for language, names in extras.items():
        for name, month in names.items():
            add(name, month, language)
    return {word: (month, frozenset(languages)) for word, (month, languages) in words.items()}


#: Normalised status -> spellings (en, ru, de) as the site and the export tools show them.
STATUSES = {
    "awaiting_payment": (
        "awaiting payment", "pending payment", "unpaid", "to pay", "payment pending",
        "ожидает оплаты", "ожидание оплаты", "не оплачен", "не оплачено",
        "zahlung ausstehend", "warten auf zahlung", "wartet auf zahlung", "warte auf zahlung", "nicht bezahlt",
    ),
    "awaiting_shipment": (
        "awaiting shipment", "awaiting dispatch", "to ship", "processing", "pending shipment",
        "ожидает отправки", "ожидание отправки", "в обработке", "обрабатывается",
        "versand ausstehend", "warten auf versand", "wartet auf versand", "warte auf versand", "in bearbeitung",
    ),
    "shipped": (
        "shipped", "awaiting delivery", "awaiting receipt", "to receive", "in transit", "sent",
        "отправлен", "отправлено", "отправлен продавцом", "ожидает получения", "ожидает доставки", "в пути",
        "versandt", "versendet", "verschickt", "warten auf lieferung", "wartet auf lieferung",
        "warten auf erhalt", "wartet auf erhalt", "lieferung ausstehend", "unterwegs",
    ),
    "completed": (
        "completed", "complete", "finished", "order completed", "confirmed",
        "завершено", "завершён", "завершен", "заказ завершён", "заказ завершен", "выполнен", "заказ выполнен",
        "abgeschlossen", "beendet", "bestellung abgeschlossen", "erledigt",
    ),
    "closed": (
        "closed", "cancelled", "canceled", "order closed", "order cancelled",
        "закрыт", "закрыто", "заказ закрыт", "отменён", "отменен", "отменено", "заказ отменён", "заказ отменен",
        "geschlossen", "storniert", "abgebrochen", "bestellung storniert", "bestellung geschlossen",
    ),
    "in_dispute": (
        "in dispute", "dispute", "disputed", "dispute in progress", "dispute opened",
        "спор", "в споре", "открыт спор", "спор открыт", "идёт спор", "идет спор",
        "streitfall", "im streitfall", "in klärung", "reklamation", "reklamation offen", "streitfall eröffnet",
    ),
    "refunded": (
        "refunded", "refund", "refund completed", "refund issued",
        "возвращено", "возврат", "возврат средств", "средства возвращены", "деньги возвращены",
        "erstattet", "rückerstattet", "erstattung", "rückerstattung", "geld zurückerstattet",
    ),
}

#: What a status says about our dated columns, and why no date is filled in.
STATUS_MEANS = {
    "shipped": "the seller shipped, but the export gives no shipping date; shipped_at left empty",
    "completed": "receipt was confirmed on the site, but the export gives no date; confirmed_at left empty",
    "in_dispute": "a dispute is open, but the export gives no date; dispute_opened_at left empty",
    "refunded": "a refund was issued, but the export gives no date; refund_issued_at left empty",
}


@cache
def status_words() -> dict[str, tuple[str, str]]:
    """Spelling -> (normalised status, language)."""
    words = {}
    for status, spellings in STATUSES.items():
        for word in spellings:
            language = "ru" if re.search("[а-яё]", word) else ("de" if word in _GERMAN else "en")
            words[word] = (status, language)
    return words


_GERMAN = {w for spellings in STATUSES.values() for w in spellings
           if re.search(r"[äöüß]|ausstehend|warte|versand|bearbeitung|verschickt|versendet|lieferung|erhalt|unterwegs|"
                        r"abgeschlossen|beendet|bestellung|erledigt|geschlossen|storniert|abgebrochen|streit|klärung|"
                        r"reklamation|erstatt|bezahlt", w)}

#: Currency symbols and words (folded, spaces removed) -> ISO code; None: ambiguous, never guessed.
CURRENCY_WORDS = {
    "us$": "USD", "usd$": "USD", "$": "USD", "€": "EUR", "euro": "EUR", "eur€": "EUR",
    "руб": "RUB", "руб.": "RUB", "р": "RUB", "р.": "RUB", "₽": "RUB", "rub.": "RUB", "rubel": "RUB",
    "£": "GBP", "cn¥": "CNY", "rmb": "CNY", "元": "CNY", "jp¥": "JPY", "円": "JPY", "¥": None, "￥": None,
    "fr.": "CHF", "sfr.": "CHF", "zł": "PLN", "₴": "UAH", "грн": "UAH", "грн.": "UAH", "₸": "KZT", "тг": "KZT",
    "тг.": "KZT", "ca$": "CAD", "c$": "CAD", "a$": "AUD", "au$": "AUD", "nz$": "NZD", "mx$": "MXN", "r$": "BRL",
    "₩": "KRW", "₹": "INR", "kč": "CZK", "₺": "TRY", "₪": "ILS", "br": "BYN", "byn": "BYN", "kr": None,
}


def _currencies(text: pd.Series, source: Source, column: str) -> pd.Series:
    """ISO codes from symbols, words or codes (``US $``, ``€``, ``руб.``, ``CHF``); "" where empty."""
    key = text.str.lower().str.replace(r"\s+", "", regex=True)
    mapping = {code.lower(): code for code in known_currencies()} | CURRENCY_WORDS
    code = lookup(key, lambda k: (mapping.get(k, "?") or "?") if k else "").astype(str)
    ambiguous = lookup(key, lambda k: k in mapping and mapping[k] is None).astype(bool)
    code = code.where(~ambiguous, "?")
    source.flag(ambiguous, text, column, "ambiguous currency symbol (CNY or JPY? SEK, NOK or DKK?); give its ISO code")
    source.flag((code == "?") & ~ambiguous, text, column, "unknown currency; expected a symbol such as US $, €, руб. or an ISO code")
    if (key == "$").any():
        source.warn(f"'$' read as US dollars (USD), as AliExpress shows them ({source.lines_of(key.index[key == '$'])})")
    return code.where(code != "?", "")


def _statuses(text: pd.Series, source: Source, column: str) -> pd.Series:
    """Normalised statuses (``completed``, ``shipped``...); an unknown one is a problem naming it."""
    folded = _fold(text)
    words = status_words()
    status = lookup(folded, lambda w: words[w][0] if w in words else ("" if not w else "?")).astype(str)
    known = ", ".join(STATUSES)
    source.flag(status == "?", text, column, f"unknown order status; expected one meaning {known} (in English, Russian or German)")
    return status.where(status != "?", "")


def status_languages(text: pd.Series) -> set[str]:
    words = status_words()
    return {words[w][1] for w in _fold(pd.Series(pd.unique(text), dtype=str)) if w in words}


@cache
def country_names() -> dict[str, str]:
    """Country name in English, Russian or German, or ISO code (folded) -> ISO 3166 code."""
    codes = {c for c in Locale("en").territories if len(c) == 2 and c.isalpha()}
    names: dict[str, str] = {c.lower(): c for c in codes}
    for language in LANGUAGES:
        for code, name in Locale(language).territories.items():
            if code in codes:
                names.setdefault(name.lower(), code)
    names.update({"usa": "US", "uk": "GB", "russian federation": "RU", "российская федерация": "RU", "рф": "RU"})
    return names


def _countries(text: pd.Series, source: Source, column: str) -> pd.Series:
    """ISO country codes; a name not recognised is left out (with a warning: it is not needed to import)."""
    names = country_names()
    folded = _fold(text)
    code = lookup(folded, lambda w: names.get(w, "?") if w else "").astype(str)
    unknown = code == "?"
    if unknown.any():
        values = ", ".join(repr(v) for v in pd.unique(text[unknown])[:5])
        source.warn(f"column {column}: country {values} not recognised ({source.lines_of(text.index[unknown])}); "
                    "destination left empty, so the order book assumes RU")
    return code.where(~unknown, "")


# ---------------------------------------------------------------------------------------------
# Dates

_TIME = r"(?:,?\s*(?:um|в)?\s*\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]\.?m\.?)?(?:\s*(?:uhr|utc|gmt[+-]?\d*|[a-z]{3,4}))?)?"
_DATE_PATTERNS = (  # (regex with named groups, kind)
    (r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ t].*)?", "iso"),
    (rf"(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{4}}){_TIME}", "dotted"),
    (rf"(?P<a>\d{{1,2}})/(?P<b>\d{{1,2}})/(?P<y>\d{{4}}){_TIME}", "slashed"),
    (rf"(?P<d>\d{{1,2}})\.?\s*(?P<w>[^\W\d_]+)\.?,?\s+(?P<y>\d{{4}})(?:\s*г\.?)?{_TIME}", "day_word"),
    (rf"(?P<w>[^\W\d_]+)\.?\s+(?P<d>\d{{1,2}}),?\s+(?P<y>\d{{4}}){_TIME}", "word_day"),
)


def _dates(text: pd.Series, source: Source, column: str) -> tuple[pd.Series, set[str]]:
    """ISO dates (``YYYY-MM-DD`` text, "" where empty) and the languages of the month names seen.

    Reads ISO dates (a time after them is dropped), ``3.8.2025``, ``3. Aug. 2025``, ``Aug 3, 2025``,
    ``3 авг. 2025 г.`` and ``03/08/2025`` (day or month first, settled by the column's other values,
    else a problem).
    """
    folded = text.str.lower().str.replace(r"\s+", " ", regex=True).str.strip()
    filled = folded != ""
    year = pd.Series(np.nan, index=text.index)
    month, day = year.copy(), year.copy()
    matched = pd.Series(False, index=text.index)
    languages: set[str] = set()
    words = month_words()
    for pattern, kind in _DATE_PATTERNS:
        todo = filled & ~matched
        if not todo.any():
            break
        parts = folded[todo].str.extract(f"^{pattern}$")
        hit = parts["y"].notna()
        if not hit.any():
            continue
        parts = parts[hit]
        rows = parts.index
        matched[rows] = True
        if kind in ("iso", "dotted"):
            m, d = parts["m"], parts["d"]
        elif kind == "slashed":
            a, b = parts["a"].astype(int), parts["b"].astype(int)
            m, d = _day_or_month(a, b, text[rows], source, column)
        else:
            word = parts["w"].str.rstrip(".")
            m = lookup(word, lambda w: words[w][0] if w in words else np.nan)
            for w in pd.unique(word[m.notna()]):
                if len(words[w][1]) == 1:
                    languages |= words[w][1]
            unknown = m.isna()
            source.flag(unknown, text[rows], column, "unknown month name; expected English, Russian or German")
            m, d, parts = m[~unknown], parts["d"][~unknown], parts[~unknown]
            rows = parts.index
        year[rows] = parts["y"].astype(float)
        month[rows] = pd.to_numeric(m, errors="coerce").astype(float)
        day[rows] = pd.to_numeric(d, errors="coerce").astype(float)
    source.flag(filled & ~matched, text, column, "not a date; expected e.g. 2025-08-03, 3.8.2025, Aug 3, 2025 or 3 авг. 2025 г.")
    number = year * 10000 + month * 100 + day
    got = number.notna()
    parsed = pd.to_datetime(number[got].astype("int64").astype(str), format="%Y%m%d", errors="coerce")
    source.flag(parsed.isna(), text[got], column, "not a calendar date")
    iso = parsed.dt.strftime("%Y-%m-%d")
    out = pd.Series("", index=text.index, dtype=str)
    ok = iso.notna()
    out[iso.index[ok]] = iso[ok]
    return out, languages


def _day_or_month(a: pd.Series, b: pd.Series, text: pd.Series, source: Source, column: str):
    """(month, day) of ``a/b/yyyy``: day first or month first, as the column's other values show."""
    day_first, month_first = bool((a > 12).any()), bool((b > 12).any())
    unsure = (a <= 12) & (b <= 12) & (a != b)
    if day_first != month_first:
        order = "day" if day_first else "month"
        if unsure.any():
            source.warn(f"column {column}: {text[unsure].iat[0]!r} read {order} first, as other dates of the column "
                        f"show ({source.lines_of(text.index[unsure])})")
        return (b, a) if day_first else (a, b)
    why = "this column has both orders" if day_first else "no other date of the column tells"
    source.flag(unsure, text, column, f"day and month could be either way round (DD/MM or MM/DD?; {why}); "
                "write the date as YYYY-MM-DD")
    month = b.where(a > 12, a).where(~unsure, np.nan)
    day = a.where(a > 12, b).where(~unsure, np.nan)
    return month, day


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
    """The decimal separator the file uses, and why: its unambiguous numbers, else its language."""
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


def _numbers(text: pd.Series, source: Source, column: str, point: str | None = None, why: str = "") -> pd.Series:
    """Plain decimals (``1234.56``) from ``1,234.56``, ``1 234,56``, ``1.234,56``, ``1'234.56``...

    The last separator is the decimal one when the grouping shows it; ``1,234`` and ``1.234``
    (thousands or decimals?) are read with ``point`` (the file's decimal separator) and are a
    problem without one. "" where empty or bad.
    """
    value = text.str.strip()
    filled = value != ""
    plain, point_style, comma_style, ambiguous = _styles(value)
    out = pd.Series("", index=text.index, dtype=str)
    out[plain] = value[plain].str.replace(_G, "", regex=True)
    out[point_style] = value[point_style].str.replace(rf",|{_G}", "", regex=True)
    out[comma_style] = value[comma_style].str.replace(rf"\.|{_G}", "", regex=True).str.replace(",", ".", regex=False)
    if point is None:
        source.flag(ambiguous, text, column, "thousands or decimals? write 1234 or 1.234 (no other value of the file tells)")
    elif ambiguous.any():
        if point == ".":
            out[ambiguous] = value[ambiguous].str.replace(",", "", regex=False)
        else:
            out[ambiguous] = value[ambiguous].str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
        source.warn(f"column {column}: {value[ambiguous].iat[0]!r} read with {point!r} as the decimal separator, as "
                    f"{why} ({source.lines_of(value.index[ambiguous])})")
    source.flag(filled & ~(plain | point_style | comma_style | ambiguous), text, column,
                "not an amount; expected e.g. 1234.56, 1,234.56, 1 234,56 or 1.234,56")
    return out


_AMOUNT_TEXT = rf"^(?P<pre>[^\d]*?)\s*(?P<num>\d(?:[\d.,]|{_G})*\d|\d)\s*(?P<post>[^\d]*)$"


def _split_amount(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(number text, currency text, readable) of display text such as ``US $12.34`` or ``1 234,56 руб.``."""
    value = text.str.strip()
    parts = value.str.extract(_AMOUNT_TEXT)
    readable = parts["num"].notna() | (value == "")
    number = parts["num"].fillna("").astype(str)
    symbol = (parts["pre"].fillna("") + " " + parts["post"].fillna("")).str.strip().astype(str)
    return number, symbol, readable


def check_precision(amount: pd.Series, currency: pd.Series, text: pd.Series, source: Source, column: str) -> None:
    """A problem where an amount has more decimal places than its currency."""
    def places(values: pd.Series) -> pd.Series:  # digits after the decimal point, 0 without one
        point = values.str.find(".")
        return (values.str.len() - point - 1).where(point >= 0, 0)

    decimals = per_distinct(amount, places)
    for code in pd.unique(currency[(amount != "") & (currency != "")]):
        digits = minor_digits(code)
        source.flag((currency == code) & (decimals > digits), text, column, f"more decimal places than {code} has ({digits})")


def _store_links(text: pd.Series, source: Source, column: str) -> pd.Series:
    """Store links as ``https://`` URLs; protocol-relative (``//aliexpress.ru/store/1``) and bare ones are accepted."""
    link = text.str.strip()
    relative = link.str.startswith("//")
    bare = link.str.match(r"^[\w-]+(?:\.[\w-]+)+/").astype(bool)
    link = link.where(~relative, "https:" + link).where(~bare, "https://" + link)
    good = link.str.match(r"^https?://[\w-]+(?:\.[\w-]+)+(?:[/?#]\S*)?$").astype(bool)
    source.flag((link != "") & ~good, text, column, "not a link; expected e.g. https://aliexpress.com/store/123")
    return link.where(good, "")


def titled(first_title: pd.Series, count: pd.Series) -> pd.Series:
    """The first item's title, with ``(+N more)`` when the order has more items; "" without a title."""
    more, distinct = pd.factorize(count.fillna(1).astype(int) - 1)  # few distinct counts: one suffix each
    suffix = np.array([f" (+{n} more)" if n > 0 else "" for n in distinct], dtype=object)
    title = first_title.astype(str).fillna("").to_numpy(object)
    return pd.Series(np.where(title != "", title + suffix[more], ""), index=first_title.index, dtype=str)


def currencies(text: pd.Series, source: Source, column: str) -> pd.Series:
    return per_distinct(text, lambda values, rows: _currencies(values, rows, column), source)


def statuses(text: pd.Series, source: Source, column: str) -> pd.Series:
    return per_distinct(text, lambda values, rows: _statuses(values, rows, column), source)


def countries(text: pd.Series, source: Source, column: str) -> pd.Series:
    return per_distinct(text, lambda values, rows: _countries(values, rows, column), source)


def dates(text: pd.Series, source: Source, column: str) -> tuple[pd.Series, set[str]]:
    return per_distinct(text, lambda values, rows: _dates(values, rows, column), source)


def numbers(text: pd.Series, source: Source, column: str, point: str | None = None, why: str = "") -> pd.Series:
    return per_distinct(text, lambda values, rows: _numbers(values, rows, column, point, why), source)


def store_links(text: pd.Series, source: Source, column: str) -> pd.Series:
    return per_distinct(text, lambda values, rows: _store_links(values, rows, column), source)


def split_amount(text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    return per_distinct(text, _split_amount)


for _public, _private in ((currencies, _currencies), (statuses, _statuses), (countries, _countries), (dates, _dates),
                          (numbers, _numbers), (store_links, _store_links), (split_amount, _split_amount)):
    _public.__doc__ = _private.__doc__
