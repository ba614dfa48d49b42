"""Big tables out as bytes, a slice of rows at a time: CSV and JSON lines.

``csv_chunks`` writes exactly what ``pandas.DataFrame.to_csv`` (the ``csv`` module's minimal
quoting, lines ending in ``\\n``, no index) writes for the same table, without a Python call per
cell: a field is quoted when it holds a comma, a double quote (doubled) or a line feed; missing
values are empty; integers as digits; booleans as ``True``/``False``. Adjacent columns of few
distinct values (categorical, or so in a sample of rows) are one run: each distinct combination of
their values is written as text once, and a row is its other cells and a code into those texts,
joined by ``str.join`` a slice at a time. A million deadlines hold about a thousand distinct
(kind, due, status, ..., advice) rows, so most of 660 MB is copied once, not formatted per cell.
Tables it cannot render exactly that way (a float column, an object column holding other things
than text, a single column, a carriage return in a cell, which pandas' writer handles differently)
go through ``pandas.DataFrame.to_csv`` slice by slice. Formulas are made inert first
(``formulas.safe_cells``). Memory: one slice's text at a time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from typing import TypeAlias

import numpy as np
import pandas as pd

from aliexp_lib.formulas import safe_cells

#: Rows rendered at a time: bounds the memory of the text (about 100 bytes a row) [rows].
CHUNK_ROWS = 50_000

#: ``\/`` as pandas' JSON writer escapes a slash, not preceded by an escaping backslash.
_ESCAPED_SLASH = re.compile(rb"(?<!\\)((?:\\\\)*)\\/")


def csv_chunks(table: pd.DataFrame, rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """``table`` as UTF-8 CSV, the header first, then ``rows`` rows at a time; formulas made inert.

    Parameters
    ----------
    table : pandas.DataFrame
        The table, without its index; datetime columns should already be text (``dates_as_text``).
    rows : int, default CHUNK_ROWS
        Rows per piece [rows].

    Yields
    ------
    bytes
        Pieces whose concatenation is the whole file.

    Examples
    --------
    >>> table = pd.DataFrame({"id": ["1", "2"], "note": ["=1+1", 'a "b", c'], "days": [3, -4]})
    >>> print(b"".join(csv_chunks(table, rows=1)).decode(), end="")
    id,note,days
    1,'=1+1,3
    2,"a ""b"", c",-4
    """
    safe = safe_cells(table)
    # pandas' writer does not quote a field holding only "\r" when lines end in "\n" (a reader would
    # split the record there): such tables quote every text field, as pandas' QUOTE_NONNUMERIC does.
    quoting = csv.QUOTE_NONNUMERIC if _has_carriage_return(safe) else csv.QUOTE_MINIMAL
    if quoting == csv.QUOTE_MINIMAL and _joinable(safe):
        yield (",".join(_quoted(str(name)) for name in safe.columns) + "\n").encode("utf-8")
        parts = _line_parts(safe)
        for start in range(0, len(safe), rows):
            yield _joined(parts, start, min(start + rows, len(safe)))
        return
    yield safe.iloc[:0].to_csv(index=False, lineterminator="\n", quoting=quoting).encode("utf-8")
    for start in range(0, len(safe), rows):
        piece = safe.iloc[start : start + rows]
        yield piece.to_csv(index=False, header=False, lineterminator="\n", quoting=quoting).encode("utf-8")


def jsonl_chunks(table: pd.DataFrame, rows: int = CHUNK_ROWS) -> Iterator[bytes]:
    """``table`` as JSON lines (one object per row, UTF-8), ``rows`` rows at a time.

    Missing values are ``null``; booleans ``true``/``false``; dates should already be text.

    Examples
    --------
    >>> table = pd.DataFrame({"id": ["1", "2"], "link": ["a/b", None], "late": [True, False]})
    >>> print(b"".join(jsonl_chunks(table)).decode(), end="")
    {"id":"1","link":"a/b","late":true}
    {"id":"2","link":null,"late":false}
    """
    for start in range(0, len(table), rows):
        text = table.iloc[start : start + rows].to_json(orient="records", lines=True, force_ascii=False)
        text = text if text.endswith("\n") else text + "\n"
        yield _ESCAPED_SLASH.sub(rb"\1/", text.encode("utf-8"))


def _joinable(table: pd.DataFrame) -> bool:
    """Whether every column is text, categorical text, integer or boolean, with no carriage return."""
    if table.shape[1] < 2 or not table.columns.is_unique:
        return False
    for _, values in table.items():
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = pd.Series(values.cat.categories)
            if values.dtype == object and values.map(type).ne(str).any():
                return False
        if pd.api.types.is_bool_dtype(values) or pd.api.types.is_integer_dtype(values):
            continue
        if values.dtype == object and values.dropna().map(type).ne(str).any():
            return False
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            return False
    return True


def _has_carriage_return(table: pd.DataFrame) -> bool:
    """Whether a text cell of ``table`` holds a carriage return."""
    for _, values in table.items():
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = pd.Series(values.cat.categories)
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if values.astype("string").str.contains("\r", regex=False).fillna(False).any():
            return True
    return False


#: A column is written as codes into its distinct values when a sample of its rows holds at most one
#: distinct value in this many [rows]; else cell by cell.
FEW = 16
#: Rows sampled to decide that [rows].
SAMPLE_ROWS = 10_000
#: Combined codes are renumbered before they could pass this (int64 arithmetic stays exact).
_CODE_LIMIT = 2**62

#: A part of every line: codes into texts (a run of few-valued columns), one text per row, or the same
#: text on every line (a separator, the line end).
Part: TypeAlias = tuple[np.ndarray, np.ndarray] | pd.Series | str


def _line_parts(table: pd.DataFrame) -> list[Part]:
    """Every line's parts in order, separators and the line end included: adjacent few-valued columns
    combined into one run of codes (each distinct combination's text made once), other columns as
    their field text per row with "," (and "\\n") between them as parts of their own."""
    parts: list[Part] = []
    run: list[tuple[np.ndarray, np.ndarray]] = []
    last = table.shape[1] - 1
    for position, (_, values) in enumerate(table.items()):
        coded = _coded(values)
        if coded is not None:
            codes, texts = coded
            if position > 0 and not run:
                texts = "," + texts
            run.append((codes, texts + ("\n" if position == last else "")))
            continue
        if run:
            parts.append(_combined(run))
            run = []
        parts.extend([*([","] if position > 0 else []), _cells(values), *(["\n"] if position == last else [])])
    if run:
        parts.append(_combined(run))
    return parts


def _joined(parts: list[Part], start: int, stop: int) -> bytes:
    """Rows ``start`` to ``stop`` of ``parts`` as UTF-8 lines (one ``str.join`` over their pieces)."""
    pieces = np.empty((stop - start, len(parts)), dtype=object)
    for i, part in enumerate(parts):
        if isinstance(part, tuple):
            codes, texts = part
            pieces[:, i] = texts[codes[start:stop]]
        elif isinstance(part, str):
            pieces[:, i] = part
        else:
            pieces[:, i] = part.iloc[start:stop].tolist()
    return "".join(pieces.ravel().tolist()).encode("utf-8")


def _coded(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """``values`` as codes into the CSV text of its distinct values ("" for a missing one), or None
    where a sample of its rows holds more than one distinct value in ``FEW`` (it is then written per row)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, distinct = values.cat.codes.to_numpy(np.int64), values.cat.categories
    else:
        sample = values.iloc[:SAMPLE_ROWS]
        if pd.unique(sample).size * FEW > len(sample):
            return None
        codes, distinct = pd.factorize(values)
    texts = np.array([*(_text(value) for value in distinct), ""], dtype=object)
    return np.where(codes < 0, len(texts) - 1, codes), texts  # -1 (missing): the last text, ""


def _text(value) -> str:
    """One value as pandas' CSV writer writes it (booleans ``True``/``False``, integers as digits)."""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    return _quoted(value) if isinstance(value, str) else str(value)


def _combined(run: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Adjacent coded columns as one: codes numbering each distinct combination of theirs, and its text
    (their texts, separated by commas, in order)."""
    key, size, pending = run[0][0], len(run[0][1]), [run[0][1]]
    for codes, texts in run[1:]:
        if size * len(texts) >= _CODE_LIMIT:
            key, combined = _renumbered(key, pending)
            size, pending = len(combined), [combined]
        key, size = key * len(texts) + codes, size * len(texts)
        pending.append(texts)
    return _renumbered(key, pending)


def _renumbered(key: np.ndarray, pending: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Mixed-radix ``key`` over the columns of ``pending`` (texts per code) renumbered 0, 1, ... in order of first
    appearance, with each number's text: the columns' texts, separated by commas."""
    codes, distinct = pd.factorize(key)
    text = np.full(len(distinct), "", dtype=object)
    for position, column_texts in enumerate(reversed(pending)):
        distinct, digit = np.divmod(distinct, len(column_texts))
        text = column_texts[digit] + ("," if position else "") + text
    return codes, text


def _cells(values: pd.Series) -> pd.Series:
    """Each cell of a column as its CSV field text ("" where missing), for a column written row by row."""
    if pd.api.types.is_bool_dtype(values) or pd.api.types.is_integer_dtype(values):
        return values.astype("string").fillna("").astype(object)
    text = values.astype(object).where(values.notna().to_numpy(), "")
    joined = "".join(text.tolist())  # one scan: most columns hold no comma, quote or line feed at all
    if "," in joined or '"' in joined or "\n" in joined:
        needs = text.str.contains('[,"\n]', regex=True).to_numpy(dtype=bool)
        text = text.copy()
        text[needs] = [_quoted(value) for value in text[needs].tolist()]
    return text


def _quoted(text: str) -> str:
    """``text`` as a CSV field: quoted (double quotes doubled) if it holds a comma, a quote or a line feed."""
    return '"' + text.replace('"', '""') + '"' if re.search('[,"\n]', text) else text


__all__ = ["CHUNK_ROWS", "csv_chunks", "jsonl_chunks"]
