"""The case log: recording, validation, laying it over the order book, crash safety, two writers."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from aliexp_lib import InputError, load_orders
from aliexp_lib.caselog import DATED_EVENTS, EVENT_COLUMNS, EVENTS, CaseLog, default_log_path
from aliexp_lib.orders import DATE_COLUMNS
from aliexp_lib.overlay import apply_events
from tests.conftest import book

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_orders.csv"


@pytest.fixture
def log(tmp_path):
    with CaseLog(tmp_path / "orders.caselog.sqlite") as opened:
        yield opened


def _orders():
    return book(
        {"shipped_at": "2026-02-01", "extension_days": "5"},
        {"shipped_at": "2026-02-03", "dispute_opened_at": "2026-02-20"},
    ).table


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env["PYTHONWARNINGS"] = "error"
    return env


def _rows(path: Path, sql: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


# -- the log itself -----------------------------------------------------------------------------


def test_events_are_the_dated_columns_and_extension():
    assert EVENTS == DATED_EVENTS + ("extension",)
    assert {f"{e}_at" for e in DATED_EVENTS} == set(DATE_COLUMNS) - {"ordered_at"}
    assert set(DATED_EVENTS) == {
        "paid",
        "shipped",
        "received",
        "confirmed",
        "dispute_opened",
        "dispute_escalated",
        "return_address",
        "return_shipped",
        "refund_issued",
        "refund_received",
        "last_tracking_update",
        # Events that end things (issue 10; seed L77, L185-200, L390, L400).
        "dispute_won",
        "dispute_lost",
        "dispute_cancelled",
        "dispute_agreed",
        "dispute_reopened",
        "order_closed",
    }


def test_default_log_path_is_beside_the_orders():
    assert default_log_path("some/dir/orders.csv") == Path("some/dir/orders.caselog.sqlite")
    assert default_log_path(Path("my.orders.xlsx")) == Path("my.orders.caselog.sqlite")


def test_round_trip(tmp_path):
    path = tmp_path / "orders.caselog.sqlite"
    with CaseLog(path) as log:
        assert log.events().columns.tolist() == list(EVENT_COLUMNS)
        assert log.events().empty
        first = log.record("1", "dispute_opened", "2026-02-20", note="photos sent")
        second = log.record("1", "refund_issued", "2026-02-28", amount="600,50", currency="rub")
        third = log.record("2", "extension", "2026-02-21", amount=10)
        fourth = log.record("2", "refund_received", "2026-03-01", amount=Decimal("12.3"), currency="USD")
    assert first < second < third < fourth
    with CaseLog(path) as log:  # reopened: everything is still there, in recorded order
        events = log.events()
    assert events["id"].tolist() == [first, second, third, fourth]
    assert events["order_id"].tolist() == ["1", "1", "2", "2"]
    assert events["event"].tolist() == ["dispute_opened", "refund_issued", "extension", "refund_received"]
    assert events["day"].dt.strftime("%Y-%m-%d").tolist() == ["2026-02-20", "2026-02-28", "2026-02-21", "2026-03-01"]
    assert events["amount"].tolist() == [None, "600.50", "10", "12.3"]
    assert events["currency"].tolist() == [None, "RUB", None, "USD"]
    assert events["note"].tolist() == ["photos sent", "", "", ""]
    assert str(events["recorded_at"].dt.tz) == "UTC"
    assert events["recorded_at"].is_monotonic_increasing
    assert _rows(path, "PRAGMA journal_mode") == [("wal",)]
    assert _rows(path, "SELECT version FROM schema_version") == [(1,)]


def test_closed_log_refuses(tmp_path):
    log = CaseLog(tmp_path / "x.sqlite")
    log.close()
    log.close()  # twice is fine
    with pytest.raises(InputError, match="closed"):
        log.record("1", "shipped", "2026-02-01")


def test_not_a_database(tmp_path):
    path = tmp_path / "x.sqlite"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(InputError, match="not a case log"):
        CaseLog(path)


# -- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, named",
    [
        ({"event": "dispute_open"}, "'dispute_open'"),
        ({"event": "ordered"}, "'ordered'"),
        ({"event": "shipped_at"}, "'shipped_at'"),
        ({"event": None}, "None"),
    ],
)
def test_bad_event_names_it_and_lists_the_events(log, kwargs, named):
    with pytest.raises(InputError) as caught:
        log.record(**{"order_id": "1", "day": "2026-02-01", **kwargs})
    message = str(caught.value)
    assert named in message
    assert ", ".join(EVENTS) in message
    assert log.events().empty


@pytest.mark.parametrize(
    "kwargs, named",
    [
        ({"day": "2026-02-30"}, "'2026-02-30'"),
        ({"day": "01.02.2026"}, "'01.02.2026'"),
        ({"day": "tomorrow"}, "'tomorrow'"),
        ({"day": "1999-12-31"}, "'1999-12-31'"),
        ({"day": None}, "None"),
        ({"order_id": ""}, "''"),
        ({"amount": 600.5, "currency": "RUB"}, "600.5"),
        ({"amount": "six hundred", "currency": "RUB"}, "'six hundred'"),
        ({"amount": "-5", "currency": "RUB"}, "'-5'"),
        ({"amount": "600.505", "currency": "RUB"}, "'600.505'"),
        ({"amount": "600"}, "'600'"),
        ({"amount": "600", "currency": "RUR"}, "'RUR'"),
        ({"event": "extension", "amount": "1.5"}, "'1.5'"),
        ({"event": "extension", "amount": -3}, "-3"),
        ({"event": "extension", "amount": None}, "None"),
        ({"event": "extension", "amount": 5, "currency": "RUB"}, "'RUB'"),
        ({"note": 5}, "5"),
    ],
)
def test_bad_values_are_named_and_nothing_is_written(log, kwargs, named):
    with pytest.raises(InputError) as caught:
        log.record(**{"order_id": "1", "event": "refund_issued", "day": "2026-02-01", **kwargs})
    assert named in str(caught.value)
    assert log.events().empty


# -- laid over the order book -------------------------------------------------------------------


@pytest.mark.parametrize("event", DATED_EVENTS)
def test_each_event_sets_its_column(log, event):
    table = _orders()
    log.record("2", event, "2026-02-25")
    applied, warnings = apply_events(table, log.events())
    assert warnings == []
    column = f"{event}_at"
    assert applied.loc[1, column] == pd.Timestamp("2026-02-25")
    assert applied[column].dtype == table[column].dtype
    untouched = applied.drop(index=1).equals(table.drop(index=1))
    assert untouched and applied.drop(columns=column).equals(table.drop(columns=column))


def test_latest_recorded_wins(log):
    log.record("2", "dispute_opened", "2026-02-22")
    log.record("2", "dispute_opened", "2026-02-24")
    log.record("2", "dispute_opened", "2026-02-21", note="correction: it was the 21st")
    log.record("1", "received", "2026-02-26")
    applied, warnings = apply_events(_orders(), log.events())
    assert warnings == []
    assert applied["dispute_opened_at"].tolist() == [pd.NaT, pd.Timestamp("2026-02-21")]
    assert applied["received_at"].tolist() == [pd.Timestamp("2026-02-26"), pd.NaT]


def test_recorded_order_counts_not_row_order(log):
    log.record("1", "shipped", "2026-02-05")
    log.record("1", "shipped", "2026-02-06")
    shuffled = log.events().iloc[::-1]
    applied, _ = apply_events(_orders(), shuffled)
    assert applied.loc[0, "shipped_at"] == pd.Timestamp("2026-02-06")


def test_extensions_add_up(log):
    log.record("1", "extension", "2026-02-20", amount=10)
    log.record("1", "extension", "2026-02-25", amount="7")
    log.record("2", "extension", "2026-02-25", amount=3)
    table = _orders()
    applied, warnings = apply_events(table, log.events())
    assert warnings == []
    assert applied["extension_days"].tolist() == [5 + 10 + 7, 0 + 3]
    assert applied["extension_days"].dtype == table["extension_days"].dtype


def test_unknown_order_warns_and_the_rest_applies(log):
    log.record("1", "received", "2026-02-26")
    log.record("999", "refund_issued", "2026-02-27")
    log.record("999", "extension", "2026-02-27", amount=5)
    applied, warnings = apply_events(_orders(), log.events())
    assert len(warnings) == 1
    assert "999" in warnings[0] and "2 event(s)" in warnings[0] and "refund_issued" in warnings[0]
    assert applied.loc[0, "received_at"] == pd.Timestamp("2026-02-26")
    assert applied["extension_days"].tolist() == [5, 0]


def test_inputs_are_not_mutated(log):
    log.record("1", "dispute_opened", "2026-02-22")
    log.record("1", "extension", "2026-02-22", amount=4)
    table, events = _orders(), log.events()
    table_before, events_before = table.copy(deep=True), events.copy(deep=True)
    applied, _ = apply_events(table, events)
    pd.testing.assert_frame_equal(table, table_before)
    pd.testing.assert_frame_equal(events, events_before)
    assert applied is not table


def test_empty_log_is_a_copy(log):
    table = _orders()
    applied, warnings = apply_events(table, log.events())
    assert warnings == [] and applied is not table
    pd.testing.assert_frame_equal(applied, table)


def test_imported_file_is_untouched(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_bytes(SAMPLE.read_bytes())
    before = hashlib.sha256(orders.read_bytes()).hexdigest()
    mtime = orders.stat().st_mtime_ns
    loaded = load_orders(orders)
    first = loaded.table["order_id"].iat[0]
    with CaseLog(default_log_path(orders)) as log:
        log.record(first, "dispute_opened", "2026-03-01")
        log.record(first, "extension", "2026-03-01", amount=15)
        applied, warnings = apply_events(loaded.table, log.events())
    assert warnings == []
    assert applied.loc[0, "dispute_opened_at"] == pd.Timestamp("2026-03-01")
    assert hashlib.sha256(orders.read_bytes()).hexdigest() == before
    assert orders.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "orders.caselog.sqlite",
        "orders.csv",
    ]


# -- crash safety and concurrent writers --------------------------------------------------------

_KILL_CHILD = textwrap.dedent(
    """
    import sys
    from aliexp_lib.caselog import CaseLog
    with CaseLog(sys.argv[1]) as log:
        for i in range(10_000):
            ident = log.record(f"order-{i % 50}", "last_tracking_update", "2026-02-01", note=f"n{i}")
            print(ident, flush=True)  # acknowledged: the transaction has committed
    """
)


def test_kill_mid_way_loses_at_most_the_event_in_flight(tmp_path):
    path = tmp_path / "orders.caselog.sqlite"
    acknowledged: list[int] = []
    with subprocess.Popen(
        [sys.executable, "-c", _KILL_CHILD, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_child_env(),
    ) as child:
        for line in child.stdout:
            acknowledged.append(int(line))
            if len(acknowledged) == 400:
                child.send_signal(signal.SIGKILL)
                break
        rest, errors = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, errors
    acknowledged += [int(line) for line in rest.splitlines(keepends=True) if line.endswith("\n")]
    assert 400 <= len(acknowledged) < 10_000  # really killed mid-way

    assert _rows(path, "PRAGMA integrity_check") == [("ok",)]
    stored = [row[0] for row in _rows(path, "SELECT id FROM events ORDER BY id")]
    assert set(acknowledged) <= set(stored)
    assert len(stored) - len(acknowledged) in (0, 1)  # at most the one in flight
    with CaseLog(path) as log:  # still usable afterwards
        log.record("order-0", "received", "2026-02-10")
        assert len(log.events()) == len(stored) + 1


_WRITER_CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from aliexp_lib.caselog import CaseLog
    path, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    with CaseLog(path) as log:
        print("ready", flush=True)
        while not go.exists():
            time.sleep(0.001)
        for i in range(500):
            log.record(f"{name}-{i % 20}", "dispute_opened", "2026-02-01", note=f"{name}:{i}")
    print("done", flush=True)
    """
)


def test_two_writers_at_once_both_land(tmp_path):
    path = tmp_path / "orders.caselog.sqlite"
    go = tmp_path / "go"
    with contextlib.ExitStack() as stack:
        children = [
            stack.enter_context(
                subprocess.Popen(
                    [sys.executable, "-c", _WRITER_CHILD, str(path), name, str(go)],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=_child_env(),
                )
            )
            for name in ("a", "b")
        ]
        for child in children:  # on a failure below, never wait for a child that waits for "go"
            stack.callback(child.kill)
        for child in children:  # both have the database open before either writes
            assert child.stdout.readline() == "ready\n", child.communicate(timeout=30)
        go.touch()
        results = [child.communicate(timeout=60) for child in children]
    for child, (out, errors) in zip(children, results, strict=True):
        assert child.returncode == 0, errors
        assert errors == "" and "locked" not in errors
        assert out == "done\n"
    notes = [row[0] for row in _rows(path, "SELECT note FROM events ORDER BY id")]
    assert len(notes) == 1000
    assert sorted(notes) == sorted(f"{name}:{i}" for name in "ab" for i in range(500))
    assert _rows(path, "PRAGMA integrity_check") == [("ok",)]
