"""The importers' vocabulary: month names, order statuses, currency symbols and country names in
English, Russian and German, as AliExpress and the export tools write them.

Data only (tables built once, from CLDR where it has them), for the parsers in ``_parse``.
"""

from __future__ import annotations

import re
from functools import cache

from babel import Locale
from babel.dates import get_month_names

#: Languages whose spellings are understood, and the decimal separator each one writes.
LANGUAGES = {"en": ".", "de": ",", "ru": ","}


@cache
def month_words() -> dict[str, tuple[int, frozenset[str]]]:
    """Month name (folded) -> (month number, languages spelling it so), from CLDR plus common variants.

    Examples
    --------
    >>> month_words()["авг"], sorted(month_words()["aug"][1])
    ((8, frozenset({'ru'})), ['de', 'en'])
    """
    words: dict[str, tuple[int, set[str]]] = {}

    def add(word: str, month: int, language: str) -> None:
        word = word.lower().rstrip(".")
        known = words.setdefault(word, (month, set()))
        assert known[0] == month, (word, month)
        known[1].add(language)

    for language in LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, language).items():
                    add(name, month, language)
    extras = {
        "en": {"sept": 9, "june": 6, "july": 7},
        "de": {"mrz": 3, "mär": 3, "jun": 6, "jul": 7, "sep": 9},
        "ru": {
            "янв": 1,
            "фев": 2,
            "февр": 2,
            "мар": 3,
            "апр": 4,
            "июн": 6,
            "июл": 7,
            "авг": 8,
            "сен": 9,
            "сент": 9,
            "окт": 10,
            "ноя": 11,
            "нояб": 11,
            "дек": 12,
        },
    }
    for language, names in extras.items():
        for name, month in names.items():
            add(name, month, language)
    return {word: (month, frozenset(languages)) for word, (month, languages) in words.items()}


#: Normalised status -> spellings (en, ru, de) as the site and the export tools show them.
STATUSES = {
    "awaiting_payment": (
        "awaiting payment",
        "pending payment",
        "unpaid",
        "to pay",
        "payment pending",
        "ожидает оплаты",
        "ожидание оплаты",
        "не оплачен",
        "не оплачено",
        "zahlung ausstehend",
        "warten auf zahlung",
        "wartet auf zahlung",
        "warte auf zahlung",
        "nicht bezahlt",
    ),
    "awaiting_shipment": (
        "awaiting shipment",
        "awaiting dispatch",
        "to ship",
        "processing",
        "pending shipment",
        "ожидает отправки",
        "ожидание отправки",
        "в обработке",
        "обрабатывается",
        "versand ausstehend",
        "warten auf versand",
        "wartet auf versand",
        "warte auf versand",
        "in bearbeitung",
    ),
    "shipped": (
        "shipped",
        "awaiting delivery",
        "awaiting receipt",
        "to receive",
        "in transit",
        "sent",
        "отправлен",
        "отправлено",
        "отправлен продавцом",
        "ожидает получения",
        "ожидает доставки",
        "в пути",
        "versandt",
        "versendet",
        "verschickt",
        "warten auf lieferung",
        "wartet auf lieferung",
        "warten auf erhalt",
        "wartet auf erhalt",
        "lieferung ausstehend",
        "unterwegs",
    ),
    "completed": (
        "completed",
        "complete",
        "finished",
        "order completed",
        "confirmed",
        "завершено",
        "завершён",
        "завершен",
        "заказ завершён",
        "заказ завершен",
        "выполнен",
        "заказ выполнен",
        "abgeschlossen",
        "beendet",
        "bestellung abgeschlossen",
        "erledigt",
    ),
    "closed": (
        "closed",
        "cancelled",
        "canceled",
        "order closed",
        "order cancelled",
        "закрыт",
        "закрыто",
        "заказ закрыт",
        "отменён",
        "отменен",
        "отменено",
        "заказ отменён",
        "заказ отменен",
        "geschlossen",
        "storniert",
        "abgebrochen",
        "bestellung storniert",
        "bestellung geschlossen",
    ),
    "in_dispute": (
        "in dispute",
        "dispute",
        "disputed",
        "dispute in progress",
        "dispute opened",
        "спор",
        "в споре",
        "открыт спор",
        "спор открыт",
        "идёт спор",
        "идет спор",
        "streitfall",
        "im streitfall",
        "in klärung",
        "reklamation",
        "reklamation offen",
        "streitfall eröffnet",
    ),
    "refunded": (
        "refunded",
        "refund",
        "refund completed",
        "refund issued",
        "возвращено",
        "возврат",
        "возврат средств",
        "средства возвращены",
        "деньги возвращены",
        "erstattet",
        "rückerstattet",
        "erstattung",
        "rückerstattung",
        "geld zurückerstattet",
    ),
}

