"""The setting: everything besides the orders that a result depends on, built once.

A ``Setting`` holds the rulebook, the assumptions, exchange rates, postage, payout times, risk
thresholds, the buyer's country, the display currency and the language. It is built in one
place (``build_setting``) from these sources, a later one winning key by key:

1. the bundled data (``data/``);
2. ``aliexp.toml`` in the user's config folder (``platformdirs.user_config_dir("aliexp")``,
   e.g. ``~/.config/aliexp/aliexp.toml``; the environment variable ``ALIEXP_CONFIG_DIR`` names
   another folder);
3. ``aliexp.toml`` beside the orders file;
4. a file named explicitly (``--config FILE``, the notebooks' ``config_path``);
5. command-line flags, notebook parameters or keyword arguments.

Every command, notebook, the report and the calendar then render results computed with that one
setting (``analysis.analyse``); none loads defaults of its own. An ``aliexp.toml``::

    currency = "EUR"              # display currency (ISO 4217)
    lang = "ru"                   # "en" or "ru"
    destination = "KZ"            # your country (ISO 3166), where parcels go and returns leave
    rules = "my_rules.toml"       # files of the same shape as data/; paths relative to this file
    assumptions = "my_assumptions.toml"
    rates = "my_rates.csv"
    postage = "my_postage.csv"
    payout = "my_payout_times.csv"

    [set]                         # rule values [d], as --set protection_days=75
    protection_days = 75

    [assume]                      # assumptions, as --assume time_rate=300
    time_rate = 300

    [thresholds]                  # risk thresholds (data/risk.toml)
    min_seller_rating = 90
"""

from __future__ import annotations

import dataclasses
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import platformdirs

from aliexp_lib.assumptions import Assumptions, load_assumptions
from aliexp_lib.costs import HOME_CURRENCY, load_payout_times, load_postage
from aliexp_lib.errors import InputError, refuse_special_file
from aliexp_lib.i18n import LANGUAGES
from aliexp_lib.money import known_currencies
from aliexp_lib.rates import Rates, load_rates
from aliexp_lib.rules import Rulebook, load_rulebook
from aliexp_lib.thresholds import Threshold, load_thresholds

#: The file name of a setting, in the config folder or beside the orders.
CONFIG_NAME = "aliexp.toml"
#: Environment variable naming the user's config folder instead of the platform's.
CONFIG_DIR_VARIABLE = "ALIEXP_CONFIG_DIR"
#: Keys of an ``aliexp.toml`` that name a data file (relative to the ``aliexp.toml``).
FILE_KEYS = ("rules", "assumptions", "rates", "postage", "payout")
#: Keys of an ``aliexp.toml`` that hold a table of overrides.
TABLE_KEYS = ("set", "assume", "thresholds")
#: Keys of an ``aliexp.toml`` that hold one word.
WORD_KEYS = ("currency", "lang", "destination")
DEFAULTS = {"currency": HOME_CURRENCY, "lang": "en", "destination": "RU"}


@dataclasses.dataclass(frozen=True)
class Choices:
    """What the user chose, before anything is loaded: data files, overrides and words.

    ``None`` (or an empty table) means "not chosen here"; ``merged_with`` lays choices over each
    other. ``files`` lists the ``aliexp.toml`` files read, in order.

    Attributes
    ----------
    rules, assumptions, rates, postage, payout : str or None
        Data files (``FILE_KEYS``) replacing the bundled ones.
    set, assume, thresholds : Mapping[str, Any]
        Overrides (``TABLE_KEYS``): rule values [d], assumptions, risk thresholds, each in its own unit.
    currency, lang, destination : str or None
        ``WORD_KEYS``: ISO 4217 code, language, ISO 3166 country.
    files : tuple of str
    """

    rules: str | None = None
    assumptions: str | None = None
    rates: str | None = None
    postage: str | None = None
    payout: str | None = None
    set: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    assume: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    thresholds: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    currency: str | None = None
    lang: str | None = None
    destination: str | None = None
    files: tuple[str, ...] = ()

    def merged_with(self, later: Choices) -> Choices:
        """These choices with ``later`` on top: a value ``later`` gives wins; tables merge by key.

        Parameters
        ----------
        later : Choices

        Examples
        --------
        >>> both = Choices(lang="ru", set={"protection_days": 75}).merged_with(Choices(set={"seller_reply_days": 3}))
        >>> both.lang, dict(both.set)
        ('ru', {'protection_days': 75, 'seller_reply_days': 3})
        """
        changes: dict[str, Any] = {}
        for key in (*FILE_KEYS, *WORD_KEYS):
            if getattr(later, key) is not None:
                changes[key] = getattr(later, key)
        for key in TABLE_KEYS:
            changes[key] = {**getattr(self, key), **getattr(later, key)}
        changes["files"] = (*self.files, *later.files)
        return dataclasses.replace(self, **changes)

    def to_toml(self) -> str:
        """These choices as an ``aliexp.toml`` (file paths as given: make them absolute first).

        Returns
        -------
        str
            TOML text that ``read_choices`` reads back.

        Examples
        --------
        >>> Choices(currency="EUR", set={"protection_days": 75}).to_toml().splitlines()
        ['currency = "EUR"', '', '[set]', 'protection_days = 75']
        """
        lines = [
            f"{key} = {_toml_value(getattr(self, key))}"
            for key in (*WORD_KEYS, *FILE_KEYS)
            if getattr(self, key) is not None
        ]
        for key in TABLE_KEYS:
            table = getattr(self, key)
            if table:
                lines += ["", f"[{key}]", *(f"{name} = {_toml_value(value)}" for name, value in table.items())]
        return "\n".join(lines) + "\n"


