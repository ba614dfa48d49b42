"""The code's own checks, in the test command: ruff (lint and format) and mypy (the library), with
their settings in pyproject.toml; and the hypothesis settings every property test runs with."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck

ROOT = Path(__file__).resolve().parents[1]
LINTED = ["aliexp_lib", "tests", "benchmarks"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["ruff", "check", *LINTED], id="ruff-check"),
        pytest.param(["ruff", "format", "--check", *LINTED], id="ruff-format"),
        pytest.param(["mypy", "aliexp_lib"], id="mypy"),
    ],
)
def test_the_code_passes_its_checks(command):
    done = run(*command)
    assert done.returncode == 0, f"`{' '.join(command)}` failed:\n{done.stdout}\n{done.stderr}"


def property_tests():
    """Every hypothesis test of the suite, as (name, test function)."""
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        module = importlib.import_module(f"tests.{path.stem}")
        for name, value in vars(module).items():
            members = vars(value).items() if isinstance(value, type) else [("", value)]
            for member, test in members:
                if getattr(test, "is_hypothesis_test", False):
                    yield "::".join(filter(None, [path.name, name, member])), test


def test_no_property_test_is_timed():
    """The profile in conftest.py (no deadline, no ``too_slow`` health check) reaches every property test:
    none can fail with ``DeadlineExceeded`` or ``FailedHealthCheck(too_slow)`` on a busy machine."""
    found = dict(property_tests())
    written = sum(
        len(re.findall(r"^\s*@given\(", path.read_text(encoding="utf-8"), flags=re.M))
        for path in (ROOT / "tests").glob("test_*.py")
    )
    assert len(found) == written > 0, sorted(found)  # the walk finds every one
    timed = [name for name, test in found.items() if test._hypothesis_internal_use_settings.deadline is not None]
    assert timed == []
    checked = [
        name
        for name, test in found.items()
        if HealthCheck.too_slow not in test._hypothesis_internal_use_settings.suppress_health_check
    ]
    assert checked == []
