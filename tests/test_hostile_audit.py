"""The README's promise, "your files are only read; bad input never gives a traceback", for every command
on every file of ``tests/hostile/`` (issue 14, "Done when"); and the two ``report`` runs issue 14 saw fail.

The commands run in this process (``cli.main`` through ``tests.conftest.aliexp``): an exception escaping
it is what a user would see as a traceback. ``report`` runs a notebook (a minute each here), so it runs
on the sample and a fixture.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import aliexp

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "hostile"
SAMPLE = ROOT / "data" / "sample_orders.csv"
FILES = sorted(p.name for p in HOSTILE.iterdir() if p.suffix in (".csv", ".xlsx"))

#: Every command that reads an order file (``F``), as a user would type it; ``OUT`` is a new file.
COMMANDS = {
    "orders": ["orders", "F"],
    "orders into a book": ["orders", "F", "-o", "BOOK"],
    "deadlines": ["deadlines", "F", "--today", "2026-03-01"],
    "missing": ["missing", "F", "--today", "2026-03-01"],
    "resolve": ["resolve", "F", "--today", "2026-03-01"],
    "checks": ["checks", "F"],
    "cashback": ["cashback", "F"],
    "history": ["history", "F"],
    "calendar": ["calendar", "F", "--today", "2026-03-01", "-o", "OUT"],
    "log check": ["log", "check", "F"],
    "record": ["record", "8100000000000001", "received", "2026-02-20", "--orders", "F"],
    "check-tracking": ["check-tracking", "--file", "F"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_on_every_hostile_file_ends_in_a_line_not_a_traceback(command, tmp_path):
    for name in FILES:
        folder = tmp_path / name.replace(".", "_")
        folder.mkdir()
        path = folder / name
        shutil.copyfile(HOSTILE / name, path)
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        outputs = {"F": str(path), "OUT": str(folder / "out.ics"), "BOOK": f"{folder / 'book'}/"}
        argv = [outputs.get(a, a) for a in COMMANDS[command]]
        done = aliexp(*argv)  # an exception escaping here is a traceback for the user
        code, err = done.returncode, done.stderr
        assert code in (0, 2) and "Traceback" not in err, (name, err)
        if code == 2:
            assert "error: " in err, (name, err)  # said, naming the file
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before, name  # the orders file is only read


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        ([str(SAMPLE), "--today", "2026-02-01"], "the sample's day before its first rate failed for want of a rate"),
        (
            [str(ROOT / "tests" / "importers" / "tsv_order_list_en.tsv"), "--from", "tsv_order_list"],
            "the notebook ignored --from",
        ),
    ],
)
def test_report_runs_where_issue_14_saw_it_fail(argv, why, tmp_path):
    out = tmp_path / "report.html"
    done = subprocess.run(
        [sys.executable, "-m", "aliexp_lib", "report", *argv, "-o", str(out)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, (why, done.stderr)
    assert out.stat().st_size > 0 and "aliexp" in out.read_text(encoding="utf-8")
