"""The cover sheet ('Thông tin'): label/value pairs that say whose report it is and when."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline.ingest import reference
from pipeline.ingest.sheets import COVER_LABELS
from pipeline.text import cell_text, clean, fold
from pipeline.ingest.values import CellIssue, ParseError, parse_date, parse_period

FIRST_PERIOD = dt.date(2020, 1, 1)
_LABEL_KEYS = {fold(label): key for key, labels in COVER_LABELS.items() for label in labels}


class CoverError(Exception):
    """The file is rejected; district_code is kept when the cover named one (for the ledger)."""

    def __init__(self, reason: str, reason_vi: str, district_code: str | None = None):
        super().__init__(reason)
        self.reason, self.reason_vi, self.district_code = reason, reason_vi, district_code


@dataclass
class Cover:
    district_code: str
    period: dt.date
    version: int = 1
    district_name: str | None = None
    prepared_on: dt.date | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)   # (en, vi)


@dataclass(frozen=True)
class _Twice:
    """A label given twice with two different values: which one counts is not ours to guess."""

    first: object
    second: object


def cover_values(grid: list[list]) -> dict[str, object]:
    """Label cell -> the next non-empty cell to the right (_Twice when two values disagree)."""
    values: dict[str, object] = {}
    for row in grid:
        for index, cell in enumerate(row):
            if not isinstance(cell, str):
                continue
            key = _LABEL_KEYS.get(fold(cell).rstrip(":").strip())
            value = _value_right_of(row, index) if key is not None else None
            if value is None:
                continue
            if key in values and not isinstance(values[key], _Twice) and cell_text(values[key]) != cell_text(value):
                values[key] = _Twice(values[key], value)
            values.setdefault(key, value)
    return values


def _value_right_of(row: list, index: int) -> object:
    for value in row[index + 1:]:
        value = clean(value)
        if value is not None and value != "":
            return value
    return None


def _unreadable_cells(values: dict[str, object], keys) -> None:
    """A value given twice, a formula without a saved value or an Excel error: the file is rejected."""
    for key in keys:
        value = values.get(key)
        if isinstance(value, _Twice):
            label, first, second = COVER_LABELS[key][0], cell_text(value.first), cell_text(value.second)
            raise CoverError(f"the cover sheet gives {label} twice: '{first}' and '{second}'",
                             f"trang bìa ghi {label} hai lần: '{first}' và '{second}'")
        if isinstance(value, CellIssue):
            label = COVER_LABELS[key][0]
            error = value.error()
            raise CoverError(f"cover sheet, {label}: {error.reason}", f"trang bìa, {label}: {error.reason_vi}")


def _district(values: dict[str, object]) -> tuple[str, list[tuple[str, str]]]:
    code_value, name_value = values.get("district_code"), values.get("district_name")
    if code_value is None and name_value is None:
        raise CoverError("the cover sheet gives no district (Mã huyện)", "trang bìa thiếu Mã huyện")
    code = None
    if code_value is not None:
        try:
            code = reference.normalise_code(code_value, 3)
        except ValueError:
            raise CoverError(
                f"district code '{cell_text(code_value)}' is not a 3-digit code",
                f"mã huyện '{cell_text(code_value)}' không phải mã 3 chữ số",
            ) from None
    name = cell_text(name_value) if name_value is not None else None
    district, mismatch = reference.find_district(code, name)
    if district is None:
        shown = code or name
        raise CoverError(
            f"unknown district '{shown}': not a district of Son La",
            f"huyện '{shown}' không có trong danh mục tỉnh Sơn La",
        )
    warnings = []
    if mismatch:
        warnings.append((mismatch, f"tên huyện '{name}' không khớp mã {district}; dùng theo mã"))
    return district, warnings


def _period(values: dict[str, object], today: dt.date) -> dt.date:
    if "period" not in values:
        raise CoverError("the cover sheet gives no reporting period (Kỳ báo cáo)", "trang bìa thiếu Kỳ báo cáo")
    try:
        period = parse_period(values["period"])
    except ParseError as error:
        raise CoverError(error.reason, error.reason_vi) from None
    this_month = dt.date(today.year, today.month, 1)
    if period > this_month:
        raise CoverError(
            f"reporting period (Kỳ báo cáo) {period:%m/%Y} is in the future",
            f"Kỳ báo cáo {period:%m/%Y} ở tương lai",
        )
    if period < FIRST_PERIOD:
        raise CoverError(
            f"reporting period (Kỳ báo cáo) {period:%m/%Y} is before 01/2020",
            f"Kỳ báo cáo {period:%m/%Y} trước 01/2020",
        )
    return period


def _version(values: dict[str, object]) -> int:
    if values.get("version") is None:
        return 1
    digits = re.findall(r"\d+", cell_text(values["version"]))
    if len(digits) != 1 or int(digits[0]) < 1:
        raise CoverError(
            f"submission number (Lần gửi) '{cell_text(values['version'])}' is not 1, 2, ...",
            f"Lần gửi '{cell_text(values['version'])}' không phải số 1, 2, ...",
        )
    return int(digits[0])


def parse_cover(grid: list[list], today: dt.date) -> Cover:
    values = cover_values(grid)
    _unreadable_cells(values, ("district_code", "district_name"))
    district, warnings = _district(values)
    try:
        _unreadable_cells(values, ("period", "version"))
        period, version = _period(values, today), _version(values)
    except CoverError as error:
        error.district_code = district   # the ledger keeps whose file it was
        raise
    prepared_on = _prepared_on(values.get("prepared_on"), warnings)
    return Cover(district, period, version, cell_text(values.get("district_name")) or None, prepared_on, warnings)


def _prepared_on(value: object, warnings: list) -> dt.date | None:
    """Ngày lập is informative only: a value that cannot be read is a warning, not a rejection."""
    if value is None:
        return None
    try:
        if isinstance(value, (_Twice, CellIssue)):
            raise ParseError("", "")
        return parse_date(value)
    except ParseError:
        shown = f"{cell_text(value.first)}' / '{cell_text(value.second)}" if isinstance(value, _Twice) else cell_text(value)
        warnings.append((f"date prepared (Ngày lập) '{shown}' is not a date", f"Ngày lập '{shown}' không phải là ngày"))
        return None
