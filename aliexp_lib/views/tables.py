"""Tables for people: localised headings and words, dates and money formatted for the language.

Each function takes the order book (or an engine's table), ``today`` and ``lang`` and returns a
small DataFrame ready to show; notebooks and the report call these and nothing else.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from aliexp_lib.checks import order_checks
from aliexp_lib.costs import amounts_in, load_payout_times, load_rates, slowest_payout_days
from aliexp_lib.deadlines import compute_deadlines, next_actions
from aliexp_lib.i18n import _, format_date, localise
from aliexp_lib.money import money_text
from aliexp_lib.orders import OrderBook
from aliexp_lib.resolve import Setting, rank_options
from aliexp_lib.risk import cashback, seller_signals
from aliexp_lib.rules import load_rulebook
from aliexp_lib.tracking import check_tracking

#: Rows shown at most in one table; the rest is counted in a note.
MAX_ROWS = 100


def dates_text(days, lang: str) -> list[str]:
    return [format_date(d, lang) for d in days]


def week_actions(book: OrderBook, today: dt.date, lang: str, days: int = 7) -> pd.DataFrame:
    """What needs doing by ``today + days``: each order's most urgent open deadline, most urgent first."""
    upcoming = next_actions(compute_deadlines(book, today))
    upcoming = upcoming[upcoming["days_left"] <= days].head(MAX_ROWS)
    titles = book.table.set_index("order_id")["title"]
    table = pd.DataFrame({
        "order_id": upcoming["order_id"].to_numpy(),
        "title": upcoming["order_id"].map(titles).to_numpy(),
        "kind": upcoming["kind"].to_numpy(),
        "due": dates_text(upcoming["due"], lang),
        "days_left": upcoming["days_left"].to_numpy(),
        "status": upcoming["status"].to_numpy(),
        "action": upcoming["action"].to_numpy(),
    })
    return localise(table, lang, codes=("kind", "status"), texts=("action",))


