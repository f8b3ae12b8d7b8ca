"""Parsing cell values the way district clerks write them (pure functions).

Numbers follow the Vietnamese convention: '.' groups thousands, ',' is the decimal mark.
A number that can be read two ways, or not at all, raises ValueError: never a guess.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from openpyxl.utils.datetime import from_excel

from pipeline.text import BLANK_CHARS, fold

_SERIAL_RANGE = (29221, 73051)  # 1980-01-01 .. 2099-12-31: plausible dates only

_CURRENCY_SUFFIX = re.compile(r"(vnd|vnđ|dong|đong|đồng|đ|d)\.?$", re.IGNORECASE)
_PLAIN = re.compile(r"^\d+$")
_VN_GROUPED = re.compile(r"^\d{1,3}(\.\d{3})+$")
_VN_GROUPED_DECIMAL = re.compile(r"^\d{1,3}(\.\d{3})*,\d+$")
_ONE_DOT = re.compile(r"^\d+\.\d+$")
_ONE_COMMA = re.compile(r"^\d+,\d+$")
_NO_SPACES = {ord(c): None for c in BLANK_CHARS}
_DASHES = {"-", "\u2013", "\u2014"}

# Units as written in a header or a ĐVT line, compared folded and without spaces or dots:
# '(1.000 đ)' == '(1000đ)', '(Tr.đ)' == '(trđ)'.
_UNITS = {
    1: ("dong", "d", "vnd", "vnđ"),
    1_000: ("nghin", "nghindong", "nghind", "ngan", "ngandong", "ngand", "1000dong", "1000d", "1000vnd", "nghinvnd",
            "nganvnd"),
    1_000_000: ("trieu", "trieudong", "trieud", "trieuvnd", "trdong", "trd", "tr"),
    1_000_000_000: ("ty", "tydong", "tyd", "tyvnd"),
}
UNIT_FACTORS = {spelling: factor for factor, spellings in _UNITS.items() for spelling in spellings}
_UNIT_NOISE = re.compile(r"[\s.]+")


class ParseError(ValueError):
    """A cell that cannot be read; str() is the English reason, .reason_vi the Vietnamese."""

    def __init__(self, reason: str, reason_vi: str):
        super().__init__(reason)
        self.reason = reason
        self.reason_vi = reason_vi


def unit_factor(unit: str | None) -> int:
    """Multiplier to whole VND for a folded unit ('trieu dong' -> 1e6); KeyError if unknown."""
    if unit is None:
        return 1
    return UNIT_FACTORS[_UNIT_NOISE.sub("", fold(unit))]


@dataclass(frozen=True)
class CellIssue:
    """A cell whose saved value cannot be read (found in the sheet XML, see pipeline/ingest/xmlcells.py).

    python-calamine returns nothing for a formula without a saved value and '' for an Excel
    error value, so both would pass for blank; the grid carries this instead.
    """

    problem: str       # 'no_value' (formula never calculated) | 'error' (#DIV/0!, #REF!, ...)
    cell: str          # 'K17'
    shown: str         # the error as Excel shows it, or the formula

    def __str__(self) -> str:
        return self.shown

    def error(self) -> "ParseError":
        if self.problem == "no_value":
            return ParseError(
                f"formula has no saved value — open and save the file in Excel (cell {self.cell}: {self.shown})",
                f"công thức chưa có giá trị — hãy mở tệp bằng Excel và lưu lại (ô {self.cell}: {self.shown})")
        return ParseError(
            f"cell {self.cell} holds the Excel error {self.shown}: correct the formula or type the value",
            f"ô {self.cell} có lỗi Excel {self.shown}: hãy sửa công thức hoặc ghi giá trị")


def parse_number(value: object, whole_column: bool = True) -> Decimal | None:
    """A cell as a Decimal; None when blank.

    whole_column: the column only holds whole numbers (counts, amounts in đồng), so a lone
    separator followed by exactly three digits groups thousands ('1.250' -> 1250); elsewhere
    that form is ambiguous and rejected.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ParseError(f"'{value}' is not a number", f"'{value}' không phải là số")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ParseError("not a number", "không phải là số")
        # repr gives the shortest round-tripping text, so 60.5 stays exactly 60.5
        return Decimal(repr(value))
    if isinstance(value, (dt.date, dt.datetime, dt.timedelta)):
        raise ParseError(f"'{value}' is a date, not a number", f"'{value}' là ngày, không phải số")
    text = unicodedata.normalize("NFC", str(value)).translate(_NO_SPACES)
    if not text:
        return None
    if text in _DASHES:
        return Decimal(0)   # '-' alone: the usual way to write "none" in Vietnamese tables
    negative = False
    if text.startswith("-"):
        negative, text = True, text[1:]
    text = _CURRENCY_SUFFIX.sub("", text)
    if not text:
        raise ParseError(f"'{value}' is not a number", f"'{value}' không phải là số")
    number = _parse_unsigned(text, whole_column, str(value))
    return -number if negative else number


