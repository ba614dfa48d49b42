"""The command line as a user runs it: a real process, its output, its exit status."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from aliexp_lib.orders import SCHEMA
from tests.conftest import aliexp, aliexp_forked

ROOT = Path(__file__).parents[1]
SAMPLE = str(ROOT / "data" / "sample_orders.csv")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return aliexp(*args, cwd=cwd)


def test_csv_has_the_documented_columns_in_order_and_every_kind():
    done = run("deadlines", SAMPLE, "--today", "2026-03-01", "--all", "--format", "csv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "order_id,kind,due,days_left,status,actor,action,rule,estimated,assumption,advice"
    rows = list(csv.reader(io.StringIO(done.stdout)))[1:]  # the seed's advice may span lines
    kinds = {row[1] for row in rows}
    assert len(kinds) == 14  # every kind after payment (the sample has no paid_at), the 15 days after a close too
    assert all(row[8:10] == ["false", ""] for row in rows)  # every date known: nothing estimated
    assert done.stderr == ""


def test_json_is_a_list_of_records_with_iso_dates():
    done = run("deadlines", SAMPLE, "--today", "2026-03-01", "--next", "--format", "json")
    records = json.loads(done.stdout)
    assert records[0]["due"] == "2026-03-01"  # issue 10: a last day today comes before anything missed
    assert records[0]["status"] == "due_today"
    assert isinstance(records[0]["days_left"], int)


def test_table_is_readable_text():
    done = run("deadlines", SAMPLE, "--today", "2026-03-01", "--next")
    assert done.returncode == 0
    assert "protection_ends" in done.stdout and "2026-03-31" in done.stdout


def test_a_setting_changes_the_answer():
    default = pd.read_json(
        io.StringIO(run("deadlines", SAMPLE, "--today", "2026-03-01", "--all", "--format", "json").stdout)
    )
    longer = pd.read_json(
        io.StringIO(
            run(
                "deadlines", SAMPLE, "--today", "2026-03-01", "--all", "--format", "json", "--set", "protection_days=75"
            ).stdout
        )
    )
    # The rows differ in number (an order whose protection ran out gets the 15 days after its close):
    # compare protection's end order by order.
    ends = [t[t["kind"] == "protection_ends"].set_index("order_id")["due"] for t in (default, longer)]
    delta = pd.to_datetime(ends[1]) - pd.to_datetime(ends[0])
    # 15 d later, less where the 90-day cap cuts in (an order extended by 20 d: 80 -> 90), or
    # unchanged where the order gives its own term.
    assert set(delta.dt.days) == {0, 10, 15}


def test_rules_lists_values_sources_and_alternatives():
    done = run("rules", "--format", "csv")
    table = pd.read_csv(io.StringIO(done.stdout))
    row = table.set_index("id").loc["protection_days"]
    assert (row["value"], row["source"], row["alternatives"]) == (60, "seed L56", "90 d (seed L149)")


def test_the_console_script_is_installed():
    script = Path(sys.executable).with_name("aliexp")
    done = subprocess.run([str(script), "rules"], capture_output=True, text=True)
    assert done.returncode == 0 and "protection_days" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deadlines", "missing.csv", "--today", "2026-03-01"], "missing.csv: cannot read"),
        (["deadlines", "BAD", "--today", "2026-03-01"], "line 2, column shipped_at: '2026-02-30': not a calendar date"),
        (["deadlines", SAMPLE, "--today", "2026-03-01", "--set", "protection=75"], "unknown rule id 'protection'"),
        (["deadlines", SAMPLE, "--today", "2026-03-01", "--set", "protection_days=-1"], "is not a whole number"),
        (["deadlines", SAMPLE, "--set", "protection_days=99999999999999999999"], "is more than 36,500 days"),
        (["deadlines", SAMPLE, "--set", "protection_days=36501"], "is more than 36,500 days"),
        (["deadlines", SAMPLE, "--today", "1 March"], "'1 March' is not a date; expected YYYY-MM-DD"),
        (["deadlines", SAMPLE, "--rules", "missing.toml"], "missing.toml: cannot read the rulebook file"),
    ],
)
def test_bad_input_gives_a_message_and_exit_2_without_a_traceback(tmp_path, args, message):
    bad = tmp_path / "bad.csv"
    bad.write_text("order_id,shipped_at\nA,2026-02-30\n", encoding="utf-8")
    done = run(*[str(bad) if a == "BAD" else a for a in args], cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    "command",
    [["orders", "PATH"], ["deadlines", "PATH", "--today", "2026-03-01"], ["check-tracking", "--file", "PATH"]],
)
@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "folder"])
def test_a_device_pipe_or_folder_is_refused_up_front_instead_of_read_forever(tmp_path, command, special):
    path = {"fifo": tmp_path / "orders.csv", "folder": tmp_path, "/dev/zero": Path("/dev/zero")}[special]
    if special == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer that never comes
    args = [str(path) if a == "PATH" else a for a in command]
    done = aliexp_forked(*args, cwd=tmp_path, timeout=60)  # a process of its own: a hang is killed
    assert done.returncode == 2, done.stderr
    assert f"{path}: is a " in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "command",
    [
        *[
            ["resolve", "MINE", "--today", "2026-03-01", option, "PATH"]
            for option in ("--rates", "--postage", "--payout")
        ],
        *[["resolve", "MINE", "--today", "2026-03-01", option, "PATH"] for option in ("--config", "--rules")],
        ["resolve", "MINE", "--today", "2026-03-01", "--assumptions", "PATH"],
        ["record", "PATH", "--orders", "MINE"],
    ],
)
def test_every_file_an_option_names_is_refused_when_it_is_a_pipe_instead_of_waited_on(tmp_path, command):
    # Each of these waited for ever on a named pipe (a setting, a rule, an assumption, a rates, postage
    # or payout table, a file of events); the orders file is one of the buyer's own.
    pipe, mine = tmp_path / "mine.toml", tmp_path / "orders.csv"
    os.mkfifo(pipe)
    mine.write_bytes(Path(SAMPLE).read_bytes())
    args = [{"PATH": str(pipe), "MINE": str(mine)}.get(a, a) for a in command]
    done = aliexp_forked(*args, cwd=tmp_path, timeout=60)  # a process of its own: a hang is killed
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"error: {pipe}: is a device, pipe or socket, not a file; give the path of a file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.toml", "orders.csv"]  # no case log begun


def test_warnings_go_to_stderr_and_the_table_still_prints(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_text("order_id,shipped_at,received_at\nA,2026-02-10,2026-02-01\n", encoding="utf-8")
    done = run("deadlines", str(orders), "--today", "2026-03-01", "--format", "csv")
    assert done.returncode == 0
    assert "warning:" in done.stderr and "received_at 2026-02-01 is before shipped_at" in done.stderr
    assert done.stdout.startswith("order_id,kind")


def test_resolve_ranks_every_problem_order_with_the_documented_columns():
    done = run("resolve", SAMPLE, "--today", "2026-03-01", "--format", "csv")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(io.StringIO(done.stdout), dtype={"order_id": str})
    assert list(table.columns)[:12] == [
        "order_id",
        "option",
        "rank",
        "net",
        "net_low",
        "net_high",
        "sure",
        "equivalent",
        "currency",
        "money_by",
        "likelihood",
        "reason",
    ]
    problems = pd.read_csv(SAMPLE, dtype=str).dropna(subset=["problem"])
    assert set(table["order_id"]) == set(problems["order_id"])
    assert (table.loc[table["rank"] == 1, "option"] != "settle_off_platform").all()


def test_check_tracking_says_valid_or_invalid_with_the_reason():
    done = run("check-tracking", "RB123456785GB", "RB123456786US", "--format", "csv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "number,valid,format,country,reason"
    assert lines[1].startswith("RB123456785GB,true,UPU S10,United Kingdom,")
    assert lines[2].startswith("RB123456786US,false,UPU S10,United States,")
    assert "gives 5" in lines[2]


def test_resolve_assumptions_and_currency_are_checked():
    bad = run("resolve", SAMPLE, "--today", "2026-03-01", "--assume", "p_win_not_received=2")
    assert bad.returncode == 2 and "out of range" in bad.stderr and "Traceback" not in bad.stderr
    money = run("resolve", SAMPLE, "--today", "2026-03-01", "--currency", "XYZ")
    assert money.returncode == 2 and "unknown currency" in money.stderr


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("checks", "8100000000003039,tracking_number,not a known tracking number format"),
        ("cashback", '8100000000042546,30.00,RUB,False,"5% of the price'),
        ("history", "aliexpress standard shipping,6,28,36,"),
    ],
)
def test_the_other_order_book_commands(command, expected):
    done = run(command, SAMPLE, *(["--today", "2026-03-01"] if command == "checks" else []), "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert expected in done.stdout


def test_calendar_writes_an_ics_file_and_never_overwrites_a_foreign_file(tmp_path):
    out = tmp_path / "deadlines.ics"
    done = run("calendar", SAMPLE, "--today", "2026-03-01", "-o", str(out), "--lang", "ru")
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR") and "UID:8100000000042546-" in text and "Конец защиты" in text
    again = run("calendar", SAMPLE, "--today", "2026-03-01", "-o", str(out))
    assert again.returncode == 0  # our own calendar file is replaced
    mine = tmp_path / "notes.txt"
    mine.write_text("my notes", encoding="utf-8")
    refused = run("calendar", SAMPLE, "--today", "2026-03-01", "-o", str(mine))
    assert refused.returncode == 2 and "was not written by aliexp" in refused.stderr and "--overwrite" in refused.stderr
    assert mine.read_text(encoding="utf-8") == "my notes"


def test_calendar_events_name_the_item_and_leave_missed_deadlines_out_unless_asked(tmp_path):
    import icalendar

    def events(*extra):
        out = tmp_path / f"calendar{len(extra)}.ics"
        done = run("calendar", SAMPLE, "--today", "2026-03-01", "-o", str(out), *extra)
        assert done.returncode == 0, done.stderr
        return icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT")

    upcoming, everything = events(), events("--past")
    assert upcoming and all(e.decoded("dtstart") >= dt.date(2026, 3, 1) for e in upcoming)
    missed = [e for e in everything if e.decoded("dtstart") < dt.date(2026, 3, 1)]
    assert missed and len(everything) == len(upcoming) + len(missed)
    summaries = {str(e["uid"]): str(e["summary"]) for e in everything}
    # order 8100000000042546 is a "Smart watch band" in the sample: its title, then its number
    assert summaries["8100000000042546-protection_ends@aliexp"] == (
        "Buyer protection ends: Smart watch band · order 8100000000042546"
    )


EXPORTS = sorted(p for p in (ROOT / "tests" / "importers").iterdir() if p.suffix in (".csv", ".tsv", ".xlsx", ".json"))


#: Order statuses under which an order may have nothing open; any other status needs an open row.
FINISHED = {"completed", "closed", "awaiting_payment", ""}


@pytest.mark.parametrize("currency", [[], ["--currency", "EUR"]], ids=["no rates (RUB)", "EUR"])
@pytest.mark.parametrize("export", EXPORTS, ids=[p.name for p in EXPORTS])
def test_every_export_goes_through_every_command_and_each_unfinished_order_has_an_open_row(export, currency, tmp_path):
    # Issue 9, done when: every format (en/ru/de statuses; the data backup with each status code) through
    # orders, deadlines, missing, resolve, checks and calendar, in any currency, with or without rates.
    orders = run("orders", str(export), "--format", "csv", *currency)
    assert orders.returncode == 0, orders.stderr
    table = pd.read_csv(io.StringIO(orders.stdout), dtype=str, keep_default_na=False)
    assert list(table.columns) == [*SCHEMA, "items", "status"]
    assert table["order_id"].is_unique
    if currency or export.suffix != ".xlsx":  # the data backup's amounts name no currency: the setting's
        assert table["currency"].str.fullmatch(r"[A-Z]{3}").all()
    outputs = {}
    for command in ("deadlines", "missing", "resolve", "checks"):
        every = ("--all",) if command == "deadlines" else ()
        done = run(command, str(export), "--today", "2026-03-01", "--format", "csv", *every, *currency)
        assert done.returncode == 0 and "Traceback" not in done.stderr, (command, done.stderr)
        outputs[command] = pd.read_csv(io.StringIO(done.stdout), dtype=str, keep_default_na=False)
    deadlines = outputs["deadlines"]
    placed = table["ordered_at"] <= "2026-03-01"  # an order dated after today has not happened as of today
    unfinished = set(table.loc[~table["status"].isin(FINISHED) & placed, "order_id"])
    # open, or expired (an order whose every window closed for good even at the latest estimate says so)
    assert unfinished <= set(deadlines.loc[deadlines["status"] != "done", "order_id"])
    assert set(deadlines["estimated"]) <= {"true", "false"}
    calendar = tmp_path / "deadlines.ics"
    done = run("calendar", str(export), "--today", "2026-03-01", "-o", str(calendar), *currency, cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert calendar.read_bytes().startswith(b"BEGIN:VCALENDAR")


@pytest.mark.parametrize(
    ("export", "currency"),
    [
        ("aliexpress_data_backup.xlsx", []),
        ("aliexpress_data_backup.xlsx", ["--currency", "EUR"]),
        ("shopper_inventory.json", []),
        # its orders' windows all closed for good by 2026-03-01 (expired, left out): a day they were open
        ("aliexpress_csv_export_ru.csv", ["--lang", "ru", "--today", "2025-10-01"]),
    ],
)
def test_the_report_of_an_export_as_a_buyer_has_it(export, currency, tmp_path):
    page = tmp_path / "report.html"
    done = run(
        "report", str(ROOT / "tests" / "importers" / export), "--today", "2026-03-01", "-o", str(page), *currency
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    html = page.read_text(encoding="utf-8")
    assert "(estimated)" in html or "(расчётная)" in html  # the export's dates are estimates, and say so


def test_from_forces_a_format_and_a_wrong_one_is_explained():
    export = ROOT / "tests" / "importers" / "tsv_order_list_en.tsv"
    assert run("orders", str(export), "--from", "tsv_order_list").returncode == 0
    wrong = run("orders", str(export), "--from", "orders_csv")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr


def test_recorded_events_reach_every_engine_and_the_order_file_is_never_written(tmp_path):
    orders = tmp_path / "orders.csv"
    orders.write_bytes(Path(SAMPLE).read_bytes())
    before = orders.read_bytes()
    order = "8100000000042546"  # cheap defect, received, no dispute yet
    done = run("record", order, "dispute_opened", "2026-02-27", "--orders", str(orders), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "orders.caselog.sqlite").exists()
    deadlines = pd.read_csv(
        io.StringIO(run("deadlines", str(orders), "--today", "2026-03-01", "--format", "csv").stdout), dtype=str
    )
    mine = deadlines[deadlines["order_id"] == order].set_index("kind")
    assert mine.loc["seller_reply_due", "due"] == "2026-03-04"
    assert orders.read_bytes() == before
    refused = run("record", order, "opened", "2026-02-27", "--orders", str(orders), cwd=tmp_path)
    assert refused.returncode == 2 and "invalid choice" in refused.stderr


def test_tables_can_be_saved_as_spreadsheets_but_never_over_a_file_of_the_user(tmp_path):
    out = tmp_path / "deadlines.xlsx"
    assert run("deadlines", SAMPLE, "--today", "2026-03-01", "--all", "-o", str(out)).returncode == 0
    import openpyxl

    sheet = openpyxl.load_workbook(out).active
    assert sheet["A1"].value == "order_id" and sheet.max_row > 100
    again = run("deadlines", SAMPLE, "--today", "2026-03-01", "-o", str(out))
    assert again.returncode == 0, again.stderr  # our own earlier output, unchanged: replaced
    mine = tmp_path / "mine.xlsx"
    openpyxl.Workbook().save(mine)
    before = mine.read_bytes()
    refused = run("deadlines", SAMPLE, "--today", "2026-03-01", "-o", str(mine))
    assert refused.returncode == 2 and "nothing was written" in refused.stderr and "--overwrite" in refused.stderr
    assert mine.read_bytes() == before


@pytest.mark.parametrize("command", ["deadlines", "resolve", "missing"])
def test_a_csv_file_from_o_holds_every_column_as_format_csv_prints_them(command, tmp_path):
    # The terminal's table is terse (no rule ids, assumptions or advice); a file is for programs and
    # spreadsheets, whatever --format says.
    out = tmp_path / "out.csv"
    written = run(command, SAMPLE, "--today", "2026-03-01", "-o", str(out))
    printed = run(command, SAMPLE, "--today", "2026-03-01", "--format", "csv")
    assert written.returncode == 0 and printed.returncode == 0, written.stderr + printed.stderr
    assert out.read_text(encoding="utf-8") == printed.stdout
