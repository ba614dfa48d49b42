"""The README's promises: its test command is what CI runs; its example row loads."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from aliexp_lib import OrderBook, compute_deadlines
from aliexp_lib.orders import SCHEMA
from tests.conftest import TODAY

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


def test_ci_runs_the_readme_test_command_verbatim():
    main_command, test_command = blocks("bash")[:2]
    assert "pytest" in test_command and "--today 2026-03-01" in main_command
    assert test_command.strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def test_the_example_row_has_every_schema_column_and_loads():
    (example,) = blocks("csv")
    raw = pd.read_csv(io.StringIO(example), dtype=str, keep_default_na=False)
    assert tuple(raw.columns) == SCHEMA
    table = compute_deadlines(OrderBook.from_frame(raw), TODAY)
    assert set(table["kind"]) >= {"protection_ends", "seller_reply_due"}


def test_the_python_example_runs(monkeypatch):
    (example,) = blocks("python")
    monkeypatch.chdir(ROOT)
    found: dict = {}
    exec(example, found)
    assert found["analysis"].setting.currency == "USD"
    assert len(found["analysis"].options) and len(found["analysis"].next_actions)


def test_the_setting_example_is_a_valid_setting_file(tmp_path):
    from aliexp_lib.setting import read_choices

    (example,) = blocks("toml")[1:] or [""]  # the rulebook example comes first
    path = tmp_path / "aliexp.toml"
    path.write_text(example, encoding="utf-8")
    choices = read_choices(path, required=True)
    assert (choices.currency, choices.lang, choices.destination) == ("EUR", "ru", "KZ")
    assert choices.set == {"protection_days": 75} and choices.rules == str(tmp_path / "my_rules.toml")
