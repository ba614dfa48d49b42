"""Nothing of the user's is overwritten and nothing is left half-written (issue 14, point 1).

Each test reproduces one way a write went wrong before ``safe_write``: an order book holding
"aliexp-report" replaced by a report, a family calendar replaced, a planted symbolic link written
through, two writers leaving a corrupt workbook, a full disk leaving a truncated CSV under the final
name, a missing folder or a folder as target giving a traceback. The fixtures are in
``tests/hostile/writes/``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from aliexp_lib import safe_write
from aliexp_lib.cli import main
from aliexp_lib.errors import InputError
from aliexp_lib.export import to_xlsx
from aliexp_lib.safe_write import write_file

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_orders.csv"
WRITES = Path(__file__).resolve().parent / "hostile" / "writes"
TODAY = ["--today", "2026-03-01"]


def cli(capsys, *args: str) -> tuple[int, str]:
    """``aliexp ARGS`` in this process: (exit status, stderr)."""
    status = main([str(a) for a in args])
    return status, capsys.readouterr().err


def leftovers(folder: Path, *keep: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# --- never over what we did not write ---------------------------------------------------------------------------


def test_an_order_book_holding_aliexp_report_is_never_replaced_by_a_report(tmp_path, capsys):
    book = tmp_path / "book.csv"
    shutil.copyfile(WRITES / "order_book_titled_aliexp_report.csv", book)
    before = book.read_bytes()
    assert b"aliexp-report" in before and b'name=""generator""' in before
    for extra in ([], ["--overwrite"]):  # the input itself: refused even with --overwrite
        status, err = cli(capsys, "report", book, *TODAY, "-o", book, *extra)
        assert status == 2 and "is the file this command reads" in err and "Traceback" not in err
    copy = tmp_path / "copy.csv"  # another file holding the word, not the input: still not ours
    shutil.copyfile(book, copy)
    status, err = cli(capsys, "report", SAMPLE, *TODAY, "-o", copy)
    assert status == 2 and f"{copy} exists and was not written by aliexp" in err and "--overwrite" in err
    assert book.read_bytes() == before and copy.read_bytes() == before
    assert leftovers(tmp_path) == ["book.csv", "copy.csv"]


def test_a_family_calendar_is_kept_and_replaced_only_with_overwrite(tmp_path, capsys):
    family = tmp_path / "family.ics"
    shutil.copyfile(WRITES / "family_calendar.ics", family)
    before = family.read_bytes()
    status, err = cli(capsys, "calendar", SAMPLE, *TODAY, "-o", family)
    assert status == 2 and str(family) in err and "--overwrite" in err
    assert family.read_bytes() == before
    # our own PRODID pasted into a foreign calendar is not enough: its events are not ours
    forged = tmp_path / "forged.ics"
    forged.write_bytes(before.replace(b"-//Family Organizer//Calendar 3.2//EN", b"-//aliexp//deadlines//EN"))
    assert cli(capsys, "calendar", SAMPLE, *TODAY, "-o", forged)[0] == 2
    assert cli(capsys, "calendar", SAMPLE, *TODAY, "-o", family, "--overwrite")[0] == 0
    assert b"PRODID:-//aliexp//deadlines//EN" in family.read_bytes()
    assert cli(capsys, "calendar", SAMPLE, *TODAY, "-o", family)[0] == 0  # now ours: replaced again


def test_the_calendar_button_keeps_a_family_calendar_and_says_why(tmp_path):
    import datetime as dt

    from aliexp_lib import Setting, analyse, load_orders
    from aliexp_lib.views.widgets import calendar_button

    family = tmp_path / "deadlines.ics"
    shutil.copyfile(WRITES / "family_calendar.ics", family)
    analysis = analyse(load_orders(SAMPLE), dt.date(2026, 3, 1), Setting.default())
    button, said = calendar_button(analysis, str(family)).children
    button.click()
    assert said.value.startswith("Not saved: ") and "--overwrite" in said.value
    assert family.read_bytes() == (WRITES / "family_calendar.ics").read_bytes()
    family.unlink()
    button.click()
    button.click()  # the second click replaces the first click's file: ours
    assert said.value.startswith("Saved: ") and family.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_a_table_rerun_onto_its_own_output_works_but_not_once_the_user_changed_it(tmp_path, capsys):
    out = tmp_path / "deadlines.csv"
    assert cli(capsys, "deadlines", SAMPLE, *TODAY, "-o", out) == (0, "")
    assert cli(capsys, "deadlines", SAMPLE, "--today", "2026-03-02", "-o", out) == (0, "")
    out.write_text(out.read_text(encoding="utf-8") + "my own note\n", encoding="utf-8")
    status, err = cli(capsys, "deadlines", SAMPLE, *TODAY, "-o", out)
    assert status == 2 and "was not written by aliexp (or was changed since)" in err
    assert out.read_text(encoding="utf-8").endswith("my own note\n")
    assert cli(capsys, "deadlines", SAMPLE, *TODAY, "-o", out, "--overwrite") == (0, "")
    assert "my own note" not in out.read_text(encoding="utf-8")
    assert leftovers(tmp_path) == ["deadlines.csv"]


def test_a_workbook_is_ours_by_its_properties_until_someone_else_saves_it(tmp_path, monkeypatch):
    out = to_xlsx(pd.DataFrame({"a": [1]}), tmp_path / "out.xlsx")
    monkeypatch.setenv(safe_write.STATE_DIR_VARIABLE, str(tmp_path / "other-state"))  # no record of it
    to_xlsx(pd.DataFrame({"a": [2]}), out)  # the creator and last editor say ours
    book = openpyxl.load_workbook(out)
    book.properties.lastModifiedBy = "Masha"  # as a spreadsheet program saving it does
    book.save(out)
    with pytest.raises(InputError, match="was not written by aliexp"):
        to_xlsx(pd.DataFrame({"a": [3]}), out)
    assert openpyxl.load_workbook(out).active["A2"].value == 2


def test_a_csv_without_its_record_is_not_ours(tmp_path, monkeypatch):
    out = tmp_path / "out.csv"
    write_file(out, b"a\n1\n")
    monkeypatch.setenv(safe_write.STATE_DIR_VARIABLE, str(tmp_path / "other-state"))
    with pytest.raises(InputError, match="--overwrite"):
        write_file(out, b"a\n2\n")
    assert out.read_bytes() == b"a\n1\n"


def test_an_output_of_ours_larger_than_any_format_check_reads_is_still_ours(tmp_path, monkeypatch, capsys):
    """A million orders' deadlines are 660 MB, over ``MAX_OWN_SIZE``: the run onto its own output was refused."""
    monkeypatch.setattr(safe_write, "MAX_OWN_SIZE", 100)  # the sample's deadlines are 28 kB
    out = tmp_path / "deadlines.csv"
    assert cli(capsys, "deadlines", SAMPLE, *TODAY, "-o", out) == (0, "")
    assert out.stat().st_size > safe_write.MAX_OWN_SIZE
    assert cli(capsys, "deadlines", SAMPLE, "--today", "2026-03-02", "-o", out) == (0, "")
    with out.open("ab") as handle:
        handle.write(b"my own note\n")  # another size: not ours, and not read through to decide it
    monkeypatch.setattr(safe_write, "open", _never_read, raising=False)  # the module's ``open``
    assert safe_write.recorded(out) is False


