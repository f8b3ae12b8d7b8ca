"""Commune-era workbooks with one mistake a commune clerk plausibly makes (issue 23): a committed demo
workbook opened in openpyxl, edited the way the clerk edits it (a cover retyped, a sheet renamed, a
unit line added, text in an old font), and saved into a test's sources folder.

The test modules (test_clerk_*.py) load many of them at once through the real ingest and read each
file's outcome back: the ledger, the raw rows, the feedback workbook the clerk receives.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from openpyxl.styles import Font
from viparse.normalize.encodings import CHARMAPS

from runner import REPO

DEMO = REPO / "sources" / "demo" / "communes"
D = dt.date


def demo_path(commune: str, year: int, month: int) -> Path:
    return DEMO / commune / str(year) / f"bao_cao_xa_{commune}_{year}_{month:02d}.xlsx"


def from_demo(dest: Path, commune: str, year: int, month: int, *edits) -> Path:
    """The demo workbook of a commune and month, each edit(book) applied in turn, saved as dest."""
    book = openpyxl.load_workbook(demo_path(commune, year, month))
    for edit in edits:
        edit(book)
    dest.parent.mkdir(parents=True, exist_ok=True)
    book.save(dest)
    return dest


def sheet_rows(commune: str, year: int, month: int, sheet: str) -> list[list]:
    """A demo workbook's sheet as values (what a test compares a loaded copy with)."""
    book = openpyxl.load_workbook(demo_path(commune, year, month), read_only=True)
    try:
        return [list(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


# ---- edits -----------------------------------------------------------------------------------

def cover(*rows):
    """The cover retyped: these label/value rows (a row of one cell: a label and its value in one cell)."""
    def edit(book):
        sheet = book["Thông tin"]
        sheet.delete_rows(1, sheet.max_row)
        for row in rows:
            sheet.append(list(row))
    return edit


def rename(old: str, new: str):
    def edit(book):
        book[old].title = new
    return edit


def insert_above_header(sheet: str, *lines, merge_to: str | None = None):
    """Lines typed above the table (a title, a unit line), the first merged across to column `merge_to`."""
    def edit(book):
        ws = book[sheet]
        ws.insert_rows(1, len(lines))
        for i, line in enumerate(lines, start=1):
            for j, value in enumerate(line if isinstance(line, (list, tuple)) else [line], start=1):
                ws.cell(i, j, value)
        if merge_to:
            ws.merge_cells(f"A1:{merge_to}1")
    return edit


def set_cells(sheet: str, values: dict[str, object]):
    """Cells retyped, by address ('K3': 57000)."""
    def edit(book):
        for address, value in values.items():
            book[sheet][address] = value
    return edit


def add_sheet(name: str, rows: list[list]):
    def edit(book):
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    return edit


# ---- legacy font encodings ---------------------------------------------------------------------

def _encoder(encoding: str) -> dict[str, str]:
    """Unicode letter -> its legacy sequence (the inverse of viparse's table), NFC letters only."""
    inverse = {}
    for legacy, unicode in CHARMAPS[encoding].pairs:
        inverse.setdefault(unicode, legacy)
    return inverse


def to_legacy(text: str, encoding: str = "tcvn3") -> str:
    """Text as a clerk's old font stores it ('Hoàn thành' -> 'Hoµn thµnh' in TCVN3)."""
    inverse = _encoder(encoding)
    return "".join(inverse.get(char, char) for char in text)


def in_legacy_font(sheets=None, encoding: str = "tcvn3", font: str | None = ".VnTime"):
    """Every text cell (and the sheet names) of these sheets retyped in a legacy encoding, in its font
    (font None: the default font, so only the text tells)."""
    def edit(book):
        for ws in [book[name] for name in (sheets or book.sheetnames)]:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and not cell.value.isdigit():
                        cell.value = to_legacy(cell.value, encoding)
                        if font:
                            cell.font = Font(name=font)
            ws.title = to_legacy(ws.title, encoding)
    return edit
