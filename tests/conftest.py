"""Shared helpers: small order books written as the user would write them."""

from __future__ import annotations

import compileall
import contextlib
import datetime as dt
import fcntl
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from aliexp_lib import OrderBook, cli, compute_deadlines, load_rulebook

# The tests, and the notebook kernels they start, never read the developer's own aliexp.toml, nor keep
# records of the files they write in the developer's own state folder (``safe_write``). Each process
# of the run (xdist's controller and workers) has its own two folders, removed when it ends (a forked
# child ends in ``os._exit`` and leaves them).
_CONFIG_DIR = tempfile.TemporaryDirectory(prefix="aliexp-config-")
_STATE_DIR = tempfile.TemporaryDirectory(prefix="aliexp-state-")
os.environ["ALIEXP_CONFIG_DIR"], os.environ["ALIEXP_STATE_DIR"] = _CONFIG_DIR.name, _STATE_DIR.name

# Hypothesis: no per-example deadline and no "too slow" health check. Both measure wall time, and on
# a busy 2-core machine (or a shared CI runner) a property test that is merely slow would fail
# (`DeadlineExceeded`, `FailedHealthCheck`) without any bug; speed is the benchmarks' job.
# A test that sets `suppress_health_check` itself replaces this list (settings are not merged), so
# it writes `[*settings.default.suppress_health_check, ...]`.
# `print_blob` prints `@reproduce_failure(...)` with a failure, so a red run can be replayed exactly.
settings.register_profile("aliexp", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True)
# The same, derandomized and without the example database: every run tries the same inputs
# (`pytest --hypothesis-profile=aliexp-ci`).
settings.register_profile("aliexp-ci", settings.get_profile("aliexp"), derandomize=True, database=None)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Load the profile before the test modules are imported (their module-level ``settings(...)``
    inherit from it), unless ``--hypothesis-profile`` names another one; compile the package's bytecode
    once, in the process that starts the workers."""
    if not config.getoption("--hypothesis-profile", None):
        settings.load_profile("aliexp")
    if not hasattr(config, "workerinput"):
        # Every kernel, server and command the run starts imports the package. Where no bytecode may
        # be written as modules are imported (PYTHONDONTWRITEBYTECODE, as on this machine and its CI),
        # each compiled it from source again: 0.2 s of a core each. When up to date this takes 30 ms.
        compileall.compile_dir(Path(__file__).resolve().parents[1] / "aliexp_lib", quiet=1)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """A docstring example makes its folders as a reader would (``tempfile.mkdtemp()``): while it runs,
    they are made in a folder of its own, removed after it (they were left in /tmp, some 40 a run)."""
    if not isinstance(item, pytest.DoctestItem):
        return (yield)
    before = tempfile.tempdir
    with tempfile.TemporaryDirectory(prefix="aliexp-doctest-", ignore_cleanup_errors=True) as folder:
        tempfile.tempdir = folder
        try:
            return (yield)
        finally:
            tempfile.tempdir = before


TODAY = dt.date(2026, 3, 1)


def aliexp(*args: str, cwd: Path | str | None = None) -> subprocess.CompletedProcess:
    """``aliexp ARGS`` run in this process (``cli.main``) from ``cwd``: its exit code and what it printed,
    as ``subprocess.run(..., capture_output=True, text=True)`` gives them.

    A process start and its imports (about 0.6 s) saved per command. An unexpected exception is raised
    here (the test fails with its traceback) where a process would print it and exit 1. Tests of the
    process itself (the console script, a hang under a timeout) start one.
    """
    out, err = io.StringIO(), io.StringIO()
    before = Path.cwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = _main(args)
    finally:
        os.chdir(before)
    return subprocess.CompletedProcess(["aliexp", *args], code, out.getvalue(), err.getvalue())


def _main(args: tuple[str, ...]) -> int:
    """``cli.main(args)``'s exit code, also where argparse exits (a usage error: 2, ``--help``: 0)."""
    try:
        return cli.main(list(args))
    except SystemExit as exit:
        return exit.code if isinstance(exit.code, int) else int(exit.code is not None)


