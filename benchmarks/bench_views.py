"""The chooser after a slider move, and the whole report, with 10k orders loaded.

    python benchmarks/bench_views.py [--orders 10000]

Chooser: median of 20 recomputations of one order (what a slider move triggers), against the
plain way of answering the same question (re-ranking the whole order book and picking the order
out), measured in the same run. Goal: under 100 ms. Report: `write_report` end to end (papermill,
kernel start, nbconvert) on the same orders written to a CSV file. Goal: under 20 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aliexp_lib.analysis import analyse  # noqa: E402
from aliexp_lib.report import write_report  # noqa: E402
from aliexp_lib.resolve import rank_options  # noqa: E402
from aliexp_lib.setting import Setting  # noqa: E402
from aliexp_lib.views.chooser import Chooser  # noqa: E402
from benchmarks.bench_deadlines import TODAY  # noqa: E402
from benchmarks.bench_resolve import synthetic_problems  # noqa: E402


def median_time(call, runs: int = 20) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def as_csv(book, path: Path) -> None:
    """The synthetic order book as the user's CSV file (dates ISO, amounts in currency units)."""
    table = book.table.copy()
    for column in [c for c in table.columns if c.endswith("_minor")]:
        table[column.removesuffix("_minor")] = table.pop(column) / 100
    table.to_csv(path, index=False, date_format="%Y-%m-%d")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    n = parser.parse_args().orders
    book = synthetic_problems(n)
    setting = Setting.default()
    chooser = Chooser(analyse(book, TODAY, setting))
    order_id = chooser.problem_orders()[0][1]
    moves = iter(range(10**6))
    slider = median_time(lambda: chooser.recompute(order_id, 100 + next(moves), 0, 50, 0))

    def whole_book():
        ranking = rank_options(book, TODAY, chooser.setting, chooser.history)
        return ranking[ranking["order_id"] == order_id]

    whole = median_time(whole_book, runs=5)
    print(
        f"chooser, one slider move, {n:,} orders loaded: {slider * 1000:.0f} ms "
        f"(re-ranking the whole book: {whole * 1000:.0f} ms, {whole / slider:.0f}x)"
    )
    with tempfile.TemporaryDirectory() as folder:
        orders = Path(folder) / "orders.csv"
        as_csv(book, orders)
        start = time.perf_counter()
        write_report(orders, Path(folder) / "report.html", TODAY, setting)
        print(f"report, {n:,} orders, end to end: {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
