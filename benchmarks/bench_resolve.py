"""Ranking of ways out against the per-row reference, on synthetic problem orders.

    python benchmarks/bench_resolve.py [--sizes 10000 100000]

For each size: the engine's best of 3 wall times for ``rank_options`` (everything from the order
book to the ranked table), the reference's time for the ranking itself (one run; its inputs are
prepared beforehand and not timed), their ratio, and the number of option rows. The reference
also checks the engine's rows for the first 2,000 orders. Goal: 100k problem orders under 1 s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aliexp_lib import OrderBook  # noqa: E402
from aliexp_lib.orders import PROBLEMS  # noqa: E402
from aliexp_lib.resolve import rank_options  # noqa: E402
from aliexp_lib.setting import Setting  # noqa: E402
from benchmarks.bench_deadlines import TODAY, best_of, synthetic_book  # noqa: E402
from tests.oracles.reference_resolve import case_records, reference_ranking  # noqa: E402

CHECKED = 2_000


def synthetic_problems(n: int, seed: int = 1) -> OrderBook:
    """``n`` orders, every one with a problem, at every stage of their life."""
    rng = np.random.default_rng(seed)
    table = synthetic_book(n, seed).table
    table["problem"] = np.array(PROBLEMS, dtype=object)[rng.integers(0, len(PROBLEMS), n)]
    table["store"] = np.array([f"Store {i}" for i in range(50)], dtype=object)[rng.integers(0, 50, n)]
    table["title"] = np.array([f"Item {i}" for i in range(500)], dtype=object)[rng.integers(0, 500, n)]
    table["currency"] = np.where(rng.random(n) < 0.9, "RUB", "USD").astype(object)
    price = np.where(table["currency"] == "RUB", rng.integers(10_000, 5_000_000, n), rng.integers(100, 50_000, n))
    table["price_minor"] = pd.array(price, dtype="Int64")
    table["offer_partial_minor"] = pd.array(
        np.where(rng.random(n) < 0.5, price // rng.integers(2, 10, n), 0), dtype="Int64"
    )
    table.loc[table["offer_partial_minor"] == 0, "offer_partial_minor"] = pd.NA
    table["value_if_kept_minor"] = pd.array(price // rng.integers(2, 20, n), dtype="Int64")
    table["postage_quote_minor"] = pd.array(np.full(n, pd.NA), dtype="Int64")
    table["weight_g"] = pd.array(rng.integers(50, 5000, n), dtype="Int64")
    table["cashback_rate"] = np.where(rng.random(n) < 0.3, 5.0, np.nan)
    table["tracking_number"] = ""  # as the reference's cases: no tracking to judge (tests/test_options_state.py does)
    table["payment_method"] = np.array(["card", "WebMoney", "YooMoney", "PayPal"], dtype=object)[rng.integers(0, 4, n)]
    table["shipping_method"] = np.array(["AliExpress Standard Shipping", "Cainiao Saver Shipping"], dtype=object)[
        rng.integers(0, 2, n)
    ]
    return OrderBook(table, source=f"synthetic problems {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    sizes = parser.parse_args().sizes
    setting = Setting.default()
    print(f"{'orders':>10} {'engine s':>9} {'reference s':>12} {'ratio':>7} {'rows':>10}")
    for n in sizes:
        book = synthetic_problems(n)
        table = rank_options(book, TODAY, setting)
        engine = best_of(3, lambda book=book: rank_options(book, TODAY, setting))
        records, arrival = case_records(book, TODAY, setting)
        start = time.perf_counter()
        expected = reference_ranking(records, arrival, TODAY, setting)
        reference = time.perf_counter() - start
        checked = {r["order_id"] for r in records[:CHECKED]}
        head = table[table["order_id"].isin(checked)]
        got = list(
            zip(
                head["order_id"],
                head["option"],
                head["rank"],
                head["net_minor"],
                head["net_low_minor"],
                head["net_high_minor"],
                head["money_by"].dt.date,
                strict=True,
            )
        )
        if got != [row for row in expected if row[0] in checked] or len(expected) != len(table):
            sys.exit(f"engine and reference disagree on {n} orders")
        print(f"{n:>10,} {engine:>9.3f} {reference:>12.2f} {reference / engine:>6.0f}x {len(table):>10,}")


if __name__ == "__main__":
    main()
