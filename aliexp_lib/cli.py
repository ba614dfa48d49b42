"""Command line: ``python -m aliexp_lib`` or ``aliexp``.

Bad input prints one clear message on stderr and exits with status 2; nothing is written to the
user's files. Every command that computes builds one ``Setting`` from its flags and the user's
``aliexp.toml`` files (``setting.build_setting``) and renders one ``analysis.Analysis``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import os
import sys
from pathlib import Path

from aliexp_lib import progress
from aliexp_lib.cli_choices import CONFIG_NAME, EVENTS, FORMATS, LANGUAGES, NATIVE_FORMAT
from aliexp_lib.errors import InputError

EXIT_BAD_INPUT = 2
#: Set in the command's process unless the user did (read at pyarrow's, numpy's first import): jemalloc hands freed
#: memory back sooner than mimalloc (1M orders: peak 140 MB lower); numpy's 2 MB pages made the kernel compact memory
#: (hugepage defrag "madvise"): 0.1-1 s more system time per 1M load (numpy.org/doc/stable/reference/global_state).
PROCESS_DEFAULTS = {"ARROW_DEFAULT_MEMORY_POOL": "jemalloc", "NUMPY_MADVISE_HUGEPAGE": "0"}


class _Later:
    """``commands``, imported when a command runs rather than when the parser is built: ``aliexp --help``
    and a mistyped flag then import no pandas. ``command.deadlines`` is a function that imports
    ``aliexp_lib.commands`` and calls its ``deadlines``."""

    def __getattr__(self, name: str):
        return lambda *args: getattr(importlib.import_module("aliexp_lib.commands"), name)(*args)


command = _Later()


def main(argv: list[str] | None = None) -> int:
    """Run one command: parse ``argv``, run it, print its table (or write the file it names).

    Parameters
    ----------
    argv : list of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0, or ``EXIT_BAD_INPUT`` (2) after bad input (an ``InputError``: one ``error:`` line on stderr).

    Examples
    --------
    >>> import os, tempfile, unittest.mock as mock
    >>> folder = tempfile.mkdtemp()
    >>> with mock.patch.dict(os.environ, {"ALIEXP_CONFIG_DIR": folder}):  # not the user's aliexp.toml
    ...     main(["rules", "--format", "csv"])  # doctest: +ELLIPSIS
    ...     main(["deadlines", os.path.join(folder, "missing.csv")])  # error: ... cannot read
    id,value,unit,source,applies_from,rule,alternatives,summary
    protection_days,60,d,seed L56,2018-01-01,2,...
    0
    2
    """
    if sys.platform.startswith("linux"):
        for name, value in PROCESS_DEFAULTS.items():
            os.environ.setdefault(name, value)
    parser = _parser()
    args = parser.parse_args(argv)
    from aliexp_lib.views import output  # pandas: only once a command runs

    delay = progress.DELAY_S if args.command not in progress.SERVERS else float("inf")
    try:
        with progress.shown_after(delay, sys.stderr, f"aliexp {args.command}"):  # on a terminal, after 2 s
            if _table_file(args):  # a file -o would not replace: said now, not after the work
                output.check_table_target(Path(args.output), args.overwrite, command.inputs_of(args))
            table, warnings = args.run(args)
            for warning in warnings:
                progress.say(f"warning: {warning}", sys.stderr)
            progress.step("writing")
            if isinstance(table, str):  # a command that wrote files says what it wrote
                progress.say(table, sys.stdout)
            elif args.output:
                said = output.save_table(table, Path(args.output), args.overwrite, command.inputs_of(args))
                progress.say(said, sys.stdout)
            else:  # the terminal speaks the setting's language
                lang = getattr(getattr(args, "setting", None), "lang", None) or getattr(args, "lang", None) or "en"
                output.write_table(
                    output.terminal_table(table, lang) if args.format == "table" else table, args.format, sys.stdout
                )
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except MemoryError:  # where no file is to blame (the order file's reader names it: errors.out_of_memory_said)
        print("error: not enough memory for this command; close other programs, or split the orders", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stderr.close()
    return 0


def _table_file(args: argparse.Namespace) -> bool:
    """Whether the command writes its table to the file ``-o`` names (``report``, ``calendar``: files of their own)."""
    target = getattr(args, "output", None)
    if not target or args.command in ("report", "calendar"):
        return False
    return not (target.endswith(("/", os.sep)) or Path(target).is_dir())  # a folder: a Parquet book's parts


def _parser() -> argparse.ArgumentParser:
    """The argument parser: every command with its flags and the function that runs it."""
    parser = argparse.ArgumentParser(
        prog="aliexp", description="Deadlines and the cheapest way out for AliExpress orders that went wrong."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND", dest="command")

    orders_parser = _orders_command(
        commands,
        "orders",
        "the normalised order book: one row per order, with the case log applied",
        command.orders,
        today=False,
    )
    _setting_options(orders_parser)

    deadlines = _orders_command(
        commands, "deadlines", "every deadline of every order, with what to do", command.deadlines
    )
    deadlines.add_argument("--next", action="store_true", help="only each order's most urgent open deadline")
    deadlines.add_argument(
        "--all", action="store_true", help="also the closed deadlines (done or expired); by default only the open ones"
    )

    _orders_command(
        commands,
        "missing",
        "the dates that would make each unfinished order's deadlines exact, where the order page shows "
        "them, most valuable order first",
        command.missing,
    )

    resolve = _orders_command(
        commands, "resolve", "every way out of every problem order, ranked by the money it leaves you", command.resolve
    )
    resolve.add_argument(
        "--break-even",
        action="store_true",
        help="instead: for orders with a partial offer, the smallest offer worth taking instead of a "
        "return, and whether the best option changes inside the postage range",
    )

    tracking = commands.add_parser("check-tracking", help="check tracking numbers: format, check digit, country")
    tracking.add_argument("numbers", metavar="NUMBER", nargs="*", help="tracking numbers")
    tracking.add_argument("--file", metavar="FILE", help="a text file with one tracking number per line")
    _format_option(tracking)
    tracking.set_defaults(run=command.tracking_numbers)

    _orders_command(
        commands, "checks", "warnings: tracking numbers, Saver parcels, seller risk signals", command.checks
    )
    _orders_command(commands, "cashback", "cashback expected per order, and whether it is lost", command.cashback)
    _orders_command(
        commands, "history", "your delivery times per shipping method, blended with the prior", command.history
    )

    report = _orders_command(
        commands,
        "report",
        "the weekly report: one HTML file (and, with --notebook, the executed notebook)",
        command.report,
        formats=False,
    )
    report.add_argument(
        "-o",
        "--output",
        default="report.html",
        help="HTML file to write (default report.html); an existing one only if it is an aliexp report",
    )
    report.add_argument(
        "--notebook", action="store_true", help="also keep the executed notebook beside the HTML (about 5 MB)"
    )
    _overwrite_option(report)

    calendar = _orders_command(
        commands, "calendar", "every open deadline as calendar events (.ics)", command.calendar, formats=False
    )
    calendar.add_argument(
        "-o", "--output", default="deadlines.ics", help="file to write (default deadlines.ics); replaces only aliexp's"
    )
    calendar.add_argument("--past", action="store_true", help="also the deadlines already missed (left out by default)")
    _overwrite_option(calendar)

    record = commands.add_parser(
        "record",
        help="record what happened to an order (kept in a case log beside "
        "the order file; the order file itself is never written)",
    )
    record.add_argument(
        "order_id",
        metavar="ORDER_ID",
        help="the order; or alone, a CSV file of many events (order_id,event,date[,amount]), all recorded or none",
    )
    record.add_argument("event", metavar="EVENT", nargs="?", choices=EVENTS, help=f"one of: {', '.join(EVENTS)}")
    record.add_argument("day", metavar="DATE", nargs="?", type=_date, help="the day it happened, YYYY-MM-DD")
    record.add_argument("amount", metavar="AMOUNT", nargs="?", help="a refund's amount, or the days of an extension")
    record.add_argument("--currency", type=str.upper, help="currency of AMOUNT (default: the order's)")
    record.add_argument("--note", default="", help="a few words to remember it by")
    record.add_argument(
        "--orders", default="orders.csv", metavar="FILE", help="the order file the log belongs to (default orders.csv)"
    )
    _from_option(record)
    record.set_defaults(run=command.record)

    log = commands.add_parser("log", help="the case log beside an order file").add_subparsers(
        required=True, metavar="ACTION"
    )
    check = log.add_parser(
        "check",
        help="what is wrong with the case log (it is only read); --repair keeps it beside and starts a new "
        "log with every event that can still be read",
    )
    check.add_argument("orders", metavar="ORDERS", help="the order file the log belongs to")
    check.add_argument("--repair", action="store_true", help="keep the log beside it and rebuild it")
    check.set_defaults(run=command.log_check)

    lab = commands.add_parser(
        "lab",
        help="JupyterLab on your own copy of the notebooks, reading ORDERS (until Ctrl-C); "
        "a copy you changed is never overwritten",
    )
    lab.add_argument("orders", metavar="ORDERS", nargs="?", help="your order book (default: the sample orders)")
    lab.add_argument(
        "--dir",
        metavar="FOLDER",
        help="where your copy of the notebooks lives (default: aliexp-notebooks beside ORDERS)",
    )
    _server_options(lab, command.lab)

    app = commands.add_parser(
        "app", help="the overview and the chooser on ORDERS as a page without code, in the browser (until Ctrl-C)"
    )
    app.add_argument("orders", metavar="ORDERS", help="your order book (.csv or .xlsx) or an export of a known format")
    _server_options(app, command.app)

    assumptions = commands.add_parser("assumptions", help="the assumptions the ranking depends on")
    _setting_options(assumptions)
    _format_option(assumptions)
    assumptions.set_defaults(run=lambda args: (command.setting_of(args).assumptions.to_frame(), ()))

    rules = commands.add_parser("rules", help="the rulebook: every clock with its value and source")
    _setting_options(rules)
    _format_option(rules)
    rules.set_defaults(run=lambda args: (command.setting_of(args).rulebook.to_frame(), ()))
    return parser


def _orders_command(
    commands, name: str, help: str, run, today: bool = True, formats: bool = True
) -> argparse.ArgumentParser:
    """A subcommand that reads an order book: ORDERS, --today (if it depends on the day), --format
    (if it prints a table rather than writing a file)."""
    parser = commands.add_parser(name, help=help)
    parser.add_argument(
        "orders",
        metavar="ORDERS",
        help="order book (.csv, .xlsx, .parquet or a folder of .parquet parts) or an export of a known format",
    )
    _from_option(parser)
    if today:
        parser.add_argument(
            "--today",
            type=_date,
            default=dt.date.today(),
            help="the day to compute for, YYYY-MM-DD (default: the local date)",
        )
    if formats:
        _format_option(parser)
    if today:
        _setting_options(parser)
    parser.set_defaults(run=run)
    return parser


def _server_options(parser: argparse.ArgumentParser, run) -> None:
    """The flags of ``lab`` and ``app``: the day, the file's format, the port, the browser."""
    _from_option(parser)
    parser.add_argument(
        "--today",
        type=lambda text: _date(text).isoformat(),
        help="the day to look from, YYYY-MM-DD (default: each day's own)",
    )
    parser.add_argument("--port", type=int, default=0, help="the port to serve on (default: a free one)")
    parser.add_argument("--no-browser", action="store_true", help="only print the address; open no browser")
    parser.set_defaults(run=run)


