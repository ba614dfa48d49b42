"""JupyterLab and Voilà on the buyer's own orders (``aliexp lab``, ``aliexp app``).

The example notebooks ship inside the package (``aliexp_lib.notebooks``: the repository's
``notebooks/`` folder). The servers only ever see working copies of them, whose ``parameters``
cell names the buyer's file: a literal edited in place, so the cell stays literals only.
"""

from __future__ import annotations

import ast
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import webbrowser
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from aliexp_lib.errors import InputError
from aliexp_lib.kernel_sockets import SERVER_SOCKET_BYTES, VOILA_FOLDER_BYTES, server_options
from aliexp_lib.safe_write import write_new

#: The notebook JupyterLab opens first, and the notebooks the code-free page is made of, in order.
FIRST = "overview.ipynb"
APP_PARTS = ("overview.ipynb", "resolution_chooser.ipynb")
APP_NAME = "aliexp.ipynb"
#: The working folder's name, beside the orders file (or in the current folder without one).
FOLDER_NAME = "aliexp-notebooks"
START_TIMEOUT = 120.0  # seconds a server may take to answer on its port
#: A Jupyter data folder holding our Voilà page template (``voila/templates/aliexp``).
TEMPLATES = Path(__file__).resolve().parent / "templates"


def shipped_notebooks() -> dict[str, dict[str, Any]]:
    """The example notebooks shipped with the package, by file name, as JSON objects.

    Returns
    -------
    dict of str to dict
        ``{"overview.ipynb": {...}, ...}``, sorted by name.

    Examples
    --------
    >>> sorted(shipped_notebooks())
    ['checks.ipynb', 'money.ipynb', 'overview.ipynb', 'resolution_chooser.ipynb']
    """
    folder = resources.files("aliexp_lib.notebooks")
    return {
        entry.name: json.loads(entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".ipynb")
    }


