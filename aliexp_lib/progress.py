"""Progress on the terminal for a command that takes a while: what it is doing and for how long.

Shown on stderr only when stderr is a terminal, and only once a command has run ``DELAY_S``
seconds (a quick command prints nothing more than before); never in a pipe, a file or a
notebook. The line is drawn by tqdm and erased when the command ends. A command names its steps
with ``step`` ("reading the orders", "running the report notebook"); the line shows the current
one and the time since the command started.

Examples
--------
>>> import io
>>> with shown_after(0.0, io.StringIO(), "aliexp deadlines"):  # not a terminal: nothing shown
...     step("reading the orders")
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import TextIO

#: A command shows its progress once it has run this long [s].
DELAY_S = 2.0
#: Commands that run until stopped (a server): no progress line over their own output.
SERVERS = ("lab", "app")
#: How often the shown line is redrawn [s].
REFRESH_S = 0.25

_current: _Line | None = None


class _Line:
    """One command's progress line: drawn by a helper thread from ``delay`` seconds on."""

    def __init__(self, stream: TextIO, title: str, delay: float) -> None:
        self.stream, self.title, self.delay = stream, title, delay
        self.doing = ""
        self.shown = False
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._draw, name="aliexp-progress", daemon=True)

    def _draw(self) -> None:
        if self.done.wait(self.delay):
            return
        from tqdm import tqdm  # only for a command that takes a while

        bar = tqdm(
            desc=self.title,
            file=self.stream,
            bar_format="{desc} {elapsed}",
            leave=False,
            dynamic_ncols=True,
            delay=self.delay,
        )
        bar.start_t -= self.delay  # the time since the command started
        self.shown = True
        try:
            while True:
                bar.set_description_str(f"{self.title}: {self.doing}" if self.doing else self.title, refresh=True)
                if self.done.wait(REFRESH_S):
                    break
        finally:
            bar.close()


@contextlib.contextmanager
def shown_after(delay: float, stream: TextIO, title: str) -> Iterator[None]:
    """Show a progress line titled ``title`` on ``stream`` after ``delay`` seconds, if ``stream`` is a terminal.

    The line is written to a copy of the terminal's file descriptor, so it stays on the terminal
    while a step sends the descriptor elsewhere (the report's kernel chatter goes to a log).

    Parameters
    ----------
    delay : float
        Seconds [s] before the line appears (``DELAY_S`` for commands).
    stream : text stream
        Where to show it: normally ``sys.stderr``; nothing is shown unless ``stream.isatty()``.
    title : str
        What runs, e.g. ``"aliexp report"``.
    """
    global _current
    if not stream.isatty():
        yield
        return
    try:
        copy = os.fdopen(os.dup(stream.fileno()), "w", encoding=getattr(stream, "encoding", None) or "utf-8")
    except (AttributeError, OSError, ValueError):  # a terminal-like stream without a descriptor of its own
        copy = None
    line = _Line(copy or stream, title, delay)
    _current = line
    line.thread.start()
    try:
        yield
    finally:
        _current = None
        line.done.set()
        line.thread.join()
        if copy is not None:
            copy.close()


def step(doing: str) -> None:
    """Name what the running command does now (shown on its progress line, if it has one)."""
    if _current is not None:
        _current.doing = doing


def say(text: str, file: TextIO) -> None:
    """Print ``text`` (a line for the user) on ``file``; a progress line shown is cleared first and drawn again
    below it, so the two never share a line."""
    line = _current
    if line is None or not line.shown:
        print(text, file=file)
        return
    from tqdm import tqdm

    with tqdm.external_write_mode(file=line.stream):
        print(text, file=file, flush=True)
