"""The native reader: our own order file (CSV or XLSX) to a raw table of text cells.

Second floor of "orders in", above ``schema`` and ``cells``: it decodes the bytes (UTF-8, UTF-16
with a BOM, or Windows-1251 from Russian Excel), finds the delimiter, parses the CSV (naming every
ragged line or unclosed quote) or opens the first sheet of a workbook (formulas read as their saved
values, merged cells), and says where each row is in the file (``cells.Lines``). It checks no
value: ``validate`` does that, for this table and for every importer's (a date column holding
nothing but ``YYYY-MM-DD`` comes as dates, parsed by Arrow with the rest, ``arrow_csv``).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from aliexp_lib.arrow_csv import arrow_parse, header_names, one_line_records
from aliexp_lib.cells import Lines, csv_field_limit, csv_record_lines, short
from aliexp_lib.errors import CellError, InputError, out_of_memory_said
from aliexp_lib.memory_guard import check_fits
from aliexp_lib.native_xlsx import read_xlsx
from aliexp_lib.schema import CALENDAR_COLUMNS

#: Characters no order book holds: C0 and C1 controls but tab, line feed and carriage return.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def read_native(path: Path) -> tuple[pd.DataFrame, Lines, list[str]]:
    """The text cells of our own ``.csv`` or ``.xlsx`` file, where each row is in the file, and warnings.

    Parameters
    ----------
    path : pathlib.Path
        A ``.csv``, ``.xlsx`` or ``.xlsm`` file.

    Returns
    -------
    raw : pandas.DataFrame
        Text cells, header as column names (as written; a CSV's columns of ISO dates as ``datetime64``);
        checked by ``validate.validate``.
    lines : cells.Lines
        Where each row is in the file.
    warnings : list of str
        What was assumed (encoding, delimiter, formulas, merged cells).

    Raises
    ------
    InputError
        Unknown suffix, unreadable, empty, not text; ``CellError`` naming ragged lines, an unclosed
        quote, NUL bytes or formulas with no saved value.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "orders.csv"
    >>> _ = path.write_text("order_id\\tprice\\n81\\t600\\n")
    >>> raw, lines, warnings = read_native(path)
    >>> raw.to_dict("records"), lines(0), len(warnings)
    ([{'order_id': '81', 'price': '600'}], 'line 2', 1)
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise InputError(f"{path}: unknown file type {path.suffix!r}; expected .csv or .xlsx")
    with out_of_memory_said(path):
        return _read_csv(path) if suffix == ".csv" else read_xlsx(path)


def _read_csv(path: Path) -> tuple[pd.DataFrame, Lines, list[str]]:
    """The text cells of a CSV file (see ``read_native``).

    Memory: the file's bytes and the table, never the decoded text beside them (UTF-8 is checked
    piece by piece; other encodings are turned into UTF-8 bytes and their text dropped); the text is
    decoded again only to name the line of a problem.
    """
    check_fits(path)  # a file too big for the memory at hand: one line, before a byte is read
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    return csv_cells(data, path)


def csv_cells(data: bytes, path: Path) -> tuple[pd.DataFrame, Lines, list[str]]:
    """The text cells of CSV ``data`` read from ``path`` (see ``read_native``; ``csv_book`` gives it a
    header line and a slice of a file's records at a time)."""
    data, notes = _as_utf8(data, path)
    if _BLANK.fullmatch(data):
        raise InputError(f"{path}: the file is empty; expected a header line with at least order_id")
    if b"\x00" in data:
        raise _nul_error(_text(data), path)
    delimiter, note = _sniff_delimiter(data[:_HEAD].decode("utf-8-sig", errors="ignore"), path)
    notes += [note] if note else []
    _check_width(data[:_HEAD].decode("utf-8-sig", errors="ignore"), delimiter, path)
    with csv_field_limit():
        raw = _parse_csv(data, delimiter, path)
    if raw.empty:
        notes.append(f"{path}: the file has a header line and no orders")
    numbers = one_line_records(data, len(raw) + 1)  # then the file's bytes need not be kept for messages
    lines = Lines(numbers) if numbers is not None else Lines(find=lambda: csv_record_lines(_text(data), delimiter))
    return raw, lines, notes


#: Columns a CSV order file may have [columns]: the most Excel lets a sheet hold (an order book has some 30).
MAX_COLUMNS = 16_384


def _check_width(head: str, delimiter: str, path: Path) -> None:
    """``InputError`` naming the limit if the header line has more than ``MAX_COLUMNS`` columns (every
    column costs work; 100,000 would take minutes), before the rest of the file is parsed."""
    first = next((line for line in _lines(head) if line.strip()), "")
    columns = first.count(delimiter) + 1
    if columns > MAX_COLUMNS:
        raise InputError(
            f"{path}: line 1: {columns} columns, more than the limit of {MAX_COLUMNS} (MAX_COLUMNS, as in Excel); "
            "keep only the order columns"
        )


#: A file of nothing but a byte order mark and white space.
_BLANK = re.compile(rb"(\xef\xbb\xbf)?\s*")
#: Bytes read to find the header line and its delimiter [bytes].
_HEAD = 8 * 1024 * 1024


def _text(data: bytes) -> str:
    """The text of UTF-8 ``data`` (a byte order mark dropped)."""
    return data.decode("utf-8-sig")


def _is_utf8(data: bytes) -> bool:
    """True if ``data`` is UTF-8: Arrow's validator (SIMD) over the bytes where they are, no copy, no text.

    Examples
    --------
    >>> _is_utf8("ключ".encode()), _is_utf8("ключ".encode("cp1251")), _is_utf8(b"")
    (True, False, True)
    """
    import pyarrow as pa

    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    try:
        pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data)).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _as_utf8(data: bytes, path: Path) -> tuple[bytes, list[str]]:
    """``data`` as UTF-8 bytes (itself if it is UTF-8), and a warning for any other encoding read."""
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and _is_utf8(data):
        return data, []
    text, notes = _decode(data, path)
    return text.encode("utf-8"), notes


