"""The weekly report end to end, as the user runs it: ``aliexp report`` on the sample and on 10k orders.

    python benchmarks/bench_report.py [--orders 10000] [--runs 2]

Each is a fresh ``aliexp report ... --notebook`` process (best of ``--runs``), against its goal
(sample: 8 s; 10k orders: 10 s). Where the time goes is printed beside it: the notebook's cells as
the kernel ran them (from the kept notebook's papermill metadata), the page made from the executed
notebook (``offline_page.offline_html``, with its tools loaded), and the rest (interpreter, imports,
checking the orders, papermill; the kernel starts meanwhile, and a kernel's start alone is shown).
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aliexp_lib.kernel_sockets import kernel_manager_in  # noqa: E402
from aliexp_lib.offline_page import offline_html, warm_up  # noqa: E402

SAMPLE = ROOT / "data" / "sample_orders.csv"
TODAY = "2026-03-01"
GOALS_S = {"sample": 8.0, "10k": 10.0}


def many_orders(n: int, path: Path) -> None:
    """``n`` orders: the sample's orders over and over, each copy with order numbers of its own."""
    import pandas as pd

    sample = pd.read_csv(SAMPLE, dtype=str, keep_default_na=False)
    copies = -(-n // len(sample))
    book = pd.concat([sample] * copies, ignore_index=True).iloc[:n]
    book["order_id"] = (book["order_id"].astype("int64") + book.index.to_numpy() // len(sample) * 10**6).astype(str)
    book.to_csv(path, index=False)


def _orders_in(path: Path) -> int:
    """The records of a CSV order file after its header."""
    with open(path, encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def run_report(orders: Path, folder: Path, runs: int) -> tuple[float, Path]:
    """The shortest wall time [s] of ``aliexp report ORDERS --notebook``, and the kept notebook."""
    html = folder / "report.html"
    command = [sys.executable, "-m", "aliexp_lib", "report", str(orders), "--today", TODAY]
    command += ["-o", str(html), "--notebook", "--overwrite", "--currency", "RUB"]
    env = {**os.environ, "ALIEXP_CONFIG_DIR": str(folder), "ALIEXP_STATE_DIR": str(folder)}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, env=env, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times), html.with_suffix(".ipynb")


def kernel_start() -> float:
    """Seconds [s] from launching a ``python3`` kernel to its first answer, by the report's own kernel
    manager (``kernel_sockets.kernel_manager_in``: Unix sockets in a temporary folder)."""

    async def started(folder: Path) -> float:
        manager = kernel_manager_in(folder)(kernel_name="python3")
        start = time.perf_counter()
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        await client.wait_for_ready(timeout=60)
        seconds = time.perf_counter() - start
        client.stop_channels()
        await manager.shutdown_kernel(now=True)
        return seconds

    with tempfile.TemporaryDirectory(prefix="kernel-") as folder:
        return asyncio.run(started(Path(folder)))


def breakdown(total: float, notebook: Path, kernel: float) -> str:
    import nbformat

    executed = nbformat.read(notebook, as_version=4)
    cells = sum(cell.metadata.get("papermill", {}).get("duration") or 0 for cell in executed.cells)
    warm_up()
    start = time.perf_counter()
    offline_html(executed)
    page = time.perf_counter() - start
    rest = total - cells - page  # the kernel starts while the command checks the orders (report.report_kernel)
    return (
        f"cells {cells:.1f} s, page {page:.1f} s, rest {rest:.1f} s (a kernel's start alone: {kernel:.1f} s, "
        "during the rest)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        many = folder / "orders.csv"
        many_orders(args.orders, many)
        for name, orders in (("sample", SAMPLE), ("10k", many)):
            total, notebook = run_report(orders, folder, args.runs)
            verdict = "ok" if total <= GOALS_S[name] else "OVER"
            count = args.orders if name == "10k" else _orders_in(SAMPLE)
            label = f"{name} ({count:,} orders)"
            print(f"report, {label:<20} {total:5.1f} s (goal {GOALS_S[name]:.0f} s) {verdict}")
            print(f"    {breakdown(total, notebook, kernel_start())}")
            print(f"    notebook kept with --notebook: {json.dumps(notebook.stat().st_size / 1e6)[:4]} MB")
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
