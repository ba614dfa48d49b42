"""Exchange rates: the ECB's published rates on each order's date, the buyer's bank file winning, and
every money view working per currency (one note, never a crash) where no rate is known."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import subprocess
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from aliexp_lib import ecb
from aliexp_lib.analysis import analyse, analyse_file
from aliexp_lib.rates import load_rates
from aliexp_lib.setting import Setting
from aliexp_lib.views import figures, tables, todo
from aliexp_lib.views.chooser import Chooser
from tests.conftest import TODAY, aliexp, book

ROOT = Path(__file__).resolve().parents[1]
#: A German "AliExpress CSV Export" of 40 synthetic orders in EUR, CHF, USD and PLN (2025-06 to 2026-03).
MULTI = ROOT / "tests" / "importers" / "aliexpress_csv_export_de_multicurrency.csv"
NOTE = "No exchange rate into RUB for CHF, EUR, PLN, USD"


def cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return aliexp(*args, cwd=cwd)


def bank_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bank.csv"
    path.write_text("date,currency,rub_per_unit,source\n" + text, encoding="utf-8")
    return path


class TestPublishedRates:
    def test_a_published_eur_usd_rate_is_found_on_its_day_with_its_date(self):
        factor, said = load_rates().factor("USD", "EUR", dt.date(2024, 1, 5))  # ECB: 1 EUR = 1.0921 USD
        assert factor == Fraction(10000, 10921)
        assert said == "1 EUR = 1.0921 USD (ECB reference rate of 2024-01-05)"

    @pytest.mark.parametrize("weekend", [dt.date(2024, 1, 6), dt.date(2024, 1, 7)])
    def test_a_weekend_takes_fridays_rate_and_says_so(self, weekend):
        assert ecb.ecb_rate("USD", weekend) == (
            pytest.approx(ecb.ecb_rate("USD", dt.date(2024, 1, 5))[0]),
            dt.date(2024, 1, 5),
        )
        assert "of 2024-01-05" in load_rates().factor("USD", "EUR", weekend)[1]

    def test_monday_has_its_own_rate(self):
        assert ecb.ecb_rate("USD", dt.date(2024, 1, 8))[1] == dt.date(2024, 1, 8)

    def test_before_the_euro_there_is_no_rate(self):
        assert ecb.ecb_rate("USD", dt.date(1998, 12, 31)) is None

    def test_the_rouble_is_published_until_the_ecb_suspended_it(self):
        assert load_rates().factor("RUB", "EUR", dt.date(2022, 2, 28))[0] is not None
        factor, said = load_rates().factor("RUB", "EUR", dt.date(2022, 3, 10))
        assert factor is None and said == "no exchange rate from RUB to EUR on or before 2022-03-10"

    def test_the_rates_are_read_without_the_network(self, monkeypatch):
        def no_network(*args, **kwargs):
            raise AssertionError("a socket was opened")

        monkeypatch.setattr(socket, "socket", no_network)
        ecb.ecb_table.cache_clear()
        try:
            assert ecb.ecb_rate("CHF", dt.date(2024, 1, 5))[1] == dt.date(2024, 1, 5)
        finally:
            monkeypatch.undo()
            ecb.ecb_table.cache_clear()


class TestBankFile:
    def test_the_bank_file_wins_over_the_ecb(self, tmp_path):
        rates = load_rates(bank_file(tmp_path, "2024-01-01,USD,90,my bank\n2024-01-01,EUR,100,my bank\n"))
        factor, said = rates.factor("USD", "EUR", dt.date(2024, 1, 5))
        assert factor == Fraction(9, 10) and "my bank" in said and "ECB" not in said

    def test_roubles_after_2022_come_from_the_bank_file(self, tmp_path):
        rates = load_rates(bank_file(tmp_path, "2026-01-01,USD,80.50,my bank\n"))
        assert rates.factor("USD", "RUB", dt.date(2026, 1, 15)) == (
            Fraction(161, 2),
            "1 USD = 80.50 RUB (2026-01-01, my bank)",
        )
        assert rates.factor("USD", "RUB", dt.date(2025, 12, 31))[0] is None  # before the file's first rate

    def test_a_currency_the_bank_file_lacks_falls_back_to_the_ecb(self, tmp_path):
        rates = load_rates(bank_file(tmp_path, "2024-01-01,USD,90,my bank\n"))
        assert "ECB reference rate of 2024-01-05" in rates.factor("CHF", "EUR", dt.date(2024, 1, 5))[1]


@pytest.fixture(scope="module")
def roubles():
    return analyse_file(MULTI, "2026-03-01", user_config=False)


@pytest.fixture(scope="module")
def euros():
    return analyse_file(MULTI, "2026-03-01", user_config=False, currency="EUR")


class TestMultiCurrencyExport:
    """The German export in EUR, CHF, USD, PLN: each view, with and without rates."""

    def test_without_rates_prices_keep_their_currency_and_one_note_names_them(self, roubles):
        assert set(roubles.prices["currency"]) == {"EUR", "CHF", "USD", "PLN"}
        assert roubles.missing_rates == ("CHF", "EUR", "PLN", "USD")
        assert roubles.rates_note.startswith(NOTE) and "--rates FILE" in roubles.rates_note
        assert "date,currency,rub_per_unit,source" in roubles.rates_note

    def test_totals_are_per_currency_never_added_across_currencies(self, roubles):
        stake = roubles.money_at_stake
        per_currency = stake.groupby("currency")["amount_minor"].sum()
        table = roubles.book.table
        for code in ("EUR", "CHF", "USD", "PLN"):
            assert per_currency[code] == table.loc[table["currency"] == code, "price_minor"].sum()
        assert per_currency["RUB"] == 0
        spent = roubles.spend("month")
        assert spent.groupby("currency")["orders"].sum().to_dict() == {"CHF": 10, "EUR": 10, "PLN": 10, "USD": 10}

    def test_in_euros_the_ecb_converts_every_order_on_its_own_date(self, euros):
        assert set(euros.prices["currency"]) == {"EUR"} and euros.rates_note == ""
        chf = euros.prices[euros.book.table["currency"].to_numpy() == "CHF"].iloc[0]
        ordered = euros.book.table.loc[euros.book.table["currency"] == "CHF", "ordered_at"].iloc[0].date()
        published = ecb.ecb_rate("CHF", ordered)[1]
        assert f"CHF (ECB reference rate of {published})" in chf["rate"]

    def test_a_sunday_order_is_converted_at_fridays_rate(self, euros):
        table = euros.book.table
        sunday = table[table["ordered_at"].dt.day_of_week == 6].iloc[0]
        friday = (sunday["ordered_at"] - pd.Timedelta(days=2)).date()
        rate = euros.prices.loc[sunday.name, "rate"]
        assert sunday["currency"] == "EUR" or f"of {friday}" in rate

    def test_every_money_view_works_and_shows_each_currency(self, roubles):
        spend = tables.spend(roubles, "month")
        assert spend["Spent"].str.contains("CHF").any() and spend["Spent"].str.contains("€").any()
        assert len(tables.refunds_in_flight(roubles)) == 0
        stake = figures.money_at_stake(roubles)
        assert sorted(bar.name for bar in stake.data) == ["CHF", "EUR", "PLN", "USD"]
        assert sorted(bar.name for bar in figures.spend_chart(roubles).data) == ["CHF", "EUR", "PLN", "USD"]
        assert NOTE in todo.rates_note(roubles).data

    def test_with_rates_there_is_no_note_and_one_set_of_bars(self, euros):
        assert todo.rates_note(euros).data == ""
        assert [bar.name for bar in figures.money_at_stake(euros).data] == ["EUR"]

    def test_the_command_line_names_the_missing_rate_once_and_exits_0(self, tmp_path):
        orders = cli("deadlines", str(MULTI), "--today", "2026-03-01", "--rates", str(bank_file(tmp_path, "")))
        assert orders.returncode == 0 and "Traceback" not in orders.stderr


class TestRankingWithoutARate:
    PROBLEM = {
        "price": "40.00",
        "currency": "CHF",
        "ordered_at": "2026-01-05",
        "shipped_at": "2026-01-10",
        "received_at": "2026-02-01",
        "problem": "defective",
        "offer_partial": "10.00",
    }

    def test_an_order_without_a_rate_is_ranked_in_its_own_currency(self):
        analysis = analyse(book(self.PROBLEM), TODAY, Setting.default())
        options = analysis.options
        assert set(options["currency"]) == {"CHF"} and options["net_minor"].max() <= 4000
        assert "no exchange rate from CHF to RUB" in options["rate"].iloc[0]
        assert "postage, packaging and your time left out" in options["rate"].iloc[0]
        assert set(analysis.break_even["currency"]) <= {"CHF"}

    def test_the_chooser_says_the_offer_in_the_orders_currency(self):
        chooser = Chooser(analyse(book(self.PROBLEM), TODAY, Setting.default()))
        answer = chooser.recompute("1", offer=10.0, postage=5.0, kept=0.0, time_rate=0.0)
        assert set(answer.ranking["currency"]) == {"CHF"}
        assert "CHF" in chooser.break_even_line("1", answer)

    def test_with_a_bank_rate_the_same_order_is_ranked_in_roubles(self, tmp_path):
        rates = load_rates(bank_file(tmp_path, "2026-01-01,CHF,100,my bank\n"))
        setting = dataclasses.replace(Setting.default(), rates=rates)
        options = analyse(book(self.PROBLEM), TODAY, setting).options
        assert set(options["currency"]) == {"RUB"} and options["net_minor"].max() <= 400_000
        assert "1 CHF = 100 RUB (2026-01-01, my bank)" in options["rate"].iloc[0]

    def test_resolve_on_the_command_line_prints_per_currency_with_the_note(self, tmp_path):
        orders = tmp_path / "orders.csv"
        pd.DataFrame([{"order_id": "1", **self.PROBLEM}]).to_csv(orders, index=False)
        done = cli("resolve", str(orders), "--today", TODAY.isoformat(), "--format", "csv")
        assert done.returncode == 0, done.stderr
        assert ",CHF," in done.stdout and done.stderr.count("No exchange rate into RUB for CHF") == 1

    @pytest.mark.parametrize("currency", ["USD", "EUR", "RUB"])
    def test_a_day_before_any_bank_rate_never_fails(self, currency):
        early = {**self.PROBLEM, "currency": currency, "ordered_at": "2025-01-03"}
        options = analyse(book(early), dt.date(2025, 2, 1), Setting.default(currency="USD")).options
        assert len(options) > 0


class TestDestination:
    def test_a_blank_destination_stays_blank_and_the_setting_applies(self, tmp_path):
        orders = tmp_path / "orders.csv"
        orders.write_text("order_id,destination\n1,\n2,DE\n", encoding="utf-8")
        analysis = analyse_file(orders, "2026-03-01", user_config=False)
        assert analysis.book.table["destination"].tolist() == ["", "DE"]
        assert analysis.destinations.tolist() == ["RU", "DE"]
        (tmp_path / "aliexp.toml").write_text('destination = "KZ"\n', encoding="utf-8")
        assert analyse_file(orders, "2026-03-01", user_config=False).destinations.tolist() == ["KZ", "DE"]
        flagged = analyse_file(orders, "2026-03-01", user_config=False, destination="by")
        assert flagged.destinations.tolist() == ["BY", "DE"]

    def test_the_flag_is_taken_by_every_command_that_computes(self, tmp_path):
        done = cli("deadlines", "data/sample_orders.csv", "--today", "2026-03-01", "--destination", "KZ")
        assert done.returncode == 0, done.stderr
        bad = cli("deadlines", "data/sample_orders.csv", "--destination", "Kazakhstan")
        assert bad.returncode == 2 and "destination 'Kazakhstan'" in bad.stderr


def test_report_and_calendar_take_the_whole_setting_and_the_format(tmp_path):
    """``--from``, ``--rates``, ``--set``, ``--assume``, ``--currency``, ``--destination`` on report and calendar."""
    bank = bank_file(tmp_path, "2025-01-01,EUR,100,my bank\n2025-01-01,CHF,105,my bank\n")
    setting = ["--rates", str(bank), "--set", "protection_days=75", "--assume", "time_rate=300", "--destination", "DE"]
    common = [str(MULTI), "--from", "aliexpress_csv_export", "--today", "2026-03-01", *setting]
    calendar = cli("calendar", *common, "-o", str(tmp_path / "d.ics"))
    assert calendar.returncode == 0, calendar.stderr
    report = cli("report", *common, "--currency", "RUB", "-o", str(tmp_path / "r.html"))
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "No exchange rate into RUB for PLN, USD" in page  # EUR and CHF come from the bank file
    assert "Traceback" not in page and "Traceback" not in report.stderr
