"""Parquet order books in and out, and deadlines out of core on Dask: what a user of the command line sees."""

from __future__ import annotations

import datetime as dt
import decimal
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aliexp_lib import compute_deadlines, load_rulebook
from aliexp_lib.cli import main
from aliexp_lib.distributed import book_frame, deadlines_frame, write_deadlines
from aliexp_lib.errors import InputError
from aliexp_lib.orders import load_orders
from aliexp_lib.parquet_io import ours_parquet, write_parquet
from tests.conftest import TODAY, aliexp
from tests.test_properties import as_book, exported_orders, orders

ROOT = Path(__file__).parents[1]
SAMPLE = ROOT / "data" / "sample_orders.csv"
README = (ROOT / "README.md").read_text(encoding="utf-8")
RULES = load_rulebook()


def sample_text() -> pd.DataFrame:
    return pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)


def run(*argv: str) -> tuple[int, str, str]:
    done = aliexp(*argv, "--today", TODAY.isoformat())
    return done.returncode, done.stdout, done.stderr


def ordered(table: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order whatever the partitioning, text columns as plain text."""
    table = table.astype({"kind": str, "status": str}).loc[:, list(table.columns)]
    return table.sort_values(["order_id", "kind"], ignore_index=True)


def test_a_parquet_book_of_text_loads_exactly_like_the_csv(tmp_path):
    write_parquet(sample_text(), tmp_path / "book.parquet")
    pd.testing.assert_frame_equal(load_orders(tmp_path / "book.parquet").table, load_orders(SAMPLE).table)


def test_a_typed_parquet_book_dates_decimals_integers_loads_like_its_text(tmp_path):
    pq.write_table(
        pa.table(
            {
                "order_id": pa.array([8100000000000001, 8100000000000002], pa.int64()),
                "price": pa.array([decimal.Decimal("600.50"), decimal.Decimal("12")], pa.decimal128(12, 2)),
                "currency": ["RUB", "RUB"],
                "shipped_at": pa.array([dt.date(2026, 1, 10), None], pa.date32()),
                "received_at": pa.array([dt.datetime(2026, 2, 1), None], pa.timestamp("s")),
                "protection_days": pa.array([75, None], pa.int32()),
            }
        ),
        tmp_path / "typed.parquet",
    )
    text = pd.DataFrame(
        {
            "order_id": ["8100000000000001", "8100000000000002"],
            "price": ["600.50", "12.00"],
            "currency": ["RUB", "RUB"],
            "shipped_at": ["2026-01-10", ""],
            "received_at": ["2026-02-01", ""],
            "protection_days": ["75", ""],
        }
    )
    write_parquet(text, tmp_path / "text.parquet")
    typed = load_orders(tmp_path / "typed.parquet").table
    pd.testing.assert_frame_equal(typed, load_orders(tmp_path / "text.parquet").table)
    assert typed["price_minor"].tolist() == [60050, 1200]


@pytest.mark.parametrize(
    ("shipped", "received"),
    [
        (dt.date(2000, 1, 1), dt.datetime(2099, 12, 31)),  # the first and last days a book may hold
        (dt.date(1999, 12, 31), dt.datetime(2026, 2, 1)),  # a day before them: the text's problem
        (dt.date(2026, 3, 1), dt.datetime(2100, 1, 1)),  # a day after them
        (dt.date(2026, 3, 1), dt.datetime(2026, 2, 1)),  # received before shipped: the text's warning
        (dt.date(2026, 3, 1), dt.datetime(2026, 3, 2, 15, 30)),  # a time of day: its day, as in a CSV
    ],
)
def test_parquet_dates_read_as_dates_end_as_their_text_would(tmp_path, shipped, received):
    # Dates and midnight timestamps reach the validator as dates (no text made and parsed again);
    # a book of them must load, warn and fail exactly as the same book written as text.
    pq.write_table(
        pa.table(
            {
                "order_id": ["81", "82"],
                "shipped_at": pa.array([shipped, None], pa.date32()),
                "received_at": pa.array([received, None], pa.timestamp("s")),
            }
        ),
        tmp_path / "typed.parquet",
    )
    text = f"%Y-%m-%d{' %H:%M:%S' if received.hour else ''}"
    as_text = {"order_id": ["81", "82"], "shipped_at": [str(shipped), ""], "received_at": [received.strftime(text), ""]}
    write_parquet(pd.DataFrame(as_text), tmp_path / "text.parquet")

    def outcome(path: Path):
        try:
            book = load_orders(path)
        except InputError as error:
            return str(error).replace(path.name, "BOOK")
        return book.table, [w.replace(path.name, "BOOK") for w in book.warnings]

    typed, text_book = outcome(tmp_path / "typed.parquet"), outcome(tmp_path / "text.parquet")
    if isinstance(text_book, str):
        assert typed == text_book
    else:
        pd.testing.assert_frame_equal(typed[0], text_book[0])
        assert typed[1] == text_book[1]


def test_deadlines_round_trip_through_parquet_keep_dates_and_types(tmp_path):
    write_parquet(sample_text(), tmp_path / "book.parquet")
    code, out, _ = run(
        "deadlines",
        str(tmp_path / "book.parquet"),
        "--all",
        "--format",
        "csv",
        "-o",
        str(tmp_path / "d.parquet"),
    )
    assert code == 0 and out.strip() == f"wrote 330 rows to {tmp_path / 'd.parquet'}"
    back = pd.read_parquet(tmp_path / "d.parquet")
    assert ours_parquet(tmp_path / "d.parquet")
    assert pa.types.is_date32(pq.read_schema(tmp_path / "d.parquet").field("due").type)
    code, out, _ = run("deadlines", str(SAMPLE), "--all", "--format", "csv")
    printed = pd.read_csv(pd.io.common.StringIO(out), dtype=str, keep_default_na=False)
    assert pd.api.types.is_bool_dtype(back["estimated"])  # a file keeps its type; CSV says true/false
    back = back.assign(estimated=back["estimated"].map({True: "true", False: "false"}))
    assert back.astype(str).replace({"None": "", "nan": ""}).equals(printed.astype(str))


def test_a_partitioned_folder_is_one_book(tmp_path):
    raw = sample_text()
    for i, part in enumerate(np.array_split(np.arange(len(raw)), 3)):
        folder = tmp_path / "book" / f"month={i}"
        folder.mkdir(parents=True)
        write_parquet(raw.iloc[part], folder / f"part-{i}.parquet")
    (tmp_path / "book" / "_SUCCESS").write_text("", encoding="utf-8")  # what Spark leaves: not a part
    pd.testing.assert_frame_equal(load_orders(tmp_path / "book").table, load_orders(SAMPLE).table)
    _, from_folder, _ = run("deadlines", str(tmp_path / "book"), "--format", "csv")
    _, from_csv, _ = run("deadlines", str(SAMPLE), "--format", "csv")
    assert from_folder == from_csv


def bad_book(folder: Path) -> None:
    folder.mkdir()
    write_parquet(
        pd.DataFrame({"order_id": ["1", "2"], "shipped_at": ["2026-01-01", "2026-01-02"]}), folder / "a.parquet"
    )
    pq.write_table(
        pa.table(
            {
                "order_id": ["3", "4", "5"],
                "price": [1.5, 2.25, 0.001],
                "currency": ["RUB"] * 3,
                "shipped_at": ["2026-01-01", "2026-13-01", ""],
            }
        ),
        folder / "b.parquet",
    )


@pytest.mark.parametrize("output", [None, "deadlines.parquet", "deadlines/"])
def test_a_bad_parquet_value_is_named_by_file_row_column_and_value_and_nothing_is_written(tmp_path, output):
    bad_book(tmp_path / "book")
    extra = ["-o", str(tmp_path / output) + "/" * output.endswith("/")] if output else []  # Path drops the "/"
    code, out, err = run("deadlines", str(tmp_path / "book"), *extra)
    assert code == 2 and out == ""
    assert f"{tmp_path / 'book' / 'b.parquet'}: 2 problems:" in err
    assert "row 2, column shipped_at: '2026-13-01': not a calendar date" in err
    assert "row 3, column price: '0.001': more decimal places than RUB has (2)" in err
    assert "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book"]  # no output, no temporary folder left


@pytest.mark.parametrize("output", [None, "deadlines/"])
def test_an_order_in_two_parts_is_named_in_both(tmp_path, output):
    (tmp_path / "book").mkdir()
    write_parquet(pd.DataFrame({"order_id": ["1", "2"]}), tmp_path / "book" / "a.parquet")
    write_parquet(pd.DataFrame({"order_id": ["3", "2"]}), tmp_path / "book" / "b.parquet")
    extra = ["-o", str(tmp_path / output) + "/" * output.endswith("/")] if output else []  # Path drops the "/"
    code, _, err = run("deadlines", str(tmp_path / "book"), *extra)
    assert code == 2
    assert err.strip() == (
        f"error: {tmp_path / 'book' / 'b.parquet'}: row 2, column order_id: '2': duplicate order_id, "
        f"first in {tmp_path / 'book' / 'a.parquet'} row 2"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book"]


def test_a_damaged_parquet_file_is_one_line(tmp_path):
    (tmp_path / "book.parquet").write_bytes(b"order_id\n81\n")
    code, _, err = run("deadlines", str(tmp_path / "book.parquet"))
    assert code == 2 and err.startswith(f"error: {tmp_path / 'book.parquet'}: cannot read as Parquet (")
    assert len(err.strip().splitlines()) == 1


def test_a_parquet_output_never_replaces_a_file_we_did_not_write(tmp_path):
    write_parquet(sample_text(), tmp_path / "book.parquet")
    book, target = str(tmp_path / "book.parquet"), tmp_path / "deadlines.parquet"
    target.write_bytes(b"the buyer's own file")
    code, _, err = run("deadlines", book, "-o", str(target))
    assert code == 2 and "exists and was not written by aliexp" in err
    assert target.read_bytes() == b"the buyer's own file"
    # someone else's Parquet file is no more ours than any other file
    pq.write_table(pa.table({"order_id": ["1"]}), target)
    before = target.read_bytes()
    assert run("deadlines", book, "-o", str(target))[0] == 2 and target.read_bytes() == before
    assert run("deadlines", book, "-o", str(target), "--overwrite")[0] == 0 and ours_parquet(target)
    assert run("deadlines", book, "-o", str(target))[0] == 0  # ours now: replaced
    code, _, err = run("deadlines", book, "-o", book, "--overwrite")  # never the file read
    assert code == 2 and "is the file this command reads" in err


def test_an_output_folder_is_replaced_only_when_it_holds_only_our_parts(tmp_path):
    write_parquet(sample_text(), tmp_path / "book.parquet")
    book, out = str(tmp_path / "book.parquet"), tmp_path / "deadlines"
    code, said, _ = run("deadlines", book, "-o", f"{out}/", "--all")
    assert code == 0 and said.strip() == f"wrote 330 deadlines of 50 orders in 1 part(s) to {out}"
    assert [p.name for p in out.iterdir()] == ["part.00000.parquet"]
    assert run("deadlines", book, "-o", f"{out}/")[0] == 0  # ours: replaced
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    for extra in ([], ["--overwrite"]):
        code, _, err = run("deadlines", book, "-o", f"{out}/", *extra)
        assert code == 2 and "holds notes.txt, which aliexp did not write; nothing was written" in err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"
    code, _, err = run("deadlines", str(tmp_path), "-o", f"{tmp_path}/")
    assert code == 2 and "is what this command reads" in err
    code, _, err = run("deadlines", str(SAMPLE), "-o", f"{tmp_path / 'x'}/")
    assert code == 2 and "needs a Parquet book" in err


def test_the_out_of_core_result_equals_the_in_memory_result_on_a_few_hundred_orders(tmp_path):
    rng = np.random.default_rng(12)
    n = 400
    shipped = pd.Timestamp("2025-09-01") + pd.to_timedelta(rng.integers(0, 200, n), "D")
    raw = pd.DataFrame(
        {
            "order_id": [f"81{i:014d}" for i in range(n)],
            "shipped_at": shipped.strftime("%Y-%m-%d"),
            "received_at": np.where(rng.random(n) < 0.4, (shipped + pd.Timedelta(days=20)).strftime("%Y-%m-%d"), ""),
            "dispute_opened_at": np.where(
                rng.random(n) < 0.2, (shipped + pd.Timedelta(days=30)).strftime("%Y-%m-%d"), ""
            ),
            "extension_days": rng.choice(["", "0", "10", "15"], n),
            "status": rng.choice(["", "shipped", "completed", "in_dispute"], n),
        }
    )
    raw.loc[rng.random(n) < 0.3, "shipped_at"] = ""
    (tmp_path / "book").mkdir()
    for i, part in enumerate(np.array_split(np.arange(n), 3)):
        write_parquet(raw.iloc[part], tmp_path / "book" / f"p{i}.parquet", row_group_rows=50)
    in_memory = compute_deadlines(load_orders(tmp_path / "book"), TODAY, RULES)
    book = book_frame(tmp_path / "book", rows=60)
    assert book.npartitions == 6  # 3 parts of 134 or 133 rows, row groups of 50: pieces of 100 and 34 (or 33)
    lazy = deadlines_frame(book, TODAY, RULES).compute(scheduler="threads")
    pd.testing.assert_frame_equal(ordered(lazy), ordered(in_memory))
    write_deadlines(tmp_path / "book", tmp_path / "out", TODAY, RULES, rows=60)
    written = ordered(pd.read_parquet(tmp_path / "out")).assign(due=lambda t: t["due"].astype(str))
    expected = ordered(in_memory).assign(due=lambda t: t["due"].dt.strftime("%Y-%m-%d"))
    assert list(written.columns) == list(expected.columns)
    assert written.astype(str).to_numpy().tolist() == expected.astype(str).to_numpy().tolist()


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.lists(orders() | exported_orders(), min_size=1, max_size=24), st.integers(4, 10))
def test_dask_partition_by_partition_equals_pandas_on_any_book(tmp_path_factory, order_list, rows):
    path = tmp_path_factory.mktemp("book") / "book.parquet"
    raw = (
        as_book(order_list)
        .table.loc[:, []]
        .assign(
            order_id=[f"o{i}" for i in range(len(order_list))],
            **{k: [("" if o.get(k) is None else str(o[k])) for o in order_list] for k in set().union(*order_list)},
        )
    )
    pq.write_table(pa.Table.from_pandas(raw, preserve_index=False), path, row_group_size=rows)
    expected = compute_deadlines(load_orders(path), TODAY, RULES)
    found = deadlines_frame(book_frame(path, rows=rows), TODAY, RULES).compute(scheduler="sync")
    pd.testing.assert_frame_equal(ordered(found), ordered(expected))


def test_the_readme_dask_cluster_example_runs(tmp_path):
    (example,) = re.findall(r"```py\n(.*?)```", README, flags=re.S)
    write_parquet(sample_text(), tmp_path / "book.parquet")
    found = {"book": tmp_path / "book.parquet", "out": tmp_path / "deadlines"}
    exec(example, found)
    assert found["said"] == f"wrote 330 deadlines of 50 orders in 1 part(s) to {tmp_path / 'deadlines'}"
    assert len(pd.read_parquet(tmp_path / "deadlines")) == 330


def test_importing_the_library_leaves_dask_for_the_commands_that_use_it():
    code = "import sys, aliexp_lib, aliexp_lib.cli, aliexp_lib.orders; print('dask' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "False"


def test_the_case_log_beside_a_parquet_book_counts_in_and_out_of_core(tmp_path, capsys):
    write_parquet(sample_text(), tmp_path / "book.parquet")
    book = str(tmp_path / "book.parquet")
    order = sample_text()["order_id"].iat[0]
    assert main(["record", order, "dispute_opened", "2026-02-20", "--orders", book]) == 0
    assert (tmp_path / "book.caselog.sqlite").exists()
    in_memory = compute_deadlines(load_orders(book), TODAY, RULES)
    assert not in_memory.equals(compute_deadlines(load_orders(book, with_log=False), TODAY, RULES))
    found = deadlines_frame(book_frame(book), TODAY, RULES).compute(scheduler="sync")
    pd.testing.assert_frame_equal(ordered(found), ordered(in_memory))
    capsys.readouterr()