def _parse_unsigned(text: str, whole_column: bool, written: str) -> Decimal:
    ambiguous = ParseError(
        f"'{written}' can be read two ways (thousands or decimals); write it without separators",
        f"'{written}' có thể hiểu theo hai cách (hàng nghìn hoặc thập phân); hãy ghi số không có dấu phân cách",
    )
    try:
        if _PLAIN.match(text):
            return Decimal(text)
        if _VN_GROUPED.match(text):
            if text.count(".") == 1 and not whole_column:
                raise ambiguous
            return Decimal(text.replace(".", ""))
        if _VN_GROUPED_DECIMAL.match(text):
            if "." not in text and len(text.split(",")[1]) == 3 and not whole_column:
                raise ambiguous
            if "." not in text and len(text.split(",")[1]) == 3:
                return Decimal(text.replace(",", ""))  # '1,250' in a whole-number column
            return Decimal(text.replace(".", "").replace(",", "."))
        if _ONE_DOT.match(text):
            return Decimal(text)  # '60.5' read as written (3 decimals handled above)
        if _ONE_COMMA.match(text):
            return Decimal(text.replace(",", "."))
    except InvalidOperation:
        pass
    raise ParseError(f"'{written}' is not a readable number", f"'{written}' không đọc được thành số")


def to_whole(number: Decimal, written: object) -> int:
    if number != number.to_integral_value():
        raise ParseError(
            f"'{written}' is not a whole number", f"'{written}' không phải là số nguyên"
        )
    return int(number)


def parse_amount_vnd(value: object, factor: int) -> int | None:
    """An amount in a column whose unit multiplies by `factor`, as whole VND."""
    number = parse_number(value, whole_column=(factor == 1))
    if number is None:
        return None
    vnd = number * factor
    if vnd != vnd.to_integral_value():
        raise ParseError(
            f"'{value}' does not come out as whole đồng", f"'{value}' không ra số đồng tròn"
        )
    return int(vnd)


def parse_count(value: object) -> int | None:
    number = parse_number(value, whole_column=True)
    return None if number is None else to_whole(number, value)


_DMY = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value: object) -> dt.date | None:
    """Excel dates, or text dd/mm/yyyy, dd-mm-yyyy, yyyy-mm-dd. Never month-first."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1] and float(value).is_integer():
            return from_excel(int(value)).date()   # the 1900 date system, leap-year bug included
        raise ParseError(f"'{value}' is not a date", f"'{value}' không phải là ngày")
    text = str(value).strip(BLANK_CHARS)   # spaces and the invisible characters a paste brings
    if not text:
        return None
    text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} 00:00(:00)?$", text) else text
    match = _DMY.match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        match = _YMD.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        pass
    raise ParseError(
        f"'{value}' is not a date (write dd/mm/yyyy)", f"'{value}' không phải là ngày (ghi dd/mm/yyyy)"
    )


_PERIOD_PATTERNS = [
    re.compile(r"^(?:thang|t)?\s*(\d{1,2})\s*[/\-.]\s*(\d{4})$"),  # 03/2025, 10.2024, Tháng 3/2025, T3/2025
    re.compile(r"^thang\s*(\d{1,2})\s*nam\s*(\d{4})$"),  # Tháng 3 năm 2025
]
_PERIOD_YM = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$")  # 2025-03
_PERIOD_NUMBER = re.compile(r"^(\d{1,2})\.(\d{1,4})$")     # 10.2024 typed into a number cell


def _period_error(value: object) -> ParseError:
    return ParseError(
        f"reporting period (Kỳ báo cáo) '{value}' is not a month (write MM/YYYY)",
        f"Kỳ báo cáo '{value}' không phải là tháng (ghi MM/YYYY)",
    )


def _period_from_number(value: float | int) -> tuple[int, int]:
    """(month, year) of a number cell: an Excel date, or M.YYYY that a spreadsheet turned into a number.

    10.2020 is stored as 10.202: the year's trailing zeros come back (years start at 2020, so
    the reading is unique). YYYY.M is refused: 2025.10 is stored as 2025.1, month 1 or 10.
    """
    if float(value).is_integer():
        try:
            day = parse_date(value)
        except ParseError:
            raise _period_error(value) from None
        return day.month, day.year
    match = _PERIOD_NUMBER.match(repr(float(value)))
    if not match:
        raise _period_error(value)
    return int(match.group(1)), int(match.group(2).ljust(4, "0"))


def _period_from_text(value: object) -> tuple[int, int]:
    text = fold(value)
    if re.match(r"^\d{4}-\d{2}-\d{2}( 00:00(:00)?)?$", text):
        text = text[:7]
    for pattern in _PERIOD_PATTERNS:
        match = pattern.match(text)
        if match:
            return int(match.group(1)), int(match.group(2))
    match = _PERIOD_YM.match(text)
    if match:
        return int(match.group(2)), int(match.group(1))
    if _DMY.match(text):   # a full date typed as text, day first: its month counts
        try:
            day = parse_date(text)
        except ParseError:
            raise _period_error(value) from None
        return day.month, day.year
    raise _period_error(value)


def parse_period(value: object) -> dt.date:
    """Reporting month as the 1st of the month."""
    if isinstance(value, (dt.date, dt.datetime)):
        return dt.date(value.year, value.month, 1)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        month, year = _period_from_number(value)
    else:
        month, year = _period_from_text(value)
    if not 1 <= month <= 12:
        raise _period_error(value)
    return dt.date(year, month, 1)
