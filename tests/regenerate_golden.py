"""Rewrite the golden snapshots of the sample data's outputs: ``python tests/regenerate_golden.py``.

Run it after a deliberate change of behaviour, then review ``git diff tests/golden``: every
changed deadline shows there.
"""

from __future__ import annotations

import contextlib
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden"
SAMPLE = "data/sample_orders.csv"
TODAY = "2026-03-01"
#: snapshot file -> command line arguments whose standard output it holds
SNAPSHOTS = {
    f"sample_deadlines_{TODAY}.csv": ["deadlines", SAMPLE, "--today", TODAY, "--all", "--format", "csv"],
    f"sample_next_{TODAY}.csv": ["deadlines", SAMPLE, "--today", TODAY, "--next", "--format", "csv"],
    f"sample_resolve_{TODAY}.csv": ["resolve", SAMPLE, "--today", TODAY, "--format", "csv"],
    f"sample_break_even_{TODAY}.csv": ["resolve", SAMPLE, "--today", TODAY, "--break-even", "--format", "csv"],
    f"sample_checks_{TODAY}.csv": ["checks", SAMPLE, "--today", TODAY, "--format", "csv"],
}


def output_of(args: list[str]) -> str:
    """What ``aliexp ARGS`` prints, run from the repository root."""
    from aliexp_lib.cli import main

    out = io.StringIO()
    with contextlib.chdir(ROOT), contextlib.redirect_stdout(out):
        assert main(args) == 0
    return out.getvalue()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for name, args in SNAPSHOTS.items():
        (GOLDEN / name).write_text(output_of(args), encoding="utf-8")
        print(f"wrote tests/golden/{name}")
