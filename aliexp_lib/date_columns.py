"""The date columns of an order book to calendar dates, as the reader gave them: dates or text.

Part of "orders in", beside ``validate``, which calls it. Our own CSV file's columns of nothing but
``YYYY-MM-DD`` come from the reader as dates (``arrow_csv.arrow_parse``: parsed on every core with
the rest of the file); here they are checked against the bounds of ``values.NATIVE_DATES``
(``schema.EARLIEST``, ``schema.LATEST``) on the whole column. Every other date column, and one with
a day outside the bounds, is read from its text once per distinct value (``read_date_cells``, run by
``validate`` as its other columns), which names each bad cell with its line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aliexp_lib.schema import CALENDAR_COLUMNS, EARLIEST, LATEST
from aliexp_lib.values import NATIVE_DATES, read_dates


def read_as_dates(column: pd.Series) -> bool:
    """Whether the reader gave ``column`` as dates (a CSV's column of nothing but ``YYYY-MM-DD``; no
    white space or control character can be in it)."""
    return column.dtype.kind == "M"


def dates_as_read(cells: dict[str, pd.Series]) -> dict[str, pd.Series]:
    """The columns of ``schema.CALENDAR_COLUMNS`` the reader gave as dates, as ``datetime64[s]`` (NaT
    where empty), each with every day within the bounds. One with a day outside is put back in ``cells``
    as its ``YYYY-MM-DD`` text (what the file holds), for ``read_date_cells`` to read as text columns are
    read, so that its message is the one a text column gets.

    Examples
    --------
    >>> cells = {"paid_at": pd.Series(pd.to_datetime(["2026-03-01", None])), "shipped_at": pd.Series(["", ""])}
    >>> cells["received_at"] = pd.Series(pd.to_datetime(["1999-12-31", None]))
    >>> dates = dates_as_read(cells)
    >>> list(dates), dates["paid_at"].dt.strftime("%Y-%m-%d").tolist(), cells["received_at"].tolist()
    (['paid_at'], ['2026-03-01', nan], ['1999-12-31', ''])
    """
    earliest, latest = (day.astype("datetime64[s]").astype(np.int64) for day in (EARLIEST, LATEST))
    as_read = {}
    for column in CALENDAR_COLUMNS:
        if column in cells and read_as_dates(cells[column]):
            days = cells[column].to_numpy().astype("datetime64[s]", copy=False)
            stamps = days.view(np.int64)  # NaT is the least int64: below the earliest day, never above the latest
            if np.count_nonzero(stamps < earliest) == np.count_nonzero(np.isnat(days)) and not (stamps > latest).any():
                as_read[column] = pd.Series(days, index=cells[column].index, copy=False)
            else:
                text = np.where(np.isnat(days), "", np.datetime_as_string(days, unit="D"))
                cells[column] = pd.Series(text, index=cells[column].index, dtype=str)
    return as_read


def cell_text(values: pd.Series, i: int) -> str:
    """Cell ``i`` of ``values`` as the file has it (a date given as such: ``YYYY-MM-DD``)."""
    value = values.iat[i]
    return value.strftime("%Y-%m-%d") if read_as_dates(values) else value


def read_date_cells(values: pd.Series, rows) -> pd.Series:
    """Calendar dates (``datetime64[s]``, NaT where empty) of text cells as ``values.NATIVE_DATES`` reads
    them, problems flagged through ``rows`` (a parser for ``distinct.per_distinct_columns``)."""
    parsed, _ = read_dates(values, rows, "", NATIVE_DATES)
    days = np.full(len(values), np.datetime64("NaT"), "datetime64[D]")
    days[parsed.index.to_numpy()] = parsed.to_numpy().astype("datetime64[D]")
    return pd.Series(days.astype("datetime64[s]"), index=values.index)


__all__ = ["cell_text", "dates_as_read", "read_as_dates", "read_date_cells"]
