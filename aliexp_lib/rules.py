"""The rulebook: every clock of an order as a value with its source.

The defaults live in ``data/rulebook.toml`` (shipped as ``aliexp_lib.data``). Each value is
dated: an id may have several entries with different ``applies_from`` dates, and the engine
uses, for each order, the entry in force on the day the clock started. A user overrides a
value from a TOML file of the same shape or by keyword; the value it replaces stays visible
as an alternative.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tomllib
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import numpy as np

from aliexp_lib.errors import InputError

UNITS = {"d": "calendar days", "min": "minutes"}
_EARLIEST = dt.date(1970, 1, 1)


@dataclasses.dataclass(frozen=True)
class Alternative:
    """A value another source gives for the same clock, kept visible but not used."""

    value: int
    source: str
    note: str = ""


@dataclasses.dataclass(frozen=True)
class Rule:
    """One dated value of one clock."""

    id: str
    value: int
    unit: str
    source: str
    applies_from: dt.date
    summary: str = ""
    rule: int | None = None
    note: str = ""
    alternatives: tuple[Alternative, ...] = ()


@dataclasses.dataclass(frozen=True)
class Rulebook:
    """All clocks: ``versions[id]`` holds that id's rules, oldest ``applies_from`` first."""

    versions: Mapping[str, tuple[Rule, ...]]

    def __getitem__(self, rule_id: str) -> Rule:
        """The newest entry of ``rule_id``."""
        return self._versions_of(rule_id)[-1]

    def __iter__(self):
        return iter(self.versions)

    def days(self, rule_id: str, on: np.ndarray) -> np.ndarray | np.int64:
        """Value [d] of ``rule_id`` in force on each date of ``on`` (datetime64[D]).

        The entry in force is the newest with ``applies_from <= date``; dates before every
        entry (and NaT) take the oldest entry. With one entry, that value as a scalar, which
        broadcasts like the array.
        """
        rules = self._versions_of(rule_id)
        if rules[0].unit != "d":
            raise ValueError(f"{rule_id} is in {UNITS[rules[0].unit]}, not days")
        values = np.array([r.value for r in rules], dtype=np.int64)
        if len(rules) == 1:
            return values[0]
        starts = np.array([r.applies_from for r in rules], dtype="datetime64[D]")
        index = np.searchsorted(starts, on, side="right") - 1
        return values[np.clip(index, 0, None)]

    def with_overrides(self, overrides: Mapping[str, int], source: str = "user setting") -> Rulebook:
        """A copy where each id of ``overrides`` has one value, applying from any date.

        The replaced values become alternatives, so the default stays visible.
        """
        versions = dict(self.versions)
        for rule_id, value in overrides.items():
            old = self[rule_id]
            value = _days_value(value, f"{source}: {rule_id}")
            replaced = tuple(Alternative(r.value, r.source, "default replaced by the user") for r in self.versions[rule_id])
            versions[rule_id] = (
                dataclasses.replace(
                    old,
                    value=value,
                    source=source,
                    applies_from=_EARLIEST,
                    note="",
                    alternatives=replaced + old.alternatives,
                ),
            )
        return Rulebook(versions)

    def to_frame(self):
        """One row per rule entry: id, value, unit, source, applies_from, rule, alternatives, summary."""
        import pandas as pd

        rows = [
            {
                "id": r.id,
                "value": r.value,
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
    """
    default = resources.files("aliexp_lib.data").joinpath("rulebook.toml")
    book = _parse(default.read_text(encoding="utf-8"), "rulebook.toml", defaults=None)
    if path is not None:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: cannot read the rulebook file ({exc})") from None
        book = _parse(text, str(path), defaults=book)
    if overrides:
        book = book.with_overrides(overrides)
    return book


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
        base = None if defaults is None else defaults[rule_id] if rule_id in defaults.versions else None
        if defaults is not None and base is None:
            raise InputError(f"{where}: unknown rule id; known ids: {', '.join(sorted(defaults.versions))}")
        rule = _rule(entry, where, base, name)
        if base is not None and "applies_from" not in entry:
            replaced[rule_id] = rule  # undated: replaces the defaults on every date
        else:
            added.setdefault(rule_id, []).append(rule)
    for rule_id in replaced.keys() & added.keys():
        raise InputError(f"{name}: {rule_id} has an entry without applies_from and dated entries; give one or the other")
    versions = dict(defaults.versions) if defaults is not None else {}
    for rule_id, rules in added.items():
        versions[rule_id] = _sorted(list(versions.get(rule_id, ())) + rules, name)
    book = Rulebook(versions)
    for rule_id, rule in replaced.items():
        book = book.with_overrides({rule_id: rule.value}, source=rule.source)
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
        Alternative(_days_value(a.get("value"), f"{where} alternative"), str(a.get("source", "")), str(a.get("note", "")))
        for a in entry.get("alternatives", ())
    )
    return Rule(
        id=entry["id"],
        value=_days_value(entry["value"], where),
        unit=unit,
        source=source,
        applies_from=applies_from,
        summary=str(entry.get("summary", base.summary if base else "")),
        rule=entry.get("rule", base.rule if base else None),
        note=str(entry.get("note", "")),
        alternatives=alternatives,
    )


def _days_value(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.strip().isdigit():
            return int(value)
        raise InputError(f"{where}: value {value!r} is not a whole number of days")
    if value < 0:
        raise InputError(f"{where}: value {value} is negative")
    return value


def _sorted(rules: list[Rule], name: str) -> tuple[Rule, ...]:
    rules = sorted(rules, key=lambda r: r.applies_from)
    dates = [r.applies_from for r in rules]
    if len(set(dates)) != len(dates):
        raise InputError(f"{name}: two entries of {rules[0].id} apply from the same date")
    return tuple(rules)
