"""Issue 10, points 3-5 and 7 for deadlines: urgency that never hides the last day, one truth for refund
timing, and events that end things. Each test names the seed line or rule it follows."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from aliexp_lib import Setting, analyse, compute_deadlines, load_rulebook, next_actions
from aliexp_lib.kinds import ACTORS, KINDS, Expiry
from aliexp_lib.views.tables import week_actions
from aliexp_lib.views.todo import waiting_on_others, your_actions
from tests.conftest import TODAY, book, day, deadline

ONE = dt.timedelta(days=1)
RULES = load_rulebook()


def statuses(order: dict, today: dt.date = TODAY) -> dict[str, str]:
    table = compute_deadlines(book(order), today)
    return dict(zip(table["kind"].astype(str), table["status"].astype(str), strict=True))


class TestTheLastDayIsNeverHidden:
    def test_protection_ending_today_is_the_next_action_not_the_missed_extension(self):
        # Rule 2 (L56): 60 d; rule 7 (L75): ask 2 d before. On the last day the request is missed, the dispute is not.
        order = {"shipped_at": "2025-12-31"}  # protection ends 2026-03-01 = TODAY
        assert statuses(order) == {
            "dispute_opens": "done",
            "tracking_check": "overdue",
            "ask_extension": "overdue",
            "protection_ends": "due_today",
        }
        top = next_actions(compute_deadlines(book(order), TODAY)).iloc[0]
        assert (top["kind"], top["status"], top["days_left"]) == ("protection_ends", "due_today", 0)

    def test_due_today_and_tomorrow_outrank_a_missed_day_and_the_day_after_does_not(self):
        tomorrow = {"shipped_at": "2026-01-01"}  # protection ends 03-02 (rule 2, L56)
        missed = {"shipped_at": "2026-01-20", "dispute_opened_at": "2026-02-10"}  # escalation missed 02-25 (L197)
        in_two_days = {"shipped_at": "2026-01-04", "last_tracking_update_at": "2026-02-25"}  # ask by 03-03 (rule 7)
        today = {"shipped_at": "2026-01-02"}  # ask for an extension by 03-01
        top = next_actions(compute_deadlines(book(tomorrow, missed, in_two_days, today), TODAY))
        assert list(zip(top["order_id"], top["kind"], top["days_left"], strict=True)) == [
            ("4", "ask_extension", 0),
            ("1", "protection_ends", 1),
            ("2", "auto_escalation", -4),
            ("3", "ask_extension", 2),
        ]


class TestExpired:
    def test_an_order_shipped_two_years_ago_is_no_alarm(self):
        old = {"shipped_at": "2024-02-01"}
        rows = statuses(old)
        assert set(rows.values()) <= {"expired", "done"}
        assert rows["tracking_check"] == rows["protection_ends"] == "expired"
        assert next_actions(compute_deadlines(book(old), TODAY)).empty
        analysis = analyse(book(old), TODAY, Setting.default())
        assert your_actions(analysis).empty and waiting_on_others(analysis).empty and week_actions(analysis).empty

    def test_a_missed_day_matters_while_protection_runs_and_expires_when_it_ends(self):
        # Expiry.WITH_PROTECTION (L390: a dispute can be opened until protection ends).
        order = {"shipped_at": "2026-01-01"}  # tracking check missed 01-11, protection ends 03-02
        assert deadline(order, "tracking_check", today=day("2026-03-02"))["status"] == "overdue"
        assert deadline(order, "tracking_check", today=day("2026-03-03"))["status"] == "expired"

    def test_dispute_and_refund_clocks_never_expire(self):
        assert {k.name for k in KINDS if k.expires is Expiry.NEVER} >= {
            "seller_reply_due",
            "auto_escalation",
            "decision_due",
            "return_refund_by",
            "refund_overdue",
        }
        late = {"shipped_at": "2024-01-01", "refund_issued_at": "2024-02-01"}
        assert statuses(late)["refund_overdue"] == "overdue"

    def test_expired_rows_say_what_is_left(self):
        row = deadline({"shipped_at": "2024-02-01"}, "tracking_check")
        assert "support" in row["action"]


class TestWhoActs:
    def test_every_row_has_the_actor_of_its_kind(self):
        table = compute_deadlines(
            book({"shipped_at": "2026-01-10", "dispute_opened_at": "2026-02-20", "refund_issued_at": "2026-02-27"}),
            TODAY,
        )
        actor = {k.name: k.actor for k in KINDS}
        assert (table["actor"].astype(str) == table["kind"].astype(str).map(actor)).all()
        assert set(table["actor"].cat.categories) == set(ACTORS)

    def test_the_week_table_leads_with_what_you_must_do(self):
        seen = {"last_tracking_update_at": "2026-02-25"}
        mine = {"title": "Lamp", "shipped_at": "2026-01-05", **seen}  # ask for an extension by 03-04: you
        theirs = {
            "title": "Mug",
            "shipped_at": "2026-01-20",
            "dispute_opened_at": "2026-02-27",
            **seen,
        }  # seller: 03-04
        table = week_actions(analyse(book(theirs, mine), TODAY, Setting.default()))
        assert table["Item"].tolist() == ["Lamp", "Mug"]
        assert table["Who acts"].tolist() == ["You", "The seller"]


def _sample_analysis():
    from aliexp_lib import analyse_file

    return analyse_file("data/sample_orders.csv", TODAY)


class TestViewsAgree:
    """Issue 10: ``--next``, the week table and the report agree on the most urgent row of every order."""

    @pytest.mark.parametrize("today", [TODAY, dt.date(2026, 3, 10), dt.date(2026, 4, 15)])
    def test_next_the_week_and_the_report_show_the_same_most_urgent_row(self, today):
        from aliexp_lib import analyse_file

        analysis = analyse_file("data/sample_orders.csv", today)
        nexts = analysis.next_actions
        week = week_actions(analysis)
        mine, theirs = your_actions(analysis), waiting_on_others(analysis)
        soon = nexts[nexts["days_left"] <= 7]
        assert sorted(week["Order"]) == sorted(soon["order_id"])
        week = week.set_index("Order")
        for row in soon.itertuples():
            assert week.loc[row.order_id, "Days left"] == row.days_left
            alarm = row.status in ("overdue", "check_now")
            if row.actor == "you" or alarm:
                shown = mine[mine["order_id"] == row.order_id]
                assert len(shown) == 1, row
                assert shown["when"].iloc[0].endswith(_when_words(row.days_left)), row
            else:
                assert row.order_id in set(theirs["order_id"]), row

    def test_the_cli_next_is_the_analysis_next_actions(self, capsys):
        from aliexp_lib.cli import main

        main(["deadlines", "data/sample_orders.csv", "--today", "2026-03-01", "--next", "--format", "csv"])
        shown = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out), dtype=str)
        assert shown["order_id"].tolist() == _sample_analysis().next_actions["order_id"].tolist()


def _when_words(days_left: int) -> str:
    return {0: "today", 1: "tomorrow", -1: "yesterday"}.get(days_left, "")


class TestRefundTiming:
    """Rules 24, 26 (seed L422, L430) with the payout table: one day for deadlines, report and calendar."""

    @pytest.mark.parametrize(("method", "days"), [("card", 20), ("WebMoney", 6), ("", 20), ("barter", 20)])
    def test_refund_overdue_is_the_reports_expected_by(self, method, days):
        order = {"price": "300", "currency": "RUB", "refund_issued_at": "2026-02-25", "payment_method": method}
        analysis = analyse(book(order), TODAY, Setting.default())
        due = analysis.deadlines.set_index("kind").loc["refund_overdue", "due"]
        assert due == pd.Timestamp("2026-02-25") + pd.Timedelta(days=days)
        assert analysis.refunds["expected_by"].iloc[0] == due

    def test_a_refund_in_normal_transit_is_not_overdue(self):
        # Day 6 after a card refund: it has left the platform (L422) and has 14 more days to arrive.
        order = {"refund_issued_at": "2026-02-23", "payment_method": "card"}
        assert statuses(order) == {"refund_leaves_platform": "done", "refund_overdue": "upcoming"}
        assert statuses(order, day("2026-03-15")) == {"refund_leaves_platform": "done", "refund_overdue": "due_today"}
        assert statuses(order, day("2026-03-16"))["refund_overdue"] == "overdue"

    def test_the_calendar_uses_the_same_day(self):
        from aliexp_lib.views.widgets import calendar_file

        order = {"refund_issued_at": "2026-02-25", "payment_method": "WebMoney"}
        calendar = calendar_file(analyse(book(order), TODAY, Setting.default())).decode()
        assert "DTSTART;VALUE=DATE:20260303" in calendar  # 2026-02-25 + 5 + 1


class TestEventsThatEndThings:
    @pytest.mark.parametrize("end", ["dispute_won_at", "dispute_lost_at", "dispute_cancelled_at", "dispute_agreed_at"])
    def test_a_dispute_that_ended_has_no_open_clocks(self, end):
        # Seed L185-200, L400: won, lost, cancelled or agreed, the dispute is over.
        order = {"shipped_at": "2025-12-01", "dispute_opened_at": "2026-01-20", "dispute_escalated_at": "2026-02-05"}
        assert "overdue" in statuses(order).values()
        ended = statuses({**order, end: "2026-02-20"})
        assert {ended[k] for k in ("seller_reply_due", "auto_escalation", "decision_due")} == {"done"}
        assert next_actions(compute_deadlines(book({**order, end: "2026-02-20"}), TODAY)).empty

    def test_a_reopened_dispute_counts_its_clocks_from_the_reopening(self):
        # Seed L400: a dispute closed at the seller's request within protection can be opened again.
        order = {
            "shipped_at": "2026-01-10",
            "dispute_opened_at": "2026-01-20",
            "dispute_cancelled_at": "2026-01-25",
            "dispute_reopened_at": "2026-02-26",
        }
        row = deadline(order, "seller_reply_due")
        assert (row["due"], row["status"]) == (day("2026-03-03"), "upcoming")  # 5 d (rule 13) from 02-26
        assert deadline({**order, "dispute_reopened_at": ""}, "seller_reply_due")["status"] == "done"

    def test_a_cancelled_dispute_leaves_protection_running(self):
        # Seed L400: after closing a dispute within protection, one may have to open it again before it ends.
        order = {"shipped_at": "2026-01-10", "dispute_opened_at": "2026-01-20"}
        assert deadline(order, "protection_ends")["status"] == "done"
        cancelled = deadline({**order, "dispute_cancelled_at": "2026-01-25"}, "protection_ends")
        assert (cancelled["due"], cancelled["status"]) == (day("2026-03-11"), "upcoming")
        won = deadline({**order, "dispute_won_at": "2026-01-25"}, "protection_ends")
        assert won["status"] == "done"

    def test_an_order_closed_when_protection_ran_out_has_fifteen_days_to_dispute(self):
        # L390: protection over, the order closes and the seller is paid; L77, L390: 15 d after the close.
        order = {"shipped_at": "2026-01-01"}  # protection ends 03-02
        assert deadline(order, "dispute_after_auto_close", today=day("2026-03-02")) is None
        row = deadline(order, "dispute_after_auto_close", today=day("2026-03-03"))
        assert (row["due"], row["status"], row["actor"]) == (day("2026-03-17"), "upcoming", "you")
        assert deadline(order, "dispute_after_auto_close", today=day("2026-03-17"))["status"] == "due_today"
        assert deadline(order, "dispute_after_auto_close", today=day("2026-03-18"))["status"] == "expired"
        top = next_actions(compute_deadlines(book(order), day("2026-03-03")))
        assert top["kind"].tolist() == ["dispute_after_auto_close"]

    def test_no_automatic_close_after_a_confirmation_or_a_standing_dispute(self):
        for settled in ({"confirmed_at": "2026-02-01"}, {"dispute_opened_at": "2026-02-01"}):
            assert (
                deadline({"shipped_at": "2026-01-01", **settled}, "dispute_after_auto_close", today=day("2026-03-03"))
                is None
            )

    def test_a_recorded_close_counts_from_its_own_day(self):
        row = deadline({"shipped_at": "2025-12-01", "order_closed_at": "2026-02-20"}, "dispute_after_auto_close")
        assert row["due"] == day("2026-03-07")


class TestTextsFromTheRulebook:
    def test_no_deadline_text_types_a_number_of_days(self):
        # Point 7: every number in an action is the rule's value in force; the texts say "this date" instead.
        texts = [t for k in KINDS for t in (k.pending, k.overdue, k.done, k.check) if t]
        assert [t for t in texts if re.search(r"\d", t)] == []

    def test_no_note_of_an_estimated_day_types_a_number_either(self):
        from aliexp_lib.estimates import ASSUMPTIONS

        assert [a for a in ASSUMPTIONS if re.search(r"\d", a)] == []

    def test_an_override_moves_the_day_the_text_points_to(self):
        rulebook = load_rulebook(overrides={"seller_reply_days": 10})
        row = deadline({"dispute_opened_at": "2026-02-25"}, "seller_reply_due", rulebook=rulebook)
        assert row["due"] == day("2026-03-07") and "by this date" in row["action"]
