"""The marks that show a file was written by this program, read structurally (``safe_write.write_file``'s ``ours``).

Each mark sits where the user's data cannot reach: the generator ``<meta>`` that opens a page's
``<head>`` (not text in its body), a workbook's document properties (not its cells), a calendar's
``PRODID`` with every event's UID ours, a notebook's metadata. A file whose text merely holds the
word (an order book with "aliexp-report" in a title) has no mark.
"""

from __future__ import annotations

import json
import os
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

#: Who we say wrote a workbook (its ``creator`` and ``lastModifiedBy``).
AUTHOR = "aliexp"


def html_generator(path: str | os.PathLike) -> str | None:
    """The ``content`` of the page's ``<meta name="generator">`` if it is the first element of its ``<head>``.

    Only a page that starts ``<!DOCTYPE html>``, ``<html>``, ``<head>``, ``<meta name="generator">``
    counts (as the report does): text anywhere else (a title in a table, an order book) never does.

    Examples
    --------
    >>> import tempfile
    >>> page = Path(tempfile.mkdtemp()) / "p.html"
    >>> _ = page.write_text('<!DOCTYPE html>\\n<html>\\n<head>\\n<meta name="generator" content="aliexp-report">')
    >>> html_generator(page)
    'aliexp-report'
    >>> _ = page.write_text('order_id,title\\n1,"<head><meta name=""generator"" content=""aliexp-report"">"')
    >>> html_generator(page) is None
    True
    """
    with open(path, "rb") as handle:
        head = handle.read(1 << 16).decode("utf-8", errors="replace")
    parser = _Head()
    parser.feed(head)
    return parser.generator


def xlsx_author(path: str | os.PathLike) -> tuple[str | None, str | None]:
    """(creator, last modified by) of a workbook's ``docProps/core.xml``; (None, None) if it has none.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "x.xlsx").write_bytes(b"not a workbook")
    >>> xlsx_author(folder / "x.xlsx")
    (None, None)
    """
    try:
        with zipfile.ZipFile(path) as book, book.open("docProps/core.xml") as core:
            root = ElementTree.fromstring(core.read(1 << 16))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None, None
    found = {element.tag.rpartition("}")[2]: (element.text or "").strip() for element in root}
    return found.get("creator"), found.get("lastModifiedBy")


def ics_prodid(path: str | os.PathLike) -> str | None:
    """The calendar's ``PRODID`` if every event's UID ends in ``@aliexp`` (as ours do), else None.

    Examples
    --------
    >>> import tempfile
    >>> family = Path(tempfile.mkdtemp()) / "family.ics"
    >>> _ = family.write_bytes(b"BEGIN:VCALENDAR\\r\\nPRODID:-//Family//EN\\r\\nVERSION:2.0\\r\\nBEGIN:VEVENT\\r\\n"
    ...     b"UID:birthday@family\\r\\nDTSTART;VALUE=DATE:20260301\\r\\nEND:VEVENT\\r\\nEND:VCALENDAR\\r\\n")
    >>> ics_prodid(family) is None
    True
    """
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(Path(path).read_bytes())
    except (ValueError, IndexError, KeyError):
        return None
    if any(not str(event.get("uid", "")).endswith("@aliexp") for event in calendar.walk("VEVENT")):
        return None
    prodid = calendar.get("prodid")
    return str(prodid) if prodid is not None else None


def notebook_mark(path: str | os.PathLike) -> str | None:
    """The ``aliexp`` entry of a notebook's metadata (the report sets it), or None.

    Examples
    --------
    >>> import tempfile
    >>> book = Path(tempfile.mkdtemp()) / "r.ipynb"
    >>> _ = book.write_text('{"cells": [], "metadata": {"aliexp": "aliexp-report"}}')
    >>> notebook_mark(book)
    'aliexp-report'
    """
    try:
        metadata = json.loads(Path(path).read_bytes()).get("metadata", {})
        mark = metadata.get("aliexp")
    except (ValueError, AttributeError):
        return None
    return mark if isinstance(mark, str) else None


class _Head(HTMLParser):
    """Reads the start of a page: doctype, ``<html>``, ``<head>``, then the generator ``<meta>``, nothing else."""

    def __init__(self) -> None:
        super().__init__()
        self.expect = ["doctype", "html", "head", "meta"]
        self.generator: str | None = None

    def handle_decl(self, decl: str) -> None:
        self._step("doctype" if decl.strip().lower() == "doctype html" else "?")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._step(tag) and tag == "meta" and dict(attrs).get("name") == "generator":
            self.generator = dict(attrs).get("content")

    def handle_data(self, data: str) -> None:
        if data.strip():
            self._step("?")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self._step("?")

    def _step(self, what: str) -> bool:
        """Whether ``what`` is the next expected token; anything out of order ends the search."""
        if self.expect and self.expect[0] == what:
            self.expect.pop(0)
            return True
        self.expect = []
        return False


__all__ = ["AUTHOR", "html_generator", "ics_prodid", "notebook_mark", "xlsx_author"]