def aliexp_forked(*args: str, cwd: Path | str, timeout: float = 120.0) -> subprocess.CompletedProcess:
    """``aliexp ARGS`` in a child process forked from this one, from ``cwd``: as ``python -m aliexp_lib``
    run by ``subprocess.run(..., capture_output=True, text=True, timeout=timeout)``, without its start.

    For the tests of input that could hang the tool or take it down (a FIFO, a device, a hostile
    file): a command that does not end within ``timeout`` seconds is killed and
    ``subprocess.TimeoutExpired`` raised, and an unexpected exception is printed as the interpreter
    would (a traceback, exit 1), all in a process of its own. The child has this process's modules
    imported already (pandas, pyarrow, aliexp_lib): about 0.6 s less per command than a new interpreter.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:  # the child: ends in os._exit, never back in pytest
            code = 1
            try:
                os.chdir(cwd)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                sys.stdout = io.TextIOWrapper(io.FileIO(1, "w", closefd=False), encoding="utf-8", line_buffering=True)
                sys.stderr = io.TextIOWrapper(io.FileIO(2, "w", closefd=False), encoding="utf-8", line_buffering=True)
                code = _main(args)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        deadline = time.monotonic() + timeout
        while (waited := os.waitpid(pid, os.WNOHANG))[0] == 0:
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                raise subprocess.TimeoutExpired(["aliexp", *args], timeout)
            time.sleep(0.005)
        code = os.waitstatus_to_exitcode(waited[1])
        return subprocess.CompletedProcess(["aliexp", *args], code, _text(out), _text(err))


def papermill_run(notebook: Path, out: Path, cwd: Path, parameters: dict) -> None:
    """Run ``notebook`` into ``out`` with papermill from ``cwd``, as ``aliexp report`` runs its template:
    the python3 kernel, no progress bar, the kernel stopped at once when done (a graceful stop costs
    0.3 s a run; every output is in hand by then)."""
    import papermill

    from aliexp_lib.kernel_sockets import kernel_manager_in
    from aliexp_lib.report import started_again_if_its_kernel_dies

    # As the report does: the kernel on Unix sockets in a folder of its own (a short path: a socket's
    # is at most 107 bytes), started again if it dies before it answers.
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
        started_again_if_its_kernel_dies(
            lambda: papermill.execute_notebook(
                str(notebook),
                str(out),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                shutdown_kernel="immediate",
                cwd=str(cwd),
                kernel_manager_class=kernel_manager_in(Path(sockets)),
            )
        )


def _text(file) -> str:
    """What a child wrote in ``file``, decoded with universal newlines as ``text=True`` does."""
    file.seek(0)
    return file.read().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


#: Browsers the browser tests can drive through the Python playwright package, by command name.
BROWSER_COMMANDS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
#: Flags that keep Chromium quiet and working on a machine without network or sandbox (TOOLING.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def find_chromium() -> Path | None:
    """A Chromium or Chrome on this machine: on PATH, Debian's package, or one playwright downloaded."""
    for name in BROWSER_COMMANDS:
        found = shutil.which(name)
        if found:
            return Path(found)
    cache = Path(os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    candidates = [Path("/usr/bin/chromium"), *sorted(cache.glob("chromium-*/chrome-linux*/chrome"), reverse=True)]
    return next((path for path in candidates if path.is_file()), None)


def install_chromium() -> str:
    """Install Debian's ``chromium`` with apt where this user may (root, or sudo without a password);
    returns what went wrong, or "" when it is installed."""
    if not shutil.which("apt-get"):
        return "this machine has no apt-get"
    if os.geteuid() == 0:
        sudo: list[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        sudo = ["sudo", "-n"]
    else:
        return "installing it needs root or sudo"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run([*sudo, *command], capture_output=True, text=True, env=env)
        if done.returncode != 0:
            return f"`{' '.join(command)}` failed: {(done.stderr or done.stdout).strip().splitlines()[-1:]}"
    return ""


#: Held while one process looks for the browser and installs it. xdist's workers each ask at once, and two
#: apt-gets at once fail on apt's lock: on a machine without Chromium the loser stopped the run, killing
#: the winner's dpkg midway ("dpkg was interrupted" on every later try).
INSTALL_LOCK = Path(tempfile.gettempdir()) / "aliexp-tests-chromium.lock"


def chromium_or_problem() -> tuple[Path | None, str]:
    """The browser, found or else installed, by one process at a time (``INSTALL_LOCK``); None and what
    went wrong where none can be had."""
    with open(INSTALL_LOCK, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        found = find_chromium()
        if found is not None:
            return found, ""
        problem = install_chromium()
        return find_chromium(), problem


def stop_without_chromium(problem: str) -> None:
    """Stop the run with one line saying what to install (exit status 3)."""
    pytest.exit(
        f"The browser tests need Chromium or Chrome and none is installed ({problem or 'not found'}): "
        "run `sudo apt-get install -y chromium` (Debian/Ubuntu) or install Google Chrome, then the tests again.",
        returncode=3,
    )


#: A test or fixture that takes the browser: ``def name(..., chromium, ...)`` at the start of a line.
_TAKES_CHROMIUM = re.compile(r"^\s*def \w+\([^)]*\bchromium\b", re.MULTILINE)


def wants_chromium(config) -> bool:
    """Whether a test file the run was given (``config.args``: paths, ``file::test``) takes the browser.
    Read as text: the process that starts xdist's workers collects no test itself."""
    for arg in config.args:
        path = config.invocation_params.dir / arg.split("::")[0]
        files = sorted(path.rglob("test_*.py")) if path.is_dir() else [path] if path.suffix == ".py" else []
        if any(_TAKES_CHROMIUM.search(file.read_text(encoding="utf-8")) for file in files if file.is_file()):
            return True
    return False


def pytest_sessionstart(session):
    """With xdist, the process that starts the workers finds or installs the browser first, once: a worker
    that stops the run (no browser to be had) ends it in an internal error that hides the reason."""
    config = session.config
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("dsession") or not wants_chromium(config):
        return
    found, problem = chromium_or_problem()
    if found is None:
        stop_without_chromium(problem)


@pytest.fixture(scope="session")
def chromium() -> Path:
    """The browser the browser tests drive: found, else Debian's ``chromium`` installed (as root or with
    sudo), else the run stops with one line saying what to install. Never ``playwright install``."""
    found, problem = chromium_or_problem()
    if found is None:
        stop_without_chromium(problem)
    return found


def book(*orders: dict) -> OrderBook:
    """An order book from dicts of column -> text (dates as ``YYYY-MM-DD``)."""
    rows = [{"order_id": str(i), **order} for i, order in enumerate(orders, start=1)]
    return OrderBook.from_frame(pd.DataFrame(rows).fillna(""))


def deadline(order: dict, kind: str, today: dt.date = TODAY, rulebook=None) -> dict | None:
    """The row of ``kind`` for one order, as a dict, or None if that clock has not started."""
    table = compute_deadlines(book(order), today, rulebook)
    rows = table[table["kind"] == kind]
    assert len(rows) <= 1
    if rows.empty:
        return None
    row = rows.iloc[0].to_dict()
    row["due"] = row["due"].date()
    return row


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="session")
def rulebook():
    return load_rulebook()


def pytest_collection_modifyitems(config, items):
    """The files with a browser test first, the rest as collected (xdist hands whole files out in this
    order: ``--no-loadscope-reorder``). A browser test is 5-20 s of a worker's time; handed out last, as
    xdist's own order by number of tests put them, they left one worker running alone for 15 s."""
    browser_files = {item.path for item in items if "chromium" in getattr(item, "fixturenames", ())}
    items.sort(key=lambda item: item.path not in browser_files)
