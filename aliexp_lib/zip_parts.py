"""A workbook's zip parts unpacked once, each held to the size its header declares.

``workbook.check_archive`` bounds the work by the sizes the archive's table of contents declares;
a forged archive can declare a part small and hold a stream that unpacks far beyond it. Python's
``zipfile`` stops at the declared size (and fails the part's CRC), but the fast reader
(``python-calamine``) unpacks a part's whole stream. So ``check_declared_sizes`` unpacks every part
once, in pieces of at most ``PIECE`` bytes, stopping one byte past a part's declared size:
nothing beyond the declared sizes (themselves within ``workbook.MAX_UNPACKED``) is ever unpacked.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from aliexp_lib.errors import InputError

__all__ = ["PIECE", "check_declared_sizes"]

#: Bytes unpacked at a time [bytes].
PIECE = 16 * 1024 * 1024
#: The fixed part of a zip local file header [bytes] and where its name and extra lengths are.
_LOCAL = struct.Struct("<4s22xHH")


def check_declared_sizes(data: bytes, where: object) -> None:
    """``InputError`` if a part of the zip archive ``data`` unpacks to more (or less) than its header
    declares, or does not match its CRC; memory: one piece of ``PIECE`` bytes at a time.

    Parameters
    ----------
    data : bytes
        The workbook file's bytes (``workbook.check_archive`` has accepted its declared sizes).
    where : object
        The file, for messages.

    Raises
    ------
    InputError
        Naming the part, its declared size and the limit it is held to.

    Examples
    --------
    >>> import io
    >>> book = io.BytesIO()
    >>> with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as archive:
    ...     archive.writestr("xl/worksheets/sheet1.xml", "<c/>" * 1000)
    >>> check_declared_sizes(book.getvalue(), "orders.xlsx")
    >>> forged = book.getvalue().replace((4000).to_bytes(4, "little"), (400).to_bytes(4, "little"))
    >>> check_declared_sizes(forged, "orders.xlsx")
    Traceback (most recent call last):
    ...
    aliexp_lib.errors.InputError: orders.xlsx: part 'xl/worksheets/sheet1.xml' unpacks to more than the 400 bytes \
its header declares, the limit it is held to; the archive is forged or damaged, not a workbook
    """
    view = memoryview(data)
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{where}: not a readable XLSX workbook ({exc})") from None
    for part in parts:
        if part.is_dir():
            continue
        start = part.header_offset + _LOCAL.size
        try:
            magic, name, extra = _LOCAL.unpack_from(data, part.header_offset)
        except struct.error:
            magic = b""
        if magic != b"PK\x03\x04" or start + name + extra + part.compress_size > len(data):
            raise InputError(f"{where}: not a readable XLSX workbook (part {part.filename!r} is cut short)")
        packed = view[start + name + extra : start + name + extra + part.compress_size]
        unpacked, crc = _unpack(packed, part, where)
        if unpacked > part.file_size:
            raise InputError(
                f"{where}: part {part.filename!r} unpacks to more than the {part.file_size} bytes its header "
                "declares, the limit it is held to; the archive is forged or damaged, not a workbook"
            )
        if unpacked < part.file_size or crc != part.CRC:
            raise InputError(f"{where}: not a readable XLSX workbook (part {part.filename!r} is damaged: bad CRC)")


def _unpack(packed: memoryview, part: zipfile.ZipInfo, where: object) -> tuple[int, int]:
    """How many bytes ``packed`` unpacks to, counted no further than one byte past ``part.file_size``,
    and the CRC-32 of those bytes."""
    if part.compress_type == zipfile.ZIP_STORED:
        return len(packed), zlib.crc32(packed)
    if part.compress_type != zipfile.ZIP_DEFLATED:
        raise InputError(
            f"{where}: part {part.filename!r} is packed with method {part.compress_type}, not as a workbook's "
            "parts are (deflate); open and save the file in Excel or LibreOffice"
        )
    inflate = zlib.decompressobj(-15)
    total, crc, rest = 0, 0, bytes(packed)
    try:
        while total <= part.file_size:
            piece = inflate.decompress(rest, min(PIECE, part.file_size - total + 1))  # one byte past tells
            rest = inflate.unconsumed_tail
            total, crc = total + len(piece), zlib.crc32(piece, crc)
            if inflate.eof or (not piece and not rest):
                break
    except zlib.error as exc:
        raise InputError(f"{where}: not a readable XLSX workbook (part {part.filename!r}: {exc})") from None
    return total, crc
