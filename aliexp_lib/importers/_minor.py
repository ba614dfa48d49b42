"""Amounts in minor units (integers) for the importers that add items up: text in, exact sums out.

Kept exact: an amount is an integer number of its currency's minor units (cents, kopecks) from the
moment it is read; nothing passes through a float.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aliexp_lib.distinct import per_distinct
from aliexp_lib.money import known_currencies, minor_digits

__all__ = ["decimal_text", "to_minor"]


def _digits(currency: pd.Series) -> pd.Series:
    """Minor digits of each row's currency (-1 where empty or unknown)."""
    known = known_currencies()
    return per_distinct(
        currency.astype(str),
        lambda codes: codes.map(lambda code: minor_digits(code) if code in known else -1).astype("int64"),
        categorical=False,
    )


def to_minor(decimal: pd.Series, currency: pd.Series) -> pd.Series:
    """Plain decimals (``"120.95"``, text as ``_parse.numbers`` gives it) in minor units of each row's currency.

    NA where the amount or its currency is empty, or where the amount has more decimals than the
    currency (``_parse.check_precision`` reports those).

    Parameters
    ----------
    decimal : pandas.Series
        Text such as ``120.95``.
    currency : pandas.Series
        ISO codes.

    Returns
    -------
    pandas.Series
        ``Int64`` [minor units of ``currency``].

    Examples
    --------
    >>> amounts = pd.Series(["120.95", "129.5", "7", "", "1.234"])
    >>> currencies = pd.Series(["USD", "PLN", "JPY", "USD", "USD"])
    >>> to_minor(amounts, currencies).tolist()
    [12095, 12950, 7, <NA>, <NA>]
    """
    text = decimal.astype(str)
    digits = _digits(currency).to_numpy()
    whole = text.str.replace(r"\..*", "", regex=True)
    fraction = text.str.extract(r"\.(.*)", expand=False).fillna("").astype(str)
    places = fraction.str.len().to_numpy()
    fits = np.asarray(
        (text != "")
        & whole.str.fullmatch(r"\d{1,15}")
        & fraction.str.fullmatch(r"\d*")
        & (digits >= 0)
        & (places <= digits),
        bool,
    )
    out = pd.Series(pd.NA, index=text.index, dtype="Int64")
    if fits.any():
        scale = digits[fits].astype("int64")
        units = whole[fits].astype("int64").to_numpy() * 10**scale
        cents = fraction[fits].replace("", "0").astype("int64").to_numpy() * 10 ** (scale - places[fits])
        out[fits] = units + cents
    return out


def decimal_text(minor: pd.Series, currency: pd.Series) -> pd.Series:
    """Minor units back to plain decimal text (``12095``, USD -> ``"120.95"``); "" where NA or no currency.

    Examples
    --------
    >>> decimal_text(pd.Series([12095, 5, 7, None], dtype="Int64"), pd.Series(["USD", "EUR", "JPY", "USD"])).tolist()
    ['120.95', '0.05', '7', '']
    """
    digits = _digits(currency).to_numpy()
    value = minor.astype("Int64")
    out = pd.Series("", index=minor.index, dtype=object)
    for places in np.unique(digits[digits >= 0]):  # a few: 0, 2, 3
        rows = np.asarray(value.notna() & (digits == places), bool)
        amount = value[rows].astype("int64")
        sign = np.where(amount < 0, "-", "")
        whole, fraction = np.divmod(amount.abs(), 10 ** int(places))
        text = sign + whole.astype(str)
        if places:
            text = text + "." + fraction.astype(str).str.zfill(int(places))
        out[rows] = text.to_numpy(object)
    return out.astype(str)
