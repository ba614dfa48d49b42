"""A CSV order book too big for the memory at hand, refused up front in one line instead of a MemoryError.

An order book is read, checked and analysed in memory as one table (only a Parquet book written to
a folder runs out of core, on Dask). Reading a CSV in chunks would bound the parse but not the
table every engine needs, so instead ``check_fits`` estimates, before a byte is read, the memory a
CSV file will take from its size (``PEAK_PER_BYTE``, measured) and refuses a file that cannot fit
in what this process may use: the memory the system says is available, a cgroup's limit and the
address-space limit (``ulimit -v``), whichever leaves least. The environment variable
``ALIEXP_MEMORY_LIMIT`` (bytes, or with ``K``, ``M``, ``G``) replaces that measure when the user
knows better; ``0`` turns the check off.

The estimate is for reading and checking the book; the tables an analysis builds come on top (the
deadlines of a million orders end to end peaked at 6.5 times the file's size, 2026-11-30, once
the advice was held as a categorical and the open rows counted a block at a time). A
``MemoryError`` there is still said in one line (``errors.out_of_memory_said``, ``cli``), never a
traceback.
"""

from __future__ import annotations

import os
import re
import resource
from pathlib import Path

from aliexp_lib.errors import InputError

__all__ = ["EXPORT_PEAK_PER_BYTE", "LIMIT_VARIABLE", "PEAK_PER_BYTE", "available_memory", "check_fits"]

#: Peak memory growth of ``aliexp deadlines FILE.csv`` per byte of the file [bytes per byte]: 13-15 measured
#: (resident and address space, 50 MB and 283 MB native CSVs, 2026-11-30, ``benchmarks/bench_import.native_file``).
PEAK_PER_BYTE = 15
#: The same for a shop's export read by ``importers.read_export`` [bytes per byte]: 6.4 measured (``aliexp
#: orders`` on a 60 MB AliExpress CSV export, 139,248 item lines, 2026-11-30), with room for the other formats.
EXPORT_PEAK_PER_BYTE = 10
#: The environment variable that sets the memory the check may assume [bytes; K, M, G suffixes; 0: no check].
LIMIT_VARIABLE = "ALIEXP_MEMORY_LIMIT"
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMG]?)i?B?\s*", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


def check_fits(path: Path, per_byte: int = PEAK_PER_BYTE, convertible: bool = True) -> None:
    """``InputError`` if the order file at ``path`` needs more memory than this process may use.

    Parameters
    ----------
    path : pathlib.Path
        A CSV order file or a shop's export (its size is read; nothing else).
    per_byte : int, default PEAK_PER_BYTE
        The peak memory per byte of the file [bytes per byte] (``EXPORT_PEAK_PER_BYTE`` for exports).
    convertible : bool, default True
        Whether ``aliexp orders FILE -o BOOK/`` can turn the file into a Parquet book a slice at a
        time (our CSV schema; not a shop's export).

    Raises
    ------
    InputError
        One line naming the file, its size, the memory it needs, the memory at hand and where that
        limit comes from, and what to do: turn it into a Parquet book a slice at a time and run out of
        core, or split it, or set ``ALIEXP_MEMORY_LIMIT``.

    Examples
    --------
    >>> import tempfile
    >>> from unittest import mock
    >>> path = Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = path.write_text("order_id\\n" + "8100000000000001\\n" * 100_000)
    >>> with mock.patch.dict(os.environ, {LIMIT_VARIABLE: "10M"}):
    ...     check_fits(path)
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: ...orders.csv: 1.6 MB of orders needs about 24.3 MB of memory to read and check \
(15 times its size), more than the 10.0 MB at hand (ALIEXP_MEMORY_LIMIT); turn it into a Parquet book a slice at \
a time (aliexp orders .../orders.csv -o BOOK/) and write its deadlines to a folder (aliexp deadlines BOOK/ -o \
FOLDER/), which runs out of core (README: "Books bigger than memory"), or split the file (for example by year); \
if more memory is free, set ALIEXP_MEMORY_LIMIT (for example 8G)
    >>> with mock.patch.dict(os.environ, {LIMIT_VARIABLE: "1G"}):
    ...     check_fits(path)
    """
    try:
        size = path.stat().st_size
    except OSError:
        return  # said where the file is opened
    at_hand, source = available_memory()
    need = size * per_byte
    if at_hand is None or need <= at_hand:
        return
    route = (
        f"turn it into a Parquet book a slice at a time (aliexp orders {path} -o BOOK/) and write its deadlines to a "
        'folder (aliexp deadlines BOOK/ -o FOLDER/), which runs out of core (README: "Books bigger than memory"), '
        "or split the file (for example by year)"
        if convertible
        else "split the file (for example by year)"
    )
    raise InputError(
        f"{path}: {_shown(size)} of orders needs about {_shown(need)} of memory to read and check "
        f"({per_byte} times its size), more than the {_shown(at_hand)} at hand ({source}); {route}; "
        f"if more memory is free, set {LIMIT_VARIABLE} (for example 8G)"
    )


