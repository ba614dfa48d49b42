"""Tables out fast and exact (issue 12): open deadlines by default, JSON lines, CSV byte for byte as pandas writes."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliexp_lib.export import to_csv
from aliexp_lib.formulas import FORMULA_STARTS, formula_like, safe_cells
from aliexp_lib.safe_write import write_pieces
from aliexp_lib.table_bytes import csv_chunks, jsonl_chunks
from tests.conftest import aliexp
from tests.regenerate_golden import GOLDEN

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "data/sample_orders.csv"


def run(*args: str) -> subprocess.CompletedProcess:
    return aliexp(*args, cwd=ROOT)


def test_deadlines_prints_the_open_rows_by_default_and_every_row_with_all():
    every = (GOLDEN / "sample_deadlines_2026-03-01.csv").read_text(encoding="utf-8")
    done = run("deadlines", SAMPLE, "--today", "2026-03-01", "--format", "csv")
    assert done.returncode == 0, done.stderr
    header, *rows = list(csv.reader(io.StringIO(every)))  # the seed's advice may span lines
    status = header.index("status")
    open_rows = [row for row in rows if row[status] not in ("done", "expired")]
    # the same rows, in the same order, closed ones left out
    assert list(csv.reader(io.StringIO(done.stdout))) == [header, *open_rows]
    assert 0 < len(open_rows) < len(rows)
    table = run("deadlines", SAMPLE, "--today", "2026-03-01").stdout
    assert " done " not in table and "upcoming" in table


def test_jsonl_is_one_record_a_line_the_same_as_json(tmp_path):
    lines = run("deadlines", SAMPLE, "--today", "2026-03-01", "--format", "jsonl").stdout.splitlines()
    records = json.loads(run("deadlines", SAMPLE, "--today", "2026-03-01", "--format", "json").stdout)
    assert [json.loads(line) for line in lines] == records
    assert lines[0].startswith('{"order_id":"8100000000000000","kind":')
    out = tmp_path / "deadlines.jsonl"
    done = run("deadlines", SAMPLE, "--today", "2026-03-01", "--format", "jsonl", "-o", str(out))
    assert done.returncode == 0 and done.stdout.startswith(f"wrote {len(records)} rows to ")
    assert out.read_text(encoding="utf-8").splitlines() == lines


def test_jsonl_keeps_slashes_and_backslashes():
    table = pd.DataFrame({"a": ["x/y", "back\\/slash", "é"], "b": [None, 1, 2]})
    lines = b"".join(jsonl_chunks(table, rows=2)).decode().splitlines()
    assert [json.loads(line)["a"] for line in lines] == ["x/y", "back\\/slash", "é"]
    assert lines[0] == '{"a":"x/y","b":null}'


def _inert_one(value):  # the rule, one cell at a time (the former implementation)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not re.fullmatch(r"-\d+(?:\.\d+)?", value):
        return "'" + value
    return value


text = st.text(alphabet=st.sampled_from(list("=+-@\t\r\n,\"' 0123456789.aé")), max_size=6)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(text, st.none(), st.integers(-9, 9)), min_size=1, max_size=8))
def test_formulas_are_found_column_by_column_exactly_as_cell_by_cell(values):
    column = pd.Series(values, dtype=object)
    expected = [_inert_one(v) for v in values]
    assert safe_cells(pd.DataFrame({"c": column}))["c"].tolist() == expected
    assert formula_like(column).tolist() == [e != v for e, v in zip(expected, values, strict=True)]
    texts = [v for v in values if isinstance(v, str)]
    categorical = pd.Series(texts, dtype="category")
    assert safe_cells(pd.DataFrame({"c": categorical}))["c"].tolist() == [_inert_one(v) for v in texts]


def _pandas_csv(table: pd.DataFrame) -> str:
    """What the former ``to_csv`` wrote: pandas' writer after making formulas inert cell by cell."""
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or isinstance(safe[column].dtype, (pd.CategoricalDtype, pd.StringDtype)):
            safe[column] = pd.Series([_inert_one(v) for v in safe[column].tolist()], index=safe.index, dtype=object)
    has_cr = any("\r" in v for c in safe.columns for v in safe[c].tolist() if isinstance(v, str))
    quoting = csv.QUOTE_NONNUMERIC if has_cr else csv.QUOTE_MINIMAL
    return safe.to_csv(index=False, lineterminator="\n", quoting=quoting)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(text, st.none()), st.one_of(st.none(), st.integers(-(10**12), 10**12)), st.booleans()),
        min_size=0,
        max_size=12,
    ),
    st.integers(1, 5),
)
def test_csv_is_byte_for_byte_what_pandas_writes(rows, chunk):
    table = pd.DataFrame(rows, columns=["note", "count", "flag"]).astype({"note": object})
    table["count"] = table["count"].astype("Int64")
    table["kind"] = pd.Series([r[0] or "a,b" for r in rows], dtype="category")
    table["id"] = pd.Series([f"81{i}" for i in range(len(rows))], dtype="str")
    expected = _pandas_csv(table)
    assert b"".join(csv_chunks(table, rows=chunk)).decode("utf-8") == expected
    out = io.StringIO()
    to_csv(table, out)
    assert out.getvalue() == expected


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(text, st.none()), st.one_of(st.none(), st.integers(-99, 99)), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    st.integers(1, 60),
    st.integers(7, 500),
)
def test_columns_of_few_values_written_once_per_combination_are_still_pandas_exact(rows, repeats, chunk):
    # Repeated rows: every column but the id holds few distinct values and goes the combined way
    # (table_bytes.FEW); the id between them (unique per row) is written cell by cell.
    rows = rows * repeats
    table = pd.DataFrame(rows, columns=["note", "count", "flag"]).astype({"note": object})
    table.insert(1, "id", pd.Series([f"81{i}" for i in range(len(rows))], dtype="str"))
    table["count"] = table["count"].astype("Int64")
    table["maybe"] = pd.array([None if r[1] is None else r[2] for r in rows], dtype="boolean")
    table["kind"] = pd.Series([r[0] or "a,b" for r in rows], dtype="category")
    table["days"] = [len(r[0] or "") - 3 for r in rows]
    assert b"".join(csv_chunks(table, rows=chunk)).decode("utf-8") == _pandas_csv(table)


