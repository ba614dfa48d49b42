"""Exact money end to end: one money-to-text function, integer minor units through resolve,
break-even and the chooser, JPY (no minor unit) and three-digit currencies."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aliexp_lib import money
from aliexp_lib.assumptions import load_assumptions
from aliexp_lib.money import known_currencies, minor_digits, money_text
from aliexp_lib.rates import amounts_in, half_even_div, load_rates
from aliexp_lib.resolve import break_even, rank_options, rank_with_break_even
from aliexp_lib.setting import Setting
from tests.conftest import TODAY, book

RECEIVED = {"shipped_at": "2026-01-20", "received_at": "2026-02-20", "payment_method": "card"}
CURRENCIES = sorted(known_currencies())


@pytest.fixture(scope="module")
def yen_rates(tmp_path_factory):
    path = tmp_path_factory.mktemp("rates") / "rates.csv"
    path.write_text(
        "date,currency,rub_per_unit,source\n2026-02-27,USD,90.00,t\n2026-02-27,JPY,0.61,t\n2026-02-27,KWD,293.123,t\n",
        encoding="utf-8",
    )
    return load_rates(path)


def setting_in(currency: str, rates, **assume) -> Setting:
    return dataclasses.replace(Setting.default(currency, **assume), rates=rates)


class TestMoneyText:
    @settings(max_examples=300)
    @given(st.sampled_from(CURRENCIES + ["JPY", "KWD", "BHD", "RUB", "CLF"]), st.integers(-(10**20), 10**20))
    def test_the_plain_text_reads_back_as_the_same_minor_units(self, currency, minor):
        digits = minor_digits(currency)
        text = money_text(minor, currency)
        amount = Decimal(text)
        assert amount.as_tuple().exponent == -digits  # every minor digit, no more, no less
        assert amount.scaleb(digits) == minor
        assert "," not in text and "e" not in text.lower()

    @settings(max_examples=100)
    @given(
        st.lists(st.one_of(st.none(), st.integers(-(10**12), 10**12)), max_size=30),
        st.sampled_from(["JPY", "RUB", "KWD", "USD"]),
        st.sampled_from([None, "en", "ru"]),
    )
    def test_a_column_is_each_amount_in_turn(self, values, currency, lang):
        column = pd.array(values, dtype="Int64")
        expected = ["" if v is None else money_text(v, currency, lang) for v in values]
        assert money_text(column, currency, lang) == expected
        assert money_text(pd.Series(column), currency, lang) == expected
        assert money_text(values, currency, lang) == expected

    @pytest.mark.parametrize(
        ("minor", "currency", "lang", "text"),
        [
            (60050, "RUB", None, "600.50"),
            (-5, "RUB", None, "-0.05"),
            (0, "USD", "plain", "0.00"),
            (1200, "JPY", None, "1200"),
            (1234, "KWD", None, "1.234"),
            (123450, "RUB", "ru", "1\xa0234,50\xa0₽"),
            (123450, "USD", "en", "$1,234.50"),
            (120000, "JPY", "en", "¥120,000"),
            (120000, "JPY", "ru", "120\xa0000\xa0¥"),
            (1234, "KWD", "en", "KWD1.234"),
            (None, "RUB", "en", ""),
        ],
    )
    def test_digits_come_from_the_currency(self, minor, currency, lang, text):
        assert money_text(minor, currency, lang) == text

    def test_one_currency_per_row_and_missing_ones(self):
        codes = pd.Series(["RUB", "JPY", None, "KWD"])
        assert money_text(pd.array([150, 150, 150, pd.NA], dtype="Int64"), codes) == ["1.50", "150", "", ""]
        masked = np.ma.masked_array([1, 2], mask=[False, True])
        assert money_text(masked, "USD") == ["0.01", ""]

    @pytest.mark.parametrize(
        "value",
        [
            1.5,
            np.float64(2.0),
            float("nan"),
            [1.0],
            np.array([100.0]),
            pd.Series([100.0, np.nan]),
            [100, 2.5],
            Decimal("1.50"),
        ],
    )
    def test_floats_are_refused(self, value):
        with pytest.raises(TypeError, match="integer minor units"):
            money_text(value, "RUB")

    def test_the_old_money_to_text_paths_are_gone(self):
        from aliexp_lib import i18n
        from aliexp_lib.views import tables

        assert not hasattr(money, "format_minor") and not hasattr(i18n, "format_money")
        assert tables.money_text is money_text


class TestExactArithmetic:
    @settings(max_examples=300)
    @given(
        st.lists(st.integers(-(10**15), 10**15), min_size=1, max_size=20),
        st.integers(-(10**12), 10**12),
        st.integers(1, 10**12),
    )
    def test_half_even_division_is_exact_even_beyond_int64(self, minor, times, denominator):
        assume(max(abs(m) for m in minor) * abs(times) // denominator < 2**62)  # the result itself fits
        got = half_even_div(np.array(minor, dtype=np.int64), times, denominator)
        assert got.dtype == np.int64
        assert list(got) == [round(Fraction(m * times, denominator)) for m in minor]

    def test_amounts_are_converted_into_nullable_integers(self, yen_rates):
        orders = book(
            {"price": "16.49", "currency": "USD"}, {"price": "1200", "currency": "JPY"}, {"currency": "RUB"}
        ).table
        converted, _said, shown = amounts_in(orders, ("price_minor",), "RUB", yen_rates, TODAY)
        assert list(shown) == ["RUB", "RUB", "RUB"]
        price = converted["price_minor"]
        assert price.dtype == "Int64"
        assert list(price[:2]) == [148410, 73200] and price.isna()[2]  # 16.49 x 90, 1200 x 0.61

    def test_assumptions_are_read_exactly_from_a_file(self, tmp_path):
        mine = tmp_path / "mine.toml"
        mine.write_text('[[assumption]]\nid = "p_partial_paid"\nvalue = 0.1\n', encoding="utf-8")
        assumptions = load_assumptions(mine)
        assert assumptions["p_partial_paid"] == Decimal("0.1")
        assert all(isinstance(v, Decimal) for v in assumptions.values.values())

    def test_a_probability_times_an_amount_is_rounded_half_even_exactly(self):
        # 0.85 x 1234.50 = 1049.325 -> 1049.32; in floats 0.85 * 104930 ... any float slip would show here
        (dispute,) = [
            r
            for r in rank_options(
                book({**RECEIVED, "problem": "not_received", "price": "1234.50", "currency": "RUB", "received_at": ""}),
                TODAY,
                Setting.default(),
            ).to_dict("records")
            if r["option"] == "dispute_full_refund"
        ]
        assert dispute["net_minor"] == round(Fraction(85, 100) * 123450) == 104932

    def test_a_tie_is_rounded_to_even_not_by_the_float_product(self):
        # 0.7 x 45 = 31.5 exactly -> 32 (even); in floats 0.7 * 45 = 31.499999999999996, which rounded to 31
        assert 0.7 * 45 < 31.5
        table = rank_options(
            book({**RECEIVED, "currency": "RUB", "problem": "defective", "price": "900", "offer_partial": "0.45"}),
            TODAY,
            Setting.default(p_partial_paid=0.7),
        )
        (partial,) = table[table["option"] == "partial_refund_keep"].to_dict("records")
        assert partial["net_minor"] == 32


class TestYen:
    ORDER = {
        **RECEIVED,
        "currency": "JPY",
        "problem": "defective",
        "price": "1200",
        "offer_partial": "300",
        "value_if_kept": "101",
        "postage_quote": "500",
    }

    def test_a_yen_order_ranked_in_yen_is_whole_yen(self, yen_rates):
        table = rank_options(book(self.ORDER), TODAY, setting_in("JPY", yen_rates))
        nets = table.set_index("option")["net_minor"]
        assert table["net_minor"].dtype == np.int64
        assert nets["partial_refund_keep"] == 285 + 101  # 0.95 x 300 yen
        assert nets["dispute_full_refund"] == 600 + 101  # 0.5 x 1200 yen
        # return: 0.9 x 1200 - 500 postage - packing 30..150 RUB at 0.61 RUB per yen (49.18 -> 49, 245.90 -> 246)
        back = table[table["option"] == "return_for_refund"].iloc[0]
        assert (back["net_low_minor"], back["net_high_minor"]) == (1080 - 500 - 246, 1080 - 500 - 49)

    def test_a_yen_order_ranked_in_roubles_is_converted_half_even(self, yen_rates):
        table = rank_options(book(self.ORDER), TODAY, setting_in("RUB", yen_rates))
        nets = table.set_index("option")["net_minor"]
        # 300 yen = 183.00 RUB; kept 101 yen = 61.61 RUB
        assert nets["partial_refund_keep"] == round(Fraction(95, 100) * 18300) + 6161

    def test_the_cli_shows_yen_without_decimals(self, yen_rates, tmp_path, capsys):
        from aliexp_lib.cli import main

        orders = tmp_path / "orders.csv"
        assert len(book(self.ORDER)) == 1  # the order is valid
        header = ",".join(["order_id", *self.ORDER])
        orders.write_text(header + "\n" + ",".join(["1", *self.ORDER.values()]) + "\n", encoding="utf-8")
        rates = tmp_path / "rates.csv"
        rates.write_text("date,currency,rub_per_unit,source\n2026-02-27,JPY,0.61,t\n", encoding="utf-8")
        assert (
            main(
                [
                    "resolve",
                    str(orders),
                    "--today",
                    TODAY.isoformat(),
                    "--currency",
                    "JPY",
                    "--rates",
                    str(rates),
                    "--format",
                    "csv",
                ]
            )
            == 0
        )
        out = capsys.readouterr().out
        assert re.search(r",386,386,386,\d+,\d+,JPY,", out)  # partial refund: 285 + 101 yen; sure, equivalent; no ".00"
        assert (
            main(
                [
                    "resolve",
                    str(orders),
                    "--today",
                    TODAY.isoformat(),
                    "--currency",
                    "JPY",
                    "--rates",
                    str(rates),
                    "--format",
                    "csv",
                    "--break-even",
                ]
            )
            == 0
        )
        assert "1,300," in capsys.readouterr().out

    def test_the_chooser_in_yen(self, yen_rates):
        from aliexp_lib import analyse
        from aliexp_lib.views.chooser import Chooser

        chooser = Chooser(analyse(book(self.ORDER), TODAY, setting_in("JPY", yen_rates)))
        answer = chooser.recompute("1", offer=300.0, postage=500.0, kept=101.0, time_rate=0)
        even = break_even(book(self.ORDER), TODAY, setting_in("JPY", yen_rates))["break_even_minor"].iloc[0]
        assert isinstance(answer.break_even, int) and answer.break_even == even
        shown = chooser.ranking_html(answer)
        assert f"¥{answer.break_even:,}</p>" in shown  # was "{x:,.2f} JPY": yen have no decimals
        assert "¥386" in shown and ".00" not in shown
        note = [a.text for a in answer.figure.layout.annotations]
        assert any(text.endswith(f"¥{answer.break_even:,}") for text in note)


class TestChooserSliders:
    def test_a_slider_value_is_read_as_the_decimal_it_shows(self):
        from aliexp_lib.views.chooser import _minor

        assert round(0.575 * 100) == 57 and round(1.225 * 100) == 123  # what the float product gave
        assert _minor(0.575, "RUB") == 58  # 57.5 kopecks, half to even
        assert _minor(1.225, "RUB") == 122
        assert _minor(16.49, "USD") == 1649
        assert _minor(1200.0, "JPY") == 1200
        assert _minor(1.2345, "KWD") == 1234  # 1234.5 fils, half to even


@settings(max_examples=60)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "problem": st.sampled_from(
                    ["not_received", "defective", "wrong_item", "arrived_after_refund", "duplicate"]
                ),
                "currency": st.sampled_from(["RUB", "USD", "JPY", "KWD"]),
                "price": st.integers(1, 10**6).map(str),
                "shipped_at": st.dates(dt.date(2025, 12, 1), dt.date(2026, 2, 28)).map(str),
            },
            optional={
                "offer_partial": st.integers(0, 10**6).map(str),
                "value_if_kept": st.integers(0, 10**5).map(str),
                "postage_quote": st.integers(0, 10**4).map(str),
                "weight_g": st.integers(10, 3000).map(str),
                "cashback_rate": st.sampled_from(["1", "2.5", "3.3", "7.75"]),
            },
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["RUB", "USD", "JPY", "KWD"]),
    st.sampled_from(["0", "250", "333.33"]),
    st.sampled_from(["0.85", "0.333", "0.7"]),
)
def test_every_net_in_every_currency_is_whole_minor_units_and_equals_the_decimal_reference(
    yen_rates, order_list, currency, time_rate, p_win
):
    from tests.oracles.reference_resolve import case_records, reference_ranking

    setting = setting_in(currency, yen_rates, time_rate=time_rate, p_win_not_received=p_win)
    orders = book(*order_list)
    table, even = rank_with_break_even(orders, TODAY, setting)
    for column in ("net_minor", "net_low_minor", "net_high_minor"):
        assert table[column].dtype == np.int64
    assert even["break_even_minor"].dtype == np.int64
    got = list(
        zip(
            table["order_id"],
            table["option"],
            table["rank"],
            table["net_minor"],
            table["net_low_minor"],
            table["net_high_minor"],
            table["money_by"].dt.date,
            strict=True,
        )
    )
    records, arrival = case_records(orders, TODAY, setting)
    assert got == reference_ranking(records, arrival, TODAY, setting)


def test_no_float_reaches_the_formatter(monkeypatch, yen_rates):
    """Every view that shows money goes through ``money_text``, which refuses floats; a spy also
    checks that each path called it (a view formatting money another way would not)."""
    from aliexp_lib import commands, load_orders
    from aliexp_lib.cli import main
    from aliexp_lib.views import chooser as chooser_module
    from aliexp_lib.views import figures, tables
    from tests.test_orders import SAMPLE

    calls = []

    def spy(minor, currency, lang=None):
        calls.append(type(minor).__name__)
        return money_text(minor, currency, lang)

    for module in (tables, figures, chooser_module, commands):
        monkeypatch.setattr(module, "money_text", spy)
    from aliexp_lib import Setting, analyse

    sample = load_orders(SAMPLE)
    for lang in ("en", "ru"):
        analysis = analyse(sample, TODAY, Setting.default().with_choices(lang=lang))
        tables.best_options(analysis)
        tables.refunds_in_flight(analysis)
        tables.cashback_table(analysis)
        tables.spend(analysis, "month")
        figures.money_at_stake(analysis)
        c = chooser_module.Chooser(analysis)
        answer = c.recompute("8100000000043559", offer=2000, postage=0, kept=3000, time_rate=0)
        c.ranking_html(answer)
    for command in (["orders"], ["cashback"]):
        assert main([command[0], str(SAMPLE), "--format", "csv"]) == 0
    for command in (["resolve"], ["resolve", "--break-even"]):
        assert main([*command[:1], str(SAMPLE), "--today", TODAY.isoformat(), *command[1:], "--format", "csv"]) == 0
    assert len(calls) > 20
