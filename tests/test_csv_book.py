"""A CSV of any size into a Parquet book a slice at a time (issue 14: "CSVs read in bounded memory (chunks)").

The slices are made tiny here (``csv_book.BLOCK_BYTES`` a few hundred bytes) so the sample is cut
into many, with quoted fields and line breaks inside quotes on the cuts; what comes out must be
what reading the whole file gives, and every message must name the file's own line.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aliexp_lib import csv_book, load_orders
from aliexp_lib.cli import main
from aliexp_lib.csv_book import record_slices
from aliexp_lib.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_orders.csv"
DAY = ["--today", "2026-03-01"]


@pytest.fixture
def tiny_slices(monkeypatch):
    monkeypatch.setattr(csv_book, "BLOCK_BYTES", 700)


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_book_in_slices_is_the_whole_file_and_its_deadlines_the_same(tmp_path, capsys, tiny_slices):
    orders = tmp_path / "orders.csv"
    text = SAMPLE.read_text(encoding="utf-8").replace("USB-C cable 2 m", '"USB-C cable\n2 m, ""long"""', 1)
    orders.write_text(text, encoding="utf-8")  # a quoted line break and doubled quotes, on a slice's cut
    assert len(list(record_slices(orders, 700))) > 5
    code, said, _ = _run(capsys, "orders", orders, "-o", f"{tmp_path / 'book'}/")
    assert code == 0 and said.startswith(f"wrote {len(load_orders(orders).table)} orders in ")
    book = pd.read_parquet(tmp_path / "book")
    _, whole, _ = _run(capsys, "orders", orders, "--format", "csv")
    assert book.equals(pd.read_csv(io.StringIO(whole), dtype=str, keep_default_na=False))
    assert book["title"].iloc[0] == 'USB-C cable\n2 m, "long"'
    assert _run(capsys, "deadlines", f"{tmp_path / 'book'}/", *DAY, "-o", f"{tmp_path / 'out'}/")[0] == 0
    _, in_memory, _ = _run(capsys, "deadlines", orders, *DAY, "--format", "csv")
    expected = pd.read_csv(io.StringIO(in_memory), dtype=str)[["order_id", "kind", "days_left", "status"]]
    out_of_core = pd.read_parquet(tmp_path / "out")[["order_id", "kind", "days_left", "status"]].astype(str)
    assert out_of_core.reset_index(drop=True).equals(expected)


@pytest.mark.parametrize(
    ("old", "new"),
    [(",RUB,", ",RUB,2026-13-01,"), (",2026-01-", ",2026-13-"), (",RUB,", ',"RUB,')],
    ids=["ragged", "bad date", "unclosed quote"],  # the reader's refusals, and the checks
)
def test_a_bad_value_in_a_later_slice_is_said_as_reading_the_whole_file_says_it(
    tmp_path, capsys, tiny_slices, old, new
):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[40]
    lines[40] = lines[40].replace(old, new, 1)
    orders = tmp_path / "orders.csv"
    orders.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as whole:
        load_orders(orders)
    code, _, err = _run(capsys, "orders", orders, "-o", f"{tmp_path / 'book'}/")
    assert (code, err) == (2, f"error: {whole.value}\n") and "line 41" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv"]  # nothing left, no staging folder


def test_an_order_on_two_slices_is_refused_with_both_lines(tmp_path, capsys, tiny_slices):
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    orders = tmp_path / "orders.csv"
    orders.write_text("".join([*lines, lines[1]]), encoding="utf-8")  # the first order again, at the end
    code, _, err = _run(capsys, "orders", orders, "-o", f"{tmp_path / 'book'}/")
    assert (code, err) == (
        2,
        f"error: {orders}: line {len(lines) + 1}: the order id of line 2 again; every order once, please\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["orders.csv"]


def test_a_folder_of_ours_is_replaced_and_one_of_the_users_is_not(tmp_path, capsys):
    book = f"{tmp_path / 'book'}/"
    assert _run(capsys, "orders", SAMPLE, "-o", book)[0] == 0
    assert _run(capsys, "orders", SAMPLE, "-o", book)[0] == 0  # ours: replaced whole
    assert [p.name for p in (tmp_path / "book").iterdir()] == ["part-00000.parquet"]
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = _run(capsys, "orders", SAMPLE, "-o", f"{tmp_path / 'mine'}/")
    assert code == 2 and "notes.txt, which aliexp did not write" in err
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["notes.txt"]


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("utf16.csv", "order_id\n81\n".encode("utf-16"), "save the file as UTF-8 CSV"),
        ("export.csv", (ROOT / "tests" / "importers" / "aliexpress_csv_export_en.csv").read_bytes(), "in our schema"),
        ("empty.csv", b"", "the file is empty"),
    ],
)
def test_what_cannot_be_cut_into_a_book_is_said_in_one_line(tmp_path, capsys, name, data, said):
    path = tmp_path / name
    path.write_bytes(data)
    argv = ["orders", path, "-o", f"{tmp_path / 'book'}/"] + (
        ["--from", "aliexpress_csv_export"] * (name == "export.csv")
    )
    code, _, err = _run(capsys, *argv)
    assert code == 2 and said in err and err.count("\n") == 1, err
    assert not (tmp_path / "book").exists()


def test_a_warning_of_many_slices_is_said_once_by_the_files_line(tmp_path, capsys, tiny_slices):
    text = SAMPLE.read_text(encoding="utf-8").replace("Store,", "Магазин,")  # Cyrillic on many lines
    orders = tmp_path / "orders.csv"
    orders.write_bytes(text.encode("cp1251"))
    whole = load_orders(orders).warnings
    code, _, err = _run(capsys, "orders", orders, "-o", f"{tmp_path / 'book'}/")
    said = [line for line in err.splitlines() if "Windows-1251" in line]
    assert code == 0 and len(said) == 1 and said[0].endswith("more slices)")
    assert said[0].removeprefix("warning: ").startswith(next(w for w in whole if "Windows-1251" in w))
    assert pd.read_parquet(tmp_path / "book")["store"].str.contains("Магазин").any()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.text(st.sampled_from('ab,"\n é'), max_size=6), min_size=2, max_size=2), max_size=12),
    st.integers(1, 40),
)
def test_slices_are_whole_records_in_order_and_count_the_lines_before_them(rows, block):
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([["order_id", "title"], *rows])
    data = text.getvalue().encode("utf-8")
    path = Path(tempfile.mkdtemp()) / "orders.csv"
    path.write_bytes(data)
    slices = list(record_slices(path, block))
    header = data.split(b"\n", 1)[0] + b"\n"
    assert all(h == header for h, _, _ in slices) and header + b"".join(r for _, r, _ in slices) == data
    records = [record for _, r, _ in slices for record in csv.reader(io.StringIO(r.decode("utf-8"), newline=""))]
    assert records == [[str(f) for f in row] for row in rows]  # each slice holds whole records
    start = len(header)
    for _, r, before in slices:  # the lines before each slice, as the file counts them
        assert before == data[:start].count(b"\n")
        start += len(r)
