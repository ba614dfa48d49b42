"""``aliexp lab ORDERS`` and ``aliexp app ORDERS`` as a buyer runs them, looked at in a real browser.

Each command runs as a subprocess on a free loopback port, with Jupyter's config, data, runtime and
IPython folders in ``tmp_path``; the test opens the address the command prints and asserts what the
page shows. Screenshots go to ``tests/artifacts/lab.png`` and ``tests/artifacts/app.png``.
"""

from __future__ import annotations

import contextlib
import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

from aliexp_lib.lab import stop_server
from tests.browser import KERNEL_STATE, RUN_ALL, _free_port, _lab_env, browser_page, wait_until

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
START_TIMEOUT = 120.0  # seconds until the command prints its address; normally 3-5 s
PAGE_TIMEOUT = 120.0  # a page with its kernel run through; normally 5-15 s

# What the page tells of its tables: the header and the number of rows of each.
TABLES = """() => Array.from(document.querySelectorAll('table'), t => ({
    cls: t.className,
    header: Array.from(t.querySelectorAll('thead th'), th => th.textContent.trim()),
    rows: t.querySelectorAll('tbody tr').length}))"""


@contextlib.contextmanager
def command(tmp_path: Path, *args: str) -> Iterator[tuple[str, Path]]:
    """Run ``aliexp ARGS --no-browser --port P``; yield the address it prints and the runtime folder
    (the server's kernels' connection files; the system's temporary folder too); stop it afterwards."""
    with _lab_env(tmp_path, "unused") as env:  # JUPYTER_* and IPYTHONDIR; the command makes its own token
        del env["JUPYTER_TOKEN"]
        env["TMPDIR"] = env["JUPYTER_RUNTIME_DIR"]  # where Voilà keeps its kernels' files
        config = {"LabApp": {"expose_app_in_browser": True}}
        for name in ("jupyter_server_config.json", "jupyter_lab_config.json"):
            (tmp_path / "jupyter-config" / name).write_text(json.dumps(config), encoding="utf-8")
        argv = [sys.executable, "-m", "aliexp_lib", *args, "--no-browser", "--port", str(_free_port())]
        log = open(tmp_path / f"{args[0]}.log", "wb")  # noqa: SIM115 (closed in finally)
        process = subprocess.Popen(
            argv, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log, text=True
        )
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
        reader.start()
        try:
            url = wait_until(
                f"`aliexp {args[0]}` to print the address to open",
                lambda: _next_url(lines),
                lambda found: bool(found) or process.poll() is not None,
                START_TIMEOUT,
            )
            log_text = (tmp_path / f"{args[0]}.log").read_text(errors="replace")[-3000:]
            assert url, f"`aliexp {args[0]}` stopped: {log_text}"
            yield url, Path(env["JUPYTER_RUNTIME_DIR"])
        finally:
            stop_server(process, timeout=30)  # SIGTERM: the command stops its server, which stops its kernels
            reader.join(timeout=10)  # the pipe is at its end once the command has stopped
            process.stdout.close()
            log.close()


def kernel_transports(folder: Path) -> list[str]:
    """The transport of each kernel whose connection file is in ``folder`` or a folder in it."""
    files = [*folder.glob("kernel-*.json"), *folder.glob("*/kernel-*.json")]
    return [json.loads(path.read_text(encoding="utf-8"))["transport"] for path in files]


def _next_url(lines: queue.Queue[str]) -> str | None:
    while not lines.empty():
        line = lines.get()
        if line.startswith("Open http://127.0.0.1:"):
            return line.split()[1]
    return None


def browser(tmp_path: Path, chromium: Path):
    """A headless Chromium page at 1280x900, ``PAGE_TIMEOUT`` for every step."""
    return browser_page(tmp_path, chromium, 1280, 900, PAGE_TIMEOUT)


def elsewhere(fetched: list[str], url: str) -> list[str]:
    """The addresses of ``fetched`` (every request of a page) that are not the local server of ``url``."""
    origin = "/".join(url.split("/")[:3])  # http://127.0.0.1:PORT
    return [address for address in fetched if not address.startswith((origin + "/", "data:", "blob:"))]


def buyers_file(tmp_path: Path) -> Path:
    orders = tmp_path / "Покупки" / "my orders.csv"
    orders.parent.mkdir()
    orders.write_bytes((REPO / "data" / "sample_orders.csv").read_bytes())
    return orders


#: The font each button's icon is drawn in.
ICON_FONTS = """() => Array.from(document.querySelectorAll('.widget-button i.fa'),
    icon => getComputedStyle(icon, '::before').fontFamily)"""


