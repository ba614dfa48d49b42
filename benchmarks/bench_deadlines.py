"""Deadline engine against the per-row reference, on synthetic order books of growing size.

    python benchmarks/bench_deadlines.py [--sizes 10000 100000 1000000]

For each size: the engine's best of 3 wall times, the reference's time (one run), their ratio,
the engine's peak memory (tracemalloc, a separate run) and the number of deadline rows. The
reference also checks the engine's rows for the first 2,000 orders. No pass/fail threshold:
the goal (1M orders under 1 s, at least 30x the reference) is read off the printed table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aliexp_lib import OrderBook, compute_deadlines, load_rulebook  # noqa: E402
from aliexp_lib.orders import DATE_COLUMNS  # noqa: E402
from tests.oracles.reference_deadlines import order_records, reference_deadlines  # noqa: E402

TODAY = dt.date(2026, 3, 1)
CHECKED = 2_000


def synthetic_dates(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """``n`` orders at every stage of their life around ``TODAY``: event column -> ``datetime64[D]`` (NaT: none)."""
    today = np.datetime64(TODAY, "D")
    nat = np.datetime64("NaT")

    def later(base, low, high, chance):
        gap = rng.integers(low, high + 1, n).astype("timedelta64[D]")
        return np.where(rng.random(n) < chance, base + gap, nat)

    shipped = np.where(rng.random(n) < 0.95, today - rng.integers(0, 120, n).astype("timedelta64[D]"), nat)
    events = {"shipped_at": shipped, "ordered_at": shipped - rng.integers(1, 7, n).astype("timedelta64[D]")}
    events["paid_at"] = events["ordered_at"]
    events["last_tracking_update_at"] = later(shipped, 1, 40, 0.7)
    events["received_at"] = later(shipped, 10, 60, 0.5)
    events["confirmed_at"] = later(events["received_at"], 0, 10, 0.6)
    events["dispute_opened_at"] = later(shipped, 5, 70, 0.3)
    events["dispute_escalated_at"] = later(events["dispute_opened_at"], 1, 15, 0.3)
    events["return_address_at"] = later(events["dispute_opened_at"], 1, 10, 0.2)
    events["return_shipped_at"] = later(events["return_address_at"], 1, 12, 0.7)
    events["refund_issued_at"] = later(events["dispute_opened_at"], 3, 40, 0.5)
    events["refund_received_at"] = later(events["refund_issued_at"], 3, 20, 0.6)
    return events


def synthetic_book(n: int, seed: int = 0) -> OrderBook:
    """``n`` orders at every stage of their life around ``TODAY`` (``synthetic_dates``), as a typed order book."""
    rng = np.random.default_rng(seed)
    events = synthetic_dates(n, rng)
    table = pd.DataFrame({"order_id": np.char.add("o", np.arange(n).astype(str)).astype(object)})
    none = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    for column in DATE_COLUMNS:  # a dispute's end, a close: not generated, empty
        table[column] = events.get(column, none).astype("datetime64[s]")
    table["protection_days"] = pd.array(np.where(rng.random(n) < 0.1, 75, 0), dtype="Int64")
    table.loc[table["protection_days"] == 0, "protection_days"] = pd.NA
    table["payment_method"] = np.where(rng.random(n) < 0.7, "card", "Qiwi").astype(object)  # refunds' payout time
    table["extension_days"] = pd.array(np.where(rng.random(n) < 0.15, rng.integers(5, 40, n), 0), dtype="Int64")
    return OrderBook(table, source=f"synthetic {n}")


def best_of(runs: int, call) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    sizes = parser.parse_args().sizes
    rules = load_rulebook()
    print(f"{'orders':>10} {'engine s':>9} {'reference s':>12} {'ratio':>7} {'peak MB':>8} {'rows':>10}")
    for n in sizes:
        book = synthetic_book(n)
        table = compute_deadlines(book, TODAY, rules)
        engine = best_of(3, lambda book=book: compute_deadlines(book, TODAY, rules))
        records = order_records(book)
        start = time.perf_counter()
        expected = reference_deadlines(records, TODAY, rules)
        reference = time.perf_counter() - start
        checked = {r["order_id"] for r in records[:CHECKED]}
        head = table[table["order_id"].isin(checked)]
        got = list(
            zip(head["order_id"], head["kind"], head["due"].dt.date, head["days_left"], head["status"], strict=True)
        )
        if got != [row[:5] for row in expected if row[0] in checked] or len(expected) != len(table):
            sys.exit(f"engine and reference disagree on {n} orders")
        tracemalloc.start()
        compute_deadlines(book, TODAY, rules)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"{n:>10,} {engine:>9.3f} {reference:>12.2f} {reference / engine:>6.0f}x {peak:>8.0f} {len(table):>10,}")


if __name__ == "__main__":
    main()
