"""Tables for people: localised headings and words, dates and money formatted for the language.

Each function takes an ``analysis.Analysis`` (or one of its tables) and returns a small DataFrame
ready to show, in the language of the analysis' setting; notebooks and the report call these and
nothing else. Nothing here runs an engine or loads a setting of its own. Returns sections name columns
by their engine names (headings: their labels, ``i18n.localise``); examples use this module's imports.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from aliexp_lib.analysis import Analysis
from aliexp_lib.guidance import advice
from aliexp_lib.i18n import _, localise, payment_names
from aliexp_lib.kinds import ACTOR_NAMES
from aliexp_lib.money import money_text
from aliexp_lib.risk import seller_signals
from aliexp_lib.setting import Setting
from aliexp_lib.tracking import check_tracking
from aliexp_lib.validate import OrderBook
from aliexp_lib.views.html_cells import table_html
from aliexp_lib.views.marks import assumptions, dates_text, marked

#: Rows shown at most in one table; the rest is counted in a note.
MAX_ROWS = 100


def week_actions(analysis: Analysis, days: int = 7) -> pd.DataFrame:
    """What needs doing by ``today + days`` [d]: each order's most urgent open deadline (``Analysis.next_actions``),
    what the buyer must do first (``actor`` you, or anything already missed), then what the buyer waits for.

    Parameters
    ----------
    analysis : Analysis
    days : int [d], default 7
        Deadlines with ``days_left`` <= ``days`` are shown (every overdue one too), at most ``MAX_ROWS``.

    Returns
    -------
    pandas.DataFrame
        ``order_id``, ``title``, ``kind``, ``due`` (text; ``≈ ... (estimated)`` where estimated),
        ``days_left`` [d], ``status``, ``actor`` (who acts), ``action``, ``advice`` (the seed's, ``guidance``);
        ``assumption`` where any day is estimated.

    Examples
    --------
    >>> from aliexp_lib.analysis import analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "title": "Lamp", "shipped_at": "2026-01-10"}]))
    >>> week_actions(analyse(book, dt.date(2026, 3, 1), Setting.default())).loc[0, ["Item", "Deadline", "Due"]].tolist()
    ['Lamp', 'Check tracking', 'Jan 20, 2026']
    """
    lang = analysis.setting.lang
    upcoming = analysis.next_actions
    upcoming = upcoming[upcoming["days_left"] <= days]
    theirs = (upcoming["actor"] != "you") & ~upcoming["status"].isin(["overdue", "check_now"])
    upcoming = upcoming.iloc[np.argsort(theirs.to_numpy(), kind="stable")].head(MAX_ROWS)
    titles = analysis.book.table.set_index("order_id")["title"]
    table = pd.DataFrame(
        {
            "order_id": upcoming["order_id"].to_numpy(),
            "title": upcoming["order_id"].map(titles).to_numpy(),
            "kind": upcoming["kind"].to_numpy(),
            "due": marked(dates_text(upcoming["due"], lang), upcoming["estimated"], lang),
            "days_left": upcoming["days_left"].to_numpy(),
            "status": upcoming["status"].to_numpy(),
            "actor": [_(ACTOR_NAMES[a], lang) for a in upcoming["actor"].astype(str)],
            "action": upcoming["action"].to_numpy(),
            "advice": advice(upcoming, "kind", lang, orders=analysis.book.table).to_numpy(),
        }
    )
    if upcoming["estimated"].any():  # why each estimated day is what it is
        table["assumption"] = assumptions(upcoming, lang)
    return localise(table, lang, codes=("kind", "status"), texts=("action",))


def ranking_table(ranking: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A ``rank_options`` table for people: money with its currency, chance in percent, words.

    Parameters
    ----------
    ranking : pandas.DataFrame
        ``resolve.COLUMNS`` (``Analysis.options``), money in minor units of its ``currency``.
    lang : {"en", "ru"}

    Returns
    -------
    pandas.DataFrame
        ``rank``, ``option``, ``net``, ``net_low``, ``net_high``, ``sure``, ``equivalent``,
        ``likelihood`` [%], ``money_by``, ``reason``, ``risk``, ``advice`` (the seed's, by option and problem,
        ``guidance``)

    Examples
    --------
    >>> from aliexp_lib.analysis import analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([dict(order_id="1", price="1500", currency="RUB",
    ...     problem="not_received")]))
    >>> table = ranking_table(analyse(book, dt.date(2026, 3, 1), Setting.default()).options, "en")
    >>> table.loc[0, ["Way out", "Net money", "Chance", "Money by"]].tolist()
    ['Dispute for a full refund', 'RUB1,275.00', '85 %', 'Apr 17, 2026']
    """
    table = pd.DataFrame(
        {
            "rank": ranking["rank"].to_numpy(),
            "option": ranking["option"].to_numpy(),
            **_outcome(ranking, lang),
            "reason": ranking["reason"].astype(str).to_numpy(),
            "risk": ranking["risk"].astype(str).to_numpy(),
            "advice": advice(ranking, "option", lang).to_numpy(),
        }
    )
    return localise(table, lang, codes=("option",), texts=("reason", "risk"))


