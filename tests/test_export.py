"""Spreadsheet exports: text that looks like a formula is written inert; numbers stay numbers."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from aliexp_lib.export import safe_cells, to_csv, to_xlsx

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]


@pytest.fixture
def table() -> pd.DataFrame:
    n = len(HOSTILE)
    return pd.DataFrame(
        {
            "title": HOSTILE,
            "net": pd.Series([-5, -12, 0, 3, 7, 8, 9][:n], dtype="int64"),
            "amount": [-12.5, -0.01, 1.0, 2.5, 3.0, 4.0, 5.0][:n],
            "days_left": pd.Series([-3, None, 1, 2, 3, 4, 5][:n], dtype="Int64"),
            "net_text": ["-1234.50", "-5", "0.05", "12", "x", "y", "z"][:n],
            "due": pd.to_datetime(["2026-03-01"] * n),
        }
    )


def test_safe_cells_prefixes_formula_text_and_keeps_numbers(table):
    safe = safe_cells(table)
    assert list(safe["title"]) == ["'" + v for v in HOSTILE]
    assert list(safe["net"]) == [-5, -12, 0, 3, 7, 8, 9]
    assert safe["net"].dtype == "int64" and safe["amount"].dtype == float
    assert list(safe["net_text"][:2]) == ["-1234.50", "-5"]  # plain negative numbers as text are not formulas
    assert list(table["title"]) == HOSTILE  # the input is not changed


def test_csv_output_is_inert(table, tmp_path):
    stream = io.StringIO()
    to_csv(table, stream)
    rows = list(csv.DictReader(io.StringIO(stream.getvalue(), newline="")))
    assert [r["title"] for r in rows] == ["'" + v for v in HOSTILE]
    for row in rows:
        assert not row["title"].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert [r["net"] for r in rows][:2] == ["-5", "-12"]
    assert [r["amount"] for r in rows][:2] == ["-12.5", "-0.01"]
    assert rows[0]["due"] == "2026-03-01" and rows[1]["days_left"] == ""
    path = tmp_path / "out.csv"
    to_csv(table, path)
    assert path.read_bytes().decode("utf-8") == stream.getvalue()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_xlsx_output_has_no_formulas_and_numbers_stay_numbers(table, tmp_path):
    path = to_xlsx(table, tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(HOSTILE)
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (cell.coordinate, cell.value)
    titles = [row[header.index("title")] for row in rows]
    # XML stores a carriage return as a line feed; either way the cell starts with the apostrophe.
    assert [c.value for c in titles] == ["'" + v.replace("\r", "\n") for v in HOSTILE]
    assert all(c.data_type == "s" for c in titles)
    nets = [row[header.index("net")] for row in rows]
    assert [c.value for c in nets] == [-5, -12, 0, 3, 7, 8, 9] and all(c.data_type == "n" for c in nets)
    assert rows[0][header.index("amount")].value == -12.5
    assert rows[1][header.index("days_left")].value is None


def test_a_header_that_looks_like_a_formula_is_inert_too(tmp_path):
    path = to_xlsx(pd.DataFrame({"=1+1": ["a"]}), tmp_path / "h.xlsx")
    cell = openpyxl.load_workbook(path).active["A1"]
    assert cell.value == "'=1+1" and cell.data_type == "s"
