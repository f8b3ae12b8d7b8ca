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


def cover_values(grid: list[list]) -> dict[str, object]:
    """Label cell -> the next non-empty cell to the right; the first occurrence wins."""
    values: dict[str, object] = {}
    for row in grid:
        for index, cell in enumerate(row):
            if not isinstance(cell, str):
                continue
            key = _LABEL_KEYS.get(fold(cell).rstrip(":").strip())
            if key is None or key in values:
                continue
            for value in row[index + 1:]:
                value = clean(value)
                if value is not None and value != "":
                    values[key] = value
                    break
    return values


def _unreadable_cells(values: dict[str, object], keys) -> None:
    """A formula without a saved value or an Excel error where the cover gives a value: the file is rejected."""
    for key in keys:
        value = values.get(key)
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
        _unreadable_cells(values, ("period", "version", "prepared_on"))
        period, version = _period(values, today), _version(values)
    except CoverError as error:
        error.district_code = district   # the ledger keeps whose file it was
        raise
    prepared_on = None
    if values.get("prepared_on") is not None:
        try:
            prepared_on = parse_date(values["prepared_on"])
        except ParseError:
            warnings.append((
                f"date prepared (Ngày lập) '{cell_text(values['prepared_on'])}' is not a date",
                f"Ngày lập '{cell_text(values['prepared_on'])}' không phải là ngày",
            ))
    return Cover(district, period, version, cell_text(values.get("district_name")) or None, prepared_on, warnings)
