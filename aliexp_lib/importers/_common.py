"""What every importer shares: the source file being imported, its table of categorical text, and
(re-exported for the format modules, as ``c.<name>``) the parsers and the vocabulary.

Series passed around here are indexed by the *row position* in the source table, so a problem
can always be traced back to its line in the source file (``Source`` is the importers' problem
collector, ``cells.Problems``, with the line finder of a CSV file). Text columns of the source
table are categoricals (each distinct value stored once, rows hold codes): a column has few
distinct values, so every parser runs on those (``per_distinct``) and hands back a categorical
again, and a comparison such as ``column == ""`` compares codes instead of a million strings.

The importers build on the ground floor only (``schema``, ``cells``, ``values``, ``errors``,
``money``), never on the validator or the loader.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.cells import Lines, Orders, Problems, csv_record_lines, flag_duplicates
from aliexp_lib.distinct import per_distinct
from aliexp_lib.errors import InputError
from aliexp_lib.importers._parse import (
    EXPORT_CURRENCIES,
    EXPORT_DATES,
    check_precision,
    countries,
    currencies,
    dates,
    decimal_point,
    fold,
    numbers,
    split_amount,
    status_languages,
    statuses,
    store_links,
    titled,
)
from aliexp_lib.importers._words import (
    CURRENCY_WORDS,
    LANGUAGES,
    STATUS_ESTIMATED,
    STATUS_MEANS,
    STATUSES,
    country_names,
    month_words,
    status_words,
)
from aliexp_lib.values import lookup

__all__ = [
    "CURRENCY_WORDS",
    "EXPORT_CURRENCIES",
    "EXPORT_DATES",
    "LANGUAGES",
    "STATUSES",
    "STATUS_ESTIMATED",
    "STATUS_MEANS",
    "Orders",
    "Source",
    "check_precision",
    "combined_currency",
    "countries",
    "country_names",
    "currencies",
    "dates",
    "decimal_point",
    "flag_duplicates",
    "fold",
    "lookup",
    "month_words",
    "normal_header",
    "numbers",
    "per_distinct",
    "read_table",
    "same_categories",
    "split_amount",
    "status_languages",
    "status_words",
    "statuses",
    "store_links",
    "titled",
]


class Source(Problems):
    """A source file being imported: its bytes and text, separator, problems and warnings.

    With ``data`` (the file's bytes, checked to be UTF-8), ``text`` may be None: it is then decoded
    only if it is needed, to find the line of a record.

    Parameters
    ----------
    path : pathlib.Path
    text : str or None
    sep : str
        The format's delimiter.
    data : bytes, optional

    Examples
    --------
    >>> source = Source(Path("orders.csv"), "order_id\\n81\\n", ",")
    >>> source.data, source.where(0)
    (b'order_id\\n81\\n', 'line 2')
    """

    def __init__(self, path: Path, text: str | None, sep: str, data: bytes | None = None):
        super().__init__(str(path), Lines(find=self._record_lines))
        self.path, self.sep, self._text = path, sep, text
        if data is None:
            if text is None:
                raise ValueError(f"{path}: a Source needs its text or its bytes")
            data = text.encode("utf-8")
        self.data = data
        self.rows: int | None = None  # data rows read, set by read_table
        #: The buyer's own currency (ISO 4217) from the setting, for formats whose amounts carry none.
        self.currency: str | None = None

    @property
    def text(self) -> str:
        """The file's text, decoded on first use."""
        if self._text is None:
            self._text = self.data.decode("utf-8-sig")
        return self._text

    def _record_lines(self):
        """The physical line where each data row starts (found by a second read, only when needed)."""
        if self.rows is not None:
            newlines = self.data.count(b"\n") + (0 if self.data.endswith(b"\n") else 1)
            if newlines == self.rows + 1:  # one line per record: no blank lines, no line breaks in cells
                return range(2, self.rows + 2)
        return csv_record_lines(self.text, self.sep)


def read_table(source: Source, columns: tuple[str, ...], name: str, strip: tuple[str, ...] = ()) -> pd.DataFrame:
    """The source's ``columns`` as a table of categorical text (C parser), named as ``columns`` spells them.

    Header names are matched case-insensitively; a missing column is an empty one, but the
    format's key column (the first of ``columns``) must be present. Other columns are not read,
    and neither are cells beyond the header's columns (a delimiter at the end of each line, as some
    spreadsheets write, is not a column of row labels). Only the ``strip`` columns are stripped of
    surrounding spaces here (the parsers strip theirs). ``name`` names the format in messages;
    ``InputError`` if the table cannot be read or has no key column.

    Examples
    --------
    >>> source = Source(Path("orders.csv"), "ORDER ID,Item title,Buyer ZIP\\n81, Cable ,101000\\n", ",")
    >>> table = read_table(source, ("Order Id", "Item title", "Total price"), "an export", strip=("Item title",))
    >>> table.to_dict("list")
    {'Order Id': ['81'], 'Item title': ['Cable'], 'Total price': ['']}
    """
    wanted = {normal_header(column) for column in columns}
    # Only the columns we use are parsed: personal columns never become values in memory. The bytes
    # are known to be UTF-8: the C parser reads them as they are and skips a BOM ("utf-8-sig" would
    # have pandas decode and re-encode the whole file first).
    try:
        raw = pd.read_csv(
            io.BytesIO(source.data),
            sep=source.sep,
            dtype=object,
            keep_default_na=False,
            na_filter=False,
            engine="c",
            encoding="utf-8",
            index_col=False,
            usecols=lambda name: normal_header(name) in wanted,
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


def combined_currency(
    currency: pd.Series,
    inline: pd.Series,
    price_text: pd.Series,
    source: Source,
    price_column: str,
    currency_column: str,
) -> pd.Series:
    """Each row's currency: the currency column's, else the one written with the price (``inline``);
    a problem where both are given and differ.

    Examples
    --------
    >>> source = Source(Path("orders.csv"), "", ",")
    >>> column, inline = pd.Series(["RUB", ""], dtype="category"), pd.Series(["USD", "EUR"], dtype="category")
    >>> combined_currency(column, inline, pd.Series(["US $1", "€2"]), source, "Total price", "Currency").tolist()
    ['RUB', 'EUR']
    >>> source.problems
    [(0, 0, 'Total price', 'US $1', 'its currency differs from the Currency column')]
    """
    currency, inline = same_categories(currency, inline)
    source.flag(
        (inline != "") & (currency != "") & (inline != currency),
        price_text,
        price_column,
        f"its currency differs from the {currency_column} column",
    )
    return currency.where(currency != "", inline)


def same_categories(*columns: pd.Series) -> list[pd.Series]:
    """Categorical ``columns`` recoded to the same categories, so that they compare and combine.

    Examples
    --------
    >>> a, b = pd.Series(["a"], dtype="category"), pd.Series(["b"], dtype="category")
    >>> [list(column.cat.categories) for column in same_categories(a, b)]
    [['a', 'b'], ['a', 'b']]
    """
    categories = columns[0].cat.categories
    for column in columns[1:]:
        categories = categories.union(column.cat.categories)
    return [column.cat.set_categories(categories) for column in columns]


def normal_header(name: str) -> str:
    """A header name folded for comparison: case, spaces and underscores do not count.

    Examples
    --------
    >>> normal_header("Order_ID  "), normal_header("order  id")
    ('order id', 'order id')
    """
    return " ".join(str(name).replace("\ufeff", "").replace("_", " ").split()).lower()
