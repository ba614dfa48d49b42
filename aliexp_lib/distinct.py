"""Parsers run once per distinct value of a column, their results and problems spread back to its rows.

Ground floor of "orders in", beside ``cells``: a column of a million orders holds a few hundred
distinct dates, currencies or statuses, so ``validate`` and every importer parse those and index the
answers back (``per_distinct``); a book's date columns share most of their days, so ``validate``
parses the distinct values of all of them together (``per_distinct_columns``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from aliexp_lib.cells import Problems


def per_distinct(text: pd.Series, parse, problems: Problems | None = None, categorical: bool = True):
    """``parse`` run once per distinct value of ``text`` (a column has few), its results spread back to the rows.

    ``parse(values)`` (or ``parse(values, rows)`` with ``problems``) gets the distinct values as a
    Series and returns a Series, or a tuple whose Series items are spread back (text as a
    categorical if ``categorical``); problems flagged through ``rows`` land on every row holding
    the value, showing the row's value of ``text``.

    Parameters
    ----------
    text : pandas.Series
        Text indexed by row position.
    parse : callable
    problems : Problems, optional
    categorical : bool, default True

    Returns
    -------
    pandas.Series or tuple
        As ``parse`` returns, one item per row of ``text``.

    Examples
    --------
    >>> from aliexp_lib.cells import Lines
    >>> problems = Problems("orders.csv", Lines())
    >>> def parse(values, rows):
    ...     rows.flag(values == "?", values, "status", "unknown")
    ...     return values.str.upper()
    >>> per_distinct(pd.Series(["a", "?", "a", "?"]), parse, problems).tolist(), [p[0] for p in problems.problems]
    (['A', '?', 'A', '?'], [1, 3])
    """
    codes, uniques = pd.factorize(text, sort=False)
    values = pd.Series(uniques, dtype=str)
    result = parse(values) if problems is None else parse(values, _Rows(problems, text, codes, len(uniques)))

    def spread(item):
        if not isinstance(item, pd.Series):
            return item
        if categorical and pd.api.types.is_string_dtype(item.dtype):
            item_codes, item_values = pd.factorize(item)
            return pd.Series(pd.Categorical.from_codes(item_codes[codes], item_values), index=text.index)
        return pd.Series(item.array.take(codes), index=text.index)  # in its own kind: text stays Arrow text

    return tuple(spread(item) for item in result) if isinstance(result, tuple) else spread(result)


class _Rows:
    """``Problems`` seen through distinct values: flags and line lists go to every row holding the value."""

    def __init__(self, problems: Problems, text: pd.Series, codes: np.ndarray, distinct: int):
        self.problems, self.text, self.codes, self.distinct = problems, text, codes, distinct

    def flag(self, bad, values: pd.Series, column: str, message: str) -> None:
        wrong = _flagged(bad, values, self.distinct)
        if wrong is not None:
            self.problems.flag(wrong[self.codes], self.text, column, message)

    def warn(self, message: str) -> None:
        self.problems.warn(message)

    def lines_of(self, distinct, limit: int = 5) -> str:
        return self.problems.lines_of(self.text.index[np.isin(self.codes, np.asarray(distinct))], limit)


def per_distinct_columns(
    raw: Mapping[str, pd.Series] | pd.DataFrame, columns: Sequence[str], parse, problems: Problems
) -> dict[str, pd.Series]:
    """``parse(values, rows)`` once for the distinct values of several ``columns`` of ``raw`` together,
    each column's result spread back to its rows; a value flagged is flagged in every column holding
    it, under that column's name.

    One parse instead of one per column: a small book's twelve date columns cost twelve parses' fixed
    work otherwise (pandas' few milliseconds each), whatever their size. ``parse`` flags problems and
    never warns (a warning could not say which column it is about); its result is one Series.

    Parameters
    ----------
    raw : pandas.DataFrame or mapping of str to pandas.Series
        Text cells by column, indexed by row position.
    columns : sequence of str
        Columns of ``raw`` to parse.
    parse : callable
        ``parse(values, rows)``: the distinct values (a Series) and where to flag problems.
    problems : cells.Problems

    Returns
    -------
    dict of str to pandas.Series
        Each column's parsed values, one per row of ``raw``.

    Examples
    --------
    >>> from aliexp_lib.cells import Lines
    >>> problems = Problems("orders.csv", Lines())
    >>> def parse(values, rows):
    ...     rows.flag(values == "?", values, "unused", "unknown")
    ...     return values.str.len()
    >>> raw = pd.DataFrame({"a": ["xy", "?"], "b": ["?", "xyz"]})
    >>> {c: s.tolist() for c, s in per_distinct_columns(raw, ["a", "b"], parse, problems).items()}
    {'a': [2, 1], 'b': [1, 3]}
    >>> sorted((row, column) for row, _, column, _, _ in problems.problems)
    [(0, 'b'), (1, 'a')]
    """
    coded = [pd.factorize(raw[column], sort=False) for column in columns]
    if not coded:
        return {}
    union_codes, union = pd.factorize(pd.concat([pd.Series(uniques, dtype=str) for _, uniques in coded]))
    said = _Said(len(union))
    result = parse(pd.Series(union, dtype=str), said)
    ends = np.cumsum([len(uniques) for _, uniques in coded])
    out = {}
    for column, (codes, _), at in zip(columns, coded, np.split(union_codes, ends[:-1]), strict=True):
        rows = at[codes]  # each row's position among the distinct values of all the columns
        out[column] = pd.Series(result.array.take(rows), index=raw[column].index)  # in its own kind, as ``spread``
        for bad, message in said.flags:
            problems.flag(bad[rows], raw[column], column, message)
    return out


class _Said:
    """Where a parse of distinct values flagged problems: a mask over the values with each message."""

    def __init__(self, size: int):
        self.size = size
        self.flags: list[tuple[np.ndarray, str]] = []

    def flag(self, bad, values: pd.Series, column: str, message: str) -> None:
        wrong = _flagged(bad, values, self.size)
        if wrong is not None:
            self.flags.append((wrong, message))

    def warn(self, message: str) -> None:
        raise TypeError(f"per_distinct_columns: a parse must not warn (which column?): {message}")


def _flagged(bad, values: pd.Series, size: int) -> np.ndarray | None:
    """Which of ``size`` distinct values a parse flagged: True at ``values``' index where ``bad``; None if none."""
    bad = np.asarray(bad, dtype=bool)
    if not bad.any():
        return None
    wrong = np.zeros(size, bool)
    wrong[values.index.to_numpy()[bad]] = True
    return wrong


__all__ = ["per_distinct", "per_distinct_columns"]
