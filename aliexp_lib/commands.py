"""What each command of the command line does, given its parsed arguments (``cli`` parses them).

Every command that computes builds one ``Setting`` from its flags and the user's ``aliexp.toml``
files (``setting_of``) and renders one ``analysis.Analysis``. Each returns (a table to print, or
the words saying which file it wrote; the warnings to print).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib import lab as labs
from aliexp_lib import progress, safe_write
from aliexp_lib.analysis import Analysis, analyse_file
from aliexp_lib.arrival import summary as delivery_summary
from aliexp_lib.caselog import CaseLog, default_log_path
from aliexp_lib.csv_book import book_as_text, write_book
from aliexp_lib.deadlines import COLUMNS, next_actions, open_deadlines_and_orders
from aliexp_lib.errors import InputError, refuse_special_file
from aliexp_lib.guidance import advice
from aliexp_lib.ics import ours_ics
from aliexp_lib.logcheck import check_log, repair_log
from aliexp_lib.money import money_text
from aliexp_lib.orders import NATIVE_FORMAT, load_orders
from aliexp_lib.rates import missing_rates_note
from aliexp_lib.record_many import read_events, record_events, summary
from aliexp_lib.refund_amounts import refuse_refunds
from aliexp_lib.report import report_kernel, write_report
from aliexp_lib.setting import Setting, build_setting
from aliexp_lib.tracking import check_tracking
from aliexp_lib.views.widgets import calendar_file


def setting_of(args) -> Setting:
    """The one setting of this run: the user's files, then the flags; kept on ``args`` (``args.setting``)
    for what the command line shows (its tables in the setting's language)."""
    args.setting = build_setting(
        getattr(args, "orders", None),
        args.config,
        rules=args.rules,
        set=dict(args.set),
        assumptions=args.assumptions,
        assume=dict(args.assume),
        rates=args.rates,
        postage=args.postage,
        payout=args.payout,
        currency=args.currency,
        lang=args.lang,
        destination=args.destination,
    )
    return args.setting


def analysis_of(args) -> Analysis:
    """The setting first (a bad setting is reported before the orders are read), then the orders."""
    setting = setting_of(args)
    progress.step("reading the orders")
    book = load_orders(args.orders, args.fmt, currency=setting.choices.currency)
    progress.step("computing")
    return Analysis(book, args.today, setting)


def money_notes(shown: pd.Series, analysis: Analysis) -> tuple[str, ...]:
    """The note on missing exchange rates, if any amount of ``shown`` (currencies) is not in the display one."""
    note = missing_rates_note(shown, analysis.setting.currency, analysis.setting.lang)
    return (note,) if note else ()


def orders(args) -> tuple[pd.DataFrame | str, tuple[str, ...]]:
    """``orders``: the normalised order book, amounts as plain decimals, dates as ``YYYY-MM-DD``;
    ``-o FOLDER/``: our CSV as a Parquet book, a slice at a time (``csv_book``), for a file of any size."""
    setting = setting_of(args)
    if args.output and args.output.endswith(("/", os.sep)):
        if Path(args.orders).suffix.lower() != ".csv" or args.fmt not in (None, NATIVE_FORMAT):
            raise InputError(f"{args.orders}: a folder (-o {args.output}) is written from a CSV in our schema")
        return write_book(Path(args.orders), Path(args.output.rstrip("/" + os.sep)), inputs_of(args))
    book = load_orders(args.orders, args.fmt, currency=setting.choices.currency)
    return book_as_text(book), book.warnings


def on_terminal(args) -> bool:
    """Whether the table goes to the terminal as aligned text (``--format table``, no ``-o``): the columns a
    person reads there; another format or a file (``-o``, for programs and spreadsheets) gets them all."""
    return args.format == "table" and not args.output


def as_csv(args) -> bool:
    """Whether the table is written as CSV: ``-o`` a ``.csv`` file, or ``--format csv`` without ``-o``."""
    return Path(args.output).suffix.lower() == ".csv" if args.output else args.format == "csv"


def deadlines(args) -> tuple[pd.DataFrame | str, tuple[str, ...]]:
    """``deadlines``: every order's open deadlines (``--all``: the closed ones too; ``--next``: the most urgent)."""
    if args.output and (args.output.endswith(("/", os.sep)) or Path(args.output).is_dir() and _parquet(args.orders)):
        return deadlines_out_of_core(args), ()
    analysis = analysis_of(args)
    setting = analysis.setting
    at = None  # each row's order's position in the book, where the engine gives it
    if args.all and not args.next:
        table = analysis.deadlines
    else:  # the open deadlines (counted a block of orders at a time); the closed ones only when asked (--all)
        table, at = open_deadlines_and_orders(analysis.book, analysis.today, setting.rulebook, setting.payout)
        if args.next:  # each order's most urgent open row
            table, at = next_actions(table), None
    # The terminal table leaves out the rule ids and assumptions to stay readable (csv, json and files
    # have them), and the estimated mark where nothing is estimated.
    terse = {"rule", "assumption"} | (set() if table["estimated"].any() else {"estimated"})
    columns = [c for c in COLUMNS if not (on_terminal(args) and c in terse)]
    table = table.loc[:, columns]
    if not on_terminal(args):  # the seed's advice for each row, with its lines (too long for the terminal)
        table["advice"] = advice(table, "kind", setting.lang, orders=analysis.book.table, at=at)
    if as_csv(args):  # json, xlsx and parquet have their own true/false
        table = table.assign(
            estimated=pd.Categorical.from_codes(table["estimated"].to_numpy(np.int8), ["false", "true"])
        )
    return table, analysis.book.warnings


def _parquet(orders: str) -> bool:
    """Whether ``orders`` is a Parquet book (file or folder of parts), without importing pyarrow up front."""
    from aliexp_lib.parquet_io import is_parquet

    return is_parquet(orders)


def deadlines_out_of_core(args) -> str:
    """``deadlines BOOK -o FOLDER/``: a Parquet book into a folder of Parquet parts, piece by piece.

    ``distributed.write_deadlines`` on the setting's rulebook; for a book that does not fit in memory.
    """
    from aliexp_lib.distributed import write_deadlines
    from aliexp_lib.parquet_io import is_parquet

    if not is_parquet(args.orders) or args.fmt not in (None, NATIVE_FORMAT):
        raise InputError(f"{args.orders}: a folder of results (-o {args.output}) needs a Parquet book in our schema")
    if args.next:
        raise InputError("--next ranks the whole book: write it to a file (-o FILE.parquet), not a folder")
    setting = setting_of(args)
    out = args.output.rstrip("/" + os.sep)
    return write_deadlines(
        args.orders, out, args.today, setting.rulebook, setting.payout, inputs_of(args), closed=args.all
    )


def missing(args) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """``missing``: the dates that would make each unfinished order's deadlines exact, most valuable first."""
    analysis = analysis_of(args)
    table = analysis.missing.copy()
    table["price"] = money_text(table.pop("price_minor"), table["currency"])
    table["value"] = money_text(table.pop("value_minor"), analysis.setting.currency)
    table["needed"] = table["needed"].map({True: "true", False: "false"})
    shown = ["rank", "order_id", "label", "page_en", "page_ru", "page_de", "price", "currency"]
    if not on_terminal(args):
        shown = [*shown[:2], "status", "event", "needed", *shown[2:], "title", "where", "value", "source"]
    return table.loc[:, shown], analysis.book.warnings


def resolve(args) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """``resolve``: the ranked ways out, or (``--break-even``) the break-even offers; money as plain decimals."""
    analysis = analysis_of(args)
    warnings = analysis.book.warnings + money_notes(analysis.options["currency"], analysis)
    if args.break_even:
        table = analysis.break_even.copy()
        for column in [c for c in table.columns if c.endswith("_minor")]:
            table[column] = money_text(table[column], table["currency"])
        table.columns = [c.removesuffix("_minor") for c in table.columns]
        return table, warnings
    table = analysis.options.copy()
    for column in ("net", "net_low", "net_high", "sure", "equivalent"):
        table[column] = money_text(table.pop(f"{column}_minor"), table["currency"])
    columns = [
        "order_id",
        "option",
        "rank",
        "net",
        "net_low",
        "net_high",
        "sure",
        "equivalent",
        "currency",
        "money_by",
        "likelihood",
        "reason",
    ]
    if not on_terminal(args):
        columns += ["risk", "rate", "advice"]
        table["advice"] = advice(table, "option", analysis.setting.lang)
    return table.loc[:, columns], warnings


def checks(args) -> tuple[pd.DataFrame, tuple[str, ...]]:
    analysis = analysis_of(args)
    return analysis.checks, analysis.book.warnings


def cashback(args) -> tuple[pd.DataFrame, tuple[str, ...]]:
    analysis = analysis_of(args)
    book = analysis.book
    table = analysis.cashback.copy()
    table["expected"] = money_text(table.pop("expected_minor"), table["currency"])
    return table.loc[:, ["order_id", "expected", "currency", "lost", "reason"]], book.warnings


def report(args) -> tuple[str, tuple[str, ...]]:
    with report_kernel() as kernel:  # it boots on the other core while the orders are checked here
        analysis = analysis_of(args)  # bad input is reported here, clearly, before the notebook runs
        book = analysis.book
        html, notebook = write_report(
            args.orders,
            args.output,
            args.today,
            analysis.setting,
            args.fmt,
            args.notebook,
            args.overwrite,
            inputs_of(args),
            kernel,
        )
    also = f" and {notebook}" if notebook else ""
    return f"wrote {html} (open it in a browser){also}", book.warnings + money_notes(
        analysis.prices["currency"], analysis
    )


def calendar(args) -> tuple[str, tuple[str, ...]]:
    """``calendar``: the open deadlines into an ``.ics`` file, replacing only a calendar file of ours."""
    analysis = analysis_of(args)
    book = analysis.book
    path = safe_write.write_file(
        args.output, calendar_file(analysis, past=args.past), ours_ics, args.overwrite, inputs_of(args)
    )
    return f"wrote {path}: import it into your calendar; importing it again updates the events", book.warnings


def inputs_of(args) -> list[str]:
    """The files a command reads (orders, setting files): never written over by its ``-o``."""
    names = ("orders", "file", "config", "rules", "assumptions", "rates", "postage", "payout")
    return [value for value in (getattr(args, name, None) for name in names) if isinstance(value, str) and value]


def record(args) -> tuple[str, tuple[str, ...]]:
    """``record``: one event of a known order, or a CSV file of many, into the case log beside the order file."""
    book = load_orders(args.orders, args.fmt)
    if args.event is None and args.day is None:
        return _record_file(args, book.table), book.warnings
    if args.event is None or args.day is None:
        raise InputError("record: give ORDER_ID EVENT DATE [AMOUNT], or one CSV file of order_id,event,date[,amount]")
    known = book.table["order_id"] == args.order_id
    if not known.any():
        raise InputError(f"order {args.order_id!r} is not in {args.orders}")
    currency = args.currency
    if args.amount is not None and currency is None and args.event != "extension":
        currency = book.table.loc[known, "currency"].iloc[0]
    event = {"order_id": args.order_id, "event": args.event, "amount": args.amount, "currency": currency}
    refuse_refunds(pd.DataFrame([event]), book.table)
    path = default_log_path(args.orders)
    with CaseLog(path) as log:
        log.record(args.order_id, args.event, args.day, args.amount, currency, args.note)
    return f"recorded {args.event} {args.day} for order {args.order_id} in {path}", book.warnings


def log_check(args) -> tuple[str, tuple[str, ...]]:
    """``log check``: the case log's problems (exit 2 while there are any); ``--repair`` keeps it and rebuilds it."""
    path = default_log_path(args.orders)
    if not path.exists() and not path.is_symlink():
        return f"{path}: no case log yet (it is made by the first `aliexp record`)", ()
    problems = check_log(path)
    if not problems:
        return f"{path}: the case log is sound", ()
    if not args.repair:
        raise InputError(
            "\n".join(
                [
                    *problems,
                    f"to keep it and start a new log with every readable event: "
                    f"aliexp log check {args.orders} --repair",
                ]
            )
        )
    kept, events, lost = repair_log(path)
    return (
        f"{path}: a new case log with {events} event(s) that could be read ({lost} could not); "
        f"the original is kept as {kept}"
    ), tuple(problems)


def _record_file(args, table: pd.DataFrame) -> str:
    """Every event of the CSV file ``args.order_id``, checked first, then recorded in one transaction."""
    path = Path(args.order_id)
    refuse_special_file(path)  # a pipe would be waited on for ever, a device read for ever
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(
            f"{path}: cannot read the events file ({exc}); to record one event give ORDER_ID EVENT DATE [AMOUNT]"
        ) from None
    events, notes = read_events(text, str(path), table)
    refuse_refunds(events, table)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    log_path = default_log_path(args.orders)
    with CaseLog(log_path) as log:
        recorded, skipped = record_events(log, events)
    return summary(events, recorded, skipped, notes, str(log_path))


def history(args) -> tuple[pd.DataFrame, tuple[str, ...]]:
    analysis = analysis_of(args)
    return delivery_summary(analysis.history), analysis.book.warnings


def tracking_numbers(args) -> tuple[pd.DataFrame, tuple[str, ...]]:
    """``check-tracking``: the numbers given and those in ``--file``, one per line."""
    numbers = list(args.numbers)
    if args.file:
        refuse_special_file(args.file)
        try:
            with open(args.file, encoding="utf-8-sig") as handle:
                numbers += [line.strip() for line in handle if line.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"{args.file}: cannot read ({exc})") from None
    if not numbers:
        raise InputError("give tracking numbers, or --file with one per line")
    table = check_tracking(numbers)
    table["valid"] = table["valid"].map({True: "true", False: "false"})
    return table, ()


def lab(args) -> tuple[str, tuple[str, ...]]:
    """``lab``: JupyterLab on a working copy of the notebooks (never the shipped ones), in the foreground."""
    folder = _lab_folder(args)
    if args.orders:
        _check_orders(args)
    port = labs.port_to_serve_on(args.port or None)  # before anything is copied
    copied, kept = labs.working_copy(folder, args.orders, args.today, args.fmt)
    if copied:
        print(f"copied {labs.names(copied)} into {folder}", flush=True)
    if kept:  # said now: the server's messages follow
        print(
            f"warning: kept {labs.names(kept)} in {folder} as they are (never overwritten): their orders_path is "
            "what you left in them; remove one, or choose another folder (--dir), for a fresh copy",
            file=sys.stderr,
            flush=True,
        )
    token = labs.new_token()
    url = f"http://127.0.0.1:{port}/lab/tree/{labs.FIRST}?token={token}"
    done = labs.run_server(
        labs.lab_command(folder, port), folder, port, url, not args.no_browser, env={"JUPYTER_TOKEN": token}
    )
    return f"JupyterLab {done}; your notebooks stay in {folder}", ()


def app(args) -> tuple[str, tuple[str, ...]]:
    """``app``: the overview and the chooser as one page without code (Voilà), in the foreground."""
    _check_orders(args)
    port = labs.port_to_serve_on(args.port or None)
    token = labs.new_token()
    with tempfile.TemporaryDirectory(prefix="aliexp-app-") as temporary:
        folder = Path(temporary)
        page = folder / labs.APP_NAME
        page.write_text(json.dumps(labs.app_notebook(args.orders, args.today, args.fmt), indent=1), encoding="utf-8")
        # Voilà reads voila.json in its working folder: the token stays off the command line (and `ps`).
        config = folder / "voila.json"
        config.touch(mode=0o600)
        config.write_text(json.dumps({"Voila": {"token": token}}), encoding="utf-8")
        url = f"http://127.0.0.1:{port}/?token={token}"
        done = labs.run_server(
            labs.voila_command(page, port), folder, port, url, not args.no_browser, env=labs.voila_env()
        )
    return f"the page {done}", ()


def _lab_folder(args) -> Path:
    if args.dir:
        return Path(args.dir).expanduser().resolve()
    base = Path(args.orders).expanduser().resolve().parent if args.orders else Path.cwd()
    return base / labs.FOLDER_NAME


def _check_orders(args) -> None:
    """Bad orders or a bad setting are reported now, in one line, not in a kernel's traceback later."""
    day = dt.date.fromisoformat(args.today) if args.today else dt.date.today()
    analyse_file(args.orders, day, fmt=args.fmt).book  # noqa: B018 (reading is the check)