def _never_read(*args, **kwargs):
    raise AssertionError("a file of a size we never wrote there was read to decide it is not ours")


def test_a_target_the_command_would_not_replace_is_refused_before_the_orders_are_read(tmp_path, capsys, monkeypatch):
    from aliexp_lib import commands

    notes = tmp_path / "notes.csv"
    notes.write_text("my own notes\n", encoding="utf-8")
    monkeypatch.setattr(commands, "analysis_of", _never_analysed)
    for argv in (
        ["deadlines", SAMPLE, "-o", notes],
        ["resolve", SAMPLE, "-o", notes],
        ["orders", SAMPLE, "-o", "x.txt"],
    ):
        status, err = cli(capsys, *argv)
        assert status == 2 and err.count("\n") == 1, err
    assert notes.read_text(encoding="utf-8") == "my own notes\n"


def _never_analysed(*args):
    raise AssertionError("the orders were analysed before the target was checked")


# --- no symbolic link followed ----------------------------------------------------------------------------------


def test_a_link_at_the_target_is_refused_and_replaced_not_followed_with_overwrite(tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    out.symlink_to(victim)
    status, err = cli(capsys, "deadlines", SAMPLE, *TODAY, "-o", out)
    assert status == 2 and "is a symbolic link" in err
    assert cli(capsys, "deadlines", SAMPLE, *TODAY, "-o", out, "--overwrite") == (0, "")
    assert not out.is_symlink() and openpyxl.load_workbook(out).active["A1"].value == "order_id"
    assert victim.read_text(encoding="utf-8") == "precious"


def test_links_planted_at_guessable_staging_names_are_not_followed(tmp_path, capsys):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    planted = [".out.xlsx.part", ".out.xlsx.tmp", ".out.xlsx.part.tmp", "out.xlsx.tmp", ".out.xlsx"]
    for name in planted:
        (tmp_path / name).symlink_to(victim)
    assert cli(capsys, "deadlines", SAMPLE, *TODAY, "-o", tmp_path / "out.xlsx") == (0, "")
    assert victim.read_text(encoding="utf-8") == "precious"
    assert all((tmp_path / name).is_symlink() for name in planted)
    assert leftovers(tmp_path, *planted) == ["out.xlsx", "victim.txt"]


# --- concurrent writers ------------------------------------------------------------------------------------------

WRITER = """
import sys, time
import pandas as pd
from aliexp_lib.export import to_xlsx
me, path, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
table = pd.DataFrame({"writer": [me] * 2000, "n": range(2000)})
until, done = time.time() + seconds, 0
while not done or time.time() < until:
    to_xlsx(table, path)
    done += 1
print(done)
"""


def test_concurrent_writers_of_one_workbook_leave_one_whole_workbook(tmp_path):
    out = tmp_path / "x.xlsx"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"w{i}", str(out), "4"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for i in range(3)
    ]
    results = [w.communicate(timeout=120) for w in writers]
    assert all(w.returncode == 0 for w in writers), [r[1] for r in results]
    assert all(int(r[0]) >= 1 for r in results)  # each wrote, and none was refused
    sheet = openpyxl.load_workbook(out).active  # no Bad CRC: one writer's whole workbook
    column = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert len(column) == 1 and column <= {"w0", "w1", "w2"} and sheet.max_row == 2001
    assert leftovers(tmp_path) == ["x.xlsx"]


