"""Our CSV read by Arrow's parser gives the very cells pandas' reader gives, or steps aside (issue 12)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliexp_lib.arrow_csv import arrow_parse, one_line_records
from aliexp_lib.cells import csv_record_lines, distinct_numbers
from aliexp_lib.column_scan import edge_space, has_control
from aliexp_lib.errors import CellError
from aliexp_lib.native import CONTROL, pandas_parse, read_native
from aliexp_lib.orders import load_orders


def pandas_cells(data: bytes, delimiter: str) -> list[list[str]]:
    return pandas_parse(data, delimiter).values.tolist()


field = st.text(alphabet=st.sampled_from(list('ab ,;"\n\r\té')), max_size=5)
#: Cells of a date column: ISO calendar dates, empty, and what only the validator may read or refuse.
day = st.sampled_from(
    [
        "2026-03-01",
        "2024-02-29",
        "",
        " 2026-03-01\t",
        "  ",
        "2026-02-30",
        "01.03.2026",
        "2026-3-1",
        "\x0b2026-03-01",
        "NA",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(field, field, day), min_size=1, max_size=6), st.sampled_from([",", ";"]))
def test_arrow_reads_what_pandas_reads_or_steps_aside(rows, delimiter):
    data = "\n".join(delimiter.join(row) for row in [("order_id", "title", "paid_at"), *rows]).encode("utf-8")
    cells = arrow_parse(data, delimiter, {"paid_at"})
    if cells is None:
        return
    expected = pandas_cells(data, delimiter)
    assert list(cells.columns) == expected[0]
    if cells["paid_at"].dtype.kind == "M":  # as dates: each cell's own day, only if all are ISO days (Arrow trims
        cells["paid_at"] = cells["paid_at"].dt.strftime("%Y-%m-%d").fillna("")  # spaces and tabs, as strip would)
        assert {row[2].strip() for row in rows} <= {"2026-03-01", "2024-02-29", ""}
    # the same cells once stripped, as validate strips every cell (pandas drops only the leading spaces)
    stripped = [[cell.strip() for cell in row] for row in cells.values.tolist()]
    assert stripped == [[cell.strip() for cell in row] for row in expected[1:]]


def test_a_quote_after_a_space_or_a_ragged_line_is_left_to_pandas():
    assert arrow_parse(b'order_id,title\n81, "a, b"\n', ",") is None
    assert arrow_parse(b"order_id,title\n81,a,b\n", ",") is None
    assert arrow_parse(b"order_id,title\n81\n", ",") is None
    assert arrow_parse(b'order_id,title\n81,"x"\n', ",") is None  # any quote: pandas' way
    assert arrow_parse(b"order_id,title\n81,x\n", ",").values.tolist() == [["81", "x"]]


@pytest.mark.parametrize(
    "text",
    ["order_id,t\n1,a\n2,b\n", "order_id,t\r\n1,a\r\n2,b", 'order_id,t\n1,"a\nb"\n2,c\n', "order_id,t\n1,a\n\n2,b\n"],
)
def test_record_lines_counted_from_line_ends_agree_with_the_csv_module(text):
    found = one_line_records(text.encode(), 3)
    expected = csv_record_lines(text)
    assert found is None or list(found) == expected
    assert (found is None) == (expected != [2, 3])


def test_a_ragged_line_is_still_named_by_line_and_column(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text('order_id,title,price\n81,"a, b",5\n82,x\n83,y,6\n', encoding="utf-8")
    with pytest.raises(CellError, match="line 3, column price: \\(missing\\)"):
        load_orders(path)


def test_a_formula_warning_names_the_line_of_a_one_line_record_file(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text("order_id,title\n81,ok\n82,=1+1\n", encoding="utf-8")
    assert "line 3, column title" in load_orders(path).warnings[0]


@pytest.mark.parametrize(
    ("cells", "space", "control"),
    [
        (["a", "b c"], False, False),
        (["a ", "b"], True, False),
        (["\u00a0a"], True, False),
        (["a\x07"], False, True),
        (["caf\u00e9\x1f"], True, True),  # \x1f is white space to str.strip
        (["caf\u00e9", "tab\tok"], False, False),
        (["\x85x"], True, True),  # so is NEL
    ],
)
def test_whole_column_scans_answer_as_python_would(cells, space, control):
    for column in (pd.Series(cells, dtype=str), pd.Series(cells, dtype=object)):
        assert edge_space(column) is space
        assert has_control(column) is control


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6), min_size=1, max_size=8))
def test_whole_column_scans_agree_with_python_on_any_text(cells):
    for column in (pd.Series(cells, dtype=str), pd.Series(cells, dtype=object), pd.Series(cells, dtype=str)[1:]):
        values = column.tolist()
        assert edge_space(column) is any(v != v.strip() for v in values)
        assert has_control(column) is any(CONTROL.search(v) is not None for v in values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.from_regex(r"\A(0|[1-9])[0-9]{0,18}\Z|\A\Z|\A 1\Z", fullmatch=True), min_size=1, max_size=8))
def test_ids_told_distinct_as_numbers_are_distinct_as_text(ids):
    column = pd.Series(ids, dtype=str)
    distinct = len(set(ids)) == len(ids)
    if distinct_numbers(column):
        assert distinct
    numbered = all(v.isdigit() and 1 <= len(v) <= 18 for v in ids)
    assert distinct_numbers(column) is (numbered and len({int(v) for v in ids}) == len(ids))


#: Orders whose dates Arrow reads as dates: one received before it was shipped (a warning), a day with
#: spaces around it, empty cells, a store's opening day; the title of the last row is what the cases change.
DATED = (
    "order_id,title,ordered_at,shipped_at,received_at,store_opened_at\n"
    "81,cable,2026-01-05,2026-01-09,2026-01-07,2019-04-01\n"
    "82,lamp,2026-01-06, 2026-01-10 ,,\n"
    "83,{title},2026-01-07,,,2021-11-30\n"
)


@pytest.mark.parametrize(
    "change",
    [{}, {"2026-01-07,,,": "2026-01-07,1999-12-31,,"}, {"2019-04-01": "01.04.2019"}],
    ids=["dates as dates", "a day out of bounds: refused", "one date not ISO: all as text"],
)
def test_a_book_reads_the_same_with_its_dates_read_as_dates_or_as_text(tmp_path, change):
    """The same file through Arrow (dates as dates) and through pandas' reader (a quoted title: every cell
    text): the same table and warnings, or the same refusal."""
    text = DATED
    for old, new in change.items():
        text = text.replace(old, new)
    results = []
    for name, title in (("arrow.csv", "mug"), ("pandas.csv", '"mug"')):
        path = tmp_path / name
        path.write_text(text.format(title=title), encoding="utf-8")
        try:
            book = load_orders(path)
            results.append((book.table, [w.replace(str(path), "FILE") for w in book.warnings]))
        except CellError as error:
            results.append((None, str(error).replace(str(path), "FILE")))
    (arrow_table, arrow_said), (pandas_table, pandas_said) = results
    assert arrow_said == pandas_said
    if arrow_table is None:
        assert pandas_table is None and "1999-12-31" in arrow_said
    else:
        pd.testing.assert_frame_equal(arrow_table, pandas_table)
        assert any("received_at 2026-01-07 is before shipped_at 2026-01-09" in w for w in arrow_said)


@pytest.mark.parametrize(
    ("day", "kept"), [("1999-12-31", False), ("2000-01-01", True), ("2099-12-31", True), ("2100-01-01", False)]
)
def test_a_day_read_as_a_date_is_kept_only_within_the_bounds(tmp_path, day, kept):
    """The bounds (2000-2099) on both sides, for a column Arrow reads as dates."""
    path = tmp_path / "orders.csv"
    path.write_text(f"order_id,ordered_at,shipped_at\n81,2026-01-05,{day}\n82,2026-01-06,\n", encoding="utf-8")
    assert read_native(path)[0]["shipped_at"].dtype.kind == "M"  # read as dates, not as text
    if kept:
        assert str(load_orders(path).table.loc[0, "shipped_at"].date()) == day
    else:
        with pytest.raises(CellError, match=f"line 2, column shipped_at: '{day}': outside 2000-2099"):
            load_orders(path)
