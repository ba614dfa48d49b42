"""Each example notebook and the report, run by papermill with other parameters into a temporary folder.

nbval (pytest --nbval, on by default) checks the stored outputs of the committed notebooks; here
the same notebooks run with another day, in Russian, on a single order and on an empty order book,
and the results are checked from outside.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.conftest import papermill_run

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
SAMPLE = ROOT / "data" / "sample_orders.csv"
CHEAP_DEFECT = "8100000000042546"


@pytest.fixture(scope="module")
def order_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("orders")
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    single, empty = folder / "single.csv", folder / "empty.csv"
    single.write_text(
        "\n".join([lines[0], *[line for line in lines if line.startswith(CHEAP_DEFECT)]]) + "\n", encoding="utf-8"
    )
    empty.write_text(lines[0] + "\n", encoding="utf-8")
    return {"single": single, "empty": empty}


def run(name: str, tmp_path: Path, **parameters) -> nbformat.NotebookNode:
    out = tmp_path / f"{name}.ipynb"
    papermill_run(ROOT / "notebooks" / f"{name}.ipynb", out, ROOT / "notebooks", parameters)
    return nbformat.read(out, as_version=4)


def text_of(notebook: nbformat.NotebookNode) -> str:
    """Everything the notebook showed, as one string: its cells' outputs and its widgets' state (what
    a widget's own output area shows is kept there)."""
    shown = [cell.get("outputs", []) for cell in notebook.cells], notebook.metadata.get("widgets", {})
    return json.dumps(shown, ensure_ascii=False)


def test_every_example_notebook_is_here():
    assert NOTEBOOKS == ["checks", "money", "overview", "resolution_chooser"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_another_day_in_russian_on_a_single_order(name, tmp_path, order_files):
    notebook = run(name, tmp_path, orders_path=str(order_files["single"]), today="2026-03-10", lang="ru")
    shown = text_of(notebook)
    assert notebook.metadata.papermill.parameters["lang"] == "ru"
    assert "Traceback" not in shown
    if name == "resolution_chooser":
        assert "Частичный возврат без отправки товара" in shown  # the seed, L334
    elif name == "overview":
        assert "Что нужно сделать на этой неделе" in shown
    elif name == "money":
        assert "Потрачено" in shown
    else:
        assert "Трек-номер" in shown


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_an_empty_order_book_runs_top_to_bottom(name, tmp_path, order_files):
    notebook = run(name, tmp_path, orders_path=str(order_files["empty"]))
    assert all(output.get("output_type") != "error" for cell in notebook.cells for output in cell.get("outputs", []))


def test_the_report_command_writes_html_without_code_with_its_charts(tmp_path, order_files):
    from aliexp_lib.cli import main
    from aliexp_lib.report import ours_notebook, ours_report

    out = tmp_path / "weekly" / "report.html"
    out.parent.mkdir()  # a missing folder is refused, not created (tests/test_safe_write.py)
    assert main(["report", str(SAMPLE), "--today", "2026-03-01", "-o", str(out), "--lang", "ru", "--notebook"]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Сделать сегодня и на этой неделе" in html and '<html lang="ru">' in html  # read out as Russian
    # plotly.js inlined (megabytes), not loaded from a CDN: the charts work offline
    assert "Plotly.newPlot" in html and len(html) > 3_000_000
    assert not re.search(r"<script[^>]*\bsrc=[\"'][^\"']*plot", html)
    assert "load_orders(" not in html and 'class="jp-InputArea' not in html  # no code cells
    assert out.with_suffix(".ipynb").exists()  # asked for with --notebook
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.html", "report.ipynb"]  # no leftovers
    assert '<meta name="viewport"' in html
    # a later run knows both files as its own by their marks alone, without the record of what it wrote
    assert ours_report(out) and ours_notebook(out.with_suffix(".ipynb"))


def test_the_report_never_overwrites_a_file_that_is_not_a_report(tmp_path, capsys):
    from aliexp_lib.cli import main

    mine = tmp_path / "report.html"
    mine.write_text("<p>my own page</p>", encoding="utf-8")
    assert main(["report", str(SAMPLE), "--today", "2026-03-01", "-o", str(mine)]) == 2
    assert "was not written by aliexp" in capsys.readouterr().err
    assert mine.read_text(encoding="utf-8") == "<p>my own page</p>"


def test_a_report_whose_kernel_dies_before_answering_starts_it_again(tmp_path, monkeypatch):
    """A kernel dead before its first answer (seen once on a busy machine) is started again: the report
    is made."""
    import papermill

    from aliexp_lib.cli import main

    real, calls = papermill.execute_notebook, []

    def dies_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")
        return real(*args, **kwargs)

    monkeypatch.setattr(papermill, "execute_notebook", dies_once)
    out = tmp_path / "report.html"
    assert main(["report", str(SAMPLE), "--today", "2026-03-01", "-o", str(out)]) == 0
    assert len(calls) == 2 and "aliexp-report" in out.read_text(encoding="utf-8")


def test_the_report_runs_on_the_kernel_it_started_before_checking_the_orders_and_stops_it(tmp_path, monkeypatch):
    """One kernel per report, started before the orders are read (it boots meanwhile) and shut down
    at the end; a file that fails its checks stops it as well, and no report is written."""
    from jupyter_client.manager import AsyncKernelManager

    from aliexp_lib import commands
    from aliexp_lib.cli import main

    events, managers = [], []
    real_start, real_analysis = AsyncKernelManager.start_kernel, commands.analysis_of

    async def start_kernel(self, **kwargs):
        events.append("kernel started")
        managers.append(self)
        return await real_start(self, **kwargs)

    def analysis_of(args):
        events.append("orders read")
        return real_analysis(args)

    monkeypatch.setattr(AsyncKernelManager, "start_kernel", start_kernel)
    monkeypatch.setattr(commands, "analysis_of", analysis_of)
    out = tmp_path / "report.html"
    assert main(["report", str(SAMPLE), "--today", "2026-03-01", "-o", str(out)]) == 0
    assert events == ["kernel started", "orders read"] and "aliexp-report" in out.read_text(encoding="utf-8")
    assert not managers[0].has_kernel
    bad = tmp_path / "bad.csv"
    bad.write_text("order_id,price\n81,abc\n", encoding="utf-8")
    assert main(["report", str(bad), "--today", "2026-03-01", "-o", str(tmp_path / "bad.html")]) == 2
    assert len(managers) == 2 and not managers[1].has_kernel and not (tmp_path / "bad.html").exists()


def test_a_report_whose_kernel_never_starts_says_so_in_one_line_with_the_kernels_words(tmp_path, monkeypatch, capsys):
    import papermill

    from aliexp_lib import report
    from aliexp_lib.cli import main

    def never_starts(*args, **kwargs):
        os.write(2, b"zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:51234')\n")  # the kernel's
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(papermill, "execute_notebook", never_starts)
    out = tmp_path / "report.html"
    assert main(["report", str(SAMPLE), "--today", "2026-03-01", "-o", str(out)]) == 2
    (said,) = capsys.readouterr().err.strip().splitlines()
    assert f"kernel did not start, {report.KERNEL_STARTS} times" in said and "Address already in use" in said
    assert not out.exists()


def test_the_report_on_an_empty_order_book(tmp_path, order_files):
    from aliexp_lib import Setting
    from aliexp_lib.report import write_report

    html, _notebook = write_report(
        order_files["empty"], tmp_path / "report.html", __import__("datetime").date(2026, 3, 1), Setting.default()
    )
    assert "aliexp-report" in html.read_text(encoding="utf-8")


def test_notebooks_hold_literals_in_their_parameters_cell():
    for path in [*(ROOT / "notebooks").glob("*.ipynb"), ROOT / "aliexp_lib" / "templates" / "report.ipynb"]:
        notebook = nbformat.read(path, as_version=4)
        (cell,) = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
        for line in cell.source.splitlines():
            value = line.split("=", 1)[1].split("#")[0].strip()
            assert value[0] in "\"'0123456789-" or value in ("True", "False", "None"), (path.name, line)


def test_a_notebooks_first_figure_does_not_compile_jsonschemas_iri_grammars():
    # Showing a plotly figure imports nbformat, then jsonschema, whose "iri" checker compiles ~40
    # grammars (1.2 s per kernel); importing aliexp_lib.views first keeps it out (views/__init__).
    first_figure = "import aliexp_lib.views; import plotly.io as pio; pio.renderers.default = 'plotly_mimetype'"
    probe = "; import sys; print('jsonschema' in sys.modules, sys.modules.get('rfc3987_syntax', 'absent'))"
    done = subprocess.run([sys.executable, "-c", first_figure + probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "None"], done.stdout  # jsonschema loaded, its iri checker not
    for path in [*(ROOT / "notebooks").glob("*.ipynb"), ROOT / "aliexp_lib" / "templates" / "report.ipynb"]:
        source = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        views = re.search(r"^from aliexp_lib\.views[. ]", source, re.MULTILINE)
        assert views and views.start() < source.index("pio.renderers.default"), path.name


def test_copying_a_notebook_elsewhere_keeps_it_runnable(tmp_path):
    shutil.copy(ROOT / "notebooks" / "money.ipynb", tmp_path / "money.ipynb")
    out = tmp_path / "out.ipynb"
    papermill_run(tmp_path / "money.ipynb", out, tmp_path, {"orders_path": str(SAMPLE)})
    assert "Spent" in text_of(nbformat.read(out, as_version=4))