def _outcome(ranking: pd.DataFrame, lang: str) -> dict[str, list[str]]:
    """The money, its range, the chance and the date of ranked options, as text for ``lang``."""
    currency = ranking["currency"]  # per row: the display currency, or the order's own without a rate
    return {
        "net": money_text(ranking["net_minor"], currency, lang),
        "net_low": money_text(ranking["net_low_minor"], currency, lang),
        "net_high": money_text(ranking["net_high_minor"], currency, lang),
        "sure": money_text(ranking["sure_minor"], currency, lang),
        "equivalent": money_text(ranking["equivalent_minor"], currency, lang),
        "likelihood": [f"{round(p * 100)} %" for p in ranking["likelihood"]],
        "money_by": dates_text(ranking["money_by"], lang),
    }


def refunds_in_flight(analysis: Analysis) -> pd.DataFrame:
    """Refunds issued and not yet received (``Analysis.refunds``), for people.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    pandas.DataFrame
        ``order_id``, ``amount`` (money as text), ``payment_method``, ``expected_by`` (text), ``status``.

    Examples
    --------
    >>> from aliexp_lib.analysis import analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "2", "price": "300", "currency": "RUB",
    ...     "shipped_at": "2026-02-03", "refund_issued_at": "2026-02-25", "payment_method": "card"}]))
    >>> refunds_in_flight(analyse(book, dt.date(2026, 3, 1), Setting.default())).iloc[0].tolist()
    ['2', 'RUB300.00', 'Bank card', 'Mar 17, 2026', 'upcoming']
    """
    lang = analysis.setting.lang
    refunds = analysis.refunds
    out = pd.DataFrame(
        {
            "order_id": refunds["order_id"].to_numpy(),
            "amount": money_text(refunds["amount_minor"], refunds["currency"], lang),
            "payment_method": payment_names(refunds["payment_method"], lang).to_numpy(),
            "expected_by": dates_text(refunds["expected_by"], lang),
            "status": np.where(refunds["late"].to_numpy(dtype=bool), "overdue", "upcoming"),
        }
    )
    return localise(out, lang, codes=("status",))


def cashback_table(analysis: Analysis) -> pd.DataFrame:
    """Cashback expected per order (``Analysis.cashback``); lost if a dispute or refund cancels it (rules 34-35).

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    pandas.DataFrame
        ``order_id``, ``expected`` (money as text, the order's currency), ``lost`` (yes/no), ``reason``.

    Examples
    --------
    >>> from aliexp_lib.analysis import analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([dict(order_id="1", price="1500", currency="RUB", cashback_rate="5")]))
    >>> cashback_table(analyse(book, dt.date(2026, 3, 1), Setting.default())).loc[0, ["Expected", "Lost"]].tolist()
    ['RUB75.00', 'no']
    """
    lang = analysis.setting.lang
    found = analysis.cashback
    out = pd.DataFrame(
        {
            "order_id": found["order_id"].to_numpy(),
            "expected": money_text(found["expected_minor"], found["currency"], lang),
            "lost": [_("yes", lang) if lost else _("no", lang) for lost in found["lost"]],
            "reason": found["reason"].to_numpy(),
        }
    )
    return localise(out, lang)


def spend(analysis: Analysis, by: str) -> pd.DataFrame:
    """``Analysis.spend`` for people: money as text in the display currency, headings in the setting's language.

    Parameters
    ----------
    analysis : Analysis
    by : {"month", "store"}
        The grouping (``Analysis.spend``); another value raises ``ValueError``.

    Returns
    -------
    pandas.DataFrame
        ``month`` or ``store``, ``spent`` (money as text), ``orders``.

    Examples
    --------
    >>> from aliexp_lib.analysis import analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([dict(order_id="1", store="Lamps", price="1500", currency="RUB")]))
    >>> spend(analyse(book, dt.date(2026, 3, 1), Setting.default()), "store").columns.tolist()
    ['Store', 'Spent', 'Orders']
    """
    lang = analysis.setting.lang
    out = analysis.spend(by).rename(columns={"spent_minor": "spent"})
    out["spent"] = money_text(out["spent"], out.pop("currency"), lang)  # per currency where a rate is missing
    return localise(out, lang)


def tracking_verdicts(numbers, lang: str) -> pd.DataFrame:
    """``check_tracking`` for people: ``valid`` as yes/no.

    Parameters
    ----------
    numbers : iterable of str
    lang : {"en", "ru"}

    Returns
    -------
    pandas.DataFrame
        ``number``, ``valid``, ``format``, ``country``, ``reason``.

    Examples
    --------
    >>> tracking_verdicts(["RR123456785CN", "X"], "en")["Valid"].tolist()
    ['yes', 'no']
    """
    found = check_tracking(numbers, lang=lang)
    found["valid"] = [_("yes", lang) if v else _("no", lang) for v in found["valid"]]
    return localise(found, lang)


