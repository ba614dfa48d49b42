"""Importers at speed: the vectorised grouping and reading agree with the plain pandas way; large files read whole.

Their speed is measured by ``benchmarks/bench_import.py``, not here."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliexp_lib.errors import CellError, InputError
from aliexp_lib.importers import _common, orders_csv, read_export
from benchmarks.bench_import import export_file

texts = st.lists(st.sampled_from(["", "a", "b", " a", "ab"]), max_size=30)


@settings(max_examples=200)
@given(texts)
def test_factorizing_by_runs_is_pd_factorize(values):
    values = np.array(values, dtype=object)
    codes, distinct = _common._factorize_runs(values)
    expected_codes, expected = pd.factorize(values)
    assert codes.tolist() == expected_codes.tolist() and list(distinct) == list(expected)


@settings(max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["", "1", "2", "3"]), st.sampled_from(["", "x", "y"])), max_size=30))
def test_orders_agree_with_a_groupby(rows):
    # The reference is the groupby the importers used before: first non-empty value per order,
    # "nunique" of the non-empty values broadcast to the order's rows, rows per order.
    ids = pd.Series([i for i, _ in rows], dtype=str)
    values = pd.Series([v for _, v in rows], dtype=str)
    orders = _common.Orders(pd.Series(pd.Categorical(ids)))
    kept = ids[ids != ""]
    grouped = values[kept.index].replace("", pd.NA).groupby(kept, sort=False)
    first = grouped.first().reindex(pd.unique(kept)).fillna("")
    assert orders.first(pd.Series(pd.Categorical(values))).astype(str).tolist() == first.tolist()
    assert orders.start.tolist() == kept.groupby(kept, sort=False).head(1).index.tolist()
    split = pd.Series(False, index=ids.index)
    split[kept.index] = grouped.transform("nunique") > 1
    assert orders.disagree(pd.Series(pd.Categorical(values))).tolist() == split.tolist()
    assert (
        orders.tally(np.asarray(values != "")).tolist()
        == (values[kept.index] != "").groupby(kept, sort=False).sum().tolist()
    )


# ---------------------------------------------------------------------------------------------
# Reading a large file: checked to be UTF-8 a piece at a time


HEADER = "order_id,order_date,status,total_price_text,currency,store_name,order_title,order_line_count\n"
ROW = "81000000{i:08d},3 авг. 2025,Завершено,US $12.34,USD,Shop €,Кабель 😀,2\n"


def _big(rows: int) -> bytes:
    return (HEADER + "".join(ROW.format(i=i) for i in range(rows))).encode("utf-8")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_file_larger_than_a_piece_reads_whole(tmp_path, bom):
    data = bom + _big(1500)  # 100 KiB and more: characters of 2 to 4 bytes fall across every piece boundary
    assert len(data) > 2 * (1 << 16)
    (tmp_path / "orders.csv").write_bytes(data)
    imported = read_export(tmp_path / "orders.csv")
    assert imported.format == "orders_csv" and len(imported.table) == 1500
    assert set(imported.table["title"]) == {"Кабель 😀 (+1 more)"}


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_bad_byte_far_into_the_file_is_named_with_its_line(tmp_path, bom):
    data = bytearray(bom + _big(1500))
    at = data.index(b"Shop", 100_000)
    data[at] = 0xFF
    (tmp_path / "orders.csv").write_bytes(bytes(data))
    line = data[:at].count(b"\n") + 1
    with pytest.raises(InputError, match=rf"line {line}: not UTF-8 text \(byte 0xff\)"):
        read_export(tmp_path / "orders.csv")


def test_a_lone_start_of_a_bom_is_not_utf8_and_a_bom_alone_is_empty(tmp_path):
    (tmp_path / "half.csv").write_bytes(b"\xef\xbb")
    with pytest.raises(InputError, match=r"line 1: not UTF-8 text \(byte 0xef\)"):
        read_export(tmp_path / "half.csv")
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf\n \n")
    with pytest.raises(InputError, match="the file is empty"):
        read_export(tmp_path / "bom.csv")


def test_the_header_is_found_after_a_bom_and_many_blank_lines(tmp_path):
    (tmp_path / "orders.csv").write_bytes(b"\xef\xbb\xbf" + b"\n" * 70_000 + _big(3))
    assert read_export(tmp_path / "orders.csv").format == "orders_csv"


# ---------------------------------------------------------------------------------------------
# Large files


def test_many_duplicate_order_ids_are_each_reported(tmp_path):
    rows = 50_000
    path = tmp_path / "orders.csv"
    data = _big(rows)
    path.write_bytes(data + data[len(HEADER.encode()) :])  # every order twice
    with pytest.raises(CellError) as caught:
        read_export(path, orders_csv.NAME)
    assert len(caught.value.problems) == rows
    assert (
        caught.value.problems[0]
        == "line 50002, column order_id: '8100000000000000': duplicate order_id, first on line 2"
    )


def test_a_large_export_imports_every_order(tmp_path):
    path = tmp_path / "export.csv"
    export_file(200_000, path)  # 50,000 orders of three items and a totals row
    imported = read_export(path)
    table = imported.table
    assert len(table) == 50_000 and table["order_id"].is_unique
    assert set(table["price"]) == {"5.97"} and set(table["items"]) == {"3"} and set(table["currency"]) == {"EUR"}
    assert set(table["title"]) == {"USB-C Kabel (+2 more)"} and set(table["ordered_at"]) == {"2025-08-03"}
