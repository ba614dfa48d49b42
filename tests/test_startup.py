"""Start-up: ``import aliexp_lib`` and ``aliexp --help`` import no heavy library (issue 12, point 4).

Checked by structure, never by time (the machine may be loaded): what ``sys.modules`` holds after each
in a fresh interpreter. The times are printed by ``benchmarks/bench_startup.py`` against the 0.3 s goal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from aliexp_lib import caselog, cli_choices, i18n, importers, schema, setting

#: Imported only where used: none of them for the package itself or for the command line's help.
HEAVY = ("pandas", "numpy", "plotly", "openpyxl", "currency_converter", "papermill", "nbconvert", "babel", "icalendar")

#: Runs ``code`` (a ``SystemExit`` of argparse's help is the end of it), then prints the top-level modules loaded.
_PROBE = """
import contextlib, io, json, sys
try:
    with contextlib.redirect_stdout(io.StringIO()):
        {code}
except SystemExit as exc:
    assert exc.code == 0, exc.code
print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))
"""


def _top_modules(code: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", _PROBE.format(code=code)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.splitlines()[-1]))


@pytest.mark.parametrize(
    "code",
    [
        "import aliexp_lib",
        "import aliexp_lib.cli",
        "from aliexp_lib.cli import main; main(['--help'])",
        "from aliexp_lib.cli import main; main(['report', '--help'])",
    ],
    ids=["import aliexp_lib", "import aliexp_lib.cli", "aliexp --help", "aliexp report --help"],
)
def test_starting_imports_no_heavy_library(code):
    loaded = _top_modules(code)
    assert not loaded & set(HEAVY), f"imported at start: {sorted(loaded & set(HEAVY))}"


def test_a_public_name_is_imported_on_first_use():
    loaded = _top_modules("from aliexp_lib import analyse, OrderBook")
    assert "pandas" in loaded
    assert {"plotly", "papermill", "openpyxl", "nbconvert"}.isdisjoint(loaded)  # nor does an analysis need them
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        _ = __import__("aliexp_lib").nonsense


def test_the_deadlines_command_needs_no_figures_report_or_workbook_library():
    loaded = _top_modules(
        "from aliexp_lib.cli import main; main(['deadlines', 'data/sample_orders.csv', '--today', '2026-03-01'])"
    )
    assert "pandas" in loaded
    assert {"plotly", "papermill", "openpyxl", "nbconvert", "ipywidgets"}.isdisjoint(loaded)


def test_the_command_lines_choices_are_the_librarys_own():
    assert cli_choices.LANGUAGES == i18n.LANGUAGES
    assert cli_choices.NATIVE_FORMAT == schema.NATIVE_FORMAT
    assert cli_choices.CONFIG_NAME == setting.CONFIG_NAME
    assert tuple(importers.FORMATS) == cli_choices.FORMATS
    assert cli_choices.EVENTS == caselog.EVENTS


#: A command on the sample in a fresh interpreter, then the allocator and numpy's page choice it ran with.
_ALLOCATION = """
import contextlib, io, sys
from aliexp_lib import cli
with contextlib.redirect_stdout(io.StringIO()):
    cli.main(["deadlines", "data/sample_orders.csv", "--today", "2026-03-01", "--format", "csv"])
import pyarrow
try:
    from numpy._core.multiarray import _get_madvise_hugepage
except ImportError:  # numpy 1
    from numpy.core.multiarray import _get_madvise_hugepage
print(pyarrow.default_memory_pool().backend_name, _get_madvise_hugepage())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the defaults are set on Linux only")
@pytest.mark.parametrize(
    ("user", "expected"),
    [({}, "jemalloc False"), ({"ARROW_DEFAULT_MEMORY_POOL": "system", "NUMPY_MADVISE_HUGEPAGE": "1"}, "system True")],
)
def test_the_command_sets_its_allocation_defaults_unless_the_user_did(user, expected):
    env = {k: v for k, v in os.environ.items() if k not in ("ARROW_DEFAULT_MEMORY_POOL", "NUMPY_MADVISE_HUGEPAGE")}
    done = subprocess.run([sys.executable, "-c", _ALLOCATION], capture_output=True, text=True, env={**env, **user})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[-2] == expected