def _from_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--from",
        dest="fmt",
        choices=(NATIVE_FORMAT, *FORMATS),
        metavar="FORMAT",
        help=f"the file's format, if not recognised from its header: {NATIVE_FORMAT} (our schema), "
        + ", ".join(FORMATS),
    )


def _setting_options(parser: argparse.ArgumentParser) -> None:
    """The flags of a ``Setting``; each wins over the same key of the user's ``aliexp.toml`` files."""
    group = parser.add_argument_group(
        "setting", f"on top of {CONFIG_NAME} in your config folder and beside the orders file, if there"
    )
    group.add_argument("--config", metavar="FILE", help=f"a setting file like {CONFIG_NAME} (see the README)")
    group.add_argument("--rules", metavar="FILE", help="TOML file of your own rule values (see data/rulebook.toml)")
    group.add_argument(
        "--set",
        metavar="ID=DAYS",
        action="append",
        default=[],
        type=_pair,
        help="override one rule value, e.g. --set protection_days=75 (repeatable)",
    )
    group.add_argument(
        "--assumptions", metavar="FILE", help="TOML file of your own assumptions (see data/assumptions.toml)"
    )
    group.add_argument(
        "--assume",
        metavar="ID=VALUE",
        action="append",
        default=[],
        type=_pair,
        help="change one assumption, e.g. --assume time_rate=300 (see `aliexp assumptions`)",
    )
    group.add_argument(
        "--rates",
        metavar="FILE",
        help="your bank's exchange rates (they win over the ECB's), CSV of date,currency,rub_per_unit,source "
        "like data/exchange_rates_example.csv",
    )
    group.add_argument("--postage", metavar="FILE", help="your postage table, CSV like data/postage.csv")
    group.add_argument("--payout", metavar="FILE", help="your payout times, CSV like data/payout_times.csv")
    group.add_argument(
        "--currency",
        type=_currency,
        help="your currency: money is shown in it (default RUB), and it is the currency of AliExpress's "
        "data backup, whose amounts name none",
    )
    group.add_argument("--lang", choices=LANGUAGES, help="language of words, dates and money (default en)")
    group.add_argument(
        "--destination", metavar="CC", help="your country (ISO code) for orders whose file gives none (default RU)"
    )


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=("table", "csv", "json", "jsonl"),
        default="table",
        help="output format (jsonl: JSON lines, one object a row, for programs)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the table to a .csv, .jsonl, .xlsx or .parquet file instead (formulas made inert in .csv and "
        ".xlsx; an existing file is replaced only if aliexp wrote it and it is unchanged, or with --overwrite); "
        "deadlines of a Parquet book: a FOLDER/ of Parquet parts, computed piece by piece (Dask)",
    )
    _overwrite_option(parser)


def _overwrite_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the -o file even if aliexp did not write it (never the file the command reads, nor a folder)",
    )


def _currency(text: str) -> str:
    from aliexp_lib.money import known_currencies  # Babel: only when a currency is given

    code = text.strip().upper()
    if code not in known_currencies():
        raise argparse.ArgumentTypeError(f"{text}: unknown currency; expected an ISO code such as RUB")
    return code


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; expected YYYY-MM-DD") from None


def _pair(text: str) -> tuple[str, str]:
    rule_id, sep, value = text.partition("=")
    if not sep or not rule_id or not value:
        raise argparse.ArgumentTypeError(f"{text!r}: expected ID=DAYS, e.g. protection_days=75")
    return rule_id.strip(), value.strip()
