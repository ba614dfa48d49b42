"""Dates out of order (``schema.CHRONOLOGY``): one check for the order file and for the case log.

The validator (``validate``) warns about dates of the file; the loader (``orders.load_orders``)
warns again after the case log is laid over the book, for the pairs where a date came from the log
(a recorded "received" before the file's shipping date). Dates are kept as given either way: the
buyer may know better than the order; the warning asks them to look.

Place in "orders in": on the ground floor's ``schema`` only.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aliexp_lib.schema import CHRONOLOGY

#: What every warning of a date out of order ends with.
KEPT = "dates kept as given"
#: Said of a date that came from the case log.
FROM_LOG = "recorded in the case log"


def out_of_order(table: pd.DataFrame | Mapping[str, pd.Series], only: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every (row, earlier, later) of ``table`` whose ``later`` date is before its ``earlier`` one.

    Parameters
    ----------
    table : pandas.DataFrame or mapping of str to pandas.Series
        Date columns (``datetime64``) named as in ``schema.CHRONOLOGY``; an absent column or a
        missing date is never out of order.
    only : pandas.DataFrame, optional
        Boolean, same index as ``table``, one column per date column: a pair is reported only where
        one of its two dates is True here (e.g. came from the case log). None: every pair.

    Returns
    -------
    pandas.DataFrame
        ``row`` (int, position in ``table``), ``earlier``, ``later`` (column names), in
        ``CHRONOLOGY``'s order then row order.

    Examples
    --------
    >>> table = pd.DataFrame({"shipped_at": pd.to_datetime(["2025-08-03", "2025-08-03"]),
    ...                       "received_at": pd.to_datetime(["2025-08-01", "2025-08-05"])})
    >>> out_of_order(table).values.tolist()
    [[0, 'shipped_at', 'received_at']]
    >>> only = pd.DataFrame({"shipped_at": [False, False], "received_at": [False, True]})
    >>> len(out_of_order(table, only))
    0
    """
    rows, earliers, laters = [], [], []
    for earlier, later in CHRONOLOGY:  # eleven pairs, each over every row at once
        if earlier not in table or later not in table:
            continue
        wrong = table[later].to_numpy() < table[earlier].to_numpy()  # NaT: never out of order
        if only is not None:
            wrong = wrong & (_flag(only, earlier) | _flag(only, later))
        found = np.flatnonzero(wrong)
        rows.append(found)
        earliers += [earlier] * len(found)
        laters += [later] * len(found)
    row = np.concatenate(rows) if rows else np.array([], dtype=np.int64)
    return pd.DataFrame({"row": row.astype(np.int64), "earlier": earliers, "later": laters})


def recorded_out_of_order(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """Warnings for dates out of order where one of the two came from the case log.

    A date came from the log where ``after`` (the book with the log laid over it) differs from
    ``before`` (the book as the file gave it); pairs of two file dates were warned about already.

    Parameters
    ----------
    before, after : pandas.DataFrame
        ``OrderBook.table`` without and with the log (same rows, same order).

    Returns
    -------
    list of str
        One warning per pair, in the validator's words, naming the order.

    Examples
    --------
    >>> before = pd.DataFrame({"order_id": ["81"], "shipped_at": pd.to_datetime(["2025-08-03"]),
    ...                        "received_at": pd.to_datetime([None])})
    >>> after = before.assign(received_at=pd.to_datetime(["2025-08-01"]))
    >>> print(recorded_out_of_order(before, after)[0])
    case log: order 81: received_at 2025-08-01 (recorded in the case log) is before shipped_at 2025-08-03; dates kept...
    """
    columns = [c for c in after.columns if c.endswith("_at") and c in before and c in after]
    changed = pd.DataFrame(
        {c: (after[c].ne(before[c]) & after[c].notna()).to_numpy(dtype=bool) for c in columns}, index=after.index
    )
    wrong = out_of_order(after, changed)
    return [
        f"case log: order {after['order_id'].iat[row]}: {_day(after, changed, row, later)} is before "
        f"{_day(after, changed, row, earlier)}; {KEPT}"
        for row, earlier, later in wrong.itertuples(index=False)
    ]


def _flag(only: pd.DataFrame, column: str) -> np.ndarray:
    return only[column].to_numpy(dtype=bool) if column in only else np.zeros(len(only), dtype=bool)


def _day(table: pd.DataFrame, changed: pd.DataFrame, row: int, column: str) -> str:
    """``column day``, said to come from the log if it did."""
    text = f"{column} {pd.Timestamp(table[column].iat[row]).date().isoformat()}"
    return f"{text} ({FROM_LOG})" if changed[column].iat[row] else text
