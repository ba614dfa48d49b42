"""Start-up: ``import aliexp_lib`` and ``aliexp --help``, each in a fresh interpreter, against the 0.3 s goal.

    python benchmarks/bench_startup.py [--runs 7]

Each is timed as a whole process (interpreter start included), best of ``--runs``; a bare
``python -c pass`` is printed beside it as the floor. ``tests/test_startup.py`` checks the cause
(no pandas, plotly, openpyxl... imported) without timing anything.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

GOAL_S = 0.3
CASES = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    "import aliexp_lib": [sys.executable, "-c", "import aliexp_lib"],
    "aliexp --help": [sys.executable, "-m", "aliexp_lib", "--help"],
    "aliexp report --help": [sys.executable, "-m", "aliexp_lib", "report", "--help"],
}


def best_time(command: list[str], runs: int) -> float:
    """The shortest wall time [s] of ``runs`` runs of ``command``."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    for name, command in CASES.items():
        seconds = best_time(command, args.runs)
        verdict = "" if "floor" in name else ("  ok" if seconds <= GOAL_S else "  OVER")
        print(f"{name:<24} {seconds:6.3f} s  (goal {GOAL_S} s){verdict}")


if __name__ == "__main__":
    main()
