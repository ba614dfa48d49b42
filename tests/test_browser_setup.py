"""The browser tests find their browser, or install Debian's, or stop with one clear line (README test command)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

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


def test_the_run_stops_with_one_clear_line_when_no_browser_can_be_had(tmp_path):
    """A user without root or sudo, and no browser: exit status 3 and one line saying what to install."""
    probe = tmp_path / "test_needs_a_browser.py"
    probe.write_text("def test_browser(chromium):\n    raise AssertionError('never reached')\n", encoding="utf-8")
    (tmp_path / "conftest.py").write_text(
        "import os, shutil\n"
        "from tests import conftest\n"
        "conftest.find_chromium = lambda: None\n"
        "os.geteuid = lambda: 1000\n"
        "shutil.which = lambda name: None\n"
        "from tests.conftest import chromium  # noqa: F401\n",
        encoding="utf-8",
    )
    done = subprocess.run(
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
            str(probe),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 3, done.stdout + done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines() if "browser tests need" in line]
    assert len(said) == 1 and "sudo apt-get install -y chromium" in said[0] and "this machine has no apt-get" in said[0]