def test_csv_of_a_float_column_or_a_single_column_is_still_pandas_exact():
    table = pd.DataFrame({"share": [0.1, 1e-05, None], "note": ["=x", "y", "-1.5"]})
    assert b"".join(csv_chunks(table)).decode() == _pandas_csv(table)
    single = pd.DataFrame({"note": ["", "a", None]})
    assert b"".join(csv_chunks(single)).decode() == _pandas_csv(single)


def test_a_failure_while_writing_leaves_nothing_under_the_name(tmp_path):
    def pieces():
        yield b"order_id\n"
        raise MemoryError

    with pytest.raises(MemoryError):
        write_pieces(tmp_path / "out.csv", pieces())
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("orders", ["sample", "generated"])
def test_the_deadlines_file_is_the_per_row_references_byte_for_byte(orders, tmp_path):
    # The end-to-end benchmark's reference (benchmarks/reference_cli.py: one order at a time, the csv
    # module) and the command write the same eleven columns; the generated book has every stage, a
    # fifth of its orders known by status only (estimated rows), problems, payment methods and formulas.
    from benchmarks.bench_end_to_end import order_file
    from benchmarks.reference_cli import write_reference

    path = ROOT / SAMPLE if orders == "sample" else tmp_path / "orders.csv"
    if orders == "generated":
        order_file(3_000, path)
    write_reference(path, dt.date(2026, 3, 1), tmp_path / "reference.csv")
    done = aliexp("deadlines", str(path), "--today", "2026-03-01", "--format", "csv", "-o", str(tmp_path / "ours.csv"))
    assert done.returncode == 0, done.stderr
    ours, reference = ((tmp_path / name).read_bytes() for name in ("ours.csv", "reference.csv"))
    assert ours.count(b"\n") > 100 and (b",true," in ours or orders == "sample")  # the generated: some estimated
    assert ours == reference
