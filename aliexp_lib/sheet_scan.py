"""What a workbook's sheet XML holds, found by scanning its bytes before any reader builds a table of it.

The fast reader (``python-calamine``, in ``workbook.read_sheet``) builds a dense table from the top
left to the bottom right cell: two cells ``A1`` and ``XFD1048576`` in a file of a few hundred bytes
would make it allocate 17 billion cells and abort the process, which no ``try`` can catch. So the
sheet's part is scanned first, streamed in chunks, for how far its cells reach (``extent``): a cheap
pass finds references with two or more column letters or seven or more row digits (none in an
ordinary export of fewer than a million rows and 27 columns); only if these bound the table over a
limit is the part scanned exactly, cell tag by cell tag. The fast reader gives no formulas: where
the part has any (``<f>``), ``formulas`` streams it once more with ``ElementTree.iterparse`` for
each formula's text.
"""

from __future__ import annotations

import re
import zipfile
from xml.etree import ElementTree

__all__ = ["column_number", "extent", "formulas", "sheet_parts"]

_CHUNK = 16 << 20
_OVERLAP = 64
#: A reference with two or more column letters, or seven or more row digits (one pass: two cost twice).
_FAR = re.compile(rb'r="(?:([A-Za-z]{2,})[0-9]|[A-Za-z]*([0-9]{7,})")')
_CELL = re.compile(rb'<(?:[\w.-]+:)?c\s[^>]*?\br="([A-Za-z]+)([0-9]+)"')
_ROW = re.compile(rb'<(?:[\w.-]+:)?row\s[^>]*?\br="([0-9]+)"')
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def column_number(letters: str | bytes) -> int:
    """The 1-based number of a column named by letters.

    Examples
    --------
    >>> column_number("A"), column_number("Z"), column_number(b"AA"), column_number("XFD")
    (1, 26, 27, 16384)
    """
    text = letters.decode() if isinstance(letters, bytes) else letters
    number = 0
    for letter in text.upper():
        number = number * 26 + ord(letter) - 64
    return number


def sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part name) of each sheet, in the workbook's order (``xl/workbook.xml`` and its links).

    Examples
    --------
    >>> import io
    >>> data = io.BytesIO()
    >>> with zipfile.ZipFile(data, "w") as archive:
    ...     archive.writestr("xl/workbook.xml", '<workbook xmlns:r="http://schemas.openxmlformats.org/'
    ...         'officeDocument/2006/relationships"><sheets><sheet name="S" r:id="rId1"/></sheets></workbook>')
    ...     archive.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" '
    ...         'Target="worksheets/sheet1.xml"/></Relationships>')
    >>> sheet_parts(zipfile.ZipFile(data))
    [('S', 'xl/worksheets/sheet1.xml')]
    """
    root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    links = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for link in links.iter():
        if link.tag.rsplit("}", 1)[-1] == "Relationship":
            target = str(link.get("Target", ""))
            targets[link.get("Id")] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    return [
        (str(element.get("name")), targets.get(element.get(_REL), ""))
        for element in root.iter()
        if element.tag.rsplit("}", 1)[-1] == "sheet"
    ]


def _chunks(archive: zipfile.ZipFile, part: str):
    """The part's bytes in chunks, each starting with the end of the one before (a match cut in two is seen)."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            yield tail + chunk
            tail = chunk[-_OVERLAP:]


def extent(archive: zipfile.ZipFile, part: str, rows: int, cells: int) -> tuple[tuple[int, int] | None, bool]:
    """The last row and column any cell of ``part`` reaches (None if the cheap pass shows the sheet within
    ``rows`` rows and ``cells`` cells, counted from ``A1``), and whether the part holds formulas.

    Python's ``zipfile`` unpacks no more than a part's declared size and checks its CRC: a part whose
    header lies about its size raises ``zipfile.BadZipFile``.

    Examples
    --------
    >>> import io
    >>> data = io.BytesIO()
    >>> with zipfile.ZipFile(data, "w") as archive:
    ...     archive.writestr("s.xml", '<sheetData><row r="1"><c r="A1"/></row><row r="9">'
    ...         '<c r="XFD1048576"/></row></sheetData>')
    >>> extent(zipfile.ZipFile(data), "s.xml", 1_048_576, 30_000_000)
    ((1048576, 16384), False)
    >>> extent(zipfile.ZipFile(data), "s.xml", 1_048_576, 10**12)
    (None, False)
    """
    widest, deepest, formulas = 26, 999_999, False
    for chunk in _chunks(archive, part):
        formulas = formulas or b"<f>" in chunk or b"<f " in chunk or b":f>" in chunk or b":f " in chunk
        far = set(_FAR.findall(chunk))
        widest = max([widest, *(column_number(letters) for letters, _ in far if letters)])
        deepest = max([deepest, *(int(digits) for _, digits in far if digits)])
    if deepest <= rows and widest * deepest <= cells:
        return None, formulas
    last_row = last_column = 0
    for chunk in _chunks(archive, part):
        for letters, digits in set(_CELL.findall(chunk)):
            last_column = max(last_column, column_number(letters))
            last_row = max(last_row, int(digits))
        last_row = max([last_row, *map(int, set(_ROW.findall(chunk)))])
    return (last_row, last_column), formulas


def formulas(archive: zipfile.ZipFile, part: str) -> dict[tuple[int, int], str]:
    """(row, column), both 1-based, of each cell of ``part`` holding a formula -> ``=`` and its text.

    Slow (every element is built): call it only for a part ``extent`` says holds formulas.

    A cell sharing a formula written in another cell reads ``=(shared formula)``.

    Examples
    --------
    >>> import io
    >>> data = io.BytesIO()
    >>> with zipfile.ZipFile(data, "w") as archive:
    ...     archive.writestr("s.xml", '<sheetData><row r="2"><c r="C2"><f>100+80</f><v>180</v></c></row></sheetData>')
    >>> formulas(zipfile.ZipFile(data), "s.xml")
    {(2, 3): '=100+80'}
    """
    found: dict[tuple[int, int], str] = {}
    row = column = 0
    with archive.open(part) as stream:
        for event, element in ElementTree.iterparse(stream, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "row" and event == "start":
                row, column = int(element.get("r") or row + 1), 0
            elif tag == "row":
                element.clear()
            elif tag == "c" and event == "end":
                match = re.fullmatch(r"([A-Za-z]+)([0-9]+)", element.get("r") or "")
                row, column = (int(match[2]), column_number(match[1])) if match else (row, column + 1)
                formula = next((e for e in element if e.tag.rsplit("}", 1)[-1] == "f"), None)
                if formula is not None:
                    found[(row, column)] = "=" + (formula.text or "(shared formula)")
    return found
