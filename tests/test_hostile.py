"""Hostile input: every bad file either loads with a warning saying what was assumed, or fails with
file, line, column and value; never a traceback, never a write. Then hypothesis throws arbitrary
bytes and text at every loader and engine entry point: they succeed or raise ``InputError``.

The corpus is ``tests/hostile/`` (rebuilt by ``tests/hostile/make_corpus.py``); the big files are
generated here, into ``tmp_path``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
import subprocess
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aliexp_lib import (
    InputError,
    OrderBook,
    Setting,
    break_even,
    check_tracking,
    compute_deadlines,
    load_orders,
    next_actions,
    rank_options,
)
from aliexp_lib.checks import order_checks
from aliexp_lib.orders import SCHEMA
from tests.conftest import aliexp_forked

HOSTILE = Path(__file__).resolve().parent / "hostile"
TODAY = dt.date(2026, 3, 1)
OK, ERROR = "ok", "error"

#: file -> (outcome, substring of stderr: the warning for OK, else the error; None: loads silently).
CORPUS = {
    "empty.csv": (ERROR, "empty.csv: the file is empty"),
    "whitespace_only.csv": (ERROR, "the file is empty"),
    "header_only.csv": (OK, "the file has a header line and no orders"),
    "semicolon.csv": (OK, "semicolon (;) delimiter detected"),
    "tab.csv": (OK, "tab delimiter detected"),
    "utf8_bom.csv": (OK, None),
    "cp1251_russian_excel.csv": (OK, "read as Windows-1251"),
    "utf16_excel_unicode_text.csv": (OK, "read as UTF-16"),
    "utf16_without_bom.csv": (ERROR, "line 1: NUL bytes"),
    "feb30.csv": (ERROR, "line 3, column shipped_at: '2026-02-30': not a calendar date"),
    "april31.csv": (ERROR, "line 3, column shipped_at: '31.04.2026': not a calendar date"),
    "ambiguous_day_month.csv": (
        ERROR,
        "line 3, column shipped_at: '03/04/2026': not a date; expected YYYY-MM-DD (with slashes",
    ),
    "two_digit_year.csv": (
        ERROR,
        "line 3, column shipped_at: '03.04.26': not a date; expected YYYY-MM-DD (a 2-digit year",
    ),
    "far_future.csv": (ERROR, "line 3, column shipped_at: '9999-12-31': outside 2000-2099"),
    "negative_price.csv": (ERROR, "line 3, column price: '-5': expected an amount"),
    "non_numeric_price.csv": (ERROR, "line 3, column price: 'ten roubles': expected an amount"),
    "thousands_separator.csv": (ERROR, "line 3, column price: '1,234.50': expected an amount"),
    "thousands_space.csv": (ERROR, "line 3, column price: '1\\xa0234.50': expected an amount"),
    "unknown_currency.csv": (ERROR, "line 3, column currency: 'RUR': unknown currency"),
    "duplicate_order_id.csv": (
        ERROR,
        "line 3, column order_id: '8100000000000001': duplicate order_id, first on line 2",
    ),
    "duplicate_header.csv": (ERROR, "line 1: column 'title' appears twice (columns 2 and 4)"),
    "missing_order_id.csv": (ERROR, "line 1: no order_id column; the header has 'id'"),
    "control_characters.csv": (
        OK,
        "line 3, column title: 'Ca\\x07se \\x1b[2J\\x08': control characters replaced by spaces",
    ),
    "nul_bytes.csv": (ERROR, "line 3, column title: 'Ca\\x00se': contains a NUL byte"),
    "unbalanced_quote.csv": (ERROR, "line 3, column title: 'Case 5,10,RUB"),
    "ragged_too_many.csv": (ERROR, "line 3, column #7 (after shipped_at): 'extra': 7 fields, the header has 6"),
    "ragged_too_few.csv": (
        ERROR,
        "line 3, column currency: (missing): 4 fields, the header has 6; the line ends after price '10'",
    ),
    "binary_garbage.csv": (ERROR, "line 1: not UTF-8 text (byte 0x8a)"),
    "really_csv.xlsx": (ERROR, "not an XLSX workbook (it is plain text, probably CSV: rename it to .csv)"),
    "corrupt.xlsx": (ERROR, "not a readable XLSX workbook"),
    "formulas_unsaved.xlsx": (ERROR, "row 2, column price: '=100+80': a formula with no saved value"),
    "formulas_saved_merged.xlsx": (OK, "cells B2:B3 (rows 2-3, column store) are merged"),
    "zip_bomb_cell.xlsx": (ERROR, "times, over the limit of 100 times (MAX_RATIO)"),
    "lying_size.xlsx": (
        ERROR,
        "part 'xl/worksheets/sheet1.xml' unpacks to more than the 100000 bytes its header declares, the limit",
    ),
    "row_beyond_excel.xlsx": (ERROR, "row 1048577: more than 1048576 rows, the limit (MAX_ROWS"),
    "far_corner.xlsx": (ERROR, "1048576 rows of 16384 columns: more than 30000000 cells, the limit (MAX_CELLS)"),
    "hyperlink_formula.csv": (OK, "line 3, column title: '=HYPERLINK(\"http://evil.example/"),
    "html_script_titles.csv": (OK, None),
    "emoji_rtl.csv": (OK, None),
    "events_out_of_order.csv": (OK, "line 2: received_at 2026-02-01 is before shipped_at 2026-02-10"),
}
#: Generated at run time: name -> (writer, outcome, substring).
MILLION = 1_000_000


def _million_rows(path: Path, shipped: bool = False) -> None:
    """A million orders (no shipping dates unless ``shipped``: the deadlines table stays short)."""
    header = "order_id,store,title,price,currency,ordered_at" + (",shipped_at" if shipped else "")
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header + "\n")
        for start in range(0, MILLION, 100_000):
            out.write(
                "".join(
                    f"{8100000000000000 + i},Store {i % 97},Item {i},{100 + i % 900}.{i % 100:02d},RUB,"
                    f"2026-01-{1 + i % 28:02d}" + (f",2026-02-{1 + i % 28:02d}" if shipped else "") + "\n"
                    for i in range(start, start + 100_000)
                )
            )


def _long_title(path: Path) -> None:
    path.write_text(
        "order_id,title,price,currency\n8100000000000001," + "Ж" * 1_000_000 + ",10,RUB\n", encoding="utf-8"
    )


GENERATED = {
    "million_rows.csv": (_million_rows, OK, None),
    "one_megabyte_title.csv": (_long_title, OK, None),
}


def test_the_corpus_is_big_enough_and_every_file_has_its_expectation():
    files = {p.name for p in HOSTILE.iterdir() if p.suffix in (".csv", ".xlsx")}
    assert files == set(CORPUS)
    assert len(files) + len(GENERATED) >= 30
    assert all((HOSTILE / name).stat().st_size < 16_384 for name in files)  # small: big ones are generated


def _run_cli(path: Path) -> subprocess.CompletedProcess:
    return aliexp_forked("deadlines", path.name, "--today", TODAY.isoformat(), cwd=path.parent, timeout=300)


def _check(path: Path, outcome: str, expected: str | None) -> None:
    before = hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns
    listing = sorted(p.name for p in path.parent.iterdir())
    result = _run_cli(path)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == (0 if outcome == OK else 2), result.stderr
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in path.parent.iterdir()) == listing  # nothing written beside it
    if outcome == ERROR:
        assert result.stderr.startswith(f"error: {path.name}"), result.stderr  # the file is named
        assert result.stdout == ""  # no partial output
        assert expected in result.stderr, result.stderr
    elif expected is None:
        assert result.stderr == ""
    else:
        assert f"warning: {path.name}" in result.stderr and expected in result.stderr, result.stderr


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_hostile_file_through_the_cli(name, tmp_path):
    path = tmp_path / name
    shutil.copyfile(HOSTILE / name, path)
    _check(path, *CORPUS[name])


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_hostile_file_through_the_cli(name, tmp_path):
    write, outcome, expected = GENERATED[name]
    path = tmp_path / name
    write(path)
    _check(path, outcome, expected)


def test_a_million_rows_load_in_a_few_seconds(tmp_path):
    path = tmp_path / "orders.csv"
    _million_rows(path, shipped=True)
    start = time.perf_counter()
    book = load_orders(path)
    seconds = time.perf_counter() - start
    print(f"\n1,000,000 rows ({path.stat().st_size / 1e6:.0f} MB) loaded in {seconds:.1f} s")
    assert len(book) == MILLION and book.warnings == ()
    assert book.table["price_minor"].iat[1] == 10101
    assert seconds < 30  # about 6-9 s on the 2-core development machine; generous for a busy CI runner


# --------------------------------------------------------------------------- fuzzing

# Derandomized, with no example database: every run (and CI) tries the same 60 inputs, so a rare
# input cannot turn a run red by chance; a wider search is `--hypothesis-seed=N` away.
FUZZ = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture],
)
SETTING = Setting.default()
cell_text = st.text(st.characters(codec="utf-8"), max_size=12)
#: Text that looks like what goes in the columns, often valid, sometimes not.
plausible = {
    "price": st.sampled_from(["", "600", "600.50", "0,5", "-1", "1e3", "12.345", "99999999999999", "٣"]) | cell_text,
    "currency": st.sampled_from(["", "RUB", "usd", "JPY", "RUR", "XXX"]) | cell_text,
    "problem": st.sampled_from(["", "not_received", "defective", "duplicate", "wrong_item", "x"]),
    "protection_days": st.sampled_from(["", "0", "60", "90.0", "99999999999999999999999", "-3"]) | cell_text,
}
date_text = (
    st.sampled_from(
        ["", "2026-02-01", "2026-02-30", "01.02.2026", "2026-01-15T10:00", "9999-01-01", "２０２６-０２-０１"]
    )
    | st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)).map(str)
    | cell_text
)


def _column_strategy(name: str):
    if name.endswith("_at"):
        return date_text
    return plausible.get(name, cell_text)


@st.composite
def text_frames(draw) -> pd.DataFrame:
    columns = draw(st.lists(st.sampled_from(SCHEMA) | cell_text, min_size=0, max_size=6, unique=True))
    if draw(st.booleans()):
        columns = ["order_id", *[c for c in columns if c != "order_id"]]
    rows = draw(st.integers(0, 5))
    return pd.DataFrame({c: [draw(_column_strategy(c)) for _ in range(rows)] for c in columns}, dtype=object)


def _book_or_none(frame: pd.DataFrame) -> OrderBook | None:
    try:
        return OrderBook.from_frame(frame)
    except InputError:
        return None


@FUZZ
@given(st.binary(max_size=400))
def test_load_orders_on_arbitrary_bytes(tmp_path, data):
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    with contextlib.suppress(InputError):
        load_orders(path)
    path.with_suffix(".xlsx").write_bytes(data)
    with contextlib.suppress(InputError):
        load_orders(path.with_suffix(".xlsx"))


@FUZZ
@given(text_frames(), st.sampled_from([",", ";", "\t"]), st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1251"]))
def test_load_orders_on_random_text_csv_with_our_header(tmp_path, frame, delimiter, encoding):
    path = tmp_path / "fuzz.csv"
    # CRLF line ends make the writer quote a cell holding a lone CR too; unquoted, a lone CR is a
    # line break, so the file would hold more records than the frame has rows.
    text = frame.to_csv(sep=delimiter, index=False, lineterminator="\r\n")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    path.write_bytes(data)
    try:
        book = load_orders(path)
    except InputError:
        return
    assert len(book) == len(frame)


@FUZZ
@given(text_frames(), st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)))
def test_every_engine_on_random_text_books(frame, today):
    book = _book_or_none(frame)
    if book is None:
        return
    for run in (
        lambda: next_actions(compute_deadlines(book, today)),
        lambda: rank_options(book, today, SETTING),
        lambda: break_even(book, today, SETTING),
        lambda: order_checks(book, today),
        lambda: check_tracking(book.table["tracking_number"].tolist()),
    ):
        with contextlib.suppress(InputError):
            run()


@FUZZ
@given(st.lists(cell_text | st.sampled_from(["RB100000003CN", "LP00123456789012", "YT1234567890123456"]), max_size=8))
def test_check_tracking_on_random_text(numbers):
    with contextlib.suppress(InputError):
        check_tracking(numbers)