def ranking_table(ranking: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A ``rank_options`` table for people: money with its currency, chance in percent, words."""
    table = pd.DataFrame({
        "rank": ranking["rank"].to_numpy(),
        "option": ranking["option"].to_numpy(),
        **_outcome(ranking, lang),
        "reason": ranking["reason"].astype(str).to_numpy(),
        "risk": ranking["risk"].astype(str).to_numpy(),
    })
    return localise(table, lang, codes=("option",), texts=("reason", "risk"))


def _outcome(ranking: pd.DataFrame, lang: str) -> dict[str, list[str]]:
    """The money, its range, the chance and the date of ranked options, as text for ``lang``."""
    currency = ranking["currency"].iloc[0] if len(ranking) else "RUB"
    return {
        "net": money_text(ranking["net_minor"], currency, lang),
        "net_low": money_text(ranking["net_low_minor"], currency, lang),
        "net_high": money_text(ranking["net_high_minor"], currency, lang),
        "likelihood": [f"{round(p * 100)} %" for p in ranking["likelihood"]],
        "money_by": dates_text(ranking["money_by"], lang),
    }


def refunds_in_flight(book: OrderBook, today: dt.date, lang: str, currency: str = "RUB",
                      rates=None, payout=None) -> pd.DataFrame:
    """Refunds issued and not yet received: amount, payment method, the day expected, overdue or not.

    Expected by = refund date + days to leave the platform (rule 24) + the payout time of the
    payment method (``data/payout_times.csv``, the slow end).
    """
    rates = rates if rates is not None else load_rates()
    payout = payout if payout is not None else load_payout_times()
    table = book.table
    flying = table[table["refund_issued_at"].notna() & table["refund_received_at"].isna()
                   & (table["refund_issued_at"] <= pd.Timestamp(today))]
    amounts, _rate = amounts_in(flying, ("price_minor",), currency, rates, today)
    days = slowest_payout_days(flying["payment_method"], payout)
    leave = load_rulebook()["refund_leaves_platform_days"].value
    expected = flying["refund_issued_at"] + pd.to_timedelta(days + leave, unit="D")
    late = (expected < pd.Timestamp(today)).to_numpy()
    out = pd.DataFrame({
        "order_id": flying["order_id"].to_numpy(),
        "amount": money_text(amounts["price_minor"], currency, lang),
        "payment_method": flying["payment_method"].to_numpy(),
        "expected_by": dates_text(expected, lang),
        "status": np.where(late, "overdue", "upcoming"),
    }).iloc[np.argsort(expected.to_numpy(), kind="stable")]
    return localise(out.reset_index(drop=True), lang, codes=("status",))


def cashback_table(book: OrderBook, lang: str) -> pd.DataFrame:
    """Cashback expected per order, and whether a dispute or refund cancels it (rules 34-35)."""
    found = cashback(book, lang=lang)
    out = pd.DataFrame({
        "order_id": found["order_id"].to_numpy(),
        "expected": money_text(found["expected_minor"], found["currency"], lang),
        "lost": [_("yes", lang) if lost else _("no", lang) for lost in found["lost"]],
        "reason": found["reason"].to_numpy(),
    })
    return localise(out, lang)


def spend_amounts(book: OrderBook, today: dt.date, by: str, currency: str = "RUB", rates=None) -> pd.DataFrame:
    """Money spent per ``by`` ("month" of ordering, or "store"): ``spent`` in minor units of
    ``currency`` and ``orders``; months in order, stores dearest first."""
    rates = rates if rates is not None else load_rates()
    table = book.table[book.table["price_minor"].notna()]
    amounts, _rate = amounts_in(table, ("price_minor",), currency, rates, today)
    key = table["ordered_at"].dt.strftime("%Y-%m") if by == "month" else table["store"]
    grouped = pd.DataFrame({by: key.fillna("").to_numpy(), "spent": amounts["price_minor"]}).groupby(by, sort=True)
    out = grouped.agg(spent=("spent", "sum"), orders=("spent", "size")).reset_index()
    if by == "store":
        out = out.sort_values("spent", ascending=False, kind="stable")
    return out.reset_index(drop=True)


def spend(book: OrderBook, today: dt.date, lang: str, by: str, currency: str = "RUB", rates=None) -> pd.DataFrame:
    """``spend_amounts`` for people: money as text, headings in ``lang``."""
    out = spend_amounts(book, today, by, currency, rates)
    out["spent"] = money_text(out["spent"], currency, lang)
    return localise(out, lang)


def tracking_verdicts(numbers, lang: str) -> pd.DataFrame:
    """``check_tracking`` for people."""
    found = check_tracking(numbers, lang=lang)
    found["valid"] = [_("yes", lang) if v else _("no", lang) for v in found["valid"]]
    return localise(found, lang)


def warnings_table(book: OrderBook, today: dt.date, lang: str) -> pd.DataFrame:
    """Every check's warnings for the order book (``order_checks``) for people."""
    return localise(order_checks(book, today, lang=lang), lang, codes=("check",))


def heading(text: str, lang: str, level: int = 2):
    """A translated Markdown heading for a notebook or the report."""
    from IPython.display import Markdown

    return Markdown(f"{'#' * level} {_(text, lang)}")


def best_options(book: OrderBook, today: dt.date, lang: str, currency: str = "RUB") -> pd.DataFrame:
    """For each problem order, its best way out: the money it leaves, its range, chance and date."""
    ranking = rank_options(book, today, Setting.default(currency))
    best = ranking[ranking["rank"] == 1].head(MAX_ROWS)
    table = pd.DataFrame({
        "order_id": best["order_id"].to_numpy(),
        "problem": best["problem"].to_numpy(),
        "option": best["option"].to_numpy(),
        **_outcome(best, lang),
    })
    return localise(table, lang, codes=("problem", "option"))


def seller_verdicts(today: dt.date, lang: str, rating: float | None = None, store_opened_at: str | None = None,
                    store_orders: int | None = None, cashback_rate: float | None = None) -> pd.DataFrame:
    """Risk signals (rules 27-28, 35) for seller facts typed in by hand."""
    facts = {"order_id": "-", "seller_rating": rating, "store_opened_at": store_opened_at,
             "store_orders": store_orders, "cashback_rate": cashback_rate}
    book = OrderBook.from_frame(pd.DataFrame([{k: "" if v is None else str(v) for k, v in facts.items()}]))
    found = seller_signals(book, today, lang=lang)
    return localise(found.drop(columns=["order_id"]), lang, codes=("signal",))


def html(table: pd.DataFrame):
    """A table for a notebook or the report: every cell in full, no index, text escaped (a product
    title with markup in it shows as text)."""
    from IPython.display import HTML

    style = "<style>.aliexp-table th, .aliexp-table td {text-align: left; vertical-align: top}</style>"
    return HTML(style + table.to_html(index=False, escape=True, border=0, classes="aliexp-table", na_rep=""))
