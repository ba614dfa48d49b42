"""A per-row stdlib reference of ``aliexp deadlines FILE --format csv -o OUT``: same rules, same shape.

    python benchmarks/reference_cli.py ORDERS.csv --today 2026-03-01 -o OUT.csv

Reads our order file with the ``csv`` module (dates with ``date.fromisoformat``, day counts with
``int``), computes every order's deadlines one order at a time (``tests/oracles/reference_deadlines``,
the rules from the bundled rulebook), keeps the open ones (neither done nor expired, as ``aliexp
deadlines`` does by default) and writes them with ``csv.writer``: order_id, kind, due, days_left,
status. No pandas, no checks beyond what parsing needs: the plain script a buyer might write, which
the command has to beat.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aliexp_lib.rules import load_rulebook  # noqa: E402
from tests.oracles.reference_deadlines import reference_deadlines  # noqa: E402


def _value(text: str):
    if not text:
        return None
    if len(text) == 10 and text[4] == "-":
        return dt.date.fromisoformat(text)
    return int(text) if text.isdigit() else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("orders")
    parser.add_argument("--today", type=dt.date.fromisoformat, required=True)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    rules = load_rulebook()
    with open(args.orders, newline="", encoding="utf-8-sig") as handle:
        orders = [{k: _value(v) if k != "order_id" else v for k, v in row.items()} for row in csv.DictReader(handle)]
    rows = reference_deadlines(orders, args.today, rules)
    with open(args.output, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["order_id", "kind", "due", "days_left", "status"])
        writer.writerows(row[:5] for row in rows if row[4] not in ("done", "expired"))


if __name__ == "__main__":
    main()
