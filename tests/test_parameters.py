"""A bad notebook parameter is an ``InputError`` naming the parameter and its value (issue 14).

Before, ``today="2026-13-45"`` gave Python's "month must be in 1..12" and the chooser without an
analysis "'NoneType' object has no attribute ...": the user could not tell which value to fix.
The notebooks run under papermill as tests/test_notebooks.py runs them; the report command as a user
runs it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from papermill.exceptions import PapermillExecutionError

from aliexp_lib import Setting, analyse_file
from aliexp_lib.errors import InputError
from aliexp_lib.parameters import date_parameter
from aliexp_lib.report import write_report
from aliexp_lib.views.chooser import Chooser
from aliexp_lib.views.live import Overview, tracking_checker
from tests.conftest import papermill_run

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample_orders.csv"
NOTEBOOKS = [*sorted((ROOT / "notebooks").glob("*.ipynb")), ROOT / "aliexp_lib" / "templates" / "report.ipynb"]


def _error_of(notebook: Path, tmp_path: Path, **parameters) -> tuple[str, str]:
    with pytest.raises(PapermillExecutionError) as failed:
        papermill_run(notebook, tmp_path / "out.ipynb", notebook.parent, {"orders_path": str(SAMPLE), **parameters})
    return failed.value.ename, failed.value.evalue


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_a_day_that_does_not_exist_is_named_in_every_notebook(notebook, tmp_path):
    assert _error_of(notebook, tmp_path, today="2026-13-45") == (
        "InputError",
        "today: '2026-13-45' is not a date (YYYY-MM-DD)",
    )


def test_the_chooser_notebook_names_a_missing_orders_path(tmp_path):
    ename, evalue = _error_of(ROOT / "notebooks" / "resolution_chooser.ipynb", tmp_path, orders_path=None)
    assert (ename, evalue) == (
        "InputError",
        'orders_path: None is no file path; give the path of your order file, e.g. "orders.csv"',
    )


def test_the_chooser_without_an_analysis_says_which_cell_to_look_at():
    with pytest.raises(InputError, match=r"^analysis: None is not an analysis of your orders; run the first cell"):
        Chooser(None)


@pytest.mark.parametrize(
    ("parameters", "message"),
    [
        ({"today": "2026-13-45"}, "today: '2026-13-45' is not a date (YYYY-MM-DD)"),
        ({"today": "2026-02-29"}, "today: '2026-02-29' is not a date (YYYY-MM-DD)"),  # not a leap year
        ({"today": "1.3.2026"}, "today: '1.3.2026' is not a date (YYYY-MM-DD)"),
        ({"today": 20260301}, "today: 20260301 is not a date (YYYY-MM-DD)"),
        ({"orders_path": None}, "orders_path: None is no file path"),
        ({"orders_path": ""}, "orders_path: '' is no file path"),
        ({"fmt": 3}, "orders_format: 3 is not text"),
        ({"config": 5}, "config_path: 5 is no file path"),
        ({"currency": 12}, 'currency: 12 is not text; write it in quotes, e.g. "RUB"'),
        ({"lang": 5}, "lang: 5 is not text"),
    ],
)
def test_every_bad_parameter_of_analyse_file_is_named_with_its_value(parameters, message):
    given = {"orders_path": str(SAMPLE), "today": "2026-03-01", "fmt": "", "config": "", **parameters}
    with pytest.raises(InputError) as failed:
        analyse_file(given.pop("orders_path"), given.pop("today"), user_config=False, **given)
    assert str(failed.value).startswith(message)


@pytest.mark.parametrize("today", ["2026-02-28", "2028-02-29", "", None, dt.date(2026, 3, 1)])
def test_good_days_pass(today):
    assert isinstance(date_parameter("today", today), dt.date)
    assert date_parameter("today", "2028-02-29") == dt.date(2028, 2, 29)  # the leap day, on the good side


def test_view_helpers_name_their_parameters():
    analysis = analyse_file(SAMPLE, "2026-03-01", user_config=False)
    with pytest.raises(InputError, match=r"^numbers: 5 is not text"):
        tracking_checker(5, "en")
    with pytest.raises(InputError, match=r"^calendar_path: None is no file path"):
        Overview(analysis, str(SAMPLE)).calendar_button(None)
    with pytest.raises(InputError, match=r"^analysis: None is not an analysis"):
        Overview(None, str(SAMPLE))


def test_the_report_names_a_bad_parameter_of_its_notebook_in_one_line(tmp_path):
    with pytest.raises(InputError) as failed:
        write_report(SAMPLE, tmp_path / "report.html", dt.date(2026, 3, 1), Setting.default(), fmt=5)  # type: ignore[arg-type]
    assert str(failed.value) == (
        'the report could not be made: orders_format: 5 is not text; write it in quotes, e.g. "orders_csv"'
    )
    assert not (tmp_path / "report.html").exists()


def test_the_report_command_names_a_bad_day_in_one_line_and_exits_2(tmp_path, capsys):
    from aliexp_lib.cli import main

    with pytest.raises(SystemExit) as stopped:  # argparse's own exit for a bad option
        main(["report", str(SAMPLE), "--today", "2026-13-45", "-o", str(tmp_path / "r.html")])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "--today: '2026-13-45' is not a date" in err and "Traceback" not in err
