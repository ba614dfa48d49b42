"""Tables out of the command line: on the terminal (aligned text, CSV, JSON) or into a new file.

Dates are written as ``YYYY-MM-DD``; CSV and XLSX have spreadsheet formulas made inert
(``export``); a file that exists is never overwritten.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

import pandas as pd

from aliexp_lib import export
from aliexp_lib.errors import InputError


def save_table(table: pd.DataFrame, path: Path) -> str:
    """``table`` into a new spreadsheet file; returns what was written."""
    if path.suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(f"{path}: expected a .csv or .xlsx file name")
    if path.exists():
        raise InputError(f"{path} exists; choose another name (nothing was overwritten)")
    table = dates_as_text(table)
    if path.suffix.lower() == ".xlsx":
        export.to_xlsx(table, path)
    else:
        with open(path, "x", encoding="utf-8", newline="") as handle:
            export.to_csv(table, handle)
    return f"wrote {len(table)} rows to {path}"


def dates_as_text(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` with every datetime column as ``YYYY-MM-DD`` text."""
    table = table.copy()
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    return table


def write_table(table: pd.DataFrame, form: str, out: TextIO) -> None:
    """``table`` on ``out`` as ``form``: ``csv`` (formulas made inert), ``json`` (a list of records)
    or ``table`` (aligned text)."""
    table = dates_as_text(table)
    if form == "csv":
        export.to_csv(table, out)  # text that a spreadsheet would run as a formula is made inert
    elif form == "json":
        json.dump(table.to_dict("records"), out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        out.write(text_table(table) + "\n")


def text_table(table: pd.DataFrame) -> str:
    """Aligned plain text for a terminal: text columns left-aligned, numbers right-aligned."""
    if table.empty:
        return "(no rows)"
    formatters = {}
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]):
            width = max(len(column), table[column].astype(str).str.len().max())
            formatters[column] = lambda value, width=width: f"{value!s:<{width}}"
    text = table.to_string(index=False, formatters=formatters, justify="left")
    return "\n".join(line.rstrip() for line in text.splitlines())
