"""Tracking-number checks (DOMAIN rule 29, seed L179-183).

A seller may give a random string that no postal system tracks, or the number of another
customer's parcel. These checks catch what can be seen from the number alone: a UPU S10 number
(``RB123456785GB``) whose check digit or country code is wrong, a shape no carrier uses, and one
number on several orders. A failed check is a warning with its reason, never a verdict of fraud:
a typo, or a carrier this module does not know, fails the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from string import Formatter

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from babel import Locale

from aliexp_lib.column_scan import arrow_text
from aliexp_lib.i18n import _
from aliexp_lib.tracking_shapes import shapes
from aliexp_lib.validate import OrderBook

COLUMNS = ("number", "valid", "format", "country", "reason")
DUPLICATE_COLUMNS = ("order_id", "tracking_number", "other_orders", "reason")
#: Other orders named beside an order whose tracking number they share; beyond, "and N more" [orders].
SHOWN_OTHERS = 5

#: Weights of the 8 serial digits in the S10 check digit (UPU S10, section on the check digit).
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)
#: Meaning of the first letter of an S10 service indicator, for the common ones (English message ids).
SERVICES = {
    "E": "EMS",
    "C": "parcel",
    "R": "registered letter",
    "L": "tracked letter or small packet",
    "U": "untracked (unregistered) letter; tracking may stop at the border",
    "V": "insured letter",
}
#: Two-letter CLDR territories that are not countries, so no postal service issues numbers for them.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
RULE = "rule 29"

# User-visible texts. Each is an English gettext message id (Russian in data/i18n/ru.po); a
# ``{name}`` is filled in after translation, per row with ``_fill``.
#: Format names that are words, not brands (the ``format`` column of ``check_tracking``).
FORMAT_WORDS = ("unknown", "missing", "carrier-specific number")
#: Where a rule comes from: its number and the lines of the seed (the buyer guide) it rests on.
RULE_REF = "rule {rule}, seed {lines}"
_UNKNOWN = "not a known tracking number format; a number no tracking service knows may be a fake (rule 29)"
_MISSING = "no tracking number given"
_NO_CHECK = (
    "{format}: a known carrier format with no check digit, so only its shape can be verified; look it up on the "
    "carrier's site"
)
_S10_FINE = "check digit {digit} matches; {service}; issued in {country}"
_S10_OTHER_SERVICE = "{indicator}: service letter {letter} is not one of the common ones (E, C, R, L, U, V)"
_S10_DIGIT = "check digit is {digit} but the S10 rule gives {expected}"
_S10_COUNTRY = "{code} is not an ISO country code"
_S10_BOTH = "{digit_problem} and {country_problem}"
_S10_ADVICE = (
    "{problem}: a typo, or a number no postal service issued; compare it with the seller's and ask for the right one, "
    "keeping a screenshot (rule 29). A warning, not proof of fraud"
)
_SHARED = (
    "the same number is on order(s) {orders}: a reused number or another customer's parcel; check that the route "
    "ends at your address and keep screenshots of it for a dispute (rule 29, seed L179-183). A warning, not proof of "
    "fraud"
)
_SHARED_SAVER = (
    "the same number is on order(s) {orders}, all sent by Saver Shipping, whose parcels travel in a bag under one "
    "number; check that each parcel reached you (rule 30)"
)
_SHARED_STORE = (
    "the same number is on order(s) {orders} of the same store: the seller may have packed them in one parcel; check "
    "that it held every one of them (rule 29)"
)
#: Every message id this module shows, for translators and tests ("EMS" is a brand, not a message).
MESSAGES = (
    *FORMAT_WORDS,
    RULE_REF,
    _UNKNOWN,
    _MISSING,
    _NO_CHECK,
    _S10_FINE,
    _S10_OTHER_SERVICE,
    _S10_DIGIT,
    _S10_COUNTRY,
    _S10_BOTH,
    _S10_ADVICE,
    _SHARED,
    _SHARED_SAVER,
    _SHARED_STORE,
    *(meaning for meaning in SERVICES.values() if meaning != "EMS"),
)


@cache
def countries(lang: str = "en") -> dict[str, str]:
    """ISO 3166 alpha-2 code -> country name in ``lang``, per Babel (CLDR).

    Two-letter territories that are not countries (``EU``, ``UN``, ``ZZ``...) are left out: no
    postal service issues S10 numbers for them. The result is cached per language.

    Parameters
    ----------
    lang : {"en", "ru"}, default "en"
        Language of the names.

    Returns
    -------
    dict of str to str
        Code -> name. One shared (cached) dict per language: do not change it.

    Examples
    --------
    >>> countries()["GB"], countries("ru")["GB"]
    ('United Kingdom', 'Великобритания')
    >>> "EU" in countries()
    False
    """
    names = Locale(lang).territories
    return {
        code: name for code, name in names.items() if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }


def s10_check_digit(serial: str) -> int:
    """The S10 check digit of an 8-digit serial: weights 8 6 4 2 3 5 9 7, sum mod 11, 11 - rest (10 -> 0, 11 -> 5).

    The UPU S10 rule (``S10_WEIGHTS``), as ``check_tracking`` applies it (rule 29).

    Parameters
    ----------
    serial : str
        The 8 serial digits of an S10 number (its characters 3-10).

    Returns
    -------
    int
        The check digit, 0-9 (the number's 11th character).

    Raises
    ------
    ValueError
        If ``serial`` is not exactly 8 digits (a plain ``ValueError``, not ``InputError``).

    Examples
    --------
    >>> s10_check_digit("12345678")  # RB 12345678 5 GB
    5
    """
    if not re.fullmatch(r"\d{8}", serial):
        raise ValueError(f"an S10 serial is 8 digits, got {serial!r}")
    return int(_check_digits(pd.Series([serial]))[0])


def check_tracking(numbers: Iterable[str], *, lang: str = "en") -> pd.DataFrame:
    """Check tracking numbers by their shape and S10 check digit (rule 29, seed L179-183).

    One row per number, in input order: ``number`` (upper case, spaces removed), ``valid``,
    ``format``, ``country`` (issuing country's name, S10 only, else ""), ``reason``.

    ``format`` (where it is a word, not a brand), ``country`` and ``reason`` are in ``lang``.

    ``valid`` is False for an S10 number whose check digit or country code is wrong, and for a
    shape no known carrier uses (rule 29); carrier formats without a check digit are valid by
    shape. An unknown S10 service letter is said in ``reason``, not counted against the number.
    An empty number has ``format`` "missing" and is not valid. A failed check is a warning, not a
    verdict of fraud.

    Parameters
    ----------
    numbers : iterable of str
        Tracking numbers as the seller gave them; None counts as empty.
    lang : {"en", "ru"}, default "en"
        Language of ``format`` words, ``country`` and ``reason``.

    Returns
    -------
    pandas.DataFrame
        ``COLUMNS``: ``number`` (str), ``valid`` (bool), ``format`` (str: "UPU S10", a carrier format
        of ``tracking_shapes.OTHER_FORMATS``, "unknown" or "missing"), ``country`` (str), ``reason``
        (str); a default RangeIndex.

    Examples
    --------
    >>> result = check_tracking(["RB123456785GB", "rb 1234 5678 0gb", "LP00123456789012", "hello", ""])
    >>> result.loc[:, ["number", "valid", "format", "country"]]  # doctest: +NORMALIZE_WHITESPACE
                 number  valid      format         country
    0     RB123456785GB   True     UPU S10  United Kingdom
    1     RB123456780GB  False     UPU S10  United Kingdom
    2  LP00123456789012   True  Cainiao LP
    3             HELLO  False     unknown
    4                    False     missing
    >>> result["reason"][1].split(":")[0]
    'check digit is 0 but the S10 rule gives 5'
    """
    number = _normalise(pd.Series(numbers.array if isinstance(numbers, pd.Series) else list(numbers), dtype=object))
    valid = pd.Series(False, index=number.index)
    fmt = pd.Series("unknown", index=number.index, dtype=object)
    country = pd.Series("", index=number.index, dtype=object)
    reason = pd.Series(_(_UNKNOWN, lang), index=number.index, dtype=object)

    parts, matched = shapes(number)
    s10 = parts[0].notna()
    if s10.any():
        _check_s10(parts[s10], valid, fmt, country, reason, lang)
    for name, shaped in matched.items():  # in the order of ``tracking_shapes.OTHER_FORMATS``
        rows = ~s10 & (fmt == "unknown") & shaped
        fmt[rows] = name
        valid[rows] = True
        reason[rows] = _(_NO_CHECK, lang).format(format=_(name, lang))
    empty = number == ""
    fmt[empty] = "missing"
    reason[empty] = _(_MISSING, lang)
    if lang != "en":
        fmt = fmt.replace({word: _(word, lang) for word in FORMAT_WORDS})
    return pd.DataFrame(
        {"number": number, "valid": valid.astype(bool), "format": fmt, "country": country, "reason": reason}
    )


def duplicate_tracking(book: OrderBook, *, lang: str = "en") -> pd.DataFrame:
    """Orders whose non-empty tracking number is also on another order (rule 29, seed L179-183).

    One row per such order, in book order: ``order_id``, ``tracking_number``, ``other_orders``
    (the other orders' ids, comma-separated, in book order; the first ``SHOWN_OTHERS``, then "and N
    more"), ``reason``. The number is compared
    upper case with spaces removed. Orders of one store may share a number because the seller
    packed them together; the reason says so. Orders all sent by Saver Shipping (``shipping_method``
    containing "saver", any case) may share one because such parcels travel in a bag under one
    number (rule 30); the reason says that instead (the same-store reason wins where both hold).
    ``reason`` is in ``lang``. A shared number is a warning, not a verdict of fraud.

    Parameters
    ----------
    book : OrderBook
        The orders; read are ``order_id``, ``tracking_number``, ``store`` and ``shipping_method``.
    lang : {"en", "ru"}, default "en"
        Language of ``reason``.

    Returns
    -------
    pandas.DataFrame
        ``DUPLICATE_COLUMNS``, all str; ``tracking_number`` as compared (upper case, no spaces).
        Empty (with those columns) if no number is shared.

    Examples
    --------
    >>> import pandas as pd
    >>> from aliexp_lib.validate import OrderBook
    >>> book = OrderBook.from_frame(pd.DataFrame([
    ...     {"order_id": "1", "tracking_number": "RB123456785GB", "store": "A"},
    ...     {"order_id": "2", "tracking_number": "rb 123456785 gb", "store": "B"},
    ...     {"order_id": "3", "tracking_number": "LP00123456789012", "store": "A"},
    ... ]))
    >>> shared = duplicate_tracking(book)
    >>> shared.loc[:, ["order_id", "tracking_number", "other_orders"]]  # doctest: +NORMALIZE_WHITESPACE
      order_id tracking_number other_orders
    0        1   RB123456785GB            2
    1        2   RB123456785GB            1
    >>> shared["reason"][0].split(":")[0]
    'the same number is on order(s) 2'
    """
    table = book.table
    key = _normalise(table["tracking_number"])
    saver = table["shipping_method"].fillna("").astype(str).str.contains("saver", case=False)
    orders = pd.DataFrame(
        {
            "order_id": table["order_id"],
            "key": key,
            "store": table["store"],
            "saver": saver,
            "position": np.arange(len(table)),
        }
    )
    shared = orders[(key != "") & key.duplicated(keep=False)].set_index("position")
    if shared.empty:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in DUPLICATE_COLUMNS})
    other = pd.Series(_others(shared, lang), index=shared.index, dtype="str")
    by_key = shared.groupby("key")
    same_store = (by_key["store"].transform("nunique") == 1) & (shared["store"] != "")
    all_saver = by_key["saver"].transform("all")
    reason = _fill(_(_SHARED, lang), orders=other)
    reason = reason.mask(all_saver, _fill(_(_SHARED_SAVER, lang), orders=other))
    reason = reason.mask(same_store, _fill(_(_SHARED_STORE, lang), orders=other))
    return pd.DataFrame(
        {"order_id": shared["order_id"], "tracking_number": shared["key"], "other_orders": other, "reason": reason}
    ).reset_index(drop=True)


def _others(shared: pd.DataFrame, lang: str) -> list[str]:
    """For each order of ``shared`` (``order_id``, ``key``; book order), the other orders with its key:
    the first ``SHOWN_OTHERS`` ids, then how many more (linear in the orders: a number on a thousand
    orders names five, not a million pairs; a dict per key, not a Series: 10k orders 0.17 s -> 0.08 s)."""
    by_key = shared.groupby("key", sort=False)["order_id"]
    firsts = by_key.head(SHOWN_OTHERS + 1).groupby(shared["key"], sort=False).agg(list).to_dict()
    size = by_key.transform("size").tolist()
    more = _("{shown} and {more} more", lang)
    out = []
    for order, key, count in zip(shared["order_id"].tolist(), shared["key"].tolist(), size, strict=True):
        others = [o for o in firsts[key] if o != order][:SHOWN_OTHERS]
        shown = ", ".join(others)
        out.append(more.format(shown=shown, more=count - 1 - len(others)) if count - 1 > len(others) else shown)
    return out


def _fill(template: str, **values) -> pd.Series:
    """``template.format(**values)`` for every row at once, by adding up its pieces column-wise.

    ``values`` are Series of text on one index (at least one) or scalars; a Series' NA gives NA.
    Only plain ``{name}`` fields may take a Series.
    """
    index = next(v.index for v in values.values() if isinstance(v, pd.Series))
    out = pd.Series("", index=index, dtype="str")  # pandas' text type: adds to Arrow-stored text, even empty
    for literal, field, spec, conversion in Formatter().parse(template):
        out = out + literal
        if field is None:
            continue
        value = values[field]
        if not isinstance(value, pd.Series):
            out = out + format(value, spec or "")
        elif spec or conversion:
            raise ValueError(f"{template!r}: a field filled per row takes no format spec or conversion")
        else:
            out = out + value.astype("str")  # an all-missing column may come as float: missing stays missing
    return out


def _rule_ref(rule: int, lines: str, lang: str) -> str:
    """``"rule 29, seed L179-183"`` in ``lang``."""
    return _(RULE_REF, lang).format(rule=rule, lines=lines)


def _normalise(numbers: pd.Series) -> pd.Series:
    """Tracking numbers as compared: upper case, every white space removed ("" where none).

    White space as ``str.isspace`` says, which Arrow's whitespace split matches character for character
    (tests/test_tracking.py): pandas' ``str.replace`` of a ``\\s`` pattern called Python's ``re`` per cell (100k
    orders: 0.06 s; this: 0.01 s).

    Examples
    --------
    >>> _normalise(pd.Series(["rb 1234\u00a05678 9cn", None])).tolist()
    ['RB123456789CN', '']
    """
    text = numbers.fillna("").astype(str)
    words = pc.utf8_split_whitespace(arrow_text(text))
    joined = pc.utf8_upper(pc.binary_join(words, pa.scalar("", pa.large_string())))
    return pd.Series(pd.array(joined, dtype=text.dtype), index=numbers.index)


def _check_digits(serials: pd.Series) -> np.ndarray:
    """S10 check digits of a column of 8-digit serials (rule in ``s10_check_digit``)."""
    value = serials.astype("int64").to_numpy()
    total = np.zeros(len(value), dtype=np.int64)
    for position, weight in enumerate(S10_WEIGHTS):
        total += (value // 10 ** (7 - position) % 10) * weight
    check = 11 - total % 11
    return np.where(check == 10, 0, np.where(check == 11, 5, check))


def _check_s10(
    parts: pd.DataFrame, valid: pd.Series, fmt: pd.Series, country: pd.Series, reason: pd.Series, lang: str
) -> None:
    """Fill the result columns for the S10-shaped rows ``parts`` (columns 0-3: service, serial, check, country)."""
    rows = parts.index
    expected = pd.Series(_check_digits(parts[1]), index=rows)
    digit_ok = expected == parts[2].astype("int64")
    name = parts[3].map(countries(lang))
    known = name.notna()
    letter = parts[0].str.slice(0, 1)
    service = letter.map({code: _(meaning, lang) for code, meaning in SERVICES.items()})
    service_text = (parts[0] + ": " + service).fillna(
        _fill(_(_S10_OTHER_SERVICE, lang), indicator=parts[0], letter=letter)
    )
    digit_problem = _fill(_(_S10_DIGIT, lang), digit=parts[2], expected=expected.astype(str))
    country_problem = _fill(_(_S10_COUNTRY, lang), code=parts[3])
    both = _fill(_(_S10_BOTH, lang), digit_problem=digit_problem, country_problem=country_problem)
    failed = ~digit_ok | ~known
    problems = _fill(_(_S10_ADVICE, lang), problem=country_problem.where(digit_ok, digit_problem.where(known, both)))
    fine = _fill(_(_S10_FINE, lang), digit=parts[2], service=service_text, country=name.fillna(""))
    fmt[rows] = "UPU S10"
    valid[rows] = ~failed
    country[rows] = name.fillna("")
    reason[rows] = problems.where(failed, fine)
