"""AliExpress's data backup (XLSX) and the Shopper Inventory extension (CSV, JSON) -> one order book."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from aliexp_lib import load_orders, workbook
from aliexp_lib.errors import CellError, InputError
from aliexp_lib.importers import detect_file, read_export, shopper_inventory_json
from aliexp_lib.importers.aliexpress_data_backup import codes
from aliexp_lib.schema import STATUSES
from tests.conftest import aliexp

HERE = Path(__file__).parent / "importers"
ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(HERE))
import make_fixtures as fixtures  # noqa: E402

BACKUP = HERE / "aliexpress_data_backup.xlsx"
INVENTORY = {language: HERE / f"shopper_inventory_{language}.csv" for language in ("en", "ru", "de")}
INVENTORY_JSON = HERE / "shopper_inventory.json"
EVERY_FIXTURE = (BACKUP, *INVENTORY.values(), INVENTORY_JSON)


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return aliexp(*args, cwd=cwd)


def backup_with(tmp_path: Path, rows: list[dict], name: str = "backup.xlsx") -> Path:
    """A data backup whose order sheet has ``rows`` (column -> value; the rest empty)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Order Information"
    sheet.append(fixtures.BACKUP_HEADER)
    for row in rows:
        sheet.append([row.get(column, "") for column in fixtures.BACKUP_HEADER])
    path = tmp_path / name
    book.save(path)
    return path


def item(n: int = 1, **values) -> dict:
    return {
        "order_id": f"{n}1",
        "parent_orderid": f"81000000000{n:05d}",
        "gmt_create_order_time": "2026-01-05 10:00:00",
        "order_status": "WAIT_BUYER_ACCEPT_GOODS",
        "item_name": "Lamp",
        "payable_amt": 1234,
        "gmt_pay_order_time": "2026-01-05 10:01:00",
        **values,
    }


# ---------------------------------------------------------------------------------------------
# Detection


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (BACKUP, "aliexpress_data_backup"),
        *[(path, "shopper_inventory_csv") for path in INVENTORY.values()],
        (INVENTORY_JSON, "shopper_inventory_json"),
    ],
)
def test_each_fixture_is_detected_from_its_content(path, fmt, tmp_path):
    assert detect_file(path) == fmt
    assert read_export(path).format == fmt
    renamed = tmp_path / "export.txt"  # the name does not matter
    shutil.copy(path, renamed)
    assert detect_file(renamed) == fmt


def test_our_own_workbook_is_not_taken_for_a_backup(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["order_id", "price", "currency"])
    book.active.append(["81", "600", "RUB"])
    book.save(tmp_path / "orders.xlsx")
    assert detect_file(tmp_path / "orders.xlsx") is None
    assert load_orders(tmp_path / "orders.xlsx").table["order_id"].tolist() == ["81"]


# ---------------------------------------------------------------------------------------------
# The data backup: statuses, dates, amounts, currency


def backup_table(currency: str | None = "EUR") -> pd.DataFrame:
    return read_export(BACKUP, currency=currency).table.set_index("order_id")


@pytest.mark.parametrize(("n", "code_reason"), list(enumerate(fixtures.BACKUP_ORDERS, start=1)))
def test_each_status_code_and_end_reason_maps_as_the_data_file_says(n, code_reason):
    code, reason = code_reason
    table = codes()
    expected = table["end_reason"][reason]["status"] if code == "FINISH" else table["status"][code]["status"]
    assert expected in STATUSES
    assert backup_table().loc[fixtures.backup_parent(n), "status"] == expected


def test_every_code_of_the_issue_is_mapped_with_its_reason():
    issue = "PLACE_ORDER_SUCCESS IN_CANCEL WAIT_SELLER_SEND_GOODS SELLER_PART_SEND_GOODS WAIT_BUYER_ACCEPT_GOODS "
    issue += "FUND_PROCESSING IN_ISSUE IN_FROZEN WAIT_SELLER_EXAMINE_MONEY RISK_CONTROL FINISH"
    assert set(codes()["status"]) == set(issue.split())
    assert all(entry["why"] for entry in (*codes()["status"].values(), *codes()["end_reason"].values()))
    assert {code for code, _ in fixtures.BACKUP_ORDERS} == set(codes()["status"])
    assert {reason for _, reason in fixtures.BACKUP_ORDERS if reason} == set(codes()["end_reason"])


