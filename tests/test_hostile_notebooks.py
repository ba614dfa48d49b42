"""The README's promise for the notebooks: every example notebook and the report's, run on every file of
``tests/hostile/``, ends either whole or in an ``InputError`` naming what to fix, and leaves the file as it was.

The cells run in this process, in one IPython shell, as a kernel runs them (the parameters cell, then
the values papermill would inject, then the rest): a kernel and the HTML export per run would take a
minute a file here, and neither changes what the cells do with the orders. The report command itself
runs end to end in ``tests/test_hostile_audit.py``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from aliexp_lib.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = sorted(p for p in (ROOT / "tests" / "hostile").iterdir() if p.suffix in (".csv", ".xlsx"))
NOTEBOOKS = [ROOT / "aliexp_lib" / "templates" / "report.ipynb", *sorted((ROOT / "notebooks").glob("*.ipynb"))]


def run_cells(notebook: Path, parameters: dict) -> BaseException | None:
    """Run ``notebook``'s code cells in a fresh namespace with ``parameters`` set after its parameters
    cell; the exception a cell raised, or None when every cell ran."""
    shell = InteractiveShell.instance()
    shell.showtraceback = lambda *args, **kwargs: None  # the error is returned; formatting it costs 0.2 s
    shell.user_ns.clear()  # a fresh namespace (``reset`` also collects garbage: 0.1 s a run)
    shell.init_user_ns()
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        with contextlib.redirect_stdout(io.StringIO()):  # what ``display`` shows outside a front end
            result = shell.run_cell("".join(cell["source"]), silent=True)
        if not result.success:
            return result.error_in_exec or result.error_before_exec
        if "parameters" in cell["metadata"].get("tags", []):
            shell.user_ns.update(parameters)
    return None


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_notebook_on_every_hostile_file_runs_whole_or_names_what_to_fix(notebook, tmp_path):
    ran, refused = [], []
    for hostile in HOSTILE:
        path = tmp_path / hostile.name
        path.write_bytes(hostile.read_bytes())
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        error = run_cells(notebook, {"orders_path": str(path), "today": "2026-03-01"})
        assert error is None or isinstance(error, InputError), (hostile.name, repr(error))
        assert error is None or str(path) in str(error) or "orders_path" in str(error), (hostile.name, str(error))
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before, hostile.name  # only read
        (ran if error is None else refused).append(hostile.name)
    assert "utf8_bom.csv" in ran and "html_script_titles.csv" in ran and "binary_garbage.csv" in refused


def test_the_spend_chart_names_orders_without_an_order_date():
    """The report and the money notebook failed on every hostile file that loads ("Invalid isoformat
    string: '-01'"): an order without ``ordered_at`` has the month "", which had no name."""
    from aliexp_lib import analyse_file
    from aliexp_lib.views.figures import spend_chart

    chart = spend_chart(analyse_file(str(ROOT / "tests" / "hostile" / "utf8_bom.csv"), "2026-03-01"))
    assert list(chart.layout.xaxis.ticktext) == ["no order date"]
