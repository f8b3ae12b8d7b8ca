"""Excel's own spellings: column letters, a quoted sheet name, serial dates.

Here rather than from openpyxl.utils: importing openpyxl loads numpy too, ~0.2 s and ~15 MB in
every parsing worker, which otherwise never needs openpyxl (python-calamine reads the files).
tests/test_excel.py checks these against openpyxl's functions.
"""
from __future__ import annotations

import datetime as dt

MAX_COLUMN = 18278                      # 'ZZZ', the range openpyxl's get_column_letter accepts
_SERIAL_EPOCH = dt.date(1899, 12, 30)   # day 0 of the 1900 date system for serials after 60 (its phantom 29/02/1900)


def column_letter(number: int) -> str:
    """1 -> 'A', 27 -> 'AA' (openpyxl.utils.get_column_letter)."""
    if not 1 <= number <= MAX_COLUMN:
        raise ValueError(f"Invalid column index {number}")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def quote_sheet_name(name: str) -> str:
    """'Nhà ở' -> "'Nhà ở'", a quote inside doubled (openpyxl.utils.quote_sheetname)."""
    return "'" + name.replace("'", "''") + "'"


def serial_date(serial: int) -> dt.date:
    """An Excel serial day number above 60 as a date (openpyxl's from_excel(serial).date())."""
    if serial <= 60:
        raise ValueError(f"serial {serial} is before 01/03/1900")
    return _SERIAL_EPOCH + dt.timedelta(days=serial)
