"""``aliexp lab`` and ``aliexp app``: working copies of the notebooks on the buyer's file, never the shipped ones."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
import socket
import sys
from pathlib import Path

import pytest

from aliexp_lib import cli
from aliexp_lib import lab as labs
from aliexp_lib.analysis import analyse_file
from aliexp_lib.errors import InputError

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample_orders.csv"


def parameters(path: Path) -> dict[str, object]:
    """The parameters cell of a notebook file: each name's literal value (the cell must be literals only)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", []))
    values = {}
    for node in ast.parse("".join(cell["source"])).body:
        assert isinstance(node, ast.Assign), ast.dump(node)
        values[node.targets[0].id] = ast.literal_eval(node.value)  # raises unless a literal
    return values


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    path = tmp_path / "мои заказы" / "my orders.csv"  # spaces and Cyrillic: the literal must stay valid
    path.parent.mkdir()
    path.write_bytes(SAMPLE.read_bytes())
    return path


def test_the_working_copy_reads_the_buyers_file_and_the_shipped_notebooks_stay_as_they_are(tmp_path, orders):
    shipped = {p.name: p.read_bytes() for p in (REPO / "notebooks").glob("*.ipynb")}
    copied, kept = labs.working_copy(tmp_path / "work", orders)
    assert sorted(p.name for p in copied) == sorted(shipped) and kept == []
    for path in copied:
        values = parameters(path)
        assert values["orders_path"] == str(orders.resolve())
        assert values["today"] == ""  # the day the buyer runs it
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        assert all(c["outputs"] == [] for c in cells if c["cell_type"] == "code")  # no sample results shown
    assert {p.name: p.read_bytes() for p in (REPO / "notebooks").glob("*.ipynb")} == shipped
    assert parameters(REPO / "notebooks" / "overview.ipynb")["orders_path"] == "../data/sample_orders.csv"


def test_a_notebook_already_there_is_never_overwritten_and_missing_ones_are_copied(tmp_path, orders):
    work = tmp_path / "work"
    labs.working_copy(work, orders)
    changed = work / "overview.ipynb"
    changed.write_text(changed.read_text(encoding="utf-8").replace("# Overview", "# My notes"), encoding="utf-8")
    mine = changed.read_bytes()
    (work / "money.ipynb").unlink()
    copied, kept = labs.working_copy(work, SAMPLE, today="2026-03-01")
    assert [p.name for p in copied] == ["money.ipynb"]
    assert sorted(p.name for p in kept) == ["checks.ipynb", "overview.ipynb", "resolution_chooser.ipynb"]
    assert changed.read_bytes() == mine
    assert parameters(work / "money.ipynb")["orders_path"] == str(SAMPLE.resolve())


def test_without_orders_the_copies_read_the_sample_on_its_own_day(tmp_path):
    copied, _ = labs.working_copy(tmp_path)
    values = parameters(copied[0])
    assert Path(values["orders_path"]).read_bytes() == SAMPLE.read_bytes()
    assert values["today"] == "2026-03-01"


def test_set_parameters_changes_only_the_literal_and_keeps_the_comment():
    cell = {
        "cell_type": "code",
        "metadata": {"tags": ["parameters"]},
        "source": 'x = 1\norders_path = "a.csv"  # the "orders" file\ntoday = "2026-03-01"  # YYYY-MM-DD\n',
    }
    done = labs.set_parameters({"cells": [cell]}, {"orders_path": 'C:\\Users\\Ольга\\"odd".csv', "absent": "x"})
    assert done == ["orders_path"]
    lines = "".join(cell["source"]).splitlines()
    assert lines[0] == "x = 1" and lines[2] == 'today = "2026-03-01"  # YYYY-MM-DD'
    assert lines[1].endswith('  # the "orders" file')
    tree = ast.parse(lines[1]).body[0]
    assert ast.literal_eval(tree.value) == 'C:\\Users\\Ольга\\"odd".csv'


