"""Fuzzing the importers and the case log: any input either works or is an InputError, nothing else."""

from __future__ import annotations

import contextlib
import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aliexp_lib import InputError, load_orders
from aliexp_lib.caselog import EVENTS, CaseLog
from aliexp_lib.importers import FORMATS

HEADERS = {
    name: next(
        csv.reader(
            [
                (__import__("pathlib").Path(__file__).parent / "importers" / sample)
                .read_text(encoding="utf-8")
                .splitlines()[0]
            ],
            delimiter="\t" if sample.endswith(".tsv") else ",",
        )
    )
    for name, sample in {
        "aliexpress_csv_export": "aliexpress_csv_export_en.csv",
        "tsv_order_list": "tsv_order_list_en.tsv",
        "orders_csv": "orders_csv_ru.csv",
        "shopper_inventory_csv": "shopper_inventory_en.csv",
    }.items()
}
#: The formats that are delimited text (the workbook and JSON formats have tests of their own).
TEXT_FORMATS = sorted(name for name, module in FORMATS.items() if getattr(module, "KIND", "text") == "text")
cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "3. Aug 2025",
            "1 234,56 руб.",
            "US $12.34",
            "€",
            "Completed",
            "Завершено",
            "2025-08-03",
            "-5",
            "=1+1",
            "1,234",
        ]
    ),
)
FUZZ = settings(
    max_examples=40,
    suppress_health_check=[*settings.default.suppress_health_check, HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(st.sampled_from(TEXT_FORMATS), st.lists(st.lists(cell, min_size=1, max_size=40), max_size=6))
def test_every_importer_on_random_rows_under_its_header(tmp_path, fmt, rows):
    header = HEADERS[fmt]
    sep = "\t" if fmt == "tsv_order_list" else ","
    text = io.StringIO()
    writer = csv.writer(text, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow((row * len(header))[: len(header)])
    path = tmp_path / ("orders.tsv" if sep == "\t" else "orders.csv")
    path.write_text(text.getvalue(), encoding="utf-8")
    with contextlib.suppress(InputError):
        load_orders(path, fmt)


@FUZZ
@given(
    st.text(max_size=20),
    st.one_of(st.sampled_from(EVENTS), st.text(max_size=10)),
    st.one_of(st.dates().map(str), st.text(max_size=12)),
    st.one_of(st.none(), st.text(max_size=10)),
    st.one_of(st.none(), st.sampled_from(["RUB", "USD", "XXX", ""])),
)
def test_the_case_log_takes_anything_and_stores_only_what_is_valid(tmp_path, order_id, event, day, amount, currency):
    with CaseLog(tmp_path / "log.sqlite") as log:
        before = len(log.events())
        try:
            log.record(order_id, event, day, amount, currency)
        except InputError:
            assert len(log.events()) == before
        else:
            assert len(log.events()) == before + 1


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_an_export_header_with_no_rows_is_an_empty_order_book_or_a_clear_error(tmp_path, fmt):
    path = tmp_path / ("orders.tsv" if fmt == "tsv_order_list" else "orders.csv")
    path.write_text(("\t" if fmt == "tsv_order_list" else ",").join(HEADERS[fmt]) + "\n", encoding="utf-8")
    try:
        assert len(load_orders(path)) == 0
    except InputError as problem:
        assert str(path) in str(problem)
