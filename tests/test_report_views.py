"""The report's plain-words views (``views.todo``) and its fixed charts, on the bundled sample."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from aliexp_lib import analyse_file
from aliexp_lib.i18n import _
from aliexp_lib.kinds import ACTORS, KINDS
from aliexp_lib.views import figures, todo

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def analysis():
    return analyse_file(ROOT / "data" / "sample_orders.csv", TODAY)


def test_every_kind_names_who_acts():
    assert {k.actor for k in KINDS} <= set(ACTORS)
    who = {k.name: k.actor for k in KINDS}
    assert who["seller_reply_due"] == "seller" and who["refund_overdue"] == "bank"
    assert who["auto_escalation"] == who["decision_due"] == who["refund_leaves_platform"] == "platform"
    assert who["protection_ends"] == who["return_ship_by"] == "you"


@pytest.mark.parametrize(
    "days, en, ru",
    [(0, "today", "сегодня"), (1, "tomorrow", "завтра"), (-1, "yesterday", "вчера"), (-2, "2 days ago", "2 дн. назад")],
)
def test_days_in_words(days, en, ru):
    due = TODAY + dt.timedelta(days)
    assert todo.when_text(days, due, "en") == en
    assert todo.when_text(days, due, "ru") == ru


def test_a_later_day_says_its_date():
    assert todo.when_text(3, dt.date(2026, 3, 4), "en") == "in 3 days (Mar 4, 2026)"


def test_your_actions_are_yours_today_first_one_per_order(analysis):
    mine = todo.your_actions(analysis)
    assert mine["when"].head(3).tolist() == ["today"] * 3
    assert mine["order_id"].is_unique and (mine["item"] != "").all()
    assert not mine["action"].str.startswith("Wait:").any()  # a window that opens is not a task


def test_waiting_on_others_is_grouped_by_who_acts(analysis):
    theirs = todo.waiting_on_others(analysis)
    order = [todo.ACTOR_NAMES[a] for a in ACTORS]
    assert theirs["actor"].tolist() == sorted(theirs["actor"], key=order.index)
    assert set(theirs["actor"]) == {"The seller", "AliExpress", "Your bank or wallet"}


def test_rule_references_leave_the_text_for_a_tooltip(analysis):
    from aliexp_lib.views import tables

    titles = analysis.book.table.set_index("order_id")["title"]
    shown = todo.page_table(tables.warnings_table(analysis), "en", titles=titles).data
    assert "seed L" in shown and "seed L" not in re.sub(r'title="[^"]*"', "", shown)


def test_every_word_of_the_report_has_a_russian_translation():
    words = [*todo.ACTOR_NAMES.values(), *todo.HEADINGS.values(), *todo.PLAIN.values()]
    assert [w for w in words if w != "AliExpress" and _(w, "ru") == w] == []


def test_month_bars_sit_on_their_months(analysis):
    figure = figures.spend_chart(analysis)
    assert figure.layout.xaxis.type == "category"
    assert list(figure.data[0].x) == sorted(figure.data[0].x)


def test_the_timeline_is_labelled_by_item_with_the_order_in_the_hover(analysis):
    figure = figures.timeline(analysis)
    labels = list(figure.layout.yaxis.categoryarray)
    assert len(labels) == len(set(labels))
    titles = set(analysis.book.table["title"])
    assert all(label.split(" (…")[0] in titles for label in labels)
    marks = figure.data[1]
    assert all(c.startswith("order ") for c in marks.customdata)


def test_items_link_to_their_order_page_where_the_file_gives_one_and_only_to_web_pages():
    from aliexp_lib import OrderBook, Setting, analyse
    from aliexp_lib.views import todo

    page = "https://www.aliexpress.com/p/order/detail.html?orderId=1"
    book = OrderBook.from_frame(
        pd.DataFrame(
            [
                {"order_id": "1", "title": "Lamp", "shipped_at": "2026-02-20", "order_url": page},
                {"order_id": "2", "title": "Cable", "shipped_at": "2026-02-20", "order_url": "javascript:alert(1)"},
            ]
        )
    )
    shown = todo.actions(analyse(book, dt.date(2026, 3, 2), Setting.default())).data
    assert f'<a href="{page}" target="_blank" rel="noopener">Lamp</a>' in shown
    assert "Cable" in shown and "javascript:" not in shown
