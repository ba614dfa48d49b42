"""Our CSV read by Arrow's parser gives the very cells pandas' reader gives, or steps aside (issue 12)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliexp_lib.arrow_csv import arrow_parse, one_line_records
from aliexp_lib.cells import csv_record_lines
from aliexp_lib.column_scan import edge_space, has_control
from aliexp_lib.errors import CellError
from aliexp_lib.native import CONTROL, pandas_parse
from aliexp_lib.orders import load_orders


def pandas_cells(data: bytes, delimiter: str) -> list[list[str]]:
    return pandas_parse(data, delimiter).values.tolist()


field = st.text(alphabet=st.sampled_from(list('ab ,;"\n\r\té')), max_size=5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(field, min_size=2, max_size=2), min_size=1, max_size=6), st.sampled_from([",", ";"]))
def test_arrow_reads_what_pandas_reads_or_steps_aside(rows, delimiter):
    data = "\n".join(delimiter.join(row) for row in [["order_id", "title"], *rows]).encode("utf-8")
    cells = arrow_parse(data, delimiter)
    if cells is None:
        return
    # the same cells once stripped, as validate strips every cell (pandas drops only the leading spaces)
    stripped = [[cell.strip() for cell in row] for row in cells.values.tolist()]
    assert stripped == [[cell.strip() for cell in row] for row in pandas_cells(data, delimiter)]


def test_a_quote_after_a_space_or_a_ragged_line_is_left_to_pandas():
    assert arrow_parse(b'order_id,title\n81, "a, b"\n', ",") is None
    assert arrow_parse(b"order_id,title\n81,a,b\n", ",") is None
    assert arrow_parse(b"order_id,title\n81\n", ",") is None
    assert arrow_parse(b'order_id,title\n81,"x"\n', ",") is None  # any quote: pandas' way
    assert arrow_parse(b"order_id,title\n81,x\n", ",").values.tolist()[1] == ["81", "x"]


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
