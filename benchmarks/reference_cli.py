"""A per-row stdlib reference of ``aliexp deadlines FILE --format csv -o OUT``: same rules, same file out.

    python benchmarks/reference_cli.py ORDERS.csv --today 2026-03-01 -o OUT.csv

Reads our order file with the ``csv`` module (dates with ``date.fromisoformat``, day counts with
``int``), computes every order's deadlines one order at a time (``tests/oracles/reference_deadlines``,
the rules from the bundled rulebook), keeps the open ones (neither done nor expired, as ``aliexp
deadlines`` does by default) and writes them with ``csv.writer``: the command's eleven columns, from
``order_id`` to ``advice``. The words come from the same data as the command's (each kind's actor, rule
ids and action in ``aliexp_lib.kinds``, the advice of ``data/guidance.csv`` for the row's kind, the
order's problem and payment method, looked up once per combination); a text cell a spreadsheet would
run as a formula gets an apostrophe, as the command does. No table work in pandas (the modules the
words come from import it), no checks beyond what parsing needs: the plain script a buyer might
write, which the command has to beat, and whose file the benchmark compares with the command's
byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import re
import sys
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aliexp_lib.formulas import FORMULA_STARTS, PLAIN_NEGATIVE  # noqa: E402
from aliexp_lib.guidance import CITE, lines_text  # noqa: E402
from aliexp_lib.kinds import KINDS, Status, action  # noqa: E402
from aliexp_lib.rules import load_rulebook  # noqa: E402
from tests.oracles.reference_deadlines import reference_deadlines  # noqa: E402

HEADER = ["order_id", "kind", "due", "days_left", "status", "actor", "action", "rule", "estimated", "assumption"]
KIND = {kind.name: kind for kind in KINDS}
NEGATIVE = re.compile(PLAIN_NEGATIVE)


def _value(text: str):
    if not text:
        return None
    if len(text) == 10 and text[4] == "-":
        return dt.date.fromisoformat(text)
    return int(text) if text.isdigit() else text


def _guidance() -> list[dict]:
    """``data/guidance.csv``: each piece's kinds, problems and payment methods (sets; empty: any) and text."""
    with open(ROOT / "data" / "guidance.csv", newline="", encoding="utf-8") as handle:
        pieces = []
        for row in csv.DictReader(handle):
            keys = {
                k: {c.strip() for c in row[k].split(";") if c.strip()} for k in ("kinds", "problems", "payment_methods")
            }
            lines = tuple(int(n) for n in row["lines"].split(";"))
            pieces.append({**keys, "text": f"{row['en']} {CITE['en'].format(lines=lines_text(lines))}."})
    return pieces


GUIDANCE = _guidance()


@cache
def advice(kind: str, problem: str, payment_method: str) -> str:
    """Every piece of advice for a deadline of ``kind`` of an order with this problem and payment method."""
    return "\n".join(
        piece["text"]
        for piece in GUIDANCE
        if kind in piece["kinds"]
        and (not piece["problems"] or (problem or "none") in piece["problems"])
        and (not piece["payment_methods"] or payment_method.strip().lower() in piece["payment_methods"])
    )


def safe(cell: str) -> str:
    """``cell`` with an apostrophe in front if a spreadsheet would read it as a formula (not ``-5``)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) and not NEGATIVE.fullmatch(cell) else cell


def write_reference(orders_path: str | Path, today: dt.date, out_path: str | Path) -> None:
    """The open deadlines of the orders in ``orders_path`` on ``today``, as the command's CSV, into ``out_path``."""
    rules = load_rulebook()
    with open(orders_path, newline="", encoding="utf-8-sig") as handle:
        orders = [{k: _value(v) if k != "order_id" else v for k, v in row.items()} for row in csv.DictReader(handle)]
    problem_and_method = {o["order_id"]: (o.get("problem") or "", o.get("payment_method") or "") for o in orders}
    rows = reference_deadlines(orders, today, rules)
    with open(out_path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*HEADER, "advice"])
        for order_id, kind_name, due, left, status, estimated, assumption in rows:
            if status in ("done", "expired"):
                continue
            kind = KIND[kind_name]
            writer.writerow(
                [
                    safe(order_id),
                    kind_name,
                    due,
                    left,
                    status,
                    kind.actor,
                    safe(action(kind, Status[status.upper()])),
                    ", ".join(kind.rules),
                    "true" if estimated else "false",
                    assumption,
                    safe(advice(kind_name, *problem_and_method[order_id])),
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("orders")
    parser.add_argument("--today", type=dt.date.fromisoformat, required=True)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    write_reference(args.orders, args.today, args.output)


if __name__ == "__main__":
    main()