def test_dates_of_the_backup_are_the_days_they_are():
    table = backup_table()
    created = dt.date(2026, 1, 1) + dt.timedelta(days=11)  # order 11: FINISH, buyer_accept_goods
    row = table.loc[fixtures.backup_parent(11)]
    assert row["ordered_at"] == str(created)
    assert row["paid_at"] == str(created)
    assert row["confirmed_at"] == str(created + dt.timedelta(days=30))
    refunded = table.loc[fixtures.backup_parent(19)]  # seller_accept_issue_no_goods_return
    assert refunded["refund_issued_at"] == str(dt.date(2026, 1, 20) + dt.timedelta(days=30))
    cancelled = table.loc[fixtures.backup_parent(13)]  # buyer_cancel_notpay_order: no dated column, not paid
    assert (cancelled["status"], cancelled["paid_at"], cancelled["confirmed_at"]) == ("closed", "", "")
    assert table.loc[fixtures.backup_parent(7), "confirmed_at"] == ""  # shipped, not finished: no end date


def test_the_price_is_the_exact_sum_of_the_items_in_the_buyers_currency():
    order = fixtures.backup_parent(4)  # two items: 1234 + 5678 minor units
    assert (backup_table("EUR").loc[order, ["price", "currency", "items"]].tolist()) == ["69.12", "EUR", "2"]
    assert backup_table("JPY").loc[order, "price"] == "6912"
    book = load_orders(BACKUP, currency="EUR")
    assert int(book.table.set_index("order_id").loc[order, "price_minor"]) == 6912


def test_without_a_currency_prices_stay_empty_with_one_warning_and_dates_still_work():
    imported = read_export(BACKUP)
    assert set(imported.table["price"]) == {""} and set(imported.table["currency"]) == {""}
    said = [w for w in imported.warnings if "--currency" in w]
    assert len(said) == 1 and "aliexp.toml" in said[0]
    assert (imported.table["ordered_at"] != "").all()