#: What a delimiter is called in messages.
_DELIMITERS = {",": "comma (,)", ";": "semicolon (;)", "\t": "tab"}


def _decode(data: bytes, path: Path) -> tuple[str, list[str]]:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 with a BOM, or Windows-1251.

    Windows-1251 is what Russian Excel writes for "CSV"; it is only assumed when the bytes are not
    UTF-8, decode as Windows-1251 without control characters, and the letters outside ASCII are
    mostly Cyrillic. The assumption is said in a warning.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{path}: starts like UTF-16 text but byte {exc.start} is not; save the file as UTF-8 CSV"
            ) from None
        return text, [f"{path}: read as UTF-16 (the file starts with a UTF-16 byte order mark)"]
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line, byte = data[: exc.start].count(b"\n") + 1, data[exc.start]
        refusal = InputError(f"{path}: line {line}: not UTF-8 text (byte {byte:#04x}); save the file as UTF-8 CSV")
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        raise refusal from None
    letters = len(_NON_ASCII.findall(text))
    cyrillic = len(_CYRILLIC.findall(text))
    if letters and cyrillic >= 0.8 * letters and not CONTROL.search(text):
        return text, [
            f"{path}: not UTF-8 (byte {byte:#04x} on line {line}); read as Windows-1251 "
            f"(Cyrillic, as Russian Excel saves CSV). Save it as UTF-8 CSV to be sure"
        ]
    raise refusal


def _nul_error(text: str, path: Path) -> InputError:
    """Every cell holding a NUL character, by line, column and value (the file is damaged or binary)."""
    problems = []
    if "\x00\x00" in text or text.count("\x00") > len(text) // 4:
        line = text[: text.index("\x00")].count("\n") + 1
        return InputError(
            f"{path}: line {line}: NUL bytes (\\x00) throughout; this is binary data or UTF-16 without "
            "a byte order mark, not a CSV text; save the file as UTF-8 CSV"
        )
    with csv_field_limit():
        reader = csv.reader(
            io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text, path)[0], skipinitialspace=True
        )
        header, start = None, 1
        for record in reader:
            if header is None:
                header = [c.strip().lower() for c in record]
            for position, value in enumerate(record):
                if "\x00" in value:
                    column = header[position] if position < len(header) else f"#{position + 1}"
                    problems.append(
                        f"line {start}, column {column}: {short(value)!r}: contains a NUL byte (\\x00); "
                        "the file is damaged or not text"
                    )
            start = reader.line_num + 1
    return CellError(str(path), problems or ["line 1: contains a NUL byte (\\x00)"])


def _sniff_delimiter(text: str, path: Path) -> tuple[str, str | None]:
    """The delimiter among comma, semicolon and tab that splits the header line into an order_id column
    (else the one giving the most columns; the most columns also among several that give order_id);
    a warning when it is not the comma."""
    first = next((line for line in _lines(text) if line.strip()), "")
    splits = {}
    for delimiter in _DELIMITERS:
        try:
            fields = next(csv.reader([first], delimiter=delimiter, skipinitialspace=True), [])
        except csv.Error:
            fields = []
        splits[delimiter] = [f.strip().lower() for f in fields]
    with_id = [d for d, names in splits.items() if "order_id" in names]
    chosen = max(with_id or _DELIMITERS, key=lambda d: len(splits[d]))
    if len(splits[chosen]) <= 1:
        chosen = ","
    if chosen == ",":
        return chosen, None
    return chosen, (
        f"{path}: {_DELIMITERS[chosen]} delimiter detected: the header splits into "
        f"{len(splits[chosen])} columns with it; read as {_DELIMITERS[chosen]}-separated"
    )


