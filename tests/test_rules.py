"""The rulebook: every clock of DOMAIN.md as sourced data, overridable, alternatives visible."""

from __future__ import annotations

import datetime as dt

import pytest

from aliexp_lib import InputError, load_rulebook

# Every clock of shared/DOMAIN.md: id -> (value in days, seed line that must be cited).
DOMAIN_CLOCKS = {
    "protection_days": (60, "L56"),
    "protection_cap_days": (90, "L56"),
    "dispute_earliest_days": (5, "L173"),
    "tracking_check_days": (10, "L54"),
    "tracking_stalled_days": (14, "L69"),
    "ask_extension_latest_days": (2, "L75"),
    "ask_extension_earliest_days": (4, "L75"),
    "dispute_after_close_days": (15, "L77"),
    "seller_reply_days": (5, "L392"),
    "auto_escalation_days": (15, "L195"),
    "platform_decision_days": (7, "L200"),
    "return_ship_days": (10, "L348"),
    "return_refund_days": (30, "L356"),
    "refund_leaves_platform_days": (5, "L422"),
    "refund_arrival_days": (15, "L422"),
    "estimated_delivery_days": (40, "L56"),
    "dispute_latest_after_delivery_term_days": (15, "L173"),
    "refund_arrival_typical_days": (7, "L422"),
    "cashback_visible_minutes": (10, "L239"),
    # The order before shipment: the seed gives no number, so the source is an AliExpress guide.
    "seller_ship_days": (7, "guide-aliexpress.com"),
    "seller_ship_max_days": (30, "allexprs.info"),
    "cancel_unshipped_days": (0, "L239"),
    "payment_latest_days": (20, "orientdeck.com"),
}


def test_every_clock_of_the_domain_is_in_the_rulebook_with_its_value_and_source():
    rulebook = load_rulebook()
    assert set(rulebook) == set(DOMAIN_CLOCKS)
    for rule_id, (value, line) in DOMAIN_CLOCKS.items():
        (rule,) = rulebook.entries(rule_id)
        assert rulebook.to_frame().set_index("id").loc[rule_id, "value"] == value, rule_id
        assert line in rule.source, rule_id
        assert rule.unit == ("min" if rule_id == "cashback_visible_minutes" else "d")
        assert rule.applies_from == dt.date(2018, 1, 1)
        assert rule.summary


def test_where_sources_disagree_the_earlier_deadline_is_the_default_and_the_other_is_shown():
    (rule,) = load_rulebook().entries("protection_days")
    assert load_rulebook().days_on("protection_days", dt.date(2026, 3, 1)) == 60
    assert [(a.value, a.source) for a in rule.alternatives] == [(90, "seed L149")]
    shown = load_rulebook().to_frame().set_index("id")
    assert shown.loc["protection_days", "alternatives"] == "90 d (seed L149)"


def test_a_keyword_override_wins_and_keeps_the_default_visible():
    rulebook = load_rulebook(overrides={"protection_days": 75})
    (rule,) = rulebook.entries("protection_days")
    assert rulebook.days_on("protection_days", dt.date(2018, 1, 1)) == 75
    assert rule.source == "user setting"
    assert (60, "seed L56") in [(a.value, a.source) for a in rule.alternatives]


@pytest.mark.parametrize(("days", "accepted"), [(36_500, True), (36_501, False), (10**20, False)])
def test_a_rule_value_is_at_most_a_hundred_years(days, accepted):
    if accepted:
        assert (
            load_rulebook(overrides={"protection_days": days}).days_on("protection_days", dt.date(2026, 1, 1)) == days
        )
    else:
        with pytest.raises(InputError, match="more than 36,500 days"):
            load_rulebook(overrides={"protection_days": days})


def test_a_file_override_wins(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('[[rule]]\nid = "protection_days"\nvalue = 75\n', encoding="utf-8")
    rulebook = load_rulebook(mine)
    assert rulebook.days_on("protection_days", dt.date(2026, 3, 1)) == 75
    assert rulebook.entries("protection_days")[-1].source == str(mine)
    assert rulebook.days_on("seller_reply_days", dt.date(2026, 3, 1)) == 5


def test_dated_entries_are_versions(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[rule]]\nid = "protection_days"\nvalue = 75\napplies_from = 2026-06-01\nsource = "https://example.org/rules"\n',
        encoding="utf-8",
    )
    versions = load_rulebook(mine).versions["protection_days"]
    assert [r.applies_from for r in versions] == [dt.date(2018, 1, 1), dt.date(2026, 6, 1)]
    rulebook = load_rulebook(mine)
    # The entry in force on the day the clock starts: both sides of the boundary.
    assert rulebook.days_on("protection_days", dt.date(2026, 5, 31)) == 60
    assert rulebook.days_on("protection_days", dt.date(2026, 6, 1)) == 75


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rule]]\nid = "protection_dayz"\nvalue = 75\n', "unknown rule id; known ids: ask_extension_earliest_days"),
        ('[[rule]]\nid = "protection_days"\nvalue = -5\n', "value -5 is negative"),
        ('[[rule]]\nid = "protection_days"\nvalue = 7.5\n', "value 7.5 is not a whole number of days"),
        ('[[rule]]\nid = "protection_days"\n', "missing value"),
        ('[[rule]]\nid = "protection_days"\nvalue = 75\nunit = "h"\n', "unit 'h' is not one of d"),
        ("[[rule]\n", "not valid TOML"),
        ("title = 'x'\n", "expected one or more [[rule]] tables"),
    ],
)
def test_a_bad_override_file_says_what_and_where(tmp_path, text, message):
    mine = tmp_path / "mine.toml"
    mine.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="mine.toml") as caught:
        load_rulebook(mine)
    assert message in str(caught.value)


def test_an_unknown_keyword_override_lists_the_valid_ids():
    with pytest.raises(InputError, match="unknown rule id 'protection'; known ids: .*protection_days"):
        load_rulebook(overrides={"protection": 75})
