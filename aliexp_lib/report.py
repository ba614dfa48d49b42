"""The weekly report: the report notebook run by papermill, turned into one HTML file without code.

The report is computed under the caller's ``Setting``: its choices are written as an
``aliexp.toml`` beside the executed notebook and named by the notebook's ``config_path``
parameter, so the report shows what the command line would. Charts work offline: the notebook
sets plotly's ``plotly_mimetype+notebook`` renderer, which inlines plotly.js. The page has a
viewport tag and the report's style (``views.todo.STYLE``: text left-aligned, tables that fit a
phone). The executed notebook (megabytes) is kept beside the HTML only when asked. Files are
written under a temporary name and moved into place, so a failed run leaves an earlier report
untouched; an existing file that is not an aliexp report is never overwritten.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import tempfile
from importlib import resources
from pathlib import Path

from aliexp_lib.errors import InputError
from aliexp_lib.setting import CONFIG_NAME, Setting
from aliexp_lib.views.todo import STYLE

#: Written into every report, so a later run knows the file is ours to replace.
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
) -> tuple[Path, Path | None]:
    """Run the report for ``orders`` as of ``today`` under ``setting``; return (HTML path, notebook path or None).

    The template notebook ``templates/report.ipynb`` runs under papermill (kernel ``python3``) with
    the parameters ``orders_path``, ``orders_format``, ``today`` (ISO date), ``lang``, ``currency``
    and ``config_path``: the setting's choices written as an ``aliexp.toml`` in the run's folder, so
    the notebook computes under the same setting as the caller. The result is exported to HTML
    without code or prompts and marked with ``MARK``. With ``notebook``, the executed notebook is
    written beside the HTML, with the suffix ``.ipynb``. The files are staged in a temporary folder and moved into
    place, so a failed run leaves an earlier report untouched.

    Parameters
    ----------
    orders : str or path-like
        The order file the report reads (any format ``load_orders`` knows).
    out_html : str or path-like
        The HTML file to write; its folder is created if needed.
    today : datetime.date
        The report's day: deadlines and days left are counted to it (not to the clock).
    setting : Setting
        Rules, costs, assumptions, display currency and language (``setting.build_setting``).
    fmt : str, optional
        The orders file's format (``None``: recognised from its header).
    notebook : bool, default False
        Also keep the executed notebook (about 5 MB, for reading the cells behind the report).

    Returns
    -------
    tuple of (pathlib.Path, pathlib.Path or None)
        The HTML report and the executed notebook (None unless ``notebook``).

    Raises
    ------
    InputError
        If an output file exists and is not an aliexp report (it has no ``MARK``); checked
        before anything runs.

    Examples
    --------
    >>> import datetime as dt, pathlib, tempfile
    >>> mine = pathlib.Path(tempfile.mkdtemp()) / "page.html"
    >>> _ = mine.write_text("<p>my own page</p>")
    >>> write_report("orders.csv", mine, dt.date(2026, 3, 1), Setting.default())
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: ... exists and is not an aliexp report; choose another name (-o) or remove it
    """
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    out_html = Path(out_html)
    out_notebook = out_html.with_suffix(".ipynb")
    for path in (out_html, out_notebook) if notebook else (out_html,):
        if path.exists() and MARK not in path.read_text(encoding="utf-8", errors="replace"):
            raise InputError(f"{path} exists and is not an aliexp report; choose another name (-o) or remove it")
    template = resources.files("aliexp_lib").joinpath("templates", "report.ipynb")
    out_html.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_html.parent, prefix=".aliexp-report-") as work:
        executed = Path(work) / "report.ipynb"
        config = (Path(work) / CONFIG_NAME).resolve()  # the kernel runs in another folder
        config.write_text(setting.choices.to_toml(), encoding="utf-8")
        with (
            resources.as_file(template) as source,
            _kernel_stderr_to(Path(work) / "kernel.log"),
            _input_errors_from_the_kernel(),
        ):
            papermill.execute_notebook(
                str(source),
                str(executed),
                kernel_name="python3",
                progress_bar=False,
                cwd=work,
                parameters={
                    "orders_path": str(Path(orders).resolve()),
                    "orders_format": fmt or "",
                    "today": today.isoformat(),
                    "lang": setting.lang,
                    "currency": setting.currency,
                    "config_path": str(config),
                },
            )
        executed_notebook = nbformat.read(executed, as_version=4)
        executed_notebook.metadata["aliexp"] = MARK
        body, _resources = HTMLExporter(
            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True
        ).from_notebook_node(executed_notebook)
        head = f'<head>\n<meta name="generator" content="{MARK}">\n<meta name="viewport" content="{VIEWPORT}">'
        body = body.replace("<head>", head, 1).replace("</head>", f"{STYLE}\n</head>", 1)
        staged_html, staged_notebook = Path(work) / "report.html", Path(work) / "executed.ipynb"
        staged_html.write_text(body, encoding="utf-8")
        if notebook:
            nbformat.write(executed_notebook, staged_notebook)
            os.replace(staged_notebook, out_notebook)
        os.replace(staged_html, out_html)
    return out_html, out_notebook if notebook else None


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


@contextlib.contextmanager
def _kernel_stderr_to(path: Path):
    """Send what the notebook's kernel process prints on stderr (start-up chatter, such as a
    warning about its local TCP transport) to ``path`` instead of the user's terminal."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "wb") as log:
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
