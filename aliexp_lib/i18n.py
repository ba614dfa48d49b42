"""Words and formats for the user, in English or Russian.

English text is the message id; Russian lives in a gettext catalogue, ``data/i18n/ru.po``, read
with Babel (so translators can use the usual PO tools). Dates and money are formatted for the
locale by Babel (CLDR data), not by hand; money by ``aliexp_lib.money.money_text``.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache, lru_cache
from importlib import resources

import pandas as pd
from babel.dates import format_date as _babel_date
from babel.messages.pofile import read_po

LANGUAGES = ("en", "ru")

#: Display names of the codes the engines use (kinds, statuses, options, problems) and of
#: table columns. English here; other languages in the catalogue.
LABELS = {
    # deadline kinds
    "dispute_opens": "Dispute can be opened",
    "tracking_check": "Check tracking",
    "tracking_stalled": "Tracking stalled",
    "ask_extension": "Ask for an extension",
    "protection_ends": "Buyer protection ends",
    "dispute_after_close": "Dispute after confirming",
    "dispute_after_auto_close": "Dispute after the order closed",
    "seller_reply_due": "Seller must answer",
    "auto_escalation": "Automatic escalation",
    "decision_due": "Platform decision",
    "return_ship_by": "Post the return",
    "return_refund_by": "Refund for the return",
    "refund_leaves_platform": "Refund leaves AliExpress",
    "refund_overdue": "Refund should have arrived",
    "cancel_unshipped": "Cancel while unshipped",
    "seller_ships_by": "Seller must ship",
    # statuses
    "overdue": "overdue",
    "check_now": "check now",
    "due_today": "due today",
    "upcoming": "upcoming",
    "expired": "expired",
    "done": "done",
    # options
    "wait_and_extend": "Wait and extend protection",
    "dispute_full_refund": "Dispute for a full refund",
    "return_for_refund": "Return it for a refund",
    "partial_refund_keep": "Partial refund, keep it",
    "accept_resend": "Accept a replacement",
    "keep_and_close": "Keep it and close",
    "settle_off_platform": "Settle off the platform",
    "wait_for_refund": "Wait for the return's refund",
    "pay_matching_order": "Pay a matching order",
    "ask_support": "Ask support and your bank",
    # problems
    "not_received": "not received",
    "defective": "defective",
    "not_as_described": "not as described",
    "wrong_item": "wrong item",
    "incomplete": "incomplete",
    "arrived_after_refund": "arrived after the refund",
    "duplicate": "duplicate",
    # seller signals and order checks
    "low_rating": "Low store rating",
    "young_store": "Young store",
    "few_orders": "Few orders",
    "cashback_scam": "Suspicious cashback",
    "saver_received_early": "Saver parcel received too early",
    "tracking_number": "Tracking number",
    "tracking_reused": "Tracking number reused",
    # events of the case log
    "paid": "Paid",
    "shipped": "Shipped",
    "last_tracking_update": "Tracking moved",
    "received": "Received",
    "confirmed": "Receipt confirmed",
    "dispute_opened": "Dispute opened",
    "dispute_escalated": "Dispute escalated",
    "return_address": "Return address given",
    "return_shipped": "Return posted",
    "refund_issued": "Refund issued",
    "refund_received": "Refund received",
    "dispute_won": "Dispute won",
    "dispute_lost": "Dispute lost",
    "dispute_cancelled": "Dispute cancelled",
    "dispute_agreed": "Seller's terms accepted",
    "dispute_reopened": "Dispute reopened",
    "order_closed": "Order closed without confirmation",
    "extension": "Protection extended",
    # columns
    "order_id": "Order",
    "store": "Store",
    "title": "Item",
    "kind": "Deadline",
    "due": "Due",
    "days_left": "Days left",
    "status": "Status",
    "actor": "Who acts",
    "action": "What to do",
    "option": "Way out",
    "rank": "Rank",
    "net": "Net money",
    "net_low": "At worst",
    "net_high": "At best",
    "sure": "Sure (if it fails)",
    "equivalent": "Worth, counting risk",
    "money_by": "Money by",
    "likelihood": "Chance",
    "reason": "Why",
    "risk": "Risk",
    "problem": "Problem",
    "amount": "Amount",
    "payment_method": "Paid with",
    "expected_by": "Expected by",
    "month": "Month",
    "spent": "Spent",
    "orders": "Orders",
    "number": "Tracking number",
    "valid": "Valid",
    "format": "Format",
    "country": "Country",
    "check": "Check",
    "rule": "Rule",
    "estimated": "Estimated",
    "assumption": "Assumption",
    "expected": "Expected",
    "lost": "Lost",
    "currency": "Currency",
    "signal": "Signal",
    "date_needed": "Date needed",
    "where": "Where it is shown",
    "page_en": "Label in English",
    "page_ru": "Label in Russian",
    "page_de": "Label in German",
    "price": "Price",
    "advice": "Advice",
}

#: Payment methods (``payment_method``, lower case, as in ``data/payout_times.csv``) -> their names (rule 23).
PAYMENT_METHODS = {
    "card": "Bank card",
    "yoomoney": "YooMoney (Yandex.Money)",
    "qiwi": "Qiwi wallet",
    "webmoney": "WebMoney",
    "phone balance": "Phone balance",
    "paypal": "PayPal",
    "alipay balance": "Alipay balance",
}


def payment_names(methods: pd.Series, lang: str) -> pd.Series:
    """The payment methods of ``methods`` by their names in ``lang``; a method we do not know stays as written.

    Examples
    --------
    >>> payment_names(pd.Series(["card", " YooMoney", "Sberbank"]), "ru").tolist()
    ['Банковская карта', 'ЮMoney (Яндекс Деньги)', 'Sberbank']
    """
    names = {code: _(name, lang) for code, name in PAYMENT_METHODS.items()}
    known = methods.astype(object).where(methods.notna(), "").astype(str).str.strip().str.lower().map(names)
    return known.fillna(methods)


@cache
def _catalogue(lang: str) -> dict[str, str]:
    """Message id -> translation of ``data/i18n/{lang}.po`` (empty for English), read once per language."""
    if lang == "en":
        return {}
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    with resources.files("aliexp_lib.data").joinpath("i18n", f"{lang}.po").open("rb") as handle:
        catalogue = read_po(handle, locale=lang)
    # Plural messages (tuple ids) are never looked up by ``_``; only singular str messages are kept.
    return {
        m.id: m.string for m in catalogue if isinstance(m.id, str) and isinstance(m.string, str) and m.id and m.string
    }


def _(text: str, lang: str) -> str:
    """``text`` in ``lang`` (English text is its own message id; untranslated text stays English).

    A text filled from a template of the catalogue (``"... has {seller_reply_days} days ..."`` with 10) is
    translated by its template and filled again with the same values (``templates``).
    """
    if lang == "en":
        return text
    found = _catalogue(lang).get(text)
    if found is not None:
        return found
    for pattern, russian in _templates(lang):
        match = pattern.fullmatch(text)
        if match:
            return russian.format(**match.groupdict())
    return text


@cache
def _templates(lang: str) -> tuple[tuple[re.Pattern, str], ...]:
    """(pattern, translation) of every catalogue entry with named ``{placeholders}`` filled by numbers."""
    out = []
    for msgid, translation in _catalogue(lang).items():
        parts = re.split(r"\{([a-z_]+)\}", msgid)
        if len(parts) > 1:
            names = parts[1::2]
            groups = [f"(?P={n})" if n in names[:i] else f"(?P<{n}>-?[0-9]+)" for i, n in enumerate(names)]
            pattern = "".join(re.escape(p) if i % 2 == 0 else groups[i // 2] for i, p in enumerate(parts))
            out.append((re.compile(pattern, re.DOTALL), translation))
    return tuple(out)


def label(code: str, lang: str) -> str:
    """The display name of an engine code or column name in ``lang``.

    Parameters
    ----------
    code : str
        A code of the engines (deadline kind, status, option, problem, check, event) or a column
        name; a key of ``LABELS``. Any other text is shown as it is (translated if the catalogue has it).
    lang : {"en", "ru"}
        The language.

    Returns
    -------
    str
        The display name.

    Raises
    ------
    ValueError
        If ``lang`` is not one of ``LANGUAGES`` (a plain ``ValueError``, not ``InputError``).

    Examples
    --------
    >>> label("protection_ends", "en")
    'Buyer protection ends'
    >>> label("protection_ends", "ru")
    'Конец защиты покупателя'
    >>> label("no_such_code", "en")
    'no_such_code'
    """
    return _(LABELS.get(code, code), lang)


def localise(table: pd.DataFrame, lang: str, codes: tuple[str, ...] = (), texts: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy with ``codes`` columns as display names, ``texts`` columns translated, headings translated.

    Categorical columns are translated by renaming their few categories, not row by row.
    Columns named but absent are skipped.

    Parameters
    ----------
    table : pandas.DataFrame
        The table; it is not changed.
    lang : {"en", "ru"}
        The language.
    codes : tuple of str, optional
        Columns holding engine codes, shown by ``label``.
    texts : tuple of str, optional
        Columns holding English message ids, translated as they are.

    Returns
    -------
    pandas.DataFrame
        The copy, every column heading replaced by its ``label``.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"kind": ["protection_ends"], "status": pd.Categorical(["overdue"]), "days_left": [3]})
    >>> localise(table, "en", codes=("kind", "status"))  # doctest: +NORMALIZE_WHITESPACE
                    Deadline   Status  Days left
    0  Buyer protection ends  overdue          3
    >>> russian = localise(table, "ru", codes=("kind", "status"))
    >>> russian.columns.tolist(), russian["Срок"].tolist()
    (['Срок', 'Статус', 'Дней осталось'], ['Конец защиты покупателя'])
    """
    out = table.copy()
    for column in codes + texts:
        if column not in out:
            continue
        translate = (lambda v: label(v, lang)) if column in codes else (lambda v: _(v, lang))
        values = out[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            out[column] = values.cat.rename_categories([translate(c) for c in values.cat.categories])
        else:
            out[column] = values.map(translate)
    return out.rename(columns={c: label(c, lang) for c in out.columns})


def format_date(day, lang: str) -> str:
    """A calendar date for ``lang``: "Mar 1, 2026" / "1 мар. 2026 г.".

    Babel's (CLDR) medium date format; "" for a missing day.

    Parameters
    ----------
    day : datetime.date, pandas.Timestamp, str or missing
        The day: a date, a timestamp (its time of day is dropped), ISO text ``YYYY-MM-DD``, or
        None/NaT/NaN.
    lang : {"en", "ru"}
        The locale.

    Returns
    -------
    str
        The formatted date ("" where ``day`` is missing). Russian uses narrow no-break spaces.

    Examples
    --------
    >>> import datetime as dt
    >>> format_date(dt.date(2026, 3, 1), "en")
    'Mar 1, 2026'
    >>> format_date("2026-03-01", "ru").replace("\u202f", " ")
    '1 мар. 2026 г.'
    >>> format_date(None, "en")
    ''
    """
    if pd.isna(day):
        return ""
    day = day.date() if isinstance(day, pd.Timestamp) else day
    return _medium_date(day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)), lang)


@lru_cache(maxsize=4096)
def _medium_date(day: dt.date, lang: str) -> str:
    """Babel's medium date, once per day and language: a table repeats its days (2,400 dates of 10,000
    orders' open deadlines, over a few hundred days: 0.04-0.05 s -> 0.005 s)."""
    return _babel_date(day, "medium", locale=lang)