def warnings_table(analysis: Analysis) -> pd.DataFrame:
    """Every check's warnings for the order book (``Analysis.checks``) for people.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    pandas.DataFrame
        ``order_id``, ``check`` (its display name), ``reason``, ``rule``.

    Examples
    --------
    >>> from aliexp_lib.analysis import analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([{"order_id": "1", "seller_rating": "80"}]))
    >>> warnings_table(analyse(book, dt.date(2026, 3, 1), Setting.default())).loc[0, ["Check", "Rule"]].tolist()
    ['Low store rating', 'rule 27, seed L127-139']
    """
    return localise(analysis.checks, analysis.setting.lang, codes=("check",))


def heading(text: str, lang: str, level: int = 2):
    """A translated Markdown heading for a notebook or the report.

    Parameters
    ----------
    text : str
        The heading, an English message id, translated into ``lang``.
    lang : {"en", "ru"}
    level : int, default 2

    Returns
    -------
    IPython.display.Markdown

    Examples
    --------
    >>> heading("Next actions", "en", level=3).data
    '### Next actions'
    """
    from IPython.display import Markdown

    return Markdown(f"{'#' * level} {_(text, lang)}")


def best_options(analysis: Analysis) -> pd.DataFrame:
    """For each problem order (at most ``MAX_ROWS``), its best way out (``Analysis.options``) for people.

    Parameters
    ----------
    analysis : Analysis

    Returns
    -------
    pandas.DataFrame
        ``order_id``, ``problem``, ``option``, ``net``, ``net_low``, ``net_high``, ``sure``, ``equivalent``,
        ``likelihood`` [%], ``money_by``, ``advice`` (the seed's, ``guidance``).

    Examples
    --------
    >>> from aliexp_lib.analysis import analyse
    >>> book = OrderBook.from_frame(pd.DataFrame([dict(order_id="1", price="1500", currency="RUB",
    ...     problem="not_received")]))
    >>> best_options(analyse(book, dt.date(2026, 3, 1), Setting.default())).loc[0, ["Way out", "Net money"]].tolist()
    ['Dispute for a full refund', 'RUB1,275.00']
    """
    lang = analysis.setting.lang
    ranking = analysis.options
    best = ranking[ranking["rank"] == 1].head(MAX_ROWS)
    table = pd.DataFrame(
        {
            "order_id": best["order_id"].to_numpy(),
            "problem": best["problem"].to_numpy(),
            "option": best["option"].to_numpy(),
            **_outcome(best, lang),
            "advice": advice(best, "option", lang, orders=analysis.book.table).to_numpy(),
        }
    )
    return localise(table, lang, codes=("problem", "option"))


def seller_verdicts(
    today: dt.date,
    setting: Setting,
    rating: float | None = None,
    store_opened_at: str | None = None,
    store_orders: int | None = None,
    cashback_rate: float | None = None,
) -> pd.DataFrame:
    """Risk signals (rules 27-28, 35) for seller facts typed in by hand, under the setting's thresholds.

    Parameters
    ----------
    today : datetime.date
        The day the store's age is counted to.
    setting : Setting
        Its ``thresholds`` and ``lang``.
    rating, store_opened_at, store_orders, cashback_rate : optional
        Rating [%], the day the store opened (``YYYY-MM-DD``), its orders, cashback [%]; None: not known.

    Returns
    -------
    pandas.DataFrame
        ``signal`` (its display name), ``reason``, ``rule``.

    Raises
    ------
    InputError
        A fact that is not a valid value (e.g. ``store_opened_at`` not a date).

    Examples
    --------
    >>> found = seller_verdicts(dt.date(2026, 3, 1), Setting.default(), rating=80, store_opened_at="2026-01-01")
    >>> found["Signal"].tolist(), found["Rule"].tolist()
    (['Low store rating', 'Young store'], ['rule 27, seed L127-139', 'rule 27, seed L137'])
    """
    lang = setting.lang
    facts = {
        "order_id": "-",
        "seller_rating": rating,
        "store_opened_at": store_opened_at,
        "store_orders": store_orders,
        "cashback_rate": cashback_rate,
    }
    book = OrderBook.from_frame(pd.DataFrame([{k: "" if v is None else str(v) for k, v in facts.items()}]))
    found = seller_signals(book, today, setting.thresholds, lang=lang)
    return localise(found.drop(columns=["order_id"]), lang, codes=("signal",))


def html(table: pd.DataFrame):
    """A table for a notebook or the report: every cell in full, no index, text escaped (a product
    title with markup in it shows as text).

    Parameters
    ----------
    table : pandas.DataFrame
        The table; missing cells are shown empty.

    Returns
    -------
    IPython.display.HTML

    Examples
    --------
    >>> "<td>&lt;b&gt;Lamp&lt;/b&gt;</td>" in html(pd.DataFrame({"title": ["<b>Lamp</b>"]})).data
    True
    """
    from IPython.display import HTML

    style = "<style>.aliexp-table th, .aliexp-table td {text-align: left; vertical-align: top}</style>"
    return HTML(style + table_html(table, "aliexp-table"))