def available_memory() -> tuple[int | None, str]:
    """The memory this process may still take [bytes] and what limits it; None: no check.

    ``ALIEXP_MEMORY_LIMIT`` if set, else the least of the system's available memory, the cgroup's
    limit less its use, and the address-space limit less the address space in use.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {LIMIT_VARIABLE: "2G"}):
    ...     available_memory()
    (2147483648, 'ALIEXP_MEMORY_LIMIT')
    >>> with mock.patch.dict(os.environ, {LIMIT_VARIABLE: "0"}):
    ...     available_memory()
    (None, 'ALIEXP_MEMORY_LIMIT')
    """
    given = os.environ.get(LIMIT_VARIABLE, "").strip()
    if given:
        match = _SIZE.fullmatch(given)
        if not match:
            raise InputError(f"{LIMIT_VARIABLE}={given!r}: expected a size such as 8G, 512M or 0 (no check)")
        limit = int(float(match[1]) * _UNITS[match[2].upper()])
        return (limit or None), LIMIT_VARIABLE
    found: list[tuple[int, str]] = []
    meminfo = _numbers(Path("/proc/meminfo"))
    if "MemAvailable" in meminfo:
        found.append((meminfo["MemAvailable"] * 1024, "the memory the system has available"))
    cgroup = _cgroup_room()
    if cgroup is not None:
        found.append((cgroup, "the memory limit of this process's cgroup"))
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY:
        in_use = _numbers(Path("/proc/self/status")).get("VmSize", 0) * 1024
        found.append((max(soft - in_use, 0), "the address-space limit of this process, ulimit -v"))
    return min(found) if found else (None, "")


def _numbers(path: Path) -> dict[str, int]:
    """``Name: number ...`` lines of a ``/proc`` file as a dict (empty if it cannot be read)."""
    try:
        lines = path.read_text().splitlines()
    except OSError:
        return {}
    pairs = (line.split(":", 1) for line in lines if ":" in line)
    return {name: int(value.split()[0]) for name, value in pairs if value.split() and value.split()[0].isdigit()}


def _cgroup_room() -> int | None:
    """The cgroup v2 memory limit less its use [bytes], or None where there is no limit."""
    try:
        own = Path("/proc/self/cgroup").read_text().strip().split("::", 1)[-1]
    except OSError:
        own = "/"
    base = Path("/sys/fs/cgroup") / own.lstrip("/")
    try:
        limit = (base / "memory.max").read_text().strip()
        used = int((base / "memory.current").read_text().strip())
    except (OSError, ValueError):
        return None
    return max(int(limit) - used, 0) if limit.isdigit() else None


def _shown(size: float) -> str:
    """A size in bytes as MB or GB, one decimal."""
    return f"{size / (1 << 30):.1f} GB" if size >= 1 << 30 else f"{size / (1 << 20):.1f} MB"
