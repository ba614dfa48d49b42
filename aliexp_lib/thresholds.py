"""Risk thresholds as data: the numbers behind the seller and cashback signals (``data/risk.toml``).

Each threshold is a value with its unit, source (a seed line or "assumption") and the date it
applies from; a user overrides one by keyword or in an ``aliexp.toml`` (``[thresholds]``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from collections.abc import Mapping
from importlib import resources

import pandas as pd

from aliexp_lib.errors import InputError

UNITS = {"percent": "percent", "d": "calendar days", "orders": "orders"}


@dataclasses.dataclass(frozen=True)
class Threshold:
    """One threshold: ``value`` in ``unit``, where it comes from, and how it was read.

    Parameters
    ----------
    id : str
        The name ``risk`` uses, e.g. ``"min_store_age_days"``.
    value : int or float [unit]
        The threshold, 0 or more, in ``unit``.
    unit : {"percent", "d", "orders"}
        A key of ``UNITS``: percent, calendar days, or a number of orders.
    source : str
        Where the number comes from: ``"seed Lnn"`` (a line of the buyer guide), or ``"user setting"``.
    applies_from : datetime.date
        First day the value applies to (2018-01-01 for the undated seed).
    rule : int or None
        The DOMAIN rule it serves (27, 28, 30, 35).
    note : str
        How the number was read; "assumption, not from the seed" where the seed gives no number.

    Examples
    --------
    >>> t = load_thresholds()["min_store_age_days"]
    >>> t.value, t.unit, t.source, t.rule
    (180, 'd', 'seed L137', 27)
    """

    id: str
    value: int | float
    unit: str
    source: str
    applies_from: dt.date
    rule: int | None = None
    note: str = ""


def load_thresholds(overrides: Mapping[str, int | float] | None = None) -> dict[str, Threshold]:
    """The thresholds of ``data/risk.toml`` by id, with ``overrides`` (id -> value) on top.

    An overridden threshold takes the source "user setting"; its note keeps the default value.

    Parameters
    ----------
    overrides : mapping of str to int or float, optional
        Threshold id -> new value, in the threshold's own ``unit`` (e.g. ``{"min_store_age_days": 365}``
        [d]); text such as ``"365"`` or ``"2.5"`` is read as a number.

    Returns
    -------
    dict of str to Threshold
        By id, in the file's order.

    Raises
    ------
    InputError
        If an override names an unknown id or its value is not a number 0 or more, or if
        ``data/risk.toml`` itself is malformed.

    Examples
    --------
    >>> t = load_thresholds({"min_store_age_days": 365})["min_store_age_days"]
    >>> t.value, t.source, t.note
    (365, 'user setting', 'default 180 d (seed L137) replaced by the user')
    >>> load_thresholds({"few_orders": -1})
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: threshold few_orders: value -1 is not a number, 0 or more
    """
    text = resources.files("aliexp_lib.data").joinpath("risk.toml").read_text(encoding="utf-8")
    thresholds = _parse(text, "risk.toml")
    for key, value in (overrides or {}).items():
        if key not in thresholds:
            raise InputError(f"unknown threshold {key!r}; known: {', '.join(sorted(thresholds))}")
        old = thresholds[key]
        thresholds[key] = dataclasses.replace(
            old,
            value=_number(value, f"threshold {key}"),
            source="user setting",
            note=f"default {old.value:g} {old.unit} ({old.source}) replaced by the user",
        )
    return thresholds


def thresholds_frame(thresholds: Mapping[str, Threshold] | None = None) -> pd.DataFrame:
    """One row per threshold: id, value, unit, source, applies_from, rule, note.

    Parameters
    ----------
    thresholds : mapping of str to Threshold, optional
        Default ``load_thresholds()``.

    Returns
    -------
    pandas.DataFrame
        One row per threshold, in mapping order; ``value`` [``unit``] is an object column, so 95
        stays 95 and 2.5 stays 2.5; ``applies_from`` is ISO text ``YYYY-MM-DD``.

    Examples
    --------
    >>> frame = thresholds_frame()
    >>> frame.loc[frame["unit"] == "d", ["id", "value", "rule"]]  # doctest: +NORMALIZE_WHITESPACE
                              id value  rule
    1         min_store_age_days   180    27
    6  saver_early_received_days    10    30
    """
    thresholds = load_thresholds() if thresholds is None else thresholds
    rows = [dataclasses.asdict(t) | {"applies_from": t.applies_from.isoformat()} for t in thresholds.values()]
    frame = pd.DataFrame(rows, columns=["id", "value", "unit", "source", "applies_from", "rule", "note"])
    frame["value"] = pd.Series([t.value for t in thresholds.values()], dtype=object)  # 95 stays 95, 2.5 stays 2.5
    return frame


def _parse(text: str, name: str) -> dict[str, Threshold]:
    """The ``[[threshold]]`` tables of TOML ``text`` (from file ``name``) by id; ``InputError`` if malformed."""
    try:
        entries = tomllib.loads(text).get("threshold")
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{name}: not valid TOML ({exc})") from None
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{name}: expected one or more [[threshold]] tables")
    thresholds: dict[str, Threshold] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{name}: [[threshold]] #{number} ({entry.get('id')})"
        missing = [k for k in ("id", "value", "unit", "source", "applies_from") if k not in entry]
        if missing:
            raise InputError(f"{where}: missing {', '.join(missing)}")
        if entry["id"] in thresholds:
            raise InputError(f"{where}: id given twice")
        if entry["unit"] not in UNITS:
            raise InputError(f"{where}: unit {entry['unit']!r} is not one of {', '.join(UNITS)}")
        thresholds[entry["id"]] = Threshold(
            id=entry["id"],
            value=_number(entry["value"], where),
            unit=entry["unit"],
            source=entry["source"],
            applies_from=entry["applies_from"],
            rule=entry.get("rule"),
            note=entry.get("note", ""),
        )
    return thresholds


def _number(value: object, where: str) -> int | float:
    """``value`` (a number, or its text) as an int or float 0 or more; ``InputError`` naming ``where`` if not."""
    if isinstance(value, str):
        try:
            value = float(value) if "." in value else int(value)
        except ValueError:
            raise InputError(f"{where}: value {value!r} is not a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value or value < 0:
        raise InputError(f"{where}: value {value!r} is not a number, 0 or more")
    return value
