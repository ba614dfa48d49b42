"""The browser tests find their browser, or install Debian's, or stop with one clear line (README test command)."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import pytest

from tests import conftest

ROOT = Path(__file__).parents[1]


def test_a_browser_on_the_path_is_found(tmp_path, monkeypatch):
    browser = tmp_path / "google-chrome"
    browser.write_text("#!/bin/sh\n", encoding="utf-8")
    browser.chmod(browser.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert conftest.find_chromium() == browser


def test_without_root_or_sudo_nothing_is_installed(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/apt-get" if name == "apt-get" else None)
    ran = []
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: ran.append(args))
    assert conftest.install_chromium() == "installing it needs root or sudo"
    assert ran == []


def test_workers_asking_at_once_install_the_browser_once(tmp_path, monkeypatch):
    """xdist's workers each ask for the browser at the same moment: one installs, the others wait and find it."""
    monkeypatch.setattr(conftest, "INSTALL_LOCK", tmp_path / "install.lock")
    installed, installs = [], []

    def install() -> str:
        installs.append(threading.get_ident())
        time.sleep(0.2)  # apt takes a while; a second install would start meanwhile without the lock
        installed.append(Path("/usr/bin/chromium"))
        return ""

    monkeypatch.setattr(conftest, "find_chromium", lambda: installed[0] if installed else None)
    monkeypatch.setattr(conftest, "install_chromium", install)
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        found = list(pool.map(lambda _: conftest.chromium_or_problem(), range(3)))
    assert len(installs) == 1
    assert found == [(Path("/usr/bin/chromium"), "")] * 3


def _run_without_a_browser(tmp_path: Path, *options: str) -> subprocess.CompletedProcess:
    """pytest on a test taking ``chromium``, as a user without root or sudo and no browser."""
    probe = tmp_path / "test_needs_a_browser.py"
    probe.write_text("def test_browser(chromium):\n    raise AssertionError('never reached')\n", encoding="utf-8")
    (tmp_path / "conftest.py").write_text(
        "import os, shutil\n"
        "from tests import conftest\n"
        "conftest.find_chromium = lambda: None\n"
        "os.geteuid = lambda: 1000\n"
        "shutil.which = lambda name: None\n"
        "from tests.conftest import chromium, pytest_sessionstart  # noqa: F401\n",
        encoding="utf-8",
    )
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "-o",
            "testpaths=",
            "--rootdir",
            str(tmp_path),
            *options,
            str(probe),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "xdist workers"])
def test_the_run_stops_with_one_clear_line_when_no_browser_can_be_had(tmp_path, workers):
    """Exit status 3 and one line saying what to install, also with xdist's workers (the README's command),
    where a worker stopping the run ended it in an internal error that hid the reason."""
    done = _run_without_a_browser(tmp_path, *workers)
    assert done.returncode == 3, done.stdout + done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines() if "browser tests need" in line]
    assert said and all("sudo apt-get install -y chromium" in line and "no apt-get" in line for line in said)
    # Stopped before xdist's workers start, pytest says it in its summary and again on stderr.
    assert len(said) == (2 if workers else 1)
    assert "INTERNALERROR" not in done.stdout + done.stderr and "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (["tests"], True),  # the README's command: every test path
        (["tests/test_xss.py::test_chart_labels_in_the_report_show_html_as_text"], True),
        (["tests/test_rules.py", "aliexp_lib"], False),
        (["tests/test_browser_setup.py"], False),  # names the fixture only inside a string
    ],
)
def test_the_browser_is_installed_up_front_only_for_a_run_that_takes_it(args, wanted):
    config = types.SimpleNamespace(args=args, invocation_params=types.SimpleNamespace(dir=ROOT))
    assert conftest.wants_chromium(config) is wanted
