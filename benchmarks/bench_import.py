"""Loading a 1M-row order file, against reading the same file with no checks at all.

    python benchmarks/bench_import.py [--rows 1000000]

Two files are written to a temporary folder: our own schema (one row per order) and an
"AliExpress CSV Export" (three item rows and a totals row per order). For each: ``load_orders``
(detection, decoding, every value checked, exact money, the case log step) against the floor,
``pandas.read_csv(dtype=str)`` of the same file (the C engine, no checks), and the ratio; best
of 3 runs each.
Goal: a 1M-row export in a few seconds.

Then the same orders as an XLSX workbook (written once by openpyxl's streaming writer into a cache
folder, ``$TMPDIR/aliexp-bench``, and reused: writing a million rows takes minutes): ``load_orders``
(the archive's and the sheet's limits, one read by python-calamine, formulas and merged cells)
against the reference, a bare streamed read of every cell value by openpyxl (read-only,
``values_only``: the reader we used before, which no checked read through it could beat); the
workbook used to be parsed twice and took over 10 minutes for a million rows.
Goal: a 1M-row workbook loaded in seconds (at most 10 s).

Then a header of 1,500 and of 15,000 unknown columns (one order; ``native.MAX_COLUMNS`` is 16,384): ten
times the columns must take about ten times as long (goal: a ratio of at most 15; column-by-column
insertion made it ~100).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aliexp_lib import load_orders  # noqa: E402
from aliexp_lib.importers import aliexpress_csv_export  # noqa: E402

#: The extension's header, as the importer knows it.
EXPORT_HEADER = list(aliexpress_csv_export.COLUMNS)


def native_file(rows: int, path: Path) -> None:
    rng = np.random.default_rng(0)
    days = pd.Timestamp("2026-01-01") + pd.to_timedelta(rng.integers(0, 60, rows), unit="D")
    pd.DataFrame(
        {
            "order_id": np.arange(8_100_000_000_000_000, 8_100_000_000_000_000 + rows).astype(str),
            "store": "Example Store",
            "title": "USB-C cable 2 m",
            "price": (rng.integers(100, 500_000, rows) / 100).round(2).astype(str),
            "currency": "RUB",
            "ordered_at": days.strftime("%Y-%m-%d"),
            "shipped_at": (days + pd.Timedelta(days=3)).strftime("%Y-%m-%d"),
            "payment_method": "card",
        }
    ).to_csv(path, index=False)


def export_file(rows: int, path: Path) -> None:
    orders = rows // 4
    ids = np.repeat(np.arange(8_100_000_000_000_000, 8_100_000_000_000_000 + orders).astype(str), 4)
    item = np.tile([True, True, True, False], orders)
    table = pd.DataFrame({name: "" for name in EXPORT_HEADER}, index=range(len(ids)))
    table["Order Id"] = ids
    table["Order date"] = "3. Aug 2025"
    table["Order Status"] = "Abgeschlossen"
    table["Store Name"] = "Example Store"
    table["Store url"] = "//aliexpress.ru/store/123"
    table["Currency"] = "€"
    table["Payment method"] = "Visa"
    table.loc[item, "Item title"] = "USB-C Kabel"
    table.loc[item, "Item price"] = "1,99"
    table.loc[item, "Item quantity"] = "1"
    table.loc[~item, "Total price"] = "5,97"
    table.to_csv(path, index=False)


def xlsx_file(rows: int, path: Path) -> None:
    """``native_file``'s orders as a workbook, written row by row (openpyxl's write-only mode)."""
    import openpyxl

    csv_path = path.with_suffix(".source.csv")
    native_file(rows, csv_path)
    table = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(list(table.columns))
    for row in table.itertuples(index=False):
        sheet.append(list(row))
    book.save(path)


#: Seconds a 1M-row workbook may take to load: "in seconds, not minutes" (issue 14).
XLSX_GOAL = 10


def cached_xlsx(rows: int) -> Path:
    """``xlsx_file`` of ``rows`` orders, written once into ``$TMPDIR/aliexp-bench`` and reused."""
    folder = Path(tempfile.gettempdir()) / "aliexp-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"our_schema_{rows}.xlsx"
    if not path.exists():
        partial = path.with_suffix(".writing.xlsx")
        xlsx_file(rows, partial)
        partial.replace(path)
    return path


def bare_xlsx_read(path: Path) -> int:
    """Every cell value of the first sheet, nothing checked: the floor for reading a workbook."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return count


def wide_file(columns: int, path: Path) -> None:
    header = ["order_id", *(f"extra_{i}" for i in range(columns))]
    path.write_text(",".join(header) + "\n" + ",".join(["8100000000000001"] + ["x"] * columns) + "\n")


def timed(call, repeat: int = 3) -> float:
    """The best of ``repeat`` runs of ``call``, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    rows = parser.parse_args().rows
    print(f"{'file':>28} {'rows':>10} {'load_orders s':>14} {'read_csv s':>11} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as folder:
        for name, write in (("our schema", native_file), ("AliExpress CSV Export", export_file)):
            path = Path(folder) / f"{name.replace(' ', '_')}.csv"
            write(rows, path)
            load = timed(lambda path=path: load_orders(path))
            floor = timed(lambda path=path: pd.read_csv(path, dtype=str, keep_default_na=False))
            print(f"{name:>28} {rows:>10,} {load:>14.1f} {floor:>11.1f} {load / floor:>5.1f}x")
        path = cached_xlsx(rows)
        load = timed(lambda: load_orders(path), repeat=1)
        floor = timed(lambda: bare_xlsx_read(path), repeat=1)
        print(
            f"{'our schema, XLSX':>28} {rows:>10,} {load:>14.1f} {floor:>11.1f} {load / floor:>5.2f}x "
            f"(reference: openpyxl's bare streamed read; goal: load_orders <= {XLSX_GOAL} s: "
            f"{'met' if load <= XLSX_GOAL else 'NOT met'})"
        )
        seconds = {}
        for columns in (1_500, 15_000):
            path = Path(folder) / f"wide_{columns}.csv"
            wide_file(columns, path)
            seconds[columns] = timed(lambda path=path: load_orders(path), repeat=1)
        ratio = seconds[15_000] / seconds[1_500]
        print(
            f"unknown columns 1,500 -> 15,000: {seconds[1_500]:.2f} s -> {seconds[15_000]:.2f} s, "
            f"ratio {ratio:.1f} (goal <= 15: linear in the header)"
        )


if __name__ == "__main__":
    main()
