"""Importers: inputs that used to crash or be misreported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aliexp_lib.errors import InputError
from aliexp_lib.importers import read_export

HERE = Path(__file__).parent / "importers"


@pytest.mark.parametrize("name", ["aliexpress_csv_export_en.csv", "orders_csv_ru.csv", "tsv_order_list_en.tsv"])
def test_a_delimiter_at_the_end_of_each_data_line_changes_nothing(tmp_path, name):
    # The data lines then have one cell more than the header; pandas took the first column for
    # row labels, and the import crashed (duplicate labels) or read every column one off.
    sep = "\t" if name.endswith(".tsv") else ","
    header, *lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    path = tmp_path / name
    path.write_text("\n".join([header, *(line + sep for line in lines)]) + "\n", encoding="utf-8")
    got, expected = read_export(path), read_export(HERE / name)
    pd.testing.assert_frame_equal(got.table, expected.table)
    assert [w.replace(str(path), "") for w in got.warnings] == [
        w.replace(str(HERE / name), "") for w in expected.warnings
    ]


def test_a_byte_that_is_not_utf8_is_named_right_after_a_bom(tmp_path):
    # The position of a bad byte was counted after the BOM, so the byte named (and at times the
    # line) was three bytes early.
    body = b"Order Id,Order date,Order Status,Item title,Total price,Store url\n1,2025-08-03,Completed,\xff\n"
    for name, data in (("plain.csv", body), ("bom.csv", b"\xef\xbb\xbf" + body)):
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError, match=r"line 2: not UTF-8 text \(byte 0xff\)"):
            read_export(tmp_path / name)
    (tmp_path / "first.csv").write_bytes(b"\xef\xbb\xbfOrder Id\n\xff\n")
    with pytest.raises(InputError, match=r"line 2: not UTF-8 text \(byte 0xff\)"):
        read_export(tmp_path / "first.csv", "orders_csv")
