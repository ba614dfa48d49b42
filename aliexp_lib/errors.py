"""The one exception type for bad input: what is wrong, and where."""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Iterator
from pathlib import Path


class InputError(ValueError):
    """Bad input from the user: a file, a cell, a setting. ``str()`` is the message to show.

    A ``ValueError``, so callers that catch ``ValueError`` catch it too.

    Examples
    --------
    >>> try:
    ...     raise InputError("orders.csv: no order_id column")
    ... except ValueError as exc:
    ...     print(exc)
    orders.csv: no order_id column
    """


class CellError(InputError):
    """Bad values in cells of a table file; ``problems`` lists each one with its place.

    Parameters
    ----------
    path : str
        The file the cells are in (the message starts with it).
    problems : list of str
        One message per bad cell, each naming its place (line, column).
    limit : int, default 20
        How many problems the message shows [problems]; the rest are counted ("... and 3 more").
        ``problems`` always keeps all of them.

    Attributes
    ----------
    path : str
    problems : list of str

    Examples
    --------
    >>> error = CellError("orders.csv", ["line 2, price: 'abc' is not an amount", "line 5, shipped_at: not a date"],
    ...                   limit=1)
    >>> print(error)
    orders.csv: 2 problems:
      line 2, price: 'abc' is not an amount
      ... and 1 more
    >>> len(error.problems), isinstance(error, InputError)
    (2, True)
    """

    def __init__(self, path: str, problems: list[str], limit: int = 20):
        self.path = path
        self.problems = problems
        shown = problems[:limit]
        more = f"\n  ... and {len(problems) - limit} more" if len(problems) > limit else ""
        noun = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{path}: {len(problems)} {noun}:\n  " + "\n  ".join(shown) + more)


def refuse_special_file(path: str | Path) -> None:
    """``InputError`` where ``path`` exists but is no regular file.

    A device or FIFO is read forever (``/dev/zero``) or blocks until a writer comes; a folder holds no
    orders. A missing or unreadable path passes: it is reported where the file is opened.

    Examples
    --------
    >>> refuse_special_file("/dev/null")
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: /dev/null: is a device, pipe or socket, not a file; give the path of a file
    >>> refuse_special_file("/no/such/file.csv")
    """
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return
    if not stat.S_ISREG(mode):
        kind = "folder" if stat.S_ISDIR(mode) else "device, pipe or socket, not a file"
        raise InputError(f"{path}: is a {kind}; give the path of a file")


@contextlib.contextmanager
def out_of_memory_said(path: str | Path) -> Iterator[None]:
    """Turn a ``MemoryError`` while reading ``path`` into one ``InputError`` naming the file and what to do.

    Examples
    --------
    >>> with out_of_memory_said("orders.csv"):
    ...     raise MemoryError()
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: orders.csv: not enough memory to read this file; close other programs, \
or split it into smaller files (for example by year) and read each one, or keep the orders as a Parquet book \
(a folder of parts) and write to a folder (-o FOLDER/), which runs out of core (README: "Books bigger than memory")
    """
    try:
        yield
    except MemoryError:
        try:
            size = f" ({Path(path).stat().st_size / (1 << 20):.1f} MB)" if Path(path).is_file() else ""
        except OSError:
            size = ""
        raise InputError(
            f"{path}: not enough memory to read this file{size}; close other programs, or split it into smaller "
            "files (for example by year) and read each one, or keep the orders as a Parquet book (a folder of "
            'parts) and write to a folder (-o FOLDER/), which runs out of core (README: "Books bigger than memory")'
        ) from None
