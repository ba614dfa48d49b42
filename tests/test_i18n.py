"""Translations of the checks' texts (tracking, risk, order checks): every message id has Russian, placeholders kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from string import Formatter

import pytest
from babel.messages.pofile import read_po

from aliexp_lib import risk, tracking
from aliexp_lib.checks import order_checks
from aliexp_lib.i18n import LABELS, label
from aliexp_lib.orders import load_orders

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = (*tracking.MESSAGES, *risk.MESSAGES)
CODES = (
    "low_rating",
    "young_store",
    "few_orders",
    "cashback_scam",
    "saver_received_early",
    "tracking_number",
    "tracking_reused",
    "signal",
)


@pytest.fixture(scope="module")
def russian() -> dict[str, str]:
    with (ROOT / "data" / "i18n" / "ru.po").open("rb") as handle:
        catalogue = read_po(handle, locale="ru")
    return {m.id: m.string for m in catalogue if m.id}


def fields(text: str) -> list[str]:
    return sorted(name for _literal, name, _spec, _conversion in Formatter().parse(text) if name is not None)


def test_the_modules_declare_their_messages():
    assert len(TEMPLATES) == len(set(TEMPLATES))
    assert {"rule {rule}, seed {lines}", "unknown", "missing", "carrier-specific number"} <= set(tracking.MESSAGES)
    assert all(isinstance(t, str) and t for t in TEMPLATES)


@pytest.mark.parametrize("msgid", TEMPLATES)
def test_every_template_has_a_russian_translation_with_the_same_placeholders(msgid, russian):
    translation = russian.get(msgid, "")
    assert translation and translation != msgid
    assert fields(translation) == fields(msgid)
    assert all(spec == "" and conversion is None for _l, name, spec, conversion in Formatter().parse(msgid) if name)
    filled = translation.format(**{name: "1" for name in fields(msgid)})
    assert "{" not in filled and "}" not in filled


@pytest.mark.parametrize("code", CODES)
def test_signal_and_check_codes_have_display_names_in_both_languages(code, russian):
    assert code in LABELS
    assert russian.get(LABELS[code]) == label(code, "ru") != LABELS[code]


def test_order_checks_in_russian():
    book = load_orders(ROOT / "data" / "sample_orders.csv")
    today = dt.date(2026, 3, 1)
    english, table = order_checks(book, today), order_checks(book, today, lang="ru")
    assert table[["order_id", "check"]].equals(english[["order_id", "check"]])
    assert not table.empty
    for column in ("reason", "rule"):
        assert table[column].str.contains("[а-яё]", regex=True).all()
        assert not table[column].str.contains("[{}]", regex=True).any()
    assert table["rule"].str.startswith("правило ").all()
    assert "рейтинг магазина 93,5% ниже 95%" in set(table["reason"].str.split(":").str[0])
