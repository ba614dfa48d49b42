"""Command line: ``python -m aliexp_lib`` or ``aliexp``.

Bad input prints one clear message on stderr and exits with status 2; nothing is written to the
user's files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

import pandas as pd

from aliexp_lib.deadlines import COLUMNS, compute_deadlines, next_actions
from aliexp_lib.errors import InputError
from aliexp_lib.orders import load_orders
from aliexp_lib.rules import load_rulebook

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        table, warnings = args.run(args)
        for warning in warnings:
            print(f"warning: {warning}", file=sys.stderr)
        _write(table, args.format)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="aliexp", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    deadlines = commands.add_parser("deadlines", help="every deadline of every order, with what to do")
    deadlines.add_argument("orders", metavar="ORDERS", help="order book, .csv or .xlsx")
    deadlines.add_argument("--today", type=_date, default=dt.date.today(),
                           help="the day to compute for, YYYY-MM-DD (default: the local date)")
    deadlines.add_argument("--next", action="store_true", help="only each order's most urgent open deadline")
    _rule_options(deadlines)
    _format_option(deadlines)
    deadlines.set_defaults(run=_deadlines)

    rules = commands.add_parser("rules", help="the rulebook: every clock with its value and source")
    _rule_options(rules)
    _format_option(rules)
    rules.set_defaults(run=_rules)
    return parser


def _rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rules", metavar="FILE", help="TOML file of your own rule values (see data/rulebook.toml)")
    parser.add_argument("--set", metavar="ID=DAYS", action="append", default=[], type=_setting,
                        help="override one rule value, e.g. --set protection_days=75 (repeatable)")


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("table", "csv", "json"), default="table", help="output format")


def _deadlines(args) -> tuple[pd.DataFrame, tuple[str, ...]]:
    rulebook = load_rulebook(args.rules, dict(args.set))
    book = load_orders(args.orders)
    table = compute_deadlines(book, args.today, rulebook)
    if args.next:
        table = next_actions(table)
    # The terminal table leaves out the rule ids to stay readable; csv and json have them.
    columns = [c for c in COLUMNS if not (args.format == "table" and c == "rule")]
    return table.loc[:, columns], book.warnings


def _rules(args) -> tuple[pd.DataFrame, tuple[str, ...]]:
    return load_rulebook(args.rules, dict(args.set)).to_frame(), ()


def _write(table: pd.DataFrame, form: str) -> None:
    table = table.copy()
    for column in table.columns:
        if pd.api.types.is_datetime64_any_dtype(table[column]):
            table[column] = table[column].dt.strftime("%Y-%m-%d")
    if form == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    elif form == "json":
        json.dump(table.to_dict("records"), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(_text_table(table) + "\n")


def _text_table(table: pd.DataFrame) -> str:
    """Aligned plain text for a terminal: text columns left-aligned, numbers right-aligned."""
    if table.empty:
        return "(no rows)"
    formatters = {}
    for column in table.columns:
        if not pd.api.types.is_numeric_dtype(table[column]):
            width = max(len(column), table[column].astype(str).str.len().max())
            formatters[column] = lambda value, width=width: f"{value!s:<{width}}"
    text = table.to_string(index=False, formatters=formatters, justify="left")
    return "\n".join(line.rstrip() for line in text.splitlines())


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; expected YYYY-MM-DD") from None


def _setting(text: str) -> tuple[str, str]:
    rule_id, sep, value = text.partition("=")
    if not sep or not rule_id or not value:
        raise argparse.ArgumentTypeError(f"{text!r}: expected ID=DAYS, e.g. protection_days=75")
    return rule_id.strip(), value.strip()
