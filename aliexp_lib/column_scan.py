"""Whole-column checks on text cells, run by Arrow's kernels instead of a Python call per cell.

``validate`` asks two questions of every column of a file before it reads any value: does a cell
start or end with white space (then every cell is stripped), and does a cell hold a control
character (then it is named or replaced). On a million rows a Python pass per cell took seconds a
column; these answer in one scan of the column's bytes, and only a column that answers yes is
looked at cell by cell.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: A control character no order book holds (C0 and C1 but tab, line feed, carriage return), in RE2 syntax.
CONTROL_RE2 = r"[\x{0}-\x{8}\x{b}\x{c}\x{e}-\x{1f}\x{7f}-\x{9f}]"
#: The ASCII bytes ``str.isspace`` calls white space: tab to carriage return, the separators 0x1c-0x1f, space.
_ASCII_SPACE = np.array([c for c in range(128) if chr(c).isspace()], dtype=np.uint8)


def arrow_text(column: pd.Series) -> pa.ChunkedArray:
    """``column`` (text cells) as an Arrow text array, without copying where pandas holds it in Arrow."""
    values = column.array
    if hasattr(values, "__arrow_array__"):  # pandas' Arrow-backed text: the same buffers
        array = pa.array(values)
    else:
        array = pa.array(column.to_numpy(dtype=object), from_pandas=True)
    array = array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])
    return array.cast(pa.large_string())


def edge_space(column: pd.Series) -> bool:
    """Whether a cell of ``column`` starts or ends with white space (as ``str.strip`` sees it).

    The first and last byte of every cell are looked at in one numpy pass; only where one of them is
    not ASCII are the distinct first and last characters tested in Python.

    Examples
    --------
    >>> edge_space(pd.Series(["a", "b c"])), edge_space(pd.Series(["a", "b\u00a0"])), edge_space(pd.Series([""]))
    (False, True, False)
    >>> edge_space(pd.Series(["x\x1f"])), edge_space(pd.Series(["\u00e9t\u00e9"])), edge_space(pd.Series(["\u2003a"]))
    (True, False, True)
    """
    if column.empty:
        return False
    text = arrow_text(column)
    other = False  # a cell starting or ending outside ASCII
    for chunk in text.chunks:
        offsets, raw = _bytes(chunk)
        if raw is None:
            continue
        filled = offsets[1:] > offsets[:-1]
        edges = np.concatenate([raw[offsets[:-1][filled]], raw[offsets[1:][filled] - 1]])
        if np.isin(edges, _ASCII_SPACE).any():
            return True
        other = other or bool((edges >= 0x80).any())
    if not other:
        return False
    ends = pc.unique(pc.utf8_slice_codeunits(text, 0, 1)).to_pylist()
    ends += pc.unique(pc.utf8_slice_codeunits(text, -1, 2**31)).to_pylist()
    return any(end is not None and end.isspace() for end in ends)


def _bytes(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray | None]:
    """A large text array's offsets, counted from its first value, and its bytes (None: no bytes)."""
    data = chunk.buffers()[2]
    offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
    if data is None or len(offsets) == 0:
        return offsets, None
    return offsets - offsets[0], np.frombuffer(data, dtype=np.uint8)[offsets[0] : offsets[-1]]


def has_control(column: pd.Series) -> bool:
    """Whether a cell of ``column`` holds a control character other than tab, line feed and carriage return.

    Examples
    --------
    >>> has_control(pd.Series(["plain", "tab\\tok"])), has_control(pd.Series(["bell\\x07"]))
    (False, True)
    >>> has_control(pd.Series(["caf\\u00e9", "next line \\x85"])), has_control(pd.Series(["caf\\u00e9"]))
    (True, False)
    """
    if column.empty:
        return False
    text = arrow_text(column)
    byte_arrays = [raw for raw in (_bytes(chunk)[1] for chunk in text.chunks) if raw is not None and raw.size]
    lowest = min((int(raw.min()) for raw in byte_arrays), default=0x20)
    highest = max((int(raw.max()) for raw in byte_arrays), default=0x20)
    if lowest >= 0x20 and highest < 0x7F:  # printable ASCII only, as most columns: two reductions (SIMD) over the bytes
        return False
    if highest < 0x80:  # ASCII with a byte below space or DEL: look at the bytes
        for raw in byte_arrays:
            control = ((raw < 32) & (raw != 9) & (raw != 10) & (raw != 13)) | (raw == 127)
            if control.any():
                return True
        return False
    return bool(pc.any(pc.match_substring_regex(text, CONTROL_RE2)).as_py())


def has_text(column: pd.Series) -> bool:
    """Whether a cell of ``column`` is not empty: the longest cell's length, by Arrow (no text compared).

    Examples
    --------
    >>> has_text(pd.Series(["", ""])), has_text(pd.Series(["", "81"]))
    (False, True)
    """
    return bool(pc.max(pc.binary_length(arrow_text(column))).as_py() or 0)


def is_in(column: pd.Series, values: frozenset[str] | tuple[str, ...]) -> np.ndarray:
    """Which cells of ``column`` are one of ``values`` (a set or tuple of text, made into an Arrow set
    once per process): pandas' ``isin`` on its text builds the set value by value at every call
    (half a millisecond for the 300 currency codes, paid four times by a small book's amounts).

    Examples
    --------
    >>> is_in(pd.Series(["RUB", "", "XYZ"]), frozenset({"RUB", "USD"})).tolist()
    [True, False, False]
    """
    found = pc.is_in(arrow_text(column), value_set=_value_set(values))
    return found.to_numpy(zero_copy_only=False).astype(bool, copy=False)


@cache
def _value_set(values: frozenset[str] | tuple[str, ...]) -> pa.Array:
    return pa.array(sorted(values), pa.large_string())


__all__ = ["CONTROL_RE2", "arrow_text", "edge_space", "has_control", "has_text", "is_in"]