def test_two_commands_writing_the_same_workbook_at_once_both_succeed_and_it_opens(tmp_path):
    out = tmp_path / "x.xlsx"
    command = [sys.executable, "-m", "aliexp_lib", "deadlines", str(SAMPLE), *TODAY, "-o", str(out)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [r.communicate(timeout=120) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert all(f"to {out}" in stdout for stdout, _ in outputs)
    assert openpyxl.load_workbook(out).active["A1"].value == "order_id"
    assert leftovers(tmp_path) == ["x.xlsx"]


# --- failures: one line, exit 2, nothing under the final name -------------------------------------------------


@contextlib.contextmanager
def tiny_disk(folder: Path, options: str = "size=64k"):
    """A tmpfs of 64 KiB at ``folder`` where the machine allows mounting (root), else None."""
    folder.mkdir()
    mounted = (
        os.geteuid() == 0
        and shutil.which("mount") is not None
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True
        ).returncode
        == 0
    )
    try:
        yield folder if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)


def big_table() -> pd.DataFrame:
    return pd.DataFrame({"order_id": [str(8100000000000000 + i) for i in range(20_000)], "note": ["x" * 20] * 20_000})


def test_a_full_disk_leaves_nothing_under_the_final_name(tmp_path, monkeypatch):
    from aliexp_lib.views.output import save_table

    with tiny_disk(tmp_path / "disk") as disk:
        if disk is None:  # no mount allowed: the disk fills at the first write
            disk = tmp_path / "disk"

            def full(fd, data):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

            monkeypatch.setattr(os, "write", full)
        earlier = disk / "earlier.csv"
        save_table(pd.DataFrame({"a": [1]}), earlier)  # small: fits
        for name in ("deadlines.csv", "deadlines.xlsx", "earlier.csv"):
            with pytest.raises(InputError) as caught:
                save_table(big_table(), disk / name)
            message = str(caught.value)
            assert message.startswith(str(disk / name)) and "No space left on device" in message
            assert "\n" not in message
        assert leftovers(disk, "lost+found") == ["earlier.csv"]  # no truncated file, no temporary file
        assert earlier.read_text(encoding="utf-8") == "a\n1\n"


