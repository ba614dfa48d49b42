"""The case log file as it may be found: read without writing, refused clearly when it is not ours.

Read-only commands (everything but ``record``) open the log read-only: they never create, convert
(journal mode) or write it. A log that is empty, a folder, another program's database or damaged
gives one line naming the file and what to do; a damaged row is left out with a warning and never
blocks ``record``.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from aliexp_lib.caselog import CaseLog
from tests.conftest import aliexp_forked

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_orders.csv"
ORDER = "8100000000000000"  # in the sample


def _aliexp(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return aliexp_forked(*args, cwd=cwd)  # a process of its own: a damaged database cannot take pytest down


def _orders(tmp_path: Path) -> tuple[Path, Path]:
    orders = tmp_path / "orders.csv"
    shutil.copy(SAMPLE, orders)
    return orders, tmp_path / "orders.caselog.sqlite"


def _folder_state(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


def _record(orders: Path, *event: str) -> subprocess.CompletedProcess:
    return _aliexp("record", ORDER, *event, "--orders", str(orders), cwd=orders.parent)


def test_reading_a_log_changes_nothing_in_its_folder(tmp_path):
    orders, log = _orders(tmp_path)
    assert _record(orders, "received", "2026-02-27").returncode == 0
    with sqlite3.connect(log) as connection:  # checkpoint: the log is one file again
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for leftover in tmp_path.glob("*.sqlite-*"):
        leftover.unlink()
    before = _folder_state(tmp_path)
    done = _aliexp("deadlines", str(orders), "--today", "2026-03-01", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert ORDER in done.stdout
    assert _folder_state(tmp_path) == before  # no -wal/-shm file, no byte changed


@pytest.mark.parametrize("command", ["deadlines", "record"])
def test_an_empty_log_is_refused_and_left_empty(tmp_path, command):
    orders, log = _orders(tmp_path)
    log.write_bytes(b"")
    done = (
        _aliexp("deadlines", str(orders), "--today", "2026-03-01", cwd=tmp_path)
        if command == "deadlines"
        else _record(orders, "received", "2026-02-27")
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{log}: the case log is an empty file (0 bytes)" in done.stderr
    assert log.read_bytes() == b""


@pytest.mark.parametrize("command", ["deadlines", "record"])
def test_another_programs_database_is_refused_before_anything_changes(tmp_path, command):
    orders, log = _orders(tmp_path)
    with sqlite3.connect(log) as connection:
        connection.execute("CREATE TABLE photos (name TEXT)")
        connection.execute("INSERT INTO photos VALUES ('cat.jpg')")
    connection.close()
    before = _folder_state(tmp_path)
    done = (
        _aliexp("deadlines", str(orders), "--today", "2026-03-01", cwd=tmp_path)
        if command == "deadlines"
        else _record(orders, "received", "2026-02-27")
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "an SQLite database that is not a case log (its tables: photos)" in done.stderr
    assert _folder_state(tmp_path) == before
    with sqlite3.connect(log) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # not switched to WAL


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda log: log.mkdir(), "is a folder"),
        (lambda log: log.write_bytes(b"not a database at all, just text"), "not a case log (not an SQLite database)"),
    ],
)
def test_a_log_that_cannot_be_one_names_the_file(tmp_path, make, message):
    orders, log = _orders(tmp_path)
    make(log)
    for done in (
        _aliexp("deadlines", str(orders), "--today", "2026-03-01", cwd=tmp_path),
        _record(orders, "received", "2026-02-27"),
    ):
        assert done.returncode == 2 and "Traceback" not in done.stderr
        assert str(log) in done.stderr and message in done.stderr


def test_a_damaged_page_is_one_clear_line(tmp_path):
    orders, log = _orders(tmp_path)
    ids = [line.split(",")[0] for line in SAMPLE.read_text(encoding="utf-8").splitlines()[1:28]]
    events = tmp_path / "events.csv"  # enough rows to fill the events table's first page, in one run
    events.write_text("order_id,event,date\n" + "".join(f"{i},last_tracking_update,2026-02-27\n" for i in ids))
    done = _aliexp("record", str(events), "--orders", str(orders), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(log) as connection:
        assert connection.execute("SELECT count(*) FROM events").fetchone()[0] == 27
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(log.read_bytes())
    data[4096 : 4096 + 64] = b"\xff" * 64  # the second page: the events table's rows
    log.write_bytes(bytes(data))
    done = _aliexp("deadlines", str(orders), "--today", "2026-03-01", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{log}: the case log is damaged" in done.stderr


def test_a_damaged_row_is_left_out_with_a_warning_and_never_blocks_record(tmp_path):
    orders, log = _orders(tmp_path)
    assert _record(orders, "received", "2026-02-27").returncode == 0
    with sqlite3.connect(log) as connection:
        connection.execute(
            "INSERT INTO events (order_id, event, day, recorded_at) VALUES (?, 'confirmed', 'garbage', '2026')",
            (ORDER,),
        )
    connection.close()
    done = _aliexp("deadlines", str(orders), "--today", "2026-03-01", "--format", "csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "case log: event 2 (confirmed, day 'garbage'" in done.stderr and "is damaged; left out" in done.stderr
    assert _record(orders, "confirmed", "2026-02-28").returncode == 0
    with sqlite3.connect(log) as connection:
        assert connection.execute("SELECT count(*) FROM events").fetchone()[0] == 3


def _many_events(log: Path, count: int) -> None:
    """``count`` tracking updates of the sample's first order, in one transaction."""
    with CaseLog(log) as opened, opened.connection as connection:
        connection.executemany(
            "INSERT INTO events (order_id, event, day, recorded_at) VALUES (?, 'last_tracking_update', ?, ?)",
            [(ORDER, f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}", "2026-03-01T00:00:00+00:00") for i in range(count)],
        )


def test_log_check_names_the_damage_and_the_repair_keeps_the_original_beside_and_every_readable_event(tmp_path):
    orders, log = _orders(tmp_path)
    _many_events(log, 300)  # several pages of rows
    with sqlite3.connect(log) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    data = bytearray(log.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 64] = b"\xff" * 64  # one page in the middle
    log.write_bytes(bytes(data))
    damaged = bytes(data)

    check = _aliexp("log", "check", str(orders), cwd=tmp_path)
    assert check.returncode == 2 and "Traceback" not in check.stderr
    assert f"aliexp log check {orders} --repair" in check.stderr
    assert log.read_bytes() == damaged  # the check only reads

    repair = _aliexp("log", "check", str(orders), "--repair", cwd=tmp_path)
    assert repair.returncode == 0, repair.stderr
    (kept,) = tmp_path.glob("orders.caselog.damaged-*.sqlite")
    assert kept.read_bytes() == damaged
    with sqlite3.connect(log) as connection:
        recovered = connection.execute("SELECT count(*) FROM events").fetchone()[0]
    connection.close()
    assert 0 < recovered < 300  # the rows of the damaged page are lost, the others kept
    assert f"with {recovered} event(s) that could be read" in repair.stdout
    assert _aliexp("log", "check", str(orders), cwd=tmp_path).returncode == 0
    assert _aliexp("deadlines", str(orders), "--today", "2026-03-01", cwd=tmp_path).returncode == 0


def test_the_repair_of_another_programs_database_keeps_it_whole_beside_a_new_log(tmp_path):
    orders, log = _orders(tmp_path)
    with sqlite3.connect(log) as connection:
        connection.execute("CREATE TABLE photos (name TEXT)")
    connection.close()
    foreign = log.read_bytes()
    assert _aliexp("log", "check", str(orders), cwd=tmp_path).returncode == 2
    assert _aliexp("log", "check", str(orders), "--repair", cwd=tmp_path).returncode == 0
    (kept,) = tmp_path.glob("orders.caselog.damaged-*.sqlite")
    assert kept.read_bytes() == foreign
    assert _record(orders, "received", "2026-02-27").returncode == 0
