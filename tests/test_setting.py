"""One setting flows one way: built once from aliexp.toml files and flags, the same in every view.

The book below sits beside an ``aliexp.toml`` that names a rules file with *dated* entries
(protection 75 d and 10 d for a refund to leave the platform, both from 2026-01-01) and a stricter
seller threshold. Every command, the report, the calendar and each notebook must show what
``deadlines``/``resolve`` compute under it, and none may fall back to the bundled defaults.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
import subprocess
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from aliexp_lib import InputError, Setting, analyse, build_setting, compute_deadlines, load_orders, rank_options
from aliexp_lib.setting import CONFIG_DIR_VARIABLE, Choices
from aliexp_lib.views import figures, tables
from aliexp_lib.views.chooser import Chooser
from aliexp_lib.views.widgets import calendar_file
from tests.conftest import aliexp, book, papermill_run

ROOT = Path(__file__).parents[1]
TODAY = dt.date(2026, 3, 20)
#: Order 1: shipped 2026-01-10, protection 75 d -> ask for an extension by 2026-03-24, protection ends
#: 2026-03-26 (60 d: ended 2026-03-11, so no waiting and no dispute).
#: Order 2: refund issued 2026-03-12 -> leaves the platform by 2026-03-22, reaches WebMoney (1 d) by
#: 2026-03-23 (with 5 d: 2026-03-17 and 2026-03-18, both late).
#: Order 3: received and confirmed; a seller rated 97 %: below the 99 % set here (95 % by default).
ORDERS = """order_id,title,price,currency,ordered_at,shipped_at,last_tracking_update_at,received_at,confirmed_at,\
payment_method,refund_issued_at,problem,seller_rating
1,Lamp,1000,RUB,2026-01-05,2026-01-10,2026-03-15,,,card,,not_received,
2,Cable,500,RUB,2026-01-05,2026-01-12,2026-01-20,,,webmoney,2026-03-12,,
3,Case,300,RUB,2026-01-05,2026-01-12,2026-01-20,2026-02-10,2026-02-10,card,,,97
"""
RULES = """[[rule]]
id = "protection_days"
value = 75
applies_from = 2026-01-01
source = "https://example.org/new-protection"

[[rule]]
id = "refund_leaves_platform_days"
value = 10
applies_from = 2026-01-01
source = "https://example.org/slower-refunds"
"""
SETTING = """rules = "my_rules.toml"