def test_a_full_disk_from_the_command_line_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch):
    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)  # the data reached the cache, the disk refused it
    status, err = cli(capsys, "deadlines", SAMPLE, *TODAY, "-o", tmp_path / "d.csv")
    assert (
        status == 2
        and err == f"error: {tmp_path / 'd.csv'}: cannot write (No space left on device); nothing was written\n"
    )
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_one_line_and_nothing_is_created(tmp_path, capsys):
    for args in (
        ["deadlines", SAMPLE, *TODAY, "-o", tmp_path / "missing" / "d.csv"],
        ["calendar", SAMPLE, *TODAY, "-o", tmp_path / "missing" / "d.ics"],
        ["report", SAMPLE, *TODAY, "-o", tmp_path / "missing" / "r.html"],
    ):
        status, err = cli(capsys, *args)
        assert status == 2 and f"the folder {tmp_path / 'missing'} does not exist" in err, err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert leftovers(tmp_path) == []


def test_a_folder_or_a_device_as_target_is_one_line(tmp_path, capsys):
    folder = tmp_path / "out.csv"
    folder.mkdir()
    for args in (
        ["report", SAMPLE, *TODAY, "-o", tmp_path],
        ["deadlines", SAMPLE, *TODAY, "-o", folder, "--overwrite"],
        ["calendar", SAMPLE, *TODAY, "-o", folder],
    ):
        status, err = cli(capsys, *args)
        assert status == 2 and "is a folder; give a file name" in err and err.count("\n") == 1, err
    status, err = cli(capsys, "calendar", SAMPLE, *TODAY, "-o", "/dev/null", "--overwrite")
    assert status == 2 and "/dev/null is not a regular file" in err
    assert leftovers(tmp_path) == ["out.csv"] and leftovers(folder) == []


def test_a_read_only_folder_is_one_line(tmp_path, capsys):
    with tiny_disk(tmp_path / "ro", "ro,size=64k") as disk:
        if disk is None:
            disk = tmp_path / "ro"
            if os.geteuid() == 0:
                pytest.skip("root writes into a read-only folder and cannot mount one here")
            disk.chmod(0o555)
        status, err = cli(capsys, "calendar", SAMPLE, *TODAY, "-o", disk / "d.ics")
        assert status == 2 and err.startswith(f"error: {disk / 'd.ics'}: cannot write (")
        assert "nothing was written" in err and err.count("\n") == 1
        assert leftovers(disk) == []


def test_lab_copies_on_a_full_disk_are_whole_notebooks_or_absent(tmp_path):
    import json

    from aliexp_lib.lab import working_copy

    with tiny_disk(tmp_path / "disk", "size=12k") as disk:
        if disk is None:
            pytest.skip("no tmpfs here; the full disk itself is simulated in the tests above")
        with pytest.raises(InputError, match="No space left on device"):
            working_copy(disk / "aliexp-notebooks")
        copies = list((disk / "aliexp-notebooks").iterdir())
        assert all(p.suffix == ".ipynb" and json.loads(p.read_text(encoding="utf-8")) for p in copies)
