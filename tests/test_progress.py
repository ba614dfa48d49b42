"""Progress on stderr (issue 12, point 7): a line saying what a slow command does, on a terminal only.

Each command runs in a child process whose stderr is a pseudo-terminal or a pipe; the delay before
the line appears (2 s for users) is set to 0 here so that a short command shows it.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import tempfile
import termios
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_orders.csv"

#: The command line with the progress line's delay set to ``{delay}`` seconds and its refresh to 20 ms
#: (not the users' 250: the same drawing, 4 s less waiting per test); each step lasts at least four
#: refreshes of the line (a command on the small sample is faster than a refresh: the line would be
#: drawn only after its last step, and the test would depend on the machine's load).
_RUN = """
import sys, time
from aliexp_lib import cli, progress
progress.DELAY_S = {delay}
progress.REFRESH_S = 0.02
named = progress.step
def step(doing):
    named(doing)
    time.sleep(4 * progress.REFRESH_S)
progress.step = step
sys.exit(cli.main({argv!r}))
"""


def _run(argv: list[str], terminal: bool, delay: float = 0.0) -> tuple[str, str]:
    """(stdout, stderr) of the command line; stderr a terminal of 100 columns, or a pipe."""
    code = [sys.executable, "-c", _RUN.format(delay=delay, argv=argv)]
    env = {**os.environ, "ALIEXP_CONFIG_DIR": str(ROOT / "tests"), "ALIEXP_STATE_DIR": str(ROOT / "tests")}
    if not terminal:
        result = subprocess.run(code, capture_output=True, text=True, env=env, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        return result.stdout, result.stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    with tempfile.TemporaryFile() as stdout:
        child = subprocess.Popen(code, stdout=stdout, stderr=follower, env=env, cwd=ROOT)
        os.close(follower)
        err = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            err += chunk
        os.close(leader)
        assert child.wait() == 0, err
        stdout.seek(0)
        return stdout.read().decode(), err.decode().replace("\r\n", "\n")  # the terminal's line ends


@pytest.mark.parametrize("command", [["deadlines", str(SAMPLE), "--today", "2026-03-01"]], ids=["deadlines"])
def test_on_a_terminal_the_line_says_what_runs_and_is_erased(command):
    out, err = _run(command, terminal=True)
    assert "aliexp deadlines: reading the orders" in err
    assert err.endswith("\r") and not err.split("\r")[-2].strip()  # erased at the end: the terminal as it was
    assert out.startswith("order_id")  # the table on stdout is untouched


def test_in_a_pipe_nothing_is_shown():
    out, err = _run(["deadlines", str(SAMPLE), "--today", "2026-03-01"], terminal=False)
    assert err == ""
    assert out.startswith("order_id")


def test_a_quick_command_on_a_terminal_shows_nothing():
    out, err = _run(["rules", "--format", "csv"], terminal=True, delay=60.0)
    assert err == ""
    assert out.startswith("id,value")


def test_a_warning_gets_a_line_of_its_own(tmp_path):
    # The sample's dollar orders have no rate into roubles: a warning, printed while the line is shown.
    out, err = _run(["resolve", str(SAMPLE), "--today", "2026-03-01"], terminal=True)
    shown_before, _, warning = err.partition("warning: ")
    assert warning.startswith("No exchange rate")
    assert "aliexp resolve" in shown_before
    assert not shown_before.split("\r")[-1].strip()  # the progress line was cleared: the warning starts the line