def set_parameters(notebook: dict[str, Any], values: Mapping[str, str]) -> list[str]:
    """Set text parameters in the notebook's cell tagged ``parameters``, in place.

    Each ``name = "..."`` line keeps its name and comment; only the literal changes, and stays a
    literal. Names the cell does not have are left out.

    Parameters
    ----------
    notebook : dict
        A notebook as JSON (nbformat 4).
    values : mapping of str to str
        Parameter name -> its new text value.

    Returns
    -------
    list of str
        The names that were set.

    Raises
    ------
    InputError
        If the notebook has no cell tagged ``parameters``.

    Examples
    --------
    >>> cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]},
    ...         "source": ['orders_path = "../data/sample_orders.csv"  # order book\\n', 'lang = ""']}
    >>> set_parameters({"cells": [cell]}, {"orders_path": "/home/me/my orders.csv", "today": ""})
    ['orders_path']
    >>> cell["source"]
    ['orders_path = "/home/me/my orders.csv"  # order book\\n', 'lang = ""']
    """
    cell = next((c for c in notebook["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        raise InputError("the notebook has no cell tagged 'parameters'")
    source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
    lines = source.splitlines(keepends=True)
    done = []
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        name = node.targets[0].id
        value = node.value
        if name not in values or value.lineno != value.end_lineno:
            continue
        literal = json.dumps(str(values[name]), ensure_ascii=False)  # a JSON string is a Python string literal
        assert ast.literal_eval(literal) == values[name]
        line = lines[value.lineno - 1].encode("utf-8")  # ast's offsets count UTF-8 bytes
        edited = line[: value.col_offset] + literal.encode("utf-8") + line[value.end_col_offset :]
        lines[value.lineno - 1] = edited.decode("utf-8")
        done.append(name)
    cell["source"] = lines
    return done


def _clean(notebook: dict[str, Any]) -> dict[str, Any]:
    """Without the outputs stored for the sample (they would show the sample, not the buyer's orders)."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
        cell.get("metadata", {}).pop("execution", None)
    notebook.get("metadata", {}).pop("widgets", None)
    return notebook


def _parameters(orders_path: str | Path | None, today: str | None, fmt: str | None) -> dict[str, str]:
    """The parameter values of a working copy: the buyer's file (absolute), and the day to look from."""
    if orders_path is None:  # the sample, on the day it was made for
        values = {"orders_path": str(resources.files("aliexp_lib.data").joinpath("sample_orders.csv"))}
    else:
        path = Path(orders_path).expanduser()
        if not path.is_file():
            raise InputError(f"{orders_path}: no such file")
        values = {"orders_path": str(path.resolve()), "today": "", "orders_format": fmt or ""}
    if today is not None:
        values["today"] = today
    return values


def working_copy(
    folder: str | Path, orders_path: str | Path | None = None, today: str | None = None, fmt: str | None = None
) -> tuple[list[Path], list[Path]]:
    """Copy the example notebooks into ``folder`` with ``orders_path`` set; never overwrite one.

    Parameters
    ----------
    folder : str or Path
        The working folder (made if missing).
    orders_path : str or Path, optional
        The buyer's order file; without it the copies read the sample orders.
    today : str, optional
        The day to look from (``YYYY-MM-DD``); by default ``""`` (the day the notebook runs) with
        ``orders_path``, the sample's own day without.
    fmt : str, optional
        The order file's format, if its header does not tell.

    Returns
    -------
    (list of Path, list of Path)
        The notebooks copied, and those already there and left as they were.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> copied, kept = working_copy(folder)
    >>> [p.name for p in copied], kept
    (['checks.ipynb', 'money.ipynb', 'overview.ipynb', 'resolution_chooser.ipynb'], [])
    >>> [p.name for p in working_copy(folder)[1]][:1]
    ['checks.ipynb']
    """
    values = _parameters(orders_path, today, fmt)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    copied: list[Path] = []
    kept: list[Path] = []
    for name, notebook in shipped_notebooks().items():
        target = folder / name
        set_parameters(_clean(notebook), values)
        text = json.dumps(notebook, ensure_ascii=False, indent=1) + "\n"
        # in one step, never over a file already there (a full disk leaves no half notebook behind)
        (copied if write_new(target, text.encode("utf-8")) else kept).append(target)
    return copied, kept


def app_notebook(orders_path: str | Path, today: str | None = None, fmt: str | None = None) -> dict[str, Any]:
    """The code-free page: the overview, then the chooser, as one notebook on the buyer's file.

    The chooser's parameters cell is left out (the overview's sets the same names); of each part's
    opening text only its heading is kept (the rest speaks of cells, which the page does not show).
    The calendar button saves beside the orders file.

    Examples
    --------
    >>> from aliexp_lib.data import __file__ as data
    >>> page = app_notebook(Path(data).parent / "sample_orders.csv", today="2026-03-01")
    >>> [c["source"][0] for c in page["cells"] if c["cell_type"] == "markdown"]
    ['# Overview · Обзор', '# Resolution chooser · Выбор решения']
    """
    values = _parameters(orders_path, today, fmt)
    values["calendar_path"] = str(Path(values["orders_path"]).with_name("deadlines.ics"))
    parts = shipped_notebooks()
    page = {**parts[APP_PARTS[0]], "cells": []}
    for number, name in enumerate(APP_PARTS):
        part = _clean(parts[name])
        if number == 0:
            set_parameters(part, values)
        seen_text = False
        for cell in part["cells"]:
            tags = cell.get("metadata", {}).get("tags", [])
            if number > 0 and "parameters" in tags:
                continue
            if cell["cell_type"] == "markdown" and not seen_text:
                seen_text = True
                text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
                cell["source"] = [line for line in text.splitlines() if line.startswith("#")][:1]
            page["cells"].append(cell)
    return page


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_to_serve_on(asked: int | None) -> int:
    """``asked`` (``--port``) if no program listens on it, else an ``InputError`` naming it: another
    server's page there (a JupyterLab of the buyer's own on 8888, say) is not ours, and our server
    would stop on it. Without ``asked``, a port free now (``free_port``).

    Examples
    --------
    >>> taken = socket.create_server(("127.0.0.1", 0))
    >>> port_to_serve_on(taken.getsockname()[1])
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: port ... is in use by another program; give another with --port, or leave --port out
    >>> taken.close(); port_to_serve_on(None) > 0
    True
    """
    if asked is None:
        return free_port()
    if _answers(asked):
        raise InputError(f"port {asked} is in use by another program; give another with --port, or leave --port out")
    return asked


def _answers(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run_server(
    command: list[str], cwd: Path, port: int, url: str, open_browser: bool, env: Mapping[str, str] | None = None
) -> str:
    """Run a server in the foreground until it stops or Ctrl-C (or SIGTERM); print ``url`` once it answers.

    The server runs in its own session, so Ctrl-C reaches this process only, which then stops the
    server (its kernels are shut down with it). A server that stops with an error, before it answers
    or after, is an ``InputError`` (its own messages are on the terminal above), not a normal end.
    """
    process = subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL, start_new_session=True
    )
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while process.poll() is None and not _answers(port):
            if time.monotonic() > deadline:
                raise InputError(f"the server did not answer on port {port} within {START_TIMEOUT:.0f} s")
            time.sleep(0.2)
        answered = process.poll() is None
        if answered:
            print(f"\nOpen {url}\n(Ctrl-C here to stop.)\n", flush=True)
            if open_browser:
                webbrowser.open(url)
            process.wait()
        if not answered or process.returncode != 0:  # it never answered, or failed (or was killed) after
            raise InputError(f"the server stopped (exit {process.returncode}); its messages are above")
        return "stopped"  # as asked in the page (JupyterLab's File > Shut Down)
    except KeyboardInterrupt:
        return "stopped"
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_server(process)


def stop_server(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Terminate ``process`` (a Jupyter server then shuts its kernels down); kill it after ``timeout`` [s]."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def lab_command(folder: Path, port: int, runtime: Path | None = None) -> list[str]:
    """JupyterLab on ``folder``, on the loopback interface only; its kernels on Unix sockets beside their
    connection files in its runtime folder (``kernel_sockets``), where the path allows. ``runtime``: the
    server's ``JUPYTER_RUNTIME_DIR`` where it is not this process's (default: Jupyter's, as here)."""
    from jupyter_core.paths import jupyter_runtime_dir  # where the server keeps its kernels' files

    return [
        *_server("jupyterlab.labapp"),
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={folder}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",  # no request to PyPI
        *server_options(runtime or Path(jupyter_runtime_dir())),
        *_root(),
    ]


def voila_command(notebook: Path, port: int) -> list[str]:
    """Voilà serving ``notebook`` (code cells hidden: Voilà's default) on the loopback interface only,
    with our page template (``templates/voila/templates/aliexp``: nothing fetched from a CDN; found
    through ``voila_env``).

    The page renders progressively: it shows at once, each cell's output arriving as it runs, every
    widget drawn when its model reaches the page. Voilà's default (the whole notebook run, then the
    page's widgets restored from the kernel in one go) sometimes left a busy machine's page with its
    first widgets only and "Error displaying widget: model not found" for the rest (seen here in 3 of
    about 110 loads while other work held the cores). Its kernels are on Unix sockets in the folder
    Voilà makes for their connection files in the temporary folder (``kernel_sockets``), where the path allows."""
    return [
        *_server("voila.app"),
        str(notebook),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--port={port}",
        "--Voila.port_retries=0",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.progressive_rendering=True",  # see above: no restore of the widgets at the end
        "--template=aliexp",
        *server_options(Path(tempfile.gettempdir()), SERVER_SOCKET_BYTES + VOILA_FOLDER_BYTES),
    ]


def voila_env() -> dict[str, str]:
    """``JUPYTER_PATH`` with our templates' data folder first, where Voilà finds ``--template=aliexp``."""
    return {"JUPYTER_PATH": os.pathsep.join(filter(None, [str(TEMPLATES), os.environ.get("JUPYTER_PATH")]))}


def _server(module: str) -> list[str]:
    """``python -m`` for a Jupyter server (``module``'s ``main``), without jsonschema's "iri" checker:
    its grammars are 1.2 s of the server's 2.3 s start here (``views.skip_the_iri_format_checker``)."""
    return [
        sys.executable,
        "-c",
        "import sys; from aliexp_lib.views import skip_the_iri_format_checker; skip_the_iri_format_checker(); "
        f"from {module} import main; sys.exit(main())",
    ]


def _root() -> list[str]:
    """JupyterLab refuses to run as root (as in many containers) unless told to."""
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def new_token() -> str:
    """A random token for the server's URL (other users of the machine cannot open the page)."""
    return secrets.token_hex(24)


def names(paths: Iterable[Path]) -> str:
    return ", ".join(p.name for p in paths)