[thresholds]
min_seller_rating = 99
"""


@pytest.fixture()
def orders(tmp_path) -> Path:
    (tmp_path / "my_rules.toml").write_text(RULES, encoding="utf-8")
    (tmp_path / "aliexp.toml").write_text(SETTING, encoding="utf-8")
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="utf-8")
    return path


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return aliexp(*args, cwd=cwd)


def notebook(name: str, orders: Path, tmp_path: Path, **parameters) -> str:
    """Run an example notebook on ``orders`` with papermill; everything it showed (its cells' outputs and
    its widgets' output areas, kept in the widgets' state), as one string."""
    out = tmp_path / f"{name}.out.ipynb"
    papermill_run(
        ROOT / "notebooks" / f"{name}.ipynb",
        out,
        ROOT / "notebooks",
        {"orders_path": str(orders), "today": TODAY.isoformat(), **parameters},
    )
    done = nbformat.read(out, as_version=4)
    shown = [c.get("outputs", []) for c in done.cells], done.metadata.get("widgets", {})
    return json.dumps(shown, ensure_ascii=False)


def due(table: pd.DataFrame, order_id: str, kind: str) -> dt.date:
    rows = table[(table["order_id"] == order_id) & (table["kind"] == kind)]
    return pd.Timestamp(rows["due"].iloc[0]).date()


# --- building the setting --------------------------------------------------------------------


def test_the_setting_beside_the_orders_is_read(orders):
    setting = build_setting(orders)
    assert setting.rulebook.days_on("protection_days", dt.date(2026, 1, 10)) == 75
    assert setting.rulebook.days_on("protection_days", dt.date(2025, 12, 31)) == 60  # the day before it applies
    assert setting.thresholds["min_seller_rating"].value == 99
    assert setting.choices.files == (str(orders.parent / "aliexp.toml"),)


def test_later_sources_win_key_by_key(orders, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "aliexp.toml").write_text(
        'currency = "USD"\nlang = "ru"\n[set]\nseller_reply_days = 3\ntracking_check_days = 12\n', encoding="utf-8"
    )
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, str(home))
    explicit = tmp_path / "explicit.toml"
    explicit.write_text('currency = "EUR"\n[set]\ntracking_check_days = 8\n', encoding="utf-8")
    setting = build_setting(orders, explicit, lang="en", set={"seller_reply_days": "4"})
    on = dt.date(2026, 3, 1)
    assert (setting.currency, setting.lang) == ("EUR", "en")  # explicit file over the user's, flag over both
    assert setting.rulebook.days_on("tracking_check_days", on) == 8
    assert setting.rulebook.days_on("seller_reply_days", on) == 4
    assert setting.rulebook.days_on("protection_days", on) == 75  # still from the file beside the orders
    assert len(setting.choices.files) == 3


def test_the_choices_written_out_build_the_same_setting(orders, tmp_path):
    setting = build_setting(orders, currency="USD", assume={"time_rate": "300"})
    written = tmp_path / "handed_on.toml"
    written.write_text(setting.choices.to_toml(), encoding="utf-8")
    again = build_setting(None, written, user_config=False)
    assert again.choices.merged_with(Choices()).currency == "USD"
    assert again.rulebook.to_frame().equals(setting.rulebook.to_frame())
    assert again.assumptions["time_rate"] == 300
    assert again.thresholds["min_seller_rating"].value == 99


@pytest.mark.parametrize(
    "text, message",
    [
        ('colour = "blue"\n', "unknown key 'colour'"),
        ('currency = "XXY"\n', "currency 'XXY': unknown"),
        ('lang = "fr"\n', "lang 'fr': expected one of en, ru"),
        ("[set]\nprotection_days = -1\n", "negative"),
        ("rules = [1]\n", "expected a file name"),
        ("currency = \n", "not valid TOML"),
    ],
)
def test_a_bad_setting_file_is_named_with_what_is_wrong(tmp_path, text, message):
    config = tmp_path / "aliexp.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        build_setting(tmp_path / "orders.csv", user_config=False)
    assert message in str(caught.value)


def test_a_bad_setting_is_a_clear_error_on_the_command_line(orders):
    (orders.parent / "aliexp.toml").write_text('currency = "XXY"\n', encoding="utf-8")
    done = cli("deadlines", str(orders), "--today", TODAY.isoformat(), cwd=orders.parent)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "currency 'XXY': unknown" in done.stderr


# --- the two engines agree under a dated override ----------------------------------------------


def test_resolve_opens_the_dispute_when_deadlines_says_it_may_be_opened(tmp_path):
    """Rule 9 changed from 2026-01-01 (5 d -> 30 d); an order shipped 2025-12-20 keeps 5 d in both engines."""
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[rule]]\nid = "dispute_earliest_days"\nvalue = 30\napplies_from = 2026-01-01\n'
        'source = "https://example.org"\n',
        encoding="utf-8",
    )
    setting = build_setting(rules=str(rules), user_config=False)
    order = book(
        {
            "shipped_at": "2025-12-20",
            "problem": "not_received",
            "price": "100",
            "currency": "RUB",
            "payment_method": "card",
        }
    )
    today = dt.date(2026, 1, 5)
    opens = due(compute_deadlines(order, today, setting.rulebook), "1", "dispute_opens")
    assert opens == dt.date(2025, 12, 25)
    ranking = rank_options(order, today, setting)
    dispute = ranking[ranking["option"] == "dispute_full_refund"].iloc[0]
    # the dispute path starts today (the window is open): 15 d escalation + 7 d decision + 5 d + 15 d to a card
    assert pd.Timestamp(dispute["money_by"]).date() == today + dt.timedelta(days=15 + 7 + 5 + 15)


# --- every view shows the same setting ---------------------------------------------------------


@pytest.fixture()
def analysis(orders):
    return analyse(load_orders(orders), TODAY, build_setting(orders))


def test_the_analysis_holds_what_the_engines_give(analysis):
    assert due(analysis.deadlines, "1", "protection_ends") == dt.date(2026, 3, 26)
    expected = analysis.refunds.set_index("order_id")["expected_by"]
    assert pd.Timestamp(expected["2"]).date() == dt.date(2026, 3, 23)
    assert set(analysis.options["option"]) >= {"wait_and_extend", "dispute_full_refund"}
    assert "low_rating" in set(analysis.checks["check"])


def test_tables_and_figures_render_the_analysis(analysis):
    week = tables.week_actions(analysis)
    # what you must do first (ask for an extension 75 - 2 d after shipping), then what you wait for
    # (the refund leaves the platform 10 d after it was issued)
    assert week[["Order", "Due", "Status"]].values.tolist() == [
        ["1", "Mar 24, 2026", "upcoming"],
        ["2", "Mar 22, 2026", "upcoming"],
    ]
    assert tables.refunds_in_flight(analysis).iloc[0]["Status"] == "upcoming"
    bars = figures.timeline(analysis).data[0]
    assert bars.base[0] == "2026-01-10" and bars.x[0] == 75 * 86_400_000  # shipped + 75 d, in ms
    assert "Mar 24, 2026" in tables.html(week).data


def test_the_chooser_starts_from_the_analysis(analysis):
    chooser = Chooser(analysis)
    answer = chooser.recompute("1", **{k: v for k, v in chooser.defaults("1").items() if k != "price"})
    assert list(answer.ranking["option"]) == list(analysis.options["option"])
    assert np.array_equal(answer.ranking["net_minor"], analysis.options["net_minor"])


def test_the_calendar_widget_and_command_agree(analysis, orders):
    assert b"DTSTART;VALUE=DATE:20260326" in calendar_file(analysis)
    done = cli(
        "calendar", str(orders), "--today", TODAY.isoformat(), "-o", str(orders.parent / "d.ics"), cwd=orders.parent
    )
    assert done.returncode == 0, done.stderr
    assert (orders.parent / "d.ics").read_bytes() == calendar_file(analysis)


def test_the_commands_agree(orders):
    def table(*args):
        done = cli(*args, str(orders), "--today", TODAY.isoformat(), "--format", "json", cwd=orders.parent)
        assert done.returncode == 0, done.stderr
        return pd.read_json(io.StringIO(done.stdout), dtype=False)

    deadlines = table("deadlines")
    ends = deadlines[(deadlines["order_id"] == "1") & (deadlines["kind"] == "protection_ends")]
    assert ends["due"].tolist() == ["2026-03-26"]
    options = table("resolve")
    assert {"wait_and_extend", "dispute_full_refund"} <= set(options["option"])  # protection still runs
    checks = table("checks")
    assert "low_rating" in set(checks["check"])
    rules = cli("rules", "--format", "csv", "--config", str(orders.parent / "aliexp.toml"), cwd=orders.parent)
    assert "https://example.org/new-protection" in rules.stdout


def test_the_report_shows_the_same_setting(orders):
    out = orders.parent / "report.html"
    # relative names, as in the README's command: the notebook runs in another folder
    done = cli("report", orders.name, "--today", TODAY.isoformat(), "-o", out.name, cwd=orders.parent)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert "Mar 24, 2026" in html  # ask for an extension, under protection of 75 d
    assert "Mar 23, 2026" in html  # the refund, with 10 d to leave the platform
    assert "Dispute for a full refund" in html  # the best way out: under 60 d protection would be over


@pytest.mark.parametrize(
    "name, shown",
    [
        ("overview", "Mar 24, 2026"),
        ("money", "Mar 23, 2026"),
        ("checks", "below 99"),
        ("resolution_chooser", "Wait and extend"),
    ],
)
def test_each_notebook_shows_the_same_setting(name, shown, orders, tmp_path):
    assert shown in notebook(name, orders, tmp_path)


def test_the_setting_file_can_be_named_in_a_notebook(orders, tmp_path):
    config = orders.parent / "aliexp.toml"
    elsewhere = tmp_path / "elsewhere" / "orders.csv"
    elsewhere.parent.mkdir()
    elsewhere.write_text(ORDERS, encoding="utf-8")
    assert "Mar 24, 2026" in notebook("overview", elsewhere, tmp_path, config_path=str(config))
    assert "Mar 24, 2026" not in notebook("overview", elsewhere, tmp_path)  # without it: the defaults


def test_default_is_the_bundled_data_only():
    setting = Setting.default()
    assert setting.choices.files == () and setting.rulebook.days_on("protection_days", TODAY) == 60


def test_a_setting_survives_pickling_and_the_bundled_tables_are_not_shared_for_writing():
    # A setting travels to other processes (multiprocessing, Dask workers) by pickle; the bundled
    # tables are read once per process, so what one setting holds must not change the next one's.
    setting = Setting.default(time_rate=300)
    again = pickle.loads(pickle.dumps(setting))
    assert again.assumptions["time_rate"] == 300 and again.rulebook.days_on("protection_days", TODAY) == 60
    setting.postage.loc[0, "low_minor"] = -1
    assert Setting.default().assumptions["time_rate"] != 300 and (Setting.default().postage["low_minor"] >= 0).all()


def test_a_display_currency_without_a_rate_still_makes_the_report_with_one_note(orders):
    """No RUB-CHF rate (the ECB has no RUB since 2022): the report is made, money per currency, one note."""
    done = cli("report", orders.name, "--today", TODAY.isoformat(), "--currency", "CHF", cwd=orders.parent)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("No exchange rate into CHF for RUB") == 1 and "--rates FILE" in done.stderr
    assert "Traceback" not in done.stderr and (orders.parent / "report.html").exists()


def test_the_terminal_tables_speak_the_settings_language_and_files_keep_the_codes(tmp_path, monkeypatch, capsys):
    from aliexp_lib.cli import main

    sample = Path(__file__).resolve().parents[1] / "data" / "sample_orders.csv"
    (tmp_path / "aliexp.toml").write_text('lang = "ru"\n', encoding="utf-8")
    monkeypatch.setenv(CONFIG_DIR_VARIABLE, str(tmp_path))  # the user's setting says Russian
    day = ["--today", "2026-03-01"]
    assert main(["deadlines", str(sample), *day]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("Заказ") and "Конец защиты покупателя" in shown and "Продавец" in shown
    assert main(["resolve", str(sample), *day]) == 0
    assert "Спор на полный возврат денег" in capsys.readouterr().out
    assert main(["deadlines", str(sample), *day, "--format", "csv"]) == 0  # for programs: the codes
    assert capsys.readouterr().out.startswith("order_id,kind,due,days_left,status,actor,action")
    assert main(["deadlines", str(sample), *day, "--lang", "en"]) == 0  # the flag over the file
    shown = capsys.readouterr().out
    assert shown.startswith("order_id") and "protection_ends" in shown