def _lines(text: str):
    """The lines of ``text`` one by one, without copying the whole text first."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end].rstrip("\r")
        start = end + 1


def pandas_parse(data: bytes, delimiter: str) -> pd.DataFrame:
    """Every record of UTF-8 ``data`` as text cells by pandas' C parser, header as the first row; its own
    errors raised (the path a file without quotes takes when Arrow's reader is not exact, ``arrow_csv``)."""
    return pd.read_csv(
        io.BytesIO(data),
        sep=delimiter,
        header=None,
        dtype=str,
        encoding="utf-8-sig",
        keep_default_na=False,
        na_filter=False,
        skipinitialspace=True,
        quoting=csv.QUOTE_MINIMAL,
    )


def _parse_csv(data: bytes, delimiter: str, path: Path) -> pd.DataFrame:
    """Every record of UTF-8 ``data`` as cells, the header's names as column names (Arrow's reader,
    columns of ISO dates as dates, else pandas' C parser); an error naming each ragged line or an
    unclosed quote."""
    raw = arrow_parse(data, delimiter, CALENDAR_COLUMNS)
    if raw is not None:
        return raw
    try:
        raw = pandas_parse(data, delimiter)
    except pd.errors.EmptyDataError:
        raise InputError(f"{path}: the file is empty; expected a header line with at least order_id") from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        text = _text(data)
        _check_shape(text, delimiter, path)
        unclosed = _unclosed_quote(text, delimiter)
        if unclosed:
            raise CellError(str(path), [unclosed]) from None
        raise InputError(f"{path}: not a readable CSV table ({exc})") from None
    if not _evenly_shaped(data, delimiter, raw):
        _check_shape(_text(data), delimiter, path)
    return _header_from_first_row(raw)


def _evenly_shaped(data: bytes, delimiter: str, raw: pd.DataFrame) -> bool:
    """True if no record of ``data`` can have fewer fields than ``raw`` has columns, told without a
    second parse: with no quotes and no lone CR every record is one line, the C parser refused any
    line with more fields, so the delimiters add up only if none has fewer. False means "look"."""
    if b'"' in data or data.count(b"\r") != data.count(b"\r\n"):
        return False
    return data.count(delimiter.encode()) == (raw.shape[1] - 1) * len(raw)


def _check_shape(text: str, delimiter: str, path: Path) -> None:
    """Every record has as many fields as the header, else an error naming each ragged line."""
    lengths = np.fromiter(
        map(len, csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)), np.int64
    )
    lengths = lengths[lengths > 0]  # blank lines are skipped
    if len(lengths) == 0 or (lengths == lengths[0]).all():
        return
    problems = []
    unclosed = _unclosed_quote(text, delimiter)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    header, start = None, 1
    for record in reader:
        if header is None:
            if record:
                header = [c.strip().lower() for c in record]
        elif record and len(record) != len(header) and not (len(record) == 1 and not record[0].strip()):
            if len(record) > len(header):
                extra = record[len(header) :]
                problems.append(
                    f"line {start}, column #{len(header) + 1} (after {header[-1]}): {short(extra[0])!r}: "
                    f"{len(record)} fields, the header has {len(header)}; a delimiter too many, or a "
                    f"value with a {_DELIMITERS[delimiter]} that needs quotes"
                )
            else:
                problems.append(
                    f"line {start}, column {header[len(record)]}: (missing): {len(record)} fields, the "
                    f"header has {len(header)}; the line ends after {header[len(record) - 1]} "
                    f"{short(record[-1])!r}"
                )
        start = reader.line_num + 1
    if unclosed:
        problems = [p for p in problems if not p.startswith(unclosed.split(",")[0] + ",")] + [unclosed]
    if problems:
        raise CellError(str(path), problems)


def _unclosed_quote(text: str, delimiter: str) -> str | None:
    """A message if the last record opens a quoted field that never closes (it swallowed the file's end)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    header, start, last, last_start = None, 1, None, 1
    for record in reader:
        if record:
            header = header or [c.strip().lower() for c in record]
            last, last_start = record, start
        start = reader.line_num + 1
    if last is None:
        return None
    tail = "".join(io.StringIO(text, newline="").readlines()[last_start - 1 :])
    try:
        list(csv.reader(io.StringIO(tail, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True))
    except csv.Error as exc:
        if "unexpected end of data" not in str(exc):
            return None
        position = len(last) - 1
        column = header[position] if header and position < len(header) else f"#{position + 1}"
        return (
            f"line {last_start}, column {column}: {short(last[-1])!r}: a quote opens here and never closes; "
            'every quote inside a quoted value must be doubled ("")'
        )
    return None


def _header_from_first_row(raw: pd.DataFrame) -> pd.DataFrame:
    """The first row as column names (read with ``header=None`` so repeated names are not renamed)."""
    if raw.empty:
        return raw
    body = raw.iloc[1:].reset_index(drop=True)
    body.columns = header_names(raw.iloc[0].tolist())
    return body
