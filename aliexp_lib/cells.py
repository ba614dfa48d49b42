"""Cells of a text table, checked column by column: the machinery every reader of orders shares.

Ground floor of "orders in", beside ``schema``: the native format's validator (``validate``) and
every importer (``importers``) use these, and nothing here knows which of them is calling.

- ``Lines``: where data row ``i`` of a table is in its file (``line 7`` of a CSV file, ``row 7`` of
  a sheet), found only when a message needs it (``csv_record_lines``).
- ``Problems``: the one problem collector. Problems (row, column, value, message) and warnings are
  gathered while every column is checked, then raised together as one ``CellError``.
- ``Orders`` and ``flag_duplicates``: rows grouped by order id; a repeated order id is a problem.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from aliexp_lib.errors import CellError


def short(value: str, limit: int = 60) -> str:
    """``value`` cut to ``limit`` [characters] for a message, saying how long it was.

    Examples
    --------
    >>> short("x" * 70, limit=10), short("600.50")
    ('xxxxxxxxxx... (70 characters)', '600.50')
    """
    return value if len(value) <= limit else value[:limit] + f"... ({len(value)} characters)"


# ---------------------------------------------------------------------------------------------
# Where a row is in its file


class Lines:
    """Where data row ``row`` of a table starts in its file, for messages.

    Parameters
    ----------
    numbers : sequence of int, optional
        Each row's line (or sheet row) [1-based].
    word : str, default "line"
        "line" for text files, "row" for sheets.
    find : callable, optional
        Computes ``numbers`` on first use (a second read of the file, only when a message needs it).
        With neither, the data rows follow a one-line header (row 0 is line 2).

    Examples
    --------
    >>> Lines()(0), Lines([4, 9], word="row")(1), Lines(find=lambda: [7])(0), Lines([4]).number(3)
    ('line 2', 'row 9', 'line 7', 5)
    """

    def __init__(
        self,
        numbers: Sequence[int] | None = None,
        word: str = "line",
        find: Callable[[], Sequence[int] | None] | None = None,
    ):
        self._numbers, self.word, self._find = numbers, word, find

    def number(self, row: int) -> int:
        """The line (or sheet row) of data row ``row`` [1-based]; ``row + 2`` where no list says."""
        if self._numbers is None and self._find is not None:
            self._numbers = self._find()
        if self._numbers is None or row >= len(self._numbers):
            return row + 2
        return int(self._numbers[row])

    def __call__(self, row: int) -> str:
        return f"{self.word} {self.number(row)}"

    def every(self, rows: int) -> np.ndarray:
        """The line (or sheet row) of each of the first ``rows`` data rows [1-based], as ``number`` gives them.

        Examples
        --------
        >>> Lines().every(2).tolist(), Lines([4, 9]).every(2).tolist()
        ([2, 3], [4, 9])
        """
        self.number(0)  # a list found on first use is found now
        known = np.asarray(self._numbers if self._numbers is not None else [], dtype=np.int64)[:rows]
        return np.concatenate([known, np.arange(len(known), rows, dtype=np.int64) + 2])


@contextlib.contextmanager
def csv_field_limit():
    """The csv module refuses fields over 128 KiB by default; a long title is not an error.

    A context manager: the limit is lifted inside and restored on leaving.

    Examples
    --------
    >>> with csv_field_limit():
    ...     len(next(csv.reader(["a" * 200_000]))[0])
    200000
    """
    saved = csv.field_size_limit()
    csv.field_size_limit(2**31 - 1)
    try:
        yield
    finally:
        csv.field_size_limit(saved)


def csv_record_lines(text: str, delimiter: str = ",") -> list[int]:
    """The physical line [1-based] on which each data record of CSV ``text`` starts (header left out).

    A quoted cell may span lines; blank lines are skipped, as pandas does. One pass of the csv
    module: run it only to name the line of a problem.

    Examples
    --------
    >>> csv_record_lines('order_id,title\\n81,"two\\nlines"\\n\\n82,x\\n')
    [2, 5]
    """
    with csv_field_limit():
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
        starts, line = [], 1
        for record in reader:
            if record:
                starts.append(line)
            line = reader.line_num + 1
    return starts[1:]


# ---------------------------------------------------------------------------------------------
# Problems and warnings


class Problems:
    """The problems and warnings found in the table read from ``source``.

    A problem is (row, column position, column, value, message); ``raise_problems`` raises them
    all as one ``CellError``, ordered by row, then by column: by its position in ``columns`` when
    given (the table's own order; other names last), else by name. Rows are positions in the
    table; ``lines`` says where each is in the file.

    Parameters
    ----------
    source : str
    lines : Lines
    columns : sequence of str, optional

    Attributes
    ----------
    problems : list of tuple
    warnings : list of str
        Each prefixed with ``source``.

    Examples
    --------
    >>> problems = Problems("orders.csv", Lines(), columns=["order_id", "price"])
    >>> problems.where(0), problems.line(1), problems.lines_of([0, 1, 2, 3], limit=2)
    ('line 2', 3, 'line 2, line 3 and 2 more')
    >>> problems.warn("'$' read as US dollars (USD)")
    >>> problems.flag([False, True], pd.Series(["600", "6x"]), "price", "not an amount")
    >>> problems.raise_problems()
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.CellError: orders.csv: 1 problem:
      line 3, column price: '6x': not an amount
    >>> problems.warnings
    ["orders.csv: '$' read as US dollars (USD)"]
    """

    def __init__(self, source: str, lines: Lines, columns: Sequence[str] | None = None):
        self.source, self.lines = str(source), lines
        self.problems: list[tuple[int, int, str, str, str]] = []  # row, column position, column, value, message
        self.warnings: list[str] = []
        self._position = {} if columns is None else {name: i for i, name in reversed(list(enumerate(columns)))}
        self._other = 0 if columns is None else len(columns)

    def where(self, row: int) -> str:
        """``line 7`` (or ``row 7``): where data row ``row`` is in the file."""
        return self.lines(row)

    def line(self, row: int) -> int:
        """The line number (or sheet row) of data row ``row`` [1-based]."""
        return self.lines.number(row)

    def flag(self, bad, values: pd.Series, column: str, message: str | list[str]) -> None:
        """A problem for every row of ``values`` (indexed by row position) where ``bad`` holds, saying
        ``message`` (or one message per such row, in row order); the value shown is the row's in ``values``.

        Examples
        --------
        >>> problems = Problems("orders.csv", Lines())
        >>> problems.flag([True, False, True], pd.Series(["a", "1", "b"]), "price", ["first", "second"])
        >>> problems.problems
        [(0, 0, 'price', 'a', 'first'), (2, 0, 'price', 'b', 'second')]
        """
        bad = np.asarray(bad, dtype=bool)
        if not bad.any():
            return
        flagged = values[bad]
        messages = [message] * len(flagged) if isinstance(message, str) else message
        position = self._position.get(column, self._other)
        for row, text, said in zip(flagged.index.to_numpy(), flagged.to_numpy(), messages, strict=True):
            self.problems.append((int(row), position, column, "" if pd.isna(text) else str(text), said))

    def warn(self, message: str) -> None:
        """Keep ``message`` as a warning, prefixed with the source."""
        self.warnings.append(f"{self.source}: {message}")

    def lines_of(self, rows, limit: int = 5) -> str:
        """``line 3, line 9 and 2 more`` for warnings: where ``rows`` are, at most ``limit`` named."""
        rows = np.asarray(rows)
        shown = ", ".join(self.where(int(r)) for r in rows[:limit])
        return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")

    def raise_problems(self) -> None:
        """Raise every problem as one ``CellError`` (ordered by row, then column), if there are any."""
        if self.problems:
            ordered = sorted(self.problems, key=lambda p: p[:3])
            raise CellError(self.source, [f"{self.where(r)}, column {c}: {v!r}: {m}" for r, _, c, v, m in ordered])


# ---------------------------------------------------------------------------------------------
# Orders and their ids


class Orders:
    """The rows of each order: rows with an order id, grouped by it, orders in order of first appearance.

    Parameters
    ----------
    order_id : pandas.Series
        Each row's order id ("" for rows of no order), indexed by row position.

    Attributes
    ----------
    rows : numpy.ndarray
        The rows that belong to an order.
    order : numpy.ndarray
        The order (0, 1...) of each of those rows.
    n_orders, n_rows : int
    start : numpy.ndarray
        Each order's first row.

    Examples
    --------
    >>> orders = Orders(pd.Series(["81", "81", "", "82"]))
    >>> orders.start.tolist(), orders.first(pd.Series(["", "Shop", "", ""])).to_dict()
    ([0, 3], {0: 'Shop', 3: ''})
    >>> orders.disagree(pd.Series(["5", "6", "", "7"])).tolist(), orders.tally(np.array([1, 1, 1, 0], bool)).tolist()
    ([True, True, False, False], [2, 0])
    """

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


def distinct_numbers(ids: pd.Series) -> bool:
    """True if every cell of ``ids`` is 1 to 18 ASCII digits and no two are the same number, so no two
    are the same text (a numbered id, as AliExpress's): a hash of 8-byte integers instead of text, a
    third of the time for a million ids. False says nothing: the text is compared then.

    Examples
    --------
    >>> distinct_numbers(pd.Series(["81", "82"])), distinct_numbers(pd.Series(["81", "081"], dtype=object))
    (True, False)
    >>> distinct_numbers(pd.Series(["81", ""])), distinct_numbers(pd.Series(["81", "8" * 19]))
    (False, False)
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    text = pa.array(ids, type=pa.large_string(), from_pandas=True)
    length = pc.binary_length(text)
    if len(text) == 0 or pc.min(length).as_py() < 1 or pc.max(length).as_py() > 18:
        return False
    if not pc.all(pc.ascii_is_decimal(text)).as_py():
        return False
    numbers = pc.cast(text, pa.int64()).to_numpy()
    return len(pd.unique(numbers)) == len(numbers)


def flag_duplicates(order_id: pd.Series, problems: Problems, column: str = "order_id") -> None:
    """A problem for every row (``order_id`` indexed by row position) that repeats an earlier row's
    non-empty id, naming where the first one is.

    Examples
    --------
    >>> problems = Problems("orders.csv", Lines())
    >>> flag_duplicates(pd.Series(["81", "", "81", ""]), problems)
    >>> problems.problems
    [(2, 0, 'order_id', '81', 'duplicate order_id, first on line 2')]
    """
    if distinct_numbers(order_id) or len(pd.unique(order_id)) == len(order_id):  # all distinct, as usual
        return
    again = np.asarray(order_id.duplicated(keep="first") & (order_id != ""), dtype=bool)
    if not again.any():
        return
    codes = pd.factorize(order_id)[0]
    first = np.full(int(codes.max()) + 1, len(codes))
    np.minimum.at(first, codes, np.arange(len(codes)))
    problems.flag(
        again,
        order_id,
        column,
        [f"duplicate {column}, first on {problems.where(int(row))}" for row in first[codes[again]]],
    )