def week_table(tables: list[dict]) -> dict | None:
    return next((t for t in tables if {"Item", "Due"} <= set(t["header"]) and t["rows"] > 0), None)


def test_aliexp_lab_opens_the_overview_on_the_buyers_file_and_it_runs(tmp_path: Path, chromium: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    orders = buyers_file(tmp_path)
    shipped = (REPO / "notebooks" / "overview.ipynb").read_bytes()
    lab = command(tmp_path, "lab", str(orders), "--today", "2026-03-01")
    with lab as (url, runtime), browser(tmp_path, chromium) as page:
        assert "/lab/tree/overview.ipynb?token=" in url
        fetched: list[str] = []  # every address the page asks for: none but the local server's
        page.on("request", lambda request: fetched.append(request.url))
        try:
            page.goto(url + "&reset", wait_until="domcontentloaded")
            state = wait_until(
                "the overview's kernel to be connected and idle",
                lambda: page.evaluate(KERNEL_STATE),
                lambda s: bool(s) and s["ready"] and s["connection"] == "connected" and s["status"] == "idle",
                PAGE_TIMEOUT,
            )
            assert state["path"] == "overview.ipynb"
            assert kernel_transports(runtime) == ["ipc"]  # on a Unix socket, no TCP port (kernel_sockets)
            panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
            # The parameters cell names the buyer's file, as a literal the buyer can edit.
            assert f'orders_path = "{orders.resolve()}"' in panel.locator(".jp-Cell").nth(1).inner_text()
            page.evaluate(RUN_ALL)
            result = wait_until(
                "Run All Cells", lambda: page.evaluate("() => window.__aliexpRunAll"), bool, PAGE_TIMEOUT
            )
            assert result == {"ok": True}, result
            tables = wait_until("the week's actions", lambda: page.evaluate(TABLES), week_table, PAGE_TIMEOUT)
            assert week_table(tables)
            assert panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
            panel.locator("table").first.scroll_into_view_if_needed(timeout=10_000)
            assert elsewhere(fetched, url) == []
            page.screenshot(path=str(ARTIFACTS / "lab.png"))
        except BaseException:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / "lab-failure.png"), timeout=10_000)
            raise
    work = orders.parent / "aliexp-notebooks"
    assert (work / "overview.ipynb").is_file()
    assert (REPO / "notebooks" / "overview.ipynb").read_bytes() == shipped  # never the shipped one


def test_aliexp_app_shows_the_weeks_actions_and_the_chooser_and_no_code(tmp_path: Path, chromium: Path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    orders = buyers_file(tmp_path)
    app = command(tmp_path, "app", str(orders), "--today", "2026-03-01")
    with app as (url, runtime), browser(tmp_path, chromium) as page:
        said: list[str] = []  # the page's console errors, uncaught exceptions, failed requests: for a failure's message
        page.on("console", lambda message: said.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: said.append(f"uncaught: {error}"))
        page.on("requestfailed", lambda request: said.append(f"request failed: {request.url} ({request.failure})"))
        fetched: list[str] = []  # every address the page asks for: none but the local server's
        page.on("request", lambda request: fetched.append(request.url))
        try:
            page.goto(url, wait_until="domcontentloaded")
            tables = wait_until(
                "the week's actions and the chooser's ranking",
                lambda: page.evaluate(TABLES),
                lambda ts: week_table(ts) is not None and any("aliexp-ranking" in t["cls"] and t["rows"] for t in ts),
                PAGE_TIMEOUT,
            )
            ranking = next(t for t in tables if "aliexp-ranking" in t["cls"])
            assert kernel_transports(runtime) == ["ipc"]  # Voilà's kernel on a Unix socket (kernel_sockets)
            assert ranking["header"][:2] == ["Rank", "Way out"]
            assert page.get_by_text("What needs doing this week").count() >= 1
            text = page.inner_text("body")
            for code in ("analyse_file", "orders_path", "import ", "display("):
                assert code not in text, code
            assert page.locator(".jp-InputArea-editor, .cm-editor, .CodeMirror").count() == 0
            assert "Traceback" not in text and "Error" not in text
            assert elsewhere(fetched, url) == []
            # The buttons' icons come from the page's own Font Awesome (none from a CDN, above).
            icons = page.evaluate(ICON_FONTS)
            assert icons and all("Font Awesome" in font for font in icons), icons
            page.screenshot(path=str(ARTIFACTS / "app.png"), full_page=False)
            page.locator("table.aliexp-ranking").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "app-chooser.png"))
        except BaseException as failure:
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / "app-failure.png"), full_page=True, timeout=10_000)
            failure.add_note("the page's console errors: " + ("\n".join(said[-20:]) or "none"))
            raise
