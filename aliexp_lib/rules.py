"""The rulebook: every clock of an order as a value with its source.

The defaults live in ``data/rulebook.toml`` (shipped as ``aliexp_lib.data``). Each value is
dated: an id may have several entries with different ``applies_from`` dates, and every engine
uses, for each clock, the entry in force on the day that clock started. That is the one way to
read a value (the dated-clock API): ``Rulebook.days`` for whole columns of start dates,
``Rulebook.days_on`` for one date, ``Rulebook.clock`` for the day a clock ends; a rule's number
itself is private to this module. A user overrides a value from a TOML file of the same shape or
by keyword; the value it replaces stays visible as an alternative.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import numpy as np

from aliexp_lib.errors import InputError, refuse_special_file

UNITS = {"d": "calendar days", "min": "minutes"}
_EARLIEST = dt.date(1970, 1, 1)


@dataclasses.dataclass(frozen=True)
class Alternative:
    """A value another source gives for the same clock, kept visible but not used.

    Attributes
    ----------
    value : int [the rule's unit]
    source, note : str
    """

    value: int
    source: str
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Rule:
    """One dated value of one clock.

    Its number is private (``_value``): outside this module a value is read only through the
    dated-clock API of ``Rulebook``, so that every engine takes the entry in force on the day its
    clock started.

    Attributes
    ----------
    id, source, summary, note : str
        ``source``: a seed line or URL, the user's file, or ``"user setting"``.
    unit : {"d", "min"}
    applies_from : datetime.date
        First start day of a clock this entry is in force for.
    rule : int or None [DOMAIN rule]
    alternatives : tuple of Alternative
    """

    id: str
    _value: int
    unit: str
    source: str
    applies_from: dt.date
    summary: str = ""
    rule: int | None = None
    note: str = ""
    alternatives: tuple[Alternative, ...] = ()


@dataclasses.dataclass(frozen=True)
class Rulebook:
    """All clocks: ``versions[id]`` holds that id's rules, oldest ``applies_from`` first.

    Attributes
    ----------
    versions : Mapping[str, tuple of Rule]
    """

    versions: Mapping[str, tuple[Rule, ...]]

    def __iter__(self):
        return iter(self.versions)

    def entries(self, rule_id: str) -> tuple[Rule, ...]:
        """Every dated entry of ``rule_id`` (source, unit, alternatives), oldest first; ``InputError`` if unknown.

        Examples
        --------
        >>> [(r.source, r.rule, [a.value for a in r.alternatives]) for r in load_rulebook().entries("protection_days")]
        [('seed L56', 2, [90])]
        """
        return self._versions_of(rule_id)

    def days(self, rule_id: str, on: np.ndarray | np.datetime64) -> np.ndarray | np.int64:
        """Value [d] of ``rule_id`` in force on each date of ``on``.

        Parameters
        ----------
        rule_id : str
            A rule of unit ``d``.
        on : numpy.ndarray of datetime64[D], or one numpy.datetime64
            The day each clock started (day 0).

        Returns
        -------
        numpy.ndarray of int64 [d], or one numpy.int64
            The entry in force is the newest with ``applies_from <= date``; dates before every
            entry (and NaT) take the oldest entry. An id with one entry gives that value as a
            scalar, which broadcasts like the array (no array of a million equal values).

        Examples
        --------
        >>> rulebook = load_rulebook(overrides={"seller_reply_days": 3})
        >>> int(rulebook.days("seller_reply_days", np.array(["2026-03-01"], dtype="datetime64[D]")))
        3
        """
        rules = self._versions_of(rule_id)
        if rules[0].unit != "d":
            raise ValueError(f"{rule_id} is in {UNITS[rules[0].unit]}, not days")
        values = np.array([r._value for r in rules], dtype=np.int64)
        if len(rules) == 1:
            return values[0]
        starts = np.array([r.applies_from for r in rules], dtype="datetime64[D]")
        index = np.searchsorted(starts, on, side="right") - 1
        return values[np.clip(index, 0, None)]

    def days_on(self, rule_id: str, on: dt.date) -> int:
        """Value [d] (int) of ``rule_id`` (str) in force on one day ``on`` (datetime.date), no arrays; see ``days``.

        Examples
        --------
        >>> rulebook = load_rulebook(overrides={"protection_days": 75})
        >>> rulebook.days_on("protection_days", dt.date(2026, 3, 1))
        75
        """
        entry = self._entry_on(rule_id, on)
        if entry.unit != "d":
            raise ValueError(f"{rule_id} is in {UNITS[entry.unit]}, not days")
        return entry._value

    def clock(self, rule_id: str, start: np.ndarray) -> np.ndarray:
        """Day number [d since 1970-01-01] a clock of ``rule_id`` ends: ``start + days(rule_id, start)``.

        Parameters
        ----------
        rule_id : str
        start : numpy.ndarray of int [d since 1970-01-01]
            Day numbers of the day the clock started (day 0); the value is the entry in force on that day.

        Returns
        -------
        numpy.ndarray of int64 [d since 1970-01-01]

        Examples
        --------
        >>> start = np.array([np.datetime64("2026-03-01", "D").astype(np.int64)])
        >>> load_rulebook().clock("auto_escalation_days", start).astype("datetime64[D]")
        array(['2026-03-16'], dtype='datetime64[D]')
        """
        start = np.asarray(start, dtype=np.int64)
        return start + self.days(rule_id, start.view("datetime64[D]"))  # the same numbers as dates: no copy

    def range_on(self, rule_id: str, on: dt.date) -> tuple[int, int]:
        """(low, high) [d]: the value in force on ``on`` and the smallest alternative at or below it
        (a range such as the sellers' usual 20-40 d delivery); (value, value) without one.

        Examples
        --------
        >>> load_rulebook().range_on("estimated_delivery_days", dt.date(2026, 3, 1))
        (20, 40)
        """
        entry = self._entry_on(rule_id, on)
        below = [a.value for a in entry.alternatives if a.value <= entry._value]
        return (min(below) if below else entry._value), entry._value

    def _entry_on(self, rule_id: str, on: dt.date) -> Rule:
        rules = self._versions_of(rule_id)
        in_force = [r for r in rules if r.applies_from <= on]
        return in_force[-1] if in_force else rules[0]

    def with_overrides(self, overrides: Mapping[str, int], source: str = "user setting") -> Rulebook:
        """A copy where each id of ``overrides`` has one value, applying from any date.

        The replaced values become alternatives, so the default stays visible.

        Parameters
        ----------
        overrides : Mapping[str, int]
            Rule id -> value [the rule's unit], 0 or more (digits as text are read as a number).
        source : str

        Returns
        -------
        Rulebook

        Raises
        ------
        InputError
            An unknown id, or a value that is not a whole number 0 or more.

        Examples
        --------
        >>> (rule,) = load_rulebook().with_overrides({"protection_days": "75"}).entries("protection_days")
        >>> rule.source, rule.applies_from, [(a.value, a.source) for a in rule.alternatives]
        ('user setting', datetime.date(1970, 1, 1), [(60, 'seed L56'), (90, 'seed L149')])
        """
        versions = dict(self.versions)
        for rule_id, value in overrides.items():
            old = self._versions_of(rule_id)[-1]
            value = _days_value(value, f"{source}: {rule_id}")
            replaced = tuple(
                Alternative(r._value, r.source, "default replaced by the user") for r in self.versions[rule_id]
            )
            versions[rule_id] = (
                dataclasses.replace(
                    old,
                    _value=value,
                    source=source,
                    applies_from=_EARLIEST,
                    note="",
                    alternatives=replaced + old.alternatives,
                ),
            )
        return Rulebook(versions)

    def to_frame(self):
        """One row per rule entry: id, value, unit, source, applies_from, rule, alternatives, summary.

        Examples
        --------
        >>> frame = load_rulebook().to_frame().set_index("id")
        >>> frame.loc["protection_days", ["unit", "source", "applies_from", "alternatives"]].tolist()
        ['d', 'seed L56', '2018-01-01', '90 d (seed L149)']
        """
        import pandas as pd

        rows = [
            {
                "id": r.id,
                "value": r._value,
                "unit": r.unit,
                "source": r.source,
                "applies_from": r.applies_from.isoformat(),
                "rule": "" if r.rule is None else r.rule,
                "alternatives": "; ".join(f"{a.value} {r.unit} ({a.source})" for a in r.alternatives),
                "summary": " ".join(filter(None, [r.summary, r.note])),
            }
            for rules in self.versions.values()
            for r in rules
        ]
        return pd.DataFrame(rows)

    def _versions_of(self, rule_id: str) -> tuple[Rule, ...]:
        try:
            return self.versions[rule_id]
        except KeyError:
            raise InputError(f"unknown rule id {rule_id!r}; known ids: {', '.join(sorted(self.versions))}") from None


def load_rulebook(path: str | Path | None = None, overrides: Mapping[str, int] | None = None) -> Rulebook:
    """The default rulebook, then the user's file ``path`` on top, then ``overrides`` on top.

    ``path`` is a TOML file of ``[[rule]]`` tables with at least ``id`` and ``value``; an entry
    without ``applies_from`` replaces every default entry of its id.

    Parameters
    ----------
    path : str or Path, optional
    overrides : Mapping[str, int [the rule's unit]], optional

    Returns
    -------
    Rulebook

    Raises
    ------
    InputError
        A file that cannot be read or is not valid TOML, or a bad entry (id, value, unit, source, date).

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "rules.toml"
    >>> _ = path.write_text('rule = [{id = "dispute_earliest_days", value = 30, applies_from = 2026-01-01}]')
    >>> on = [dt.date(2025, 12, 20), dt.date(2026, 1, 2)]  # the clock's start day
    >>> [load_rulebook(path).days_on("dispute_earliest_days", day) for day in on]
    [5, 30]
    """
    book = _bundled_rulebook()
    if path is not None:
        refuse_special_file(path)  # a pipe would be waited on for ever, a device read for ever
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the rulebook file ({exc})") from None
        book = _parse(text, str(path), defaults=book)
    if overrides:
        book = book.with_overrides(overrides)
    return book


@functools.cache
def _bundled_rulebook() -> Rulebook:
    """``data/rulebook.toml``, parsed once per process (a ``Rulebook`` is never changed in place)."""
    text = resources.files("aliexp_lib.data").joinpath("rulebook.toml").read_text(encoding="utf-8")
    return _parse(text, "rulebook.toml", defaults=None)


def _parse(text: str, name: str, defaults: Rulebook | None) -> Rulebook:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{name}: not valid TOML ({exc})") from None
    entries = doc.get("rule")
    if not isinstance(entries, list) or not entries:
        raise InputError(f"{name}: expected one or more [[rule]] tables with id and value")
    added: dict[str, list[Rule]] = {}
    replaced: dict[str, Rule] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"{name}: [[rule]] #{number}"
        rule_id = entry.get("id")
        if not isinstance(rule_id, str) or not rule_id:
            raise InputError(f"{where}: missing id")
        where = f"{where} ({rule_id})"
        base = None if defaults is None else defaults.versions[rule_id][-1] if rule_id in defaults.versions else None
        if defaults is not None and base is None:
            raise InputError(f"{where}: unknown rule id; known ids: {', '.join(sorted(defaults.versions))}")
        rule = _rule(entry, where, base, name)
        if base is not None and "applies_from" not in entry:
            replaced[rule_id] = rule  # undated: replaces the defaults on every date
        else:
            added.setdefault(rule_id, []).append(rule)
    for rule_id in replaced.keys() & added.keys():
        raise InputError(
            f"{name}: {rule_id} has an entry without applies_from and dated entries; give one or the other"
        )
    versions = dict(defaults.versions) if defaults is not None else {}
    for rule_id, rules in added.items():
        versions[rule_id] = _sorted(list(versions.get(rule_id, ())) + rules, name)
    book = Rulebook(versions)
    for rule_id, rule in replaced.items():
        book = book.with_overrides({rule_id: rule._value}, source=rule.source)
    return book


def _rule(entry: dict, where: str, base: Rule | None, name: str) -> Rule:
    if "value" not in entry:
        raise InputError(f"{where}: missing value")
    unit = entry.get("unit", base.unit if base else None)
    if unit not in UNITS:
        raise InputError(f"{where}: unit {unit!r} is not one of {', '.join(UNITS)}")
    applies_from = entry.get("applies_from", base.applies_from if base else None)
    if not isinstance(applies_from, dt.date) or isinstance(applies_from, dt.datetime):
        raise InputError(f"{where}: applies_from {applies_from!r} is not a date (write it as 2026-01-31)")
    source = entry.get("source", name if base else None)
    if not isinstance(source, str) or not source:
        raise InputError(f"{where}: missing source (a seed line or a URL)")
    alternatives = tuple(
        Alternative(
            _days_value(a.get("value"), f"{where} alternative"), str(a.get("source", "")), str(a.get("note", ""))
        )
        for a in entry.get("alternatives", ())
    )
    return Rule(
        id=entry["id"],
        _value=_days_value(entry["value"], where),
        unit=unit,
        source=source,
        applies_from=applies_from,
        summary=str(entry.get("summary", base.summary if base else "")),
        rule=entry.get("rule", base.rule if base else None),
        note=str(entry.get("note", "")),
        alternatives=alternatives,
    )


def _days_value(value: object, where: str) -> int:
    """A rule's value: a whole number of days from 0 to a hundred years (more is a typo and would overflow dates)."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"{where}: value {value!r} is not a whole number of days")
    if value < 0:
        raise InputError(f"{where}: value {value} is negative")
    if value > 36_500:
        raise InputError(f"{where}: value {value} is more than 36,500 days (a hundred years); a typo?")
    return value


def _sorted(rules: list[Rule], name: str) -> tuple[Rule, ...]:
    rules = sorted(rules, key=lambda r: r.applies_from)
    dates = [r.applies_from for r in rules]
    if len(set(dates)) != len(dates):
        raise InputError(f"{name}: two entries of {rules[0].id} apply from the same date")
    return tuple(rules)