def test_the_app_page_is_the_overview_then_the_chooser_on_the_buyers_file(orders):
    page = labs.app_notebook(orders, today="2026-03-01")
    cells = page["cells"]
    assert sum("parameters" in c["metadata"].get("tags", []) for c in cells) == 1
    source = "\n".join("".join(c["source"]) for c in cells)
    assert f'orders_path = "{orders.resolve()}"' in source
    assert f'calendar_path = "{orders.resolve().with_name("deadlines.ics")}"' in source
    assert "Chooser(analysis)" in source and "page.week()" in source
    assert "parameters` cell" not in source  # no words about cells on a page without cells
    # Voila's progressive rendering (lab.voila_command) drops what a cell shows after a widget whose
    # model has not reached the page yet: a cell's widget is its last statement, nothing shown after it.
    widgets = 0
    for cell in (c for c in cells if c["cell_type"] == "code"):
        body = ast.parse("".join(cell["source"])).body
        for number, statement in enumerate(body):
            call = statement.value if isinstance(statement, ast.Expr) else None
            func = call.func if isinstance(call, ast.Call) else None
            if isinstance(func, ast.Attribute) and (func.attr == "widget" or ast.unparse(func.value) == "page"):
                widgets += 1
                assert number == len(body) - 1, ast.unparse(statement)
    assert widgets == 7  # the week, the timeline, the money, the missing dates, the calendar, the form, the chooser


def test_an_empty_today_is_the_local_date():
    assert analyse_file(SAMPLE, "", user_config=False).today == dt.date.today()


def test_lab_and_app_report_a_missing_file_in_one_line_before_starting_a_server(tmp_path, capsys):
    for command in ("lab", "app"):
        assert cli.main([command, str(tmp_path / "missing.csv"), "--no-browser"]) == cli.EXIT_BAD_INPUT
        assert capsys.readouterr().err.startswith("error: ")
    assert not (tmp_path / labs.FOLDER_NAME).exists()


def test_lab_and_app_refuse_a_port_another_program_listens_on_in_one_line(tmp_path, orders, capsys):
    # The buyer's own JupyterLab on 8888, say: its page is not ours, and our server would stop on it.
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        for command in ("lab", "app"):
            assert cli.main([command, str(orders), "--no-browser", "--port", port]) == cli.EXIT_BAD_INPUT
            assert capsys.readouterr().err == (
                f"error: port {port} is in use by another program; give another with --port, or leave --port out\n"
            )
    assert not (orders.parent / labs.FOLDER_NAME).exists()  # nothing copied


@pytest.mark.parametrize(("exit_status", "ends"), [(0, "stopped"), (3, "the server stopped (exit 3)")])
def test_a_server_that_fails_after_it_answered_is_an_error_and_one_that_ends_well_is_not(
    tmp_path, capsys, exit_status, ends
):
    port = labs.free_port()
    # A server that listens for a second, then ends with ``exit_status``.
    server = [sys.executable, "-c", f"import socket, sys, time; s = socket.create_server(('127.0.0.1', {port}))"]
    server[-1] += f"; time.sleep(1); sys.exit({exit_status})"
    if exit_status:
        with pytest.raises(InputError, match=re.escape(ends)):
            labs.run_server(server, tmp_path, port, "http://here", open_browser=False)
    else:
        assert labs.run_server(server, tmp_path, port, "http://here", open_browser=False) == ends
    assert "Open http://here" in capsys.readouterr().out  # it had answered


def test_the_servers_listen_on_the_loopback_interface_only(tmp_path):
    assert "--ServerApp.ip=127.0.0.1" in labs.lab_command(tmp_path, 8888)
    assert "--Voila.ip=127.0.0.1" in labs.voila_command(tmp_path / "a.ipynb", 8866)


def test_the_app_page_draws_each_widget_when_its_model_arrives():
    # Voila's default restores every widget from the kernel once the notebook has run; on a busy
    # machine that left some of the page's widgets "not found" (3 of ~110 loads under load here).
    # Progressive rendering draws each widget when its model reaches the page instead.
    assert "--VoilaConfiguration.progressive_rendering=True" in labs.voila_command(Path("a.ipynb"), 8866)


def test_the_servers_ask_nothing_of_the_internet():
    # JupyterLab's default update check asks PyPI from the server, out of the browser's sight (the
    # browser tests check what the pages ask for); Voila's own page template fetches Font Awesome.
    assert "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate" in labs.lab_command(Path("."), 8888)
    assert "--template=aliexp" in labs.voila_command(Path("a.ipynb"), 8866)
    template = labs.TEMPLATES / "voila" / "templates" / "aliexp" / "index.html.j2"
    assert template.is_file() and str(labs.TEMPLATES) in labs.voila_env()["JUPYTER_PATH"]


def test_a_bad_parameters_cell_is_refused():
    with pytest.raises(InputError, match="parameters"):
        labs.set_parameters({"cells": []}, {"orders_path": "x"})
