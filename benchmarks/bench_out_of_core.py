"""Deadlines of a Parquet book bigger than memory, out of core on Dask, with a stated memory bound.

    python benchmarks/bench_out_of_core.py [--orders 20000000] [--part-orders 1000000] [--bound-mb 3072]

A partitioned Parquet book of ``--orders`` synthetic orders (as ``bench_deadlines``: orders
at every stage of their life; dates as Parquet dates, prices as integers with their
currency) is generated in a temporary folder, one part of ``--part-orders`` at a time. Then the
command a user runs, ``aliexp deadlines BOOK/ --today 2026-03-01 -o OUT/``, in a child process:
each piece (about half a million orders, whole row groups) is read, validated, goes through the deadline
engine (``dask.dataframe`` ``map_partitions`` over ``compute_deadlines``) and is written as a
Parquet part. Printed: the time, the child's peak resident memory (``getrusage``, the whole
process: Python, pandas, pyarrow, Dask and the pieces in flight) against the bound, and the
sizes. The bound holds whatever the size of the book: memory grows with the piece and the
number of Dask workers (threads, one per core), not with the orders.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.bench_deadlines import synthetic_dates  # noqa: E402  # the same orders as the engine's benchmark

TODAY = dt.date(2026, 3, 1)
ROW_GROUP = 250_000


def write_book(folder: Path, orders: int, part_orders: int) -> int:
    """The book as parts of ``part_orders`` orders; returns the number of parts."""
    parts = 0
    for start in range(0, orders, part_orders):
        n = min(part_orders, orders - start)
        rng = np.random.default_rng(parts)
        columns = {"order_id": pa.array(np.char.add(f"p{parts}-", np.arange(n).astype(str)))}
        for column, days in synthetic_dates(n, rng).items():
            columns[column] = pa.array(days, pa.date32())
        columns["price"] = pa.array(rng.integers(50, 20_000, n), pa.int64())  # whole units: exact
        columns["currency"] = pa.array(np.where(rng.random(n) < 0.8, "RUB", "USD"))
        columns["extension_days"] = pa.array(np.where(rng.random(n) < 0.15, rng.integers(5, 40, n), 0))
        pq.write_table(pa.table(columns), folder / f"part-{parts:04d}.parquet", row_group_size=ROW_GROUP)
        parts += 1
    return parts


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000_000)
    parser.add_argument("--part-orders", type=int, default=1_000_000)
    parser.add_argument("--bound-mb", type=int, default=3072, help="the stated memory bound [MB]")
    parser.add_argument("--dir", help="where to put the book and the result (default: a temporary folder)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="aliexp-out-of-core-", dir=args.dir))
    try:
        book, out = work / "book", work / "deadlines"
        book.mkdir()
        start = time.perf_counter()
        parts = write_book(book, args.orders, args.part_orders)
        generated = time.perf_counter() - start
        env = {**os.environ, "ALIEXP_STATE_DIR": str(work / "state"), "ALIEXP_CONFIG_DIR": str(work / "config")}
        command = [sys.executable, "-m", "aliexp_lib", "deadlines", str(book), "--today", TODAY.isoformat(), "--all"]
        start = time.perf_counter()
        done = subprocess.run([*command, "-o", f"{out}/"], env=env, capture_output=True, text=True)
        took = time.perf_counter() - start
        if done.returncode:
            raise SystemExit(f"aliexp failed ({done.returncode}):\n{done.stderr}")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
        rows = sum(pq.ParquetFile(p).metadata.num_rows for p in out.glob("*.parquet"))
        print(done.stdout.strip())
        print(
            f"{'orders':>12} {'parts':>6} {'book MB':>8} {'made s':>7} {'deadlines s':>12} {'orders/s':>10} "
            f"{'rows out':>12} {'out MB':>7} {'peak RSS MB':>12} {'bound MB':>9}"
        )
        print(
            f"{args.orders:>12,} {parts:>6} {size_mb(book):>8.0f} {generated:>7.1f} {took:>12.1f} "
            f"{args.orders / took:>10,.0f} {rows:>12,} {size_mb(out):>7.0f} {peak:>12,.0f} {args.bound_mb:>9,}"
        )
        verdict = "within" if peak <= args.bound_mb else "OVER"
        print(
            f"peak memory {peak:,.0f} MB: {verdict} the bound of {args.bound_mb:,} MB "
            f"({dt.date.today()}, {os.cpu_count()} cores)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
