"""The weekly report: the report notebook run by papermill, turned into one HTML file without code.

The report is computed under the caller's ``Setting``: its choices are written as an
``aliexp.toml`` beside the executed notebook and named by the notebook's ``config_path``
parameter, so the report shows what the command line would. The page needs nothing from the
network (``offline_page.offline_html``: no script from a CDN, plotly.js inlined once). The page has a
viewport tag and the report's style (``views.todo.STYLE``: text left-aligned, tables that fit a
phone). The executed notebook (megabytes) is kept beside the HTML only when asked. Files are
written by ``safe_write.write_file`` (in one step, so a failed run leaves an earlier report
untouched); an existing file is replaced only if it is an aliexp report (``ours_report``: the
generator ``<meta>`` first in its ``<head>``), or with ``--overwrite``; the orders file never.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Any

from aliexp_lib import progress
from aliexp_lib.errors import InputError
from aliexp_lib.kernel_sockets import kernel_manager_in
from aliexp_lib.offline_page import offline_html, warm_up
from aliexp_lib.own_marks import html_generator, notebook_mark
from aliexp_lib.safe_write import check_target, write_file
from aliexp_lib.setting import CONFIG_NAME, Setting
from aliexp_lib.views.todo import STYLE

#: Written into every report (the generator ``<meta>``, the notebook's metadata), so a later run knows it is ours.
MARK = "aliexp-report"
#: The page fits the width of a phone's screen instead of a zoomed-out desktop page.
VIEWPORT = "width=device-width, initial-scale=1"


def write_report(
    orders: str | Path,
    out_html: str | Path,
    today: dt.date,
    setting: Setting,
    fmt: str | None = None,
    notebook: bool = False,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike] = (),
    kernel: ReportKernel | None = None,
) -> tuple[Path, Path | None]:
    """Run the report for ``orders`` as of ``today`` under ``setting``; return (HTML path, notebook path or None).

    The template notebook ``templates/report.ipynb`` runs under papermill (kernel ``python3``) with
    the parameters ``orders_path``, ``orders_format``, ``today`` (ISO date), ``lang``, ``currency``
    and ``config_path``: the setting's choices written as an ``aliexp.toml`` in the run's folder, so
    the notebook computes under the same setting as the caller. The result is exported to HTML
    without code or prompts and marked with ``MARK``. With ``notebook``, the executed notebook is
    written beside the HTML, with the suffix ``.ipynb``. The notebook runs in a temporary folder; each
    file is then written in one step (``safe_write.write_file``), so a failed run leaves an earlier
    report untouched.

    Parameters
    ----------
    orders : str or path-like
        The order file the report reads (any format ``load_orders`` knows).
    out_html : str or path-like
        The HTML file to write; its folder must exist. An existing file is replaced only if it is
        an aliexp report (``ours_report``) or with ``overwrite``.
    today : datetime.date
        The report's day: deadlines and days left are counted to it (not to the clock).
    setting : Setting
        Rules, costs, assumptions, display currency and language (``setting.build_setting``).
    fmt : str, optional
        The orders file's format (``None``: recognised from its header).
    notebook : bool, default False
        Also keep the executed notebook (about 5 MB, for reading the cells behind the report).
    overwrite : bool, default False
        Replace output files that are not aliexp reports (``--overwrite``).
    inputs : iterable of path-like
        Other files the command read (setting files): never written over; ``orders`` never either.
    kernel : ReportKernel, optional
        The run's folder with its kernel already starting (``report_kernel``), where the caller started
        it before its own work; default: started here.

    Returns
    -------
    tuple of (pathlib.Path, pathlib.Path or None)
        The HTML report and the executed notebook (None unless ``notebook``).

    Raises
    ------
    InputError
        If an output file exists and is not an aliexp report (without ``overwrite``), is the
        orders file, a folder, or in a missing folder; checked before anything runs.

    Examples
    --------
    >>> import datetime as dt, pathlib, tempfile
    >>> mine = pathlib.Path(tempfile.mkdtemp()) / "page.html"
    >>> _ = mine.write_text("<p>my own page</p>")
    >>> write_report("orders.csv", mine, dt.date(2026, 3, 1), Setting.default())
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: ... exists and was not written by aliexp ... or add --overwrite to replace it
    """
    import nbformat
    import papermill

    out_html = Path(out_html)
    out_notebook = out_html.with_suffix(".ipynb")
    inputs = [orders, *inputs]
    check_target(out_html, ours_report, overwrite, inputs)
    if notebook:
        check_target(out_notebook, ours_notebook, overwrite, inputs)
    template = resources.files("aliexp_lib").joinpath("templates", "report.ipynb")
    with contextlib.ExitStack() as stack:
        if kernel is None:
            kernel = stack.enter_context(report_kernel())
        helper = stack.enter_context(ThreadPoolExecutor(max_workers=1))
        # While the kernel starts and runs (another process), this one loads the page's tools (nbconvert,
        # its templates, plotly.js): about a second less to wait (benchmarks/bench_report.py).
        warmed = helper.submit(warm_up)
        progress.step("running the report notebook")
        work = kernel.work
        config = (work / CONFIG_NAME).resolve()  # the kernel runs in another folder
        config.write_text(setting.choices.to_toml(), encoding="utf-8")
        with (
            resources.as_file(template) as source,
            _kernel_stderr_to(kernel.log),
            _input_errors_from_the_kernel(),
        ):
            executed_notebook = started_again_if_its_kernel_dies(
                lambda: papermill.execute_notebook(
                    str(source),
                    None,  # kept in memory: papermill saved a copy after every cell
                    kernel_name="python3",
                    progress_bar=False,
                    request_save_on_cell_execute=False,
                    shutdown_kernel="immediate",  # every output is in hand: no 0.3 s graceful exit
                    cwd=work,
                    kernel_manager_class=kernel.manager_class(),
                    parameters={
                        "orders_path": str(Path(orders).resolve()),
                        "orders_format": fmt or "",
                        "today": today.isoformat(),
                        "lang": setting.lang,
                        "currency": setting.currency,
                        "config_path": str(config),
                    },
                ),
                kernel.log,
            )
        executed_notebook.metadata["aliexp"] = MARK
        progress.step("making the page")
        warmed.result()
        body = offline_html(executed_notebook, setting.lang)
        head = f'<head>\n<meta name="generator" content="{MARK}">\n<meta name="viewport" content="{VIEWPORT}">'
        body = body.replace("<head>", head, 1).replace("</head>", f"{STYLE}\n</head>", 1)
    if notebook:
        write_file(out_notebook, nbformat.writes(executed_notebook).encode("utf-8"), ours_notebook, overwrite, inputs)
    write_file(out_html, body.encode("utf-8"), ours_report, overwrite, inputs)
    return out_html, out_notebook if notebook else None


@dataclasses.dataclass
class ReportKernel:
    """A report run's temporary folder and the notebook's kernel, started in it ahead of the run (``report_kernel``)."""

    work: Path
    #: Where the kernel's stderr goes (start-up chatter; what it said last if it dies).
    log: Path
    #: jupyter_client's manager of the kernel started ahead (it may still be booting).
    manager: Any
    handed_out: bool = False

    def manager_class(self) -> type:
        """The kernel manager class for papermill's run: the first time, one whose instance is the kernel
        started ahead (papermill's client then uses it and shuts it down as one of its own); after that
        (that kernel died), a new kernel's, once the first is stopped (their sockets share the folder)."""
        if not self.handed_out:
            self.handed_out = True
            started = self.manager
            # Not an instance of the class it is made by: no __init__, the kernel as it is.
            return type("StartedAhead", (type(started),), {"__new__": lambda cls, *args, **kwargs: started})
        self.stop()
        return kernel_manager_in(self.work)

    def stop(self) -> None:
        """Shut the kernel started ahead down now, unless papermill's client has."""
        from jupyter_core.utils import run_sync

        if self.manager.has_kernel:
            run_sync(self.manager.shutdown_kernel)(now=True)


@contextlib.contextmanager
def report_kernel() -> Iterator[ReportKernel]:
    """A temporary folder with the report notebook's kernel (``python3``, on Unix sockets there where
    they fit: ``kernel_sockets``) started in it; the kernel is shut down and the folder removed at the end.

    Started before the command checks the orders, the kernel boots on another core meanwhile instead
    of after: the sample's report 0.7 s sooner here (``benchmarks/bench_report.py``).
    """
    from jupyter_core.utils import run_sync  # loads only with a report

    with tempfile.TemporaryDirectory(prefix="aliexp-report-") as folder:
        work = Path(folder).resolve()
        log = work / "kernel.log"
        manager = kernel_manager_in(work)(kernel_name="python3")
        with open(log, "ab") as stderr:  # appended to, as the redirected stderr of a kernel started again
            run_sync(manager.start_kernel)(cwd=str(work), stderr=stderr)
        kernel = ReportKernel(work, log, manager)
        try:
            yield kernel
        finally:
            kernel.stop()


def ours_report(path: str | os.PathLike) -> bool:
    """Whether the page at ``path`` is an aliexp report: ``MARK`` in the generator ``<meta>`` that opens its head.

    Text elsewhere (an order's title in a table, a CSV holding the word) never makes a file ours.

    Examples
    --------
    >>> import tempfile
    >>> page = Path(tempfile.mkdtemp()) / "book.csv"
    >>> _ = page.write_text("order_id,title\\n1,aliexp-report stand\\n")
    >>> ours_report(page)
    False
    """
    return html_generator(path) == MARK


def ours_notebook(path: str | os.PathLike) -> bool:
    """Whether the notebook at ``path`` is a report's executed notebook (``MARK`` in its metadata)."""
    return notebook_mark(path) == MARK


@contextlib.contextmanager
def _input_errors_from_the_kernel():
    """Bad input found while the notebook runs (a missing exchange rate, say) is the same ``InputError``
    the command line reports in one line, not a traceback of the kernel."""
    from papermill.exceptions import PapermillExecutionError  # papermill loads only with a report

    try:
        yield
    except PapermillExecutionError as exc:
        if exc.ename in ("InputError", "CellError"):
            raise InputError(f"the report could not be made: {exc.evalue}") from None
        raise


#: Starts of the notebook's kernel tried before the report gives up [starts]. A kernel died before it
#: answered once, on a busy machine in a test run starting kernels and browsers on two workers, when
#: kernels talked over local TCP (its stderr was lost with the temporary folder). The likely cause,
#: another process taking a free port the kernel was handed before it bound it, is gone where kernels
#: use Unix sockets (``kernel_sockets``); a new start is the remedy where they cannot.
KERNEL_STARTS = 2
#: How jupyter_client says a kernel never answered (died, or silent past its time limit).
_NEVER_ANSWERED = ("Kernel died before replying to kernel_info", "Kernel didn't respond")


def started_again_if_its_kernel_dies(run, kernel_log: Path | None = None):
    """``run()`` (a papermill run of a notebook), up to ``KERNEL_STARTS`` times while its kernel dies
    before it answers; then an ``InputError`` with what the kernel said last (``kernel_log``, where its
    stderr went), not a traceback. A notebook that fails once running is not run again."""
    starts = 1
    while True:
        try:
            return run()
        except RuntimeError as exc:
            if not str(exc).startswith(_NEVER_ANSWERED):
                raise
            if starts == KERNEL_STARTS:
                log = kernel_log.read_text(encoding="utf-8", errors="replace") if kernel_log else ""
                said = log.strip().splitlines()[-3:]
                raise InputError(
                    f"the report could not be made: its notebook's kernel did not start, {KERNEL_STARTS} times "
                    f"({exc}){': ' + ' | '.join(said) if said else ''}"
                ) from None
            starts += 1


@contextlib.contextmanager
def _kernel_stderr_to(path: Path):
    """Send what the notebook's kernel process prints on stderr (start-up chatter, such as a warning
    about talking over local TCP where there are no Unix sockets) to ``path`` instead of the user's terminal."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
