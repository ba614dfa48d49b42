"""Tables out of the command line: on the terminal (aligned text, CSV, JSON) or into a new file.

Dates are written as ``YYYY-MM-DD``; CSV and XLSX have spreadsheet formulas made inert
(``export``); a file that exists is replaced only if we wrote it (``safe_write``), or with ``--overwrite``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

import pandas as pd

from aliexp_lib import export
from aliexp_lib.errors import InputError
from aliexp_lib.export import dates_as_text
from aliexp_lib.i18n import _, localise
from aliexp_lib.kinds import ACTOR_NAMES
from aliexp_lib.safe_write import check_target, write_pieces
from aliexp_lib.table_bytes import jsonl_chunks


def save_table(
    table: pd.DataFrame, path: Path, overwrite: bool = False, inputs: Iterable[str | os.PathLike] = ()
) -> str:
    """``table`` into a spreadsheet file; returns what was written.

    Dates are written as ``YYYY-MM-DD`` text (``dates_as_text``); text a spreadsheet would run as a
    formula is made inert (``export.to_csv``, ``export.to_xlsx``).

    Parameters
    ----------
    table : pandas.DataFrame
        The table to write.
    path : Path
        A ``.csv``, ``.jsonl``, ``.xlsx`` or ``.parquet`` file (the suffix, in any case, chooses the format): a new
        one, or one this program wrote and nobody changed since (``safe_write.write_file``).
    overwrite : bool, default False
        Replace a file we did not write (``--overwrite``).
    inputs : iterable of path-like
        The files the command read: never written over, even with ``overwrite``.

    Returns
    -------
    str
        ``wrote <rows> rows to <path>``.

    Raises
    ------
    InputError
        If ``path`` is not a ``.csv``, ``.jsonl``, ``.xlsx`` or ``.parquet`` name, is a file we did not write (without
        ``overwrite``), or cannot be written (the message says why; nothing is left under its name).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "deadlines.csv"
    >>> table = pd.DataFrame({"order_id": ["1"], "due": pd.to_datetime(["2026-03-11"]), "note": ["=1+1"]})
    >>> save_table(table, path)  # doctest: +ELLIPSIS
    'wrote 1 rows to .../deadlines.csv'
    >>> path.read_text(encoding="utf-8").splitlines()  # the formula made inert
    ['order_id,due,note', "1,2026-03-11,'=1+1"]
    >>> # our own earlier output, unchanged: replaced
    >>> save_table(table, path)  # doctest: +ELLIPSIS
    'wrote 1 rows to .../deadlines.csv'
    >>> _ = path.write_text("my own notes", encoding="utf-8")
    >>> save_table(table, path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    aliexp_lib.errors.InputError: .../deadlines.csv exists and was not written by aliexp ... --overwrite to replace it
    """
    check_table_target(path, overwrite, inputs)
    if path.suffix.lower() == ".parquet":  # typed columns for machines: dates stay dates, no spreadsheet to guard
        from aliexp_lib.parquet_io import write_parquet

        write_parquet(table, path, overwrite=overwrite, inputs=inputs)
        return f"wrote {len(table)} rows to {path}"
    table = dates_as_text(table)
    if path.suffix.lower() == ".xlsx":
        export.to_xlsx(table, path, overwrite=overwrite, inputs=inputs)
    elif path.suffix.lower() == ".jsonl":
        write_pieces(path, jsonl_chunks(table), overwrite=overwrite, inputs=inputs)
    else:
        export.to_csv(table, path, overwrite=overwrite, inputs=inputs)
    return f"wrote {len(table)} rows to {path}"


def check_table_target(path: Path, overwrite: bool = False, inputs: Iterable[str | os.PathLike] = ()) -> None:
    """``InputError`` where ``save_table`` would refuse ``path``: said before a long run, not after it.

    Examples
    --------
    >>> check_table_target(Path("deadlines.txt"))
    Traceback (most recent call last):
    aliexp_lib.errors.InputError: deadlines.txt: expected a .csv, .jsonl, .xlsx or .parquet file name
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl", ".xlsx", ".parquet"):
        raise InputError(f"{path}: expected a .csv, .jsonl, .xlsx or .parquet file name")
    if suffix in (".xlsx", ".parquet"):  # the writers' own marks (the others have only the write records)
        from aliexp_lib.parquet_io import ours_parquet

        check_target(path, export.ours_xlsx if suffix == ".xlsx" else ours_parquet, overwrite, inputs)
    else:
        check_target(path, None, overwrite, inputs)


def write_table(table: pd.DataFrame, form: str, out: TextIO) -> None:
    """``table`` on ``out`` as ``form``: ``csv`` (formulas made inert), ``json`` (a list of records),
    ``jsonl`` (JSON lines) or ``table`` (aligned text).

    Parameters
    ----------
    table : pandas.DataFrame
        The table; dates are written as ``YYYY-MM-DD``.
    form : {"csv", "json", "jsonl", "table"}
        The format; ``jsonl``: one JSON object a line (``table_bytes.jsonl_chunks``); anything but
        ``csv``, ``json`` and ``jsonl`` writes ``text_table``.
    out : TextIO
        Where to write (e.g. ``sys.stdout``).

    Examples
    --------
    >>> import sys
    >>> table = pd.DataFrame({"order_id": ["1"], "due": pd.to_datetime(["2026-03-11"]), "days_left": [10]})
    >>> write_table(table, "csv", sys.stdout)
    order_id,due,days_left
    1,2026-03-11,10
    >>> write_table(table, "jsonl", sys.stdout)
    {"order_id":"1","due":"2026-03-11","days_left":10}
    >>> write_table(table, "json", sys.stdout)
    [
     {
      "order_id": "1",
      "due": "2026-03-11",
      "days_left": 10
     }
    ]
    """
    table = dates_as_text(table)
    if form == "csv":
        export.to_csv(table, out)  # text that a spreadsheet would run as a formula is made inert
    elif form == "jsonl":
        export.write_text_pieces(jsonl_chunks(table), out)
    elif form == "json":
        json.dump(table.to_dict("records"), out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        out.write(text_table(table) + "\n")


#: Columns of the command line's tables holding engine codes (shown by their names, ``i18n.label``) and
#: English texts (translated) when the setting's language is not English (``terminal_table``).
CODE_COLUMNS = ("kind", "status", "option", "problem", "check", "event", "signal")
TEXT_COLUMNS = ("action", "assumption", "reason", "risk")


def terminal_table(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``table`` as the terminal shows it in ``lang`` (``--format table``): in English as it is, the
    engine's codes being the column names and values of csv and json; in another language its codes
    by their names, who acts by name, its texts and headings translated, as the views show them.

    Examples
    --------
    >>> table = pd.DataFrame({"kind": ["protection_ends"], "actor": ["seller"], "days_left": [3]})
    >>> terminal_table(table, "en").columns.tolist()
    ['kind', 'actor', 'days_left']
    >>> terminal_table(table, "ru").to_dict("records")
    [{'Срок': 'Конец защиты покупателя', 'Кто действует': 'Продавец', 'Дней осталось': 3}]
    """
    if lang == "en":
        return table
    if "actor" in table:
        table = table.assign(actor=[_(ACTOR_NAMES.get(a, a), lang) for a in table["actor"].astype(str)])
    return localise(table, lang, codes=CODE_COLUMNS, texts=TEXT_COLUMNS)


def text_table(table: pd.DataFrame) -> str:
    """Aligned plain text for a terminal: text columns left-aligned, numbers right-aligned.

    Headings are left-aligned; trailing blanks are cut from every line.

    Parameters
    ----------
    table : pandas.DataFrame
        The table, no index shown.

    Returns
    -------
    str
        The lines, without a final newline; ``(no rows)`` for an empty table.

    Examples
    --------
    >>> print(text_table(pd.DataFrame({"order_id": ["1", "22"], "days_left": [5, -100]})))
    order_id  days_left
    1           5
    22       -100
    >>> text_table(pd.DataFrame({"order_id": []}))
    '(no rows)'
    """
    if table.empty:
        return "(no rows)"
    formatters = {}
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]):
            width = max(len(column), table[column].astype(str).str.len().max())
            formatters[column] = lambda value, width=width: f"{value!s:<{width}}"
    text = table.to_string(index=False, formatters=formatters, justify="left")
    return "\n".join(line.rstrip() for line in text.splitlines())