@dataclasses.dataclass(frozen=True, eq=False)
class Setting:
    """Everything a result depends on besides the orders and ``today``; see the module docstring.

    Attributes
    ----------
    rulebook : Rulebook
        Every clock [d], dated.
    assumptions : Assumptions
        The named guesses of the ranking (probabilities, hours, amounts in ``HOME_CURRENCY``).
    rates : Rates
        Dated exchange rates (``HOME_CURRENCY`` per unit).
    postage : pandas.DataFrame
        Return postage bands (minor units of ``HOME_CURRENCY``).
    payout : pandas.DataFrame
        Days [d] from a refund leaving the platform to the money arriving, by payment method.
    thresholds : Mapping[str, Threshold]
        Seller and cashback risk thresholds.
    currency : str
        Display currency, ISO 4217.
    lang : str
        Language of words, dates and money: one of ``i18n.LANGUAGES``.
    destination : str
        The buyer's country, ISO 3166 alpha-2.
    choices : Choices
        What it was built from (to hand the same setting on, e.g. to the report's notebook).
    """

    rulebook: Rulebook
    assumptions: Assumptions
    rates: Rates
    postage: pd.DataFrame
    payout: pd.DataFrame
    thresholds: Mapping[str, Threshold]
    currency: str = HOME_CURRENCY
    lang: str = "en"
    destination: str = "RU"
    choices: Choices = dataclasses.field(default_factory=Choices)

    @classmethod
    def default(cls, currency: str = HOME_CURRENCY, **assume) -> Setting:
        """The bundled data only (no config file is read), money in ``currency``, ``assume`` on top.

        Parameters
        ----------
        currency : str [ISO 4217], default ``HOME_CURRENCY``
        **assume
            Assumption id -> value, in the assumption's unit.

        Raises
        ------
        InputError
            An unknown currency or assumption, or a value out of range.

        Examples
        --------
        >>> setting = Setting.default("USD", time_rate=300)
        >>> setting.currency, str(setting.assumptions["time_rate"]), setting.lang
        ('USD', '300', 'en')
        """
        return _load(Choices(currency=currency, assume=assume))

    def with_choices(self, **changes) -> Setting:
        """A setting built from these choices with ``changes`` on top (e.g. ``currency="EUR"``).

        Parameters
        ----------
        **changes
            Keys of ``Choices``.

        Raises
        ------
        InputError
            As for ``build_setting``.

        Examples
        --------
        >>> setting = Setting.default(time_rate=300).with_choices(currency="EUR")
        >>> setting.currency, str(setting.assumptions["time_rate"])
        ('EUR', '300')
        """
        return _load(self.choices.merged_with(Choices(**changes)))


def build_setting(
    orders_path: str | Path | None = None,
    config: str | Path | None = None,
    *,
    user_config: bool = True,
    **chosen,
) -> Setting:
    """The setting for one run: bundled data, the user's ``aliexp.toml`` files, then ``chosen``.

    Parameters
    ----------
    orders_path : str or Path, optional
        The orders file; an ``aliexp.toml`` beside it is read.
    config : str or Path, optional
        An ``aliexp.toml`` named explicitly; it must exist.
    user_config : bool
        Read ``aliexp.toml`` in the user's config folder (default True).
    **chosen
        Keys of ``Choices`` given directly (flags, notebook parameters): ``rules``, ``set``,
        ``assume``, ``currency``, ``lang``... ``None`` or ``""`` means not given.

    Returns
    -------
    Setting

    Raises
    ------
    InputError
        A file that cannot be read, an unknown key, rule, assumption, currency or language.

    Examples
    --------
    >>> setting = build_setting(user_config=False, set={"protection_days": 75}, lang="ru")
    >>> import datetime as dt
    >>> setting.rulebook.days_on("protection_days", dt.date(2026, 3, 1)), setting.lang
    (75, 'ru')
    """
    choices = Choices()
    candidates = []
    if user_config:
        candidates.append(user_config_path())
    if orders_path is not None:
        candidates.append(Path(orders_path).parent / CONFIG_NAME)
    for path in candidates:
        if path.is_file():
            choices = choices.merged_with(read_choices(path))
    if config:
        choices = choices.merged_with(read_choices(Path(config), required=True))
    given = {key: value for key, value in chosen.items() if value not in (None, "")}
    unknown = set(given) - {f.name for f in dataclasses.fields(Choices)}
    if unknown:
        raise TypeError(f"unknown setting {', '.join(sorted(unknown))}")
    return _load(choices.merged_with(Choices(**given)))


