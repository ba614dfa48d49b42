"""The test suite as the README runs it, against the 3-minute goal (issue 12), with where its time goes.

    python benchmarks/bench_tests.py [--slowest 12]

Runs the README's test command (``python -m pytest`` in the project: every core, one file per worker,
nothing left out) once as a subprocess and prints its wall and CPU time against the goal, then the
files that took longest (each file's tests added up, from pytest's JUnit report), and a yardstick of
the machine's speed per core: the suite's time is the machine's as much as the code's (it ran in
177-195 s on one machine and 260-340 s on a slower one), so a time is only comparable beside it.
"""

from __future__ import annotations

import argparse
import collections
import re
import resource
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_S = 180.0
#: One core's speed: the README quotes this loop's time beside every measurement [s].
YARDSTICK = [sys.executable, "-c", "sum(range(10**8))"]


def wall_and_cpu(command: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Wall seconds, CPU seconds of the child processes (user + system) and the finished process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


def seconds_per_file(junit: Path) -> collections.Counter:
    """Each test file's tests' time added up [s], from a JUnit report."""
    per_file: collections.Counter = collections.Counter()
    for case in ET.parse(junit).iter("testcase"):
        dotted = case.get("classname", "")
        module = dotted if dotted.count(".") < 2 else dotted.rsplit(".", 1)[0]  # tests.test_x[.TestClass]
        per_file[module.replace(".", "/") + ".py"] += float(case.get("time", 0))
    return per_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slowest", type=int, default=12, help="files to list (default 12)")
    args = parser.parse_args()
    yardstick, _, _ = wall_and_cpu(YARDSTICK)
    with tempfile.TemporaryDirectory() as folder:
        junit = Path(folder) / "junit.xml"
        wall, cpu, done = wall_and_cpu([sys.executable, "-m", "pytest", "-q", f"--junitxml={junit}"])
        said = re.findall(r"^=*\s*(\d+ (?:passed|failed|errors?)\b.*? in [\d.]+s.*?)\s*=*$", done.stdout, re.MULTILINE)
        summary = said[-1] if said else "no summary"
        per_file = seconds_per_file(junit) if junit.exists() else collections.Counter()
    verdict = "met" if wall <= GOAL_S and done.returncode == 0 else "NOT met"
    print(f"test suite: {wall:.0f} s wall, {cpu:.0f} s CPU (goal <= {GOAL_S:.0f} s wall: {verdict}); {summary}")
    if done.returncode != 0:
        print(f"pytest exited with {done.returncode}:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    print(f"machine: {' '.join(YARDSTICK[1:])} took {yardstick:.2f} s (one core's speed)")
    total = sum(per_file.values())
    print(f"the tests' own time added up: {total:.0f} s; the slowest files:")
    for name, seconds in per_file.most_common(args.slowest):
        print(f"{seconds:8.1f} s  {name}")


if __name__ == "__main__":
    main()