#: What a status says about our dated columns, and why no date is filled in.
STATUS_MEANS = {
    "shipped": "the seller shipped, but the export gives no shipping date; shipped_at left empty",
    "completed": "receipt was confirmed on the site, but the export gives no date; confirmed_at left empty",
    "in_dispute": "a dispute is open, but the export gives no date; dispute_opened_at left empty",
    "refunded": "a refund was issued, but the export gives no date; refund_issued_at left empty",
}
#: What follows from a date left empty, said once after the statuses' warnings.
STATUS_ESTIMATED = (
    "deadlines of these orders are estimated from the earliest day each date could be (marked estimated); "
    "`aliexp missing` lists the dates to record to make them exact"
)


@cache
def status_words() -> dict[str, tuple[str, str]]:
    """Spelling -> (normalised status, language).

    Examples
    --------
    >>> status_words()["abgeschlossen"], status_words()["в пути"]
    (('completed', 'de'), ('shipped', 'ru'))
    """
    words = {}
    for status, spellings in STATUSES.items():
        for word in spellings:
            language = "ru" if re.search("[а-яё]", word) else ("de" if word in _GERMAN else "en")
            words[word] = (status, language)
    return words


_GERMAN = {
    w
    for spellings in STATUSES.values()
    for w in spellings
    if re.search(
        r"[äöüß]|ausstehend|warte|versand|bearbeitung|verschickt|versendet|lieferung|erhalt|unterwegs|"
        r"abgeschlossen|beendet|bestellung|erledigt|geschlossen|storniert|abgebrochen|streit|klärung|"
        r"reklamation|erstatt|bezahlt",
        w,
    )
}

#: Currency symbols and words (folded, spaces removed) -> ISO code; None: ambiguous, never guessed.
CURRENCY_WORDS = {
    "us$": "USD",
    "usd$": "USD",
    "$": "USD",
    "€": "EUR",
    "euro": "EUR",
    "eur€": "EUR",
    "руб": "RUB",
    "руб.": "RUB",
    "р": "RUB",
    "р.": "RUB",
    "₽": "RUB",
    "rub.": "RUB",
    "rubel": "RUB",
    "£": "GBP",
    "cn¥": "CNY",
    "rmb": "CNY",
    "元": "CNY",
    "jp¥": "JPY",
    "円": "JPY",
    "¥": None,
    "￥": None,
    "fr.": "CHF",
    "sfr.": "CHF",
    "zł": "PLN",
    "₴": "UAH",
    "грн": "UAH",
    "грн.": "UAH",
    "₸": "KZT",
    "тг": "KZT",
    "тг.": "KZT",
    "ca$": "CAD",
    "c$": "CAD",
    "a$": "AUD",
    "au$": "AUD",
    "nz$": "NZD",
    "mx$": "MXN",
    "r$": "BRL",
    "₩": "KRW",
    "₹": "INR",
    "kč": "CZK",
    "₺": "TRY",
    "₪": "ILS",
    "br": "BYN",
    "byn": "BYN",
    "kr": None,
}


@cache
def country_names() -> dict[str, str]:
    """Country name in English, Russian or German, or ISO code (folded) -> ISO 3166 code.

    Examples
    --------
    >>> country_names()["deutschland"], country_names()["россия"], country_names()["us"]
    ('DE', 'RU', 'US')
    """
    codes = {c for c in Locale("en").territories if isinstance(c, str) and len(c) == 2 and c.isalpha()}
    names: dict[str, str] = {c.lower(): c for c in codes}
    for language in LANGUAGES:
        for code, name in Locale(language).territories.items():
            if code in codes:
                names.setdefault(name.lower(), code)
    names.update({"usa": "US", "uk": "GB", "russian federation": "RU", "российская федерация": "RU", "рф": "RU"})
    return names
