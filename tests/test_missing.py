"""``aliexp missing`` and the bulk ``record``: what a buyer with only an export in hand sees."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from aliexp_lib import OrderBook, Setting, analyse
from aliexp_lib.caselog import CaseLog, default_log_path
from aliexp_lib.orders import load_orders
from aliexp_lib.schema import STATUS_EVENTS
from aliexp_lib.setting import build_setting
from tests.conftest import aliexp

ROOT = Path(__file__).parents[1]
FIXTURES = ROOT / "tests" / "importers"
SAMPLE = ROOT / "data" / "sample_orders.csv"
#: The fixtures' language -> the column of the order page's label in that language.
EXPORTS = {
    "aliexpress_csv_export_en.csv": "page_en",
    "aliexpress_csv_export_ru.csv": "page_ru",
    "aliexpress_csv_export_de.csv": "page_de",
    "orders_csv_ru.csv": "page_ru",
    "tsv_order_list_en.tsv": "page_en",
}
PAGE = {"shipped_at": ("Order shipped", "Заказ отправлен", "Bestellung versandt")}
TODAY = dt.date(2025, 9, 20)


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return aliexp(*args, cwd=cwd)


def missing_of(path: Path, today: dt.date = TODAY) -> pd.DataFrame:
    return analyse(load_orders(path, with_log=False), today, Setting.default()).missing


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_every_unfinished_order_of_an_export_without_its_dates_is_listed_with_its_page_label(name):
    book = load_orders(FIXTURES / name, with_log=False)
    found = missing_of(FIXTURES / name)
    table = book.table
    expected = {
        (order_id, event)
        for order_id, status in zip(table["order_id"], table["status"], strict=True)
        for event in STATUS_EVENTS.get(status, ())
        if pd.isna(table.loc[table["order_id"] == order_id, event].iloc[0])
    }
    assert expected  # the fixtures have a shipped and a completed order without dates
    assert set(zip(found["order_id"], found["event"], strict=True)) == expected
    shipped = found[found["event"] == "shipped_at"]
    language = ("page_en", "page_ru", "page_de").index(EXPORTS[name])
    assert set(shipped[EXPORTS[name]]) == {PAGE["shipped_at"][language]}  # the label the buyer's page shows


def test_closed_orders_and_orders_completed_long_ago_need_nothing():
    found = missing_of(FIXTURES / "tsv_order_list_en.tsv", dt.date(2026, 3, 1))
    assert "8100000000000103" not in set(found["order_id"])  # closed
    assert "8100000000000101" not in set(found["order_id"])  # completed 2025-08-03, every window closed
    assert list(found["order_id"]) == ["8100000000000102"]  # shipped: still asked for


def test_a_completed_order_is_asked_for_until_the_longest_protection_has_passed():
    def asked(today):
        book = OrderBook.from_frame(
            pd.DataFrame(
                [{"order_id": "1", "ordered_at": "2026-01-01", "status": "completed", "price": "5", "currency": "RUB"}]
            )
        )
        return len(analyse(book, today, Setting.default()).missing)

    assert asked(dt.date(2026, 4, 1)) == 2  # 2026-01-01 + 90 d (protection_cap_days) = 2026-04-01: shipped, confirmed
    assert asked(dt.date(2026, 4, 2)) == 0


def test_nothing_is_missing_in_the_sample_where_the_dates_are_given():
    assert missing_of(SAMPLE, dt.date(2026, 3, 1)).empty


def test_orders_without_a_status_or_with_their_dates_need_nothing():
    book = OrderBook.from_frame(
        pd.DataFrame(
            [
                {"order_id": "1", "ordered_at": "2026-01-01"},  # our own format: no status
                {"order_id": "2", "ordered_at": "2026-01-01", "status": "shipped", "shipped_at": "2026-01-03"},
                {"order_id": "3", "ordered_at": "2026-01-01", "status": "awaiting_shipment"},
                {"order_id": "4", "ordered_at": "2026-01-01", "status": "awaiting_payment"},
                {"order_id": "5", "ordered_at": "2026-01-01", "status": "in_dispute", "shipped_at": "2026-01-03"},
                {"order_id": "6", "ordered_at": "2026-01-01", "status": "refunded", "refund_received_at": "2026-02-03"},
                {"order_id": "7", "ordered_at": "2026-01-01", "status": "refunded"},
            ]
        )
    )
    found = analyse(book, dt.date(2026, 2, 10), Setting.default()).missing
    needed = found[found["needed"]]
    assert list(zip(needed["order_id"], needed["event"], strict=True)) == [
        ("5", "dispute_opened_at"),
        ("7", "refund_issued_at"),
    ]
    assert set(found.loc[~found["needed"], "event"]) <= {"paid_at"}  # helps, never needed


def test_most_valuable_order_first_and_an_unknown_rate_never_an_error(tmp_path):
    rates = tmp_path / "my_bank.csv"
    rates.write_text("date,currency,rub_per_unit,source\n2026-01-01,USD,90,my bank\n", encoding="utf-8")
    book = OrderBook.from_frame(
        pd.DataFrame(
            [
                {"order_id": "cheap", "price": "100", "currency": "RUB", "status": "shipped"},
                {"order_id": "dear", "price": "50", "currency": "USD", "status": "shipped"},  # 4500 RUB
                {"order_id": "mid", "price": "1000", "currency": "RUB", "status": "in_dispute"},
                {"order_id": "norate", "price": "9", "currency": "XAF", "status": "shipped"},
                {"order_id": "norate2", "price": "90", "currency": "XAF", "status": "shipped"},
            ]
        )
    )
    found = analyse(book, dt.date(2026, 3, 1), build_setting(rates=str(rates), user_config=False)).missing
    order = list(pd.unique(found["order_id"]))
    assert order == ["dear", "mid", "cheap", "norate2", "norate"]  # rated by value, then by price in XAF
    assert found.groupby("order_id")["rank"].nunique().eq(1).all()
    assert list(found.loc[found["order_id"] == "mid", "event"]) == ["shipped_at", "dispute_opened_at"]
    assert found.loc[found["order_id"] == "norate", "value_minor"].isna().all()


def test_the_labels_data_says_which_labels_are_quotes():
    labels = pd.read_csv(ROOT / "data" / "order_page_dates.csv", dtype=str, keep_default_na=False)
    assert set(labels["quoted"]) <= {"ru", "none"}
    for row in labels[labels["quoted"] == "ru"].itertuples():
        assert row.source.startswith("seed L") and row.label_ru in row.source  # the quote is in the source
    assert (labels.loc[labels["quoted"] == "none", "source"].str.startswith("our description")).all()


# -- the command line -------------------------------------------------------------------------


def test_cli_missing_table_csv_json(tmp_path):
    export = FIXTURES / "aliexpress_csv_export_de.csv"
    table = run("missing", str(export), "--today", "2025-09-20")
    assert table.returncode == 0, table.stderr
    assert "Bestellung versandt" in table.stdout and "Order shipped" in table.stdout
    done = run("missing", str(export), "--today", "2025-09-20", "--format", "csv", "--lang", "ru")
    frame = pd.read_csv(io.StringIO(done.stdout), dtype=str, keep_default_na=False)
    assert list(frame.columns[:5]) == ["rank", "order_id", "status", "event", "needed"]
    assert set(frame["needed"]) == {"true"} and "Отправлен" in set(frame["label"])
    records = json.loads(run("missing", str(export), "--today", "2025-09-20", "--format", "json").stdout)
    assert records[0]["rank"] == 1 and records[0]["page_ru"] == "Заказ отправлен"
    out = tmp_path / "missing.csv"
    assert run("missing", str(export), "--today", "2025-09-20", "-o", str(out)).returncode == 0
    assert out.exists()
    assert run("missing", str(SAMPLE), "--today", "2026-03-01").stdout.strip() == "(no rows)"


def test_cli_missing_bad_file_exits_2(tmp_path):
    bad = tmp_path / "orders.csv"
    bad.write_text("order_id,price,currency\n1,x,RUB\n", encoding="utf-8")
    done = run("missing", str(bad))
    assert done.returncode == 2 and "Traceback" not in done.stderr and "line 2" in done.stderr


# -- many events at once ---------------------------------------------------------------------


@pytest.fixture
def export(tmp_path) -> Path:
    path = tmp_path / "orders.tsv"
    shutil.copy(FIXTURES / "tsv_order_list_en.tsv", path)
    return path


def events_of(export: Path) -> pd.DataFrame:
    log = default_log_path(export)
    if not log.exists():
        return pd.DataFrame()
    with CaseLog(log) as opened:
        return opened.events()


def test_a_good_file_closes_the_gap_in_one_step(export, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "order_id,event,date,amount\n"
        "8100000000000102,shipped,2025-09-18,\n"
        "8100000000000101,shipped,2025-08-05\n"
        "8100000000000101,confirmed,2025-08-25,\n",
        encoding="utf-8",
    )
    assert len(missing_of(export)) == 3
    done = run("record", str(events), "--orders", str(export))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines() == [
        f"events recorded: 3 (Receipt confirmed 1, Shipped 2); orders: 2; case log: {default_log_path(export)}"
    ]
    assert analyse(load_orders(export), TODAY, Setting.default()).missing.empty
    again = run("record", str(events), "--orders", str(export))  # the same file twice: nothing twice
    assert "events recorded: 0" in again.stdout and "not recorded again: 3" in again.stdout
    assert len(events_of(export)) == 3


def test_bad_lines_are_named_and_nothing_is_recorded(export, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "order_id,event,date,amount\n"
        "8100000000000102,shipped,2025-09-18,\n"  # good
        "8100000000000102,shiped,2025-09-18,\n"
        "999,shipped,2025-09-18,\n"
        "8100000000000101,confirmed,2025-02-30,\n"
        "8100000000000101,refund_issued,2025-09-01,1.234\n"
        "8100000000000101,extension,2025-09-01,\n",
        encoding="utf-8",
    )
    done = run("record", str(events), "--orders", str(export))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    for where in (
        "line 3, column event: 'shiped'",
        "line 4, column order_id: '999'",
        "line 5, column date: '2025-02-30'",
        "line 6, column amount: '1.234'",
        "line 7, column amount: ''",
    ):
        assert f"{events}" in done.stderr and where in done.stderr
    assert events_of(export).empty  # all or nothing: not even the good line


def test_duplicate_lines_are_recorded_once_and_clashing_lines_are_refused(export, tmp_path):
    events = tmp_path / "events.csv"
    events.write_text(
        "order_id,event,date\n8100000000000102,shipped,2025-09-18\n8100000000000102,shipped,2025-09-18\n",
        encoding="utf-8",
    )
    done = run("record", str(events), "--orders", str(export))
    assert done.returncode == 0 and "line 3 repeats line 2" in done.stderr
    assert len(events_of(export)) == 1
    events.write_text(
        "order_id,event,date\n8100000000000101,shipped,2025-08-05\n8100000000000101,shipped,2025-08-06\n",
        encoding="utf-8",
    )
    clash = run("record", str(events), "--orders", str(export))
    assert clash.returncode == 2 and "line 3, column date: '2025-08-06'" in clash.stderr and "line 2" in clash.stderr
    assert len(events_of(export)) == 1


def test_record_with_an_order_but_no_event_is_a_clear_error(export):
    done = run("record", "8100000000000102", "shipped", "--orders", str(export))
    assert done.returncode == 2 and "give ORDER_ID EVENT DATE" in done.stderr


def test_the_notebook_form_records_a_pasted_column_all_or_nothing(export):
    from aliexp_lib.views.widgets import record_form

    refreshed = []
    analysis = analyse(load_orders(export), TODAY, Setting.default())
    form = record_form(analysis, str(export), on_record=lambda: refreshed.append(1))
    pasted, record_all = form.children[3].children
    pasted.value = "8100000000000102,shipped,2025-09-18\n999,shipped,2025-09-18\n"
    record_all.click()
    assert form.children[2].value.startswith("Not recorded") and "line 2, column order_id: '999'" in (
        form.children[2].value
    )
    assert events_of(export).empty and not refreshed
    pasted.value = "8100000000000102,shipped,2025-09-18\n8100000000000101,shipped,2025-08-05\n"
    record_all.click()
    assert form.children[2].value.startswith("events recorded: 2 (Shipped 2); orders: 2") and refreshed == [1]
    assert set(analyse(load_orders(export), TODAY, Setting.default()).missing["event"]) == {"confirmed_at"}


def test_an_order_without_a_status_is_asked_its_shipping_date_only_where_a_deadline_was_estimated():
    from aliexp_lib.missing import missing_dates

    book = OrderBook.from_frame(
        pd.DataFrame([{"order_id": "1", "ordered_at": "2026-01-01"}, {"order_id": "2", "ordered_at": "2026-01-01"}])
    )
    deadlines = pd.DataFrame({"order_id": ["1", "2"], "estimated": [True, False]})
    found = missing_dates(book, dt.date(2026, 2, 1), Setting.default(), deadlines)
    assert list(zip(found["order_id"], found["event"], strict=True)) == [("1", "shipped_at")]
    assert missing_dates(book, dt.date(2026, 2, 1), Setting.default(), deadlines.drop(columns="estimated")).empty


def test_the_report_and_overview_section_names_the_item_and_the_page_label_in_each_language():
    from aliexp_lib.views.gaps import missing_view

    analysis = analyse(load_orders(FIXTURES / "aliexpress_csv_export_ru.csv", with_log=False), TODAY, Setting.default())
    page = missing_view(analysis).data
    assert "LED desk lamp" in page and "8100000000000102" in page
    assert all(
        text in page for text in ("Order shipped", "Заказ отправлен", "Bestellung versandt", "Receipt confirmed")
    )
    russian = missing_view(analyse(analysis.book, TODAY, build_setting(user_config=False, lang="ru"))).data
    assert "Нужна дата" in russian and "вкладка" not in russian and "ячейка статуса справа" in russian