def test_the_currency_comes_from_the_setting_beside_the_file(tmp_path):
    shutil.copy(BACKUP, tmp_path / "backup.xlsx")
    (tmp_path / "aliexp.toml").write_text('currency = "EUR"\n', encoding="utf-8")
    done = run("orders", str(tmp_path / "backup.xlsx"), "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {row["order_id"]: row for row in json.loads(done.stdout)}
    assert (rows[fixtures.backup_parent(4)]["price"], rows[fixtures.backup_parent(4)]["currency"]) == ("69.12", "EUR")
    assert rows[fixtures.backup_parent(4)]["paid_at"] == "2026-01-05"
    flagged = run("orders", str(tmp_path / "backup.xlsx"), "--currency", "USD", "--format", "json")
    assert json.loads(flagged.stdout)[3]["currency"] == "USD"


def test_an_unknown_status_code_is_a_problem_naming_sheet_row_column_and_value(tmp_path):
    path = backup_with(tmp_path, [item(1), item(2, order_status="WAIT_SOMETHING_NEW")])
    with pytest.raises(CellError) as caught:
        read_export(path, currency="EUR")
    (problem,) = caught.value.problems
    assert problem.startswith("row 3, column order_status: 'WAIT_SOMETHING_NEW': unknown")
    assert str(caught.value).startswith(f"{path}, sheet 'Order Information': 1 problem:")


@pytest.mark.parametrize(("reason", "message"), [("", "FINISH needs its end_reason"), ("moon_phase", "unknown")])
def test_a_finish_without_a_known_end_reason_is_a_problem(tmp_path, reason, message):
    path = backup_with(tmp_path, [item(1, order_status="FINISH", end_reason=reason)])
    with pytest.raises(CellError) as caught:
        read_export(path, currency="EUR")
    (problem,) = caught.value.problems
    assert problem.startswith(f"row 2, column end_reason: {reason!r}: {message}")


def test_an_amount_that_is_not_whole_minor_units_is_a_problem(tmp_path):
    path = backup_with(tmp_path, [item(1, payable_amt="12.34")])
    with pytest.raises(CellError, match="row 2, column payable_amt: '12.34': not a whole number"):
        read_export(path, currency="EUR")


def test_an_order_of_mixed_items_takes_its_least_finished_status(tmp_path):
    rows = [item(1, order_status="IN_ISSUE"), item(1, order_id="12", order_status="FUND_PROCESSING")]
    imported = read_export(backup_with(tmp_path, rows), currency="EUR")
    assert imported.table["status"].tolist() == ["in_dispute"]
    assert any("different statuses" in w for w in imported.warnings)


def test_the_personal_sheet_and_columns_are_never_read(monkeypatch):
    iterated = []
    original = workbook._parse

    def spy(data, index):
        iterated.append(workbook.sheet_names(data)[index])
        return original(data, index)

    monkeypatch.setattr(workbook, "_parse", spy)
    book = load_orders(BACKUP, currency="EUR")
    assert set(iterated) == {"Order Information"}
    text = book.table.astype(str).to_csv()
    assert not any(value in text for value in fixtures.PERSONAL)


@pytest.mark.parametrize(("limit", "value", "message"), [("MAX_ROWS", 3, "MAX_ROWS"), ("MAX_CELL", 3, "MAX_CELL")])
def test_a_workbook_over_a_limit_is_refused_naming_the_limit(monkeypatch, limit, value, message):
    monkeypatch.setattr(workbook, limit, value)
    with pytest.raises(InputError, match=message):
        read_export(BACKUP, currency="EUR")


def test_a_damaged_workbook_is_an_input_error(tmp_path):
    path = tmp_path / "backup.xlsx"
    path.write_bytes(BACKUP.read_bytes()[:2000])
    with pytest.raises(InputError):
        read_export(path, "aliexpress_data_backup")


# ---------------------------------------------------------------------------------------------
# Shopper Inventory


@pytest.mark.parametrize("language", INVENTORY)
def test_inventory_in_each_language_gives_exact_prices_and_statuses(language):
    table = read_export(INVENTORY[language]).table
    prices = {"en": "245.00", "ru": "2569.02", "de": "27.78"}[language]  # 2 x 120.95 + 3.10 ...
    assert table["price"].tolist() == [prices, "388.38", *table["price"].tolist()[2:]]  # 3 x 129,46zł
    assert table["currency"].tolist()[1] == "PLN"
    assert table["status"].tolist() == ["completed", "shipped", "closed", "awaiting_shipment"]
    assert table["ordered_at"].tolist() == ["2026-02-01", "2026-02-02", "2026-02-03", "2026-02-04"]
    assert table["items"].tolist() == ["2", "1", "1", "1"]
    assert table["store_url"].tolist()[0] == "https://www.aliexpress.com/store/1001"
    assert set(table["order_url"]) == {""}  # a product's page is not the order's


def test_the_json_export_gives_the_same_orders_as_the_csv():
    columns = ["order_id", "price", "currency", "ordered_at", "status", "items", "title", "store"]
    from_json = read_export(INVENTORY_JSON).table[columns]
    from_csv = read_export(INVENTORY["en"]).table[columns]
    pd.testing.assert_frame_equal(from_json, from_csv)


def test_a_currency_column_that_contradicts_the_price_is_a_problem(tmp_path):
    rows = fixtures.inventory_rows("en")[:1]
    rows[0]["Currency"] = "EUR"
    path = tmp_path / "inventory.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = __import__("csv").DictWriter(handle, fieldnames=fixtures.INVENTORY_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(CellError, match="line 2, column Price: 'US \\$120.95': its currency differs"):
        read_export(path)


def test_a_json_item_with_a_bad_quantity_is_named_by_its_place(tmp_path):
    items = json.loads(INVENTORY_JSON.read_text(encoding="utf-8"))
    items[2]["quantity"] = "two"
    path = tmp_path / "items.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    with pytest.raises(CellError, match="item 3, column quantity: 'two': not a count"):
        read_export(path)


def test_a_json_list_over_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(shopper_inventory_json, "MAX_ITEMS", 2)
    with pytest.raises(InputError, match="MAX_ITEMS"):
        read_export(INVENTORY_JSON)


# ---------------------------------------------------------------------------------------------
# Through the command line


@pytest.mark.parametrize("path", EVERY_FIXTURE, ids=lambda p: p.name)
@pytest.mark.parametrize("command", ["orders", "deadlines"])
def test_each_fixture_goes_through_the_commands(path, command):
    extra = ["--today", "2026-03-01"] if command == "deadlines" else []
    done = run(command, str(path), *extra)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