def user_config_path() -> Path:
    """``aliexp.toml`` in the user's config folder (``ALIEXP_CONFIG_DIR`` if set).

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {CONFIG_DIR_VARIABLE: "/srv/aliexp"}):
    ...     user_config_path().as_posix()
    '/srv/aliexp/aliexp.toml'
    """
    folder = os.environ.get(CONFIG_DIR_VARIABLE) or platformdirs.user_config_dir("aliexp")
    return Path(folder) / CONFIG_NAME


def read_choices(path: Path, required: bool = False) -> Choices:
    """The choices of one ``aliexp.toml``; file paths in it are made absolute (relative to it).

    Parameters
    ----------
    path : pathlib.Path
    required : bool
        A missing file is an error (else: no choices).

    Raises
    ------
    InputError
        A file unreadable (or missing when ``required``), not TOML, an unknown key, a value of a wrong type.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / CONFIG_NAME
    >>> _ = path.write_text('currency = "EUR"\\nrates = "my_rates.csv"\\n[set]\\nprotection_days = 75\\n')
    >>> choices = read_choices(path)
    >>> choices.currency, dict(choices.set), Path(choices.rates) == (path.parent / "my_rates.csv").resolve()
    ('EUR', {'protection_days': 75}, True)
    """
    refuse_special_file(path)  # a pipe would be waited on for ever, a device read for ever
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise InputError(f"{path}: no such setting file") from None
        return Choices()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the setting file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from None
    known = (*FILE_KEYS, *TABLE_KEYS, *WORD_KEYS)
    unknown = [key for key in doc if key not in known]
    if unknown:
        raise InputError(f"{path}: unknown key {unknown[0]!r}; known keys: {', '.join(known)}")
    found: dict[str, Any] = {"files": (str(path),)}
    for key in FILE_KEYS:
        if key in doc:
            if not isinstance(doc[key], str) or not doc[key]:
                raise InputError(f"{path}: {key} = {doc[key]!r}: expected a file name")
            found[key] = str((path.parent / doc[key]).resolve())
    for key in WORD_KEYS:
        if key in doc:
            if not isinstance(doc[key], str):
                raise InputError(f"{path}: {key} = {doc[key]!r}: expected text")
            found[key] = doc[key]
    for key in TABLE_KEYS:
        if key in doc:
            if not isinstance(doc[key], dict):
                raise InputError(f"{path}: [{key}] must be a table of name = value")
            found[key] = dict(doc[key])
    return Choices(**found)


def _load(choices: Choices) -> Setting:
    """Load every table the choices name; check the words."""
    words = {key: getattr(choices, key) or DEFAULTS[key] for key in WORD_KEYS}
    currency = words["currency"].strip().upper()
    if currency not in known_currencies():
        raise InputError(f"currency {words['currency']!r}: unknown; expected an ISO 4217 code such as RUB")
    if words["lang"] not in LANGUAGES:
        raise InputError(f"lang {words['lang']!r}: expected one of {', '.join(LANGUAGES)}")
    destination = words["destination"].strip().upper()
    if len(destination) != 2 or not destination.isalpha():
        raise InputError(f"destination {words['destination']!r}: expected an ISO country code such as RU")
    return Setting(
        rulebook=load_rulebook(choices.rules, dict(choices.set)),
        assumptions=load_assumptions(choices.assumptions, dict(choices.assume)),
        rates=load_rates(choices.rates),
        postage=load_postage(choices.postage),
        payout=load_payout_times(choices.payout),
        thresholds=load_thresholds(dict(choices.thresholds)),
        currency=currency,
        lang=words["lang"],
        destination=destination,
        choices=choices,
    )


def _toml_value(value: object) -> str:
    """One TOML value: a string quoted (JSON escapes are TOML escapes), a number as it is."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return json.dumps(str(value))
    return json.dumps(value) if isinstance(value, str) else repr(value)
