"""The assumptions of the ranking: named guesses (probabilities, hours, amounts), read exactly.

``data/assumptions.toml`` holds each with its unit and a note; a user's TOML file of the same
shape and keyword overrides replace values. Values are ``Decimal`` (``0.85`` is exactly 85/100);
``chance`` turns any of them into a ``Fraction`` for integer arithmetic.
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.cells import short
from aliexp_lib.costs import MAX_NUMBER
from aliexp_lib.errors import InputError, refuse_special_file


def chance(value) -> Fraction:
    """A probability or share read exactly, for integer arithmetic.

    Parameters
    ----------
    value : Decimal, int, Fraction or float
        A float is read by its shortest text (``0.7`` is 7/10, the number the user wrote).

    Returns
    -------
    fractions.Fraction

    Examples
    --------
    >>> chance(0.7), chance(Decimal("0.85"))
    (Fraction(7, 10), Fraction(17, 20))
    """
    if isinstance(value, (float, np.floating)):
        return Fraction(Decimal(repr(float(value))))
    return Fraction(value)


@dataclasses.dataclass(frozen=True)
class Assumptions:
    """Named guesses the ranking depends on (``data/assumptions.toml``); guesses, not measurements.

    Attributes
    ----------
    values : Mapping[str, Decimal]
        id -> exact value, in its unit.
    notes : Mapping[str, str]
        id -> what the value means and which rules it stands for.
    units : Mapping[str, str]
        id -> ``probability`` (0-1), ``hours``, ``RUB`` or ``RUB/hour``, ``g``...
    changed : frozenset of str
        The ids the user set.

    Examples
    --------
    >>> assumptions = load_assumptions(overrides={"time_rate": 300})
    >>> assumptions["time_rate"], assumptions.units["p_win_not_received"]
    (Decimal('300'), 'probability')
    """

    values: Mapping[str, Decimal]
    notes: Mapping[str, str]
    units: Mapping[str, str]
    changed: frozenset[str] = frozenset()

    def __getitem__(self, key: str) -> Decimal:
        return self.values[key]

    def to_frame(self) -> pd.DataFrame:
        """One row per assumption: ``id``, ``value`` (shown as a number), ``unit``, ``changed``, ``note``.

        Examples
        --------
        >>> row = load_assumptions().to_frame().iloc[0]
        >>> row["id"], float(row["value"]), bool(row["changed"])
        ('p_win_not_received', 0.85, False)
        """
        # shown as numbers (0.85, 500.0) as before; the engine reads ``values`` exactly
        return pd.DataFrame(
            {
                "id": list(self.values),
                "value": [float(v) for v in self.values.values()],
                "unit": [self.units[k] for k in self.values],
                "changed": [k in self.changed for k in self.values],
                "note": [self.notes[k] for k in self.values],
            }
        )


def load_assumptions(path: str | Path | None = None, overrides: Mapping[str, object] | None = None) -> Assumptions:
    """Our assumptions, then the user's TOML file ``path`` (``[[assumption]]`` id, value), then ``overrides``.

    Parameters
    ----------
    path : str or Path, optional
        The user's TOML file (``--assumptions``, ``assumptions`` in ``aliexp.toml``).
    overrides : Mapping[str, object], optional
        id -> value (``--assume ID=VALUE``, ``[assume]``); text, int, float or Decimal.

    Returns
    -------
    Assumptions

    Raises
    ------
    InputError
        The file cannot be read; an unknown id; a value that is not a number, is negative, is a
        probability over 1 or another value over ``costs.MAX_NUMBER`` (naming the file and line, or
        the ``--assume``).

    Examples
    --------
    >>> load_assumptions(overrides={"time_rate": "300"}).changed, load_assumptions()["p_win_not_received"]
    (frozenset({'time_rate'}), Decimal('0.85'))
    """
    bundled_values, bundled_notes, bundled_units = _bundled()
    values, notes, units = dict(bundled_values), dict(bundled_notes), dict(bundled_units)  # the cache stays as read
    changed: dict[str, object] = {}
    where: dict[str, str] = {}
    if path is not None:
        refuse_special_file(path)  # a pipe would be waited on for ever, a device read for ever
        try:
            text = Path(path).read_text(encoding="utf-8")
            mine = tomllib.loads(text, parse_float=Decimal).get("assumption", [])
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputError(f"{path}: cannot read the assumptions file ({exc})") from None
        changed.update({e.get("id"): e.get("value") for e in mine})
        where.update({e.get("id"): f"{path}: {_value_line(text, e.get('id'))}column value: " for e in mine})
    changed.update(overrides or {})
    where.update({key: "" for key in overrides or {}})  # typed by the user: the id names it
    for key, value in changed.items():
        if key not in values:
            raise InputError(f"unknown assumption {key!r}; known: {', '.join(values)}")
        try:
            number = _exact(value)
        except (TypeError, ValueError, InvalidOperation):
            raise InputError(f"{where[key]}assumption {key}: {value!r} is not a number") from None
        top = (
            1 if units[key] in ("probability", "share") else MAX_NUMBER
        )  # beyond, exact arithmetic grows without bound
        if not number.is_finite() or number < 0 or number > top:
            raise InputError(
                f"{where[key]}assumption {key}: {short(str(value))!r} is out of range ({units[key]}, 0 to {top:,})"
            )
        values[key] = number
    return Assumptions(values, notes, units, frozenset(changed))


@functools.cache
def _bundled() -> tuple[dict[str, Decimal], dict[str, str], dict[str, str]]:
    """``data/assumptions.toml`` as (values, notes, units) by id, read once per process (callers copy them)."""
    default = resources.files("aliexp_lib.data").joinpath("assumptions.toml").read_text(encoding="utf-8")
    entries = tomllib.loads(default, parse_float=Decimal)["assumption"]  # 0.85 is 85/100, not a binary float
    return (
        {e["id"]: _exact(e["value"]) for e in entries},
        {e["id"]: e["note"] for e in entries},
        {e["id"]: e["unit"] for e in entries},
    )


def _value_line(text: str, key: object) -> str:
    """``"line N, "`` of the ``value =`` of assumption ``key`` in the TOML ``text``, or ``""`` if not found."""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if line.replace(" ", "") == f'id="{key}"':
            for later in range(number + 1, len(lines)):
                if lines[later].strip().startswith("value"):
                    return f"line {later + 1}, "
                if lines[later].strip().startswith("[["):
                    break
    return ""


def _exact(value) -> Decimal:
    """An assumption's value as an exact ``Decimal``: TOML numbers (read as ``Decimal``), ints, text
    such as ``"0.7"``, or a float by its shortest text (``0.7`` -> ``Decimal("0.7")``)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, np.integer)):
        return Decimal(int(value))
    if isinstance(value, (float, np.floating)):
        return Decimal(repr(float(value)))
    if isinstance(value, str):
        return Decimal(value.strip())
    raise TypeError(f"not a number: {value!r}")
