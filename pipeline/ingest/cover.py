"""The cover sheet ('Thông tin'): label/value pairs that say whose report it is and when."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from pipeline import form
from pipeline.ingest import reference
from pipeline.ingest.values import CellIssue, ParseError, parse_date, parse_period
from pipeline.rulebook import reading
from pipeline.text import cell_text, clean, fold

_LABEL_KEYS = {fold(spelling): label.key for label in form.COVER_LABELS for spelling in label.spellings}


class CoverWarning(NamedTuple):
    message: str
    message_vi: str
    rule: str           # its name in the rule book (pipeline/rulebook/reading.py)


class CoverError(Exception):
    """The file is rejected; the unit the cover named is kept (for the ledger)."""

    def __init__(self, reason: str, reason_vi: str, district_code: str | None = None,
                 unit: reference.Reporter | None = None):
        super().__init__(reason)
        self.reason, self.reason_vi, self.district_code = reason, reason_vi, district_code
        self.unit = unit or (reference.Reporter(reference.DISTRICT, district_code) if district_code else None)


@dataclass
class Cover:
    district_code: str | None            # None on a commune's report
    period: dt.date
    version: int = 1
    district_name: str | None = None
    prepared_on: dt.date | None = None
    warnings: list[CoverWarning] = field(default_factory=list)
    unit_type: str = reference.DISTRICT  # who reports: district (to 2025-06) or commune (from 2025-07)
    unit_code: str | None = None         # the district's or the commune's code
    unit_name: str | None = None         # the name as written on the cover

    def __post_init__(self):
        if self.unit_code is None:
            self.unit_code = self.district_code
        if self.unit_name is None and self.unit_type == reference.DISTRICT:
            self.unit_name = self.district_name

    @property
    def reporter(self) -> reference.Reporter:
        return reference.Reporter(self.unit_type, self.unit_code)


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
            label, first, second = form.COVER_LABEL[key].label, cell_text(value.first), cell_text(value.second)
            raise CoverError(f"the cover sheet gives {label} twice: '{first}' and '{second}'",
                             f"trang bìa ghi {label} hai lần: '{first}' và '{second}'")
        if isinstance(value, CellIssue):
            label = form.COVER_LABEL[key].label
            error = value.error()
            raise CoverError(f"cover sheet, {label}: {error.reason}", f"trang bìa, {label}: {error.reason_vi}")


def _district(values: dict[str, object]) -> tuple[str, list[CoverWarning]]:
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
        warnings.append(CoverWarning(mismatch, f"tên huyện '{name}' không khớp mã {district}; dùng theo mã",
                                     reading.COVER_NAME_MATCHES_CODE))
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
    if period < form.FIRST_PERIOD:
        raise CoverError(
            f"reporting period (Kỳ báo cáo) {period:%m/%Y} is before {form.FIRST_PERIOD:%m/%Y}",
            f"Kỳ báo cáo {period:%m/%Y} trước {form.FIRST_PERIOD:%m/%Y}",
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
    _unreadable_cells(values, ("district_code", "district_name", "commune_code", "commune_name"))
    names_district = values.get("district_code") is not None or values.get("district_name") is not None
    names_commune = values.get("commune_code") is not None or values.get("commune_name") is not None
    if not names_commune:
        return _district_cover(values, today)
    period = _period_or_none(values, today)
    if names_district and (period is None or reference.districts_report(period)):
        cover = _district_cover(values, today)
        cover.warnings.append(_ignored_label("Mã xã / Tên xã", "commune", cover.period))
        return cover
    return _commune_cover(values, today, names_district)


def _district_cover(values: dict[str, object], today: dt.date) -> Cover:
    district, warnings = _district(values)
    try:
        _unreadable_cells(values, ("period", "version"))
        period, version = _period(values, today), _version(values)
        if not reference.districts_report(period):
            raise CoverError(
                f"district reports ended with 06/2025: the district level was abolished on 01/07/2025 and "
                f"since then every commune reports directly. This report for {period:%m/%Y} must be sent by "
                "each commune, with its own Mã xã on the cover",
                f"từ 01/07/2025 không còn cấp huyện, các xã báo cáo trực tiếp cho tỉnh: báo cáo kỳ "
                f"{period:%m/%Y} phải do từng xã gửi, ghi Mã xã của xã trên trang bìa")
    except CoverError as error:
        error.district_code = district   # the ledger keeps whose file it was
        error.unit = reference.Reporter(reference.DISTRICT, district)
        raise
    prepared_on = _prepared_on(values.get("prepared_on"), warnings)
    return Cover(district, period, version, cell_text(values.get("district_name")) or None, prepared_on, warnings)


def _commune_cover(values: dict[str, object], today: dt.date, names_district: bool) -> Cover:
    commune, warnings = _commune(values)
    unit = reference.Reporter(reference.COMMUNE, commune)
    try:
        _unreadable_cells(values, ("period", "version"))
        period, version = _period(values, today), _version(values)
        if reference.districts_report(period):
            raise CoverError(
                f"a commune report for {period:%m/%Y} is not accepted: up to 06/2025 communes reported through "
                "their district, so this month's figures belong in the district's report (Mã huyện on the "
                "cover); communes report directly from 07/2025",
                f"báo cáo của xã cho kỳ {period:%m/%Y} không được nhận: đến hết 06/2025 các xã báo cáo qua huyện, "
                "số liệu kỳ này phải nằm trong báo cáo của huyện (ghi Mã huyện trên trang bìa); "
                "xã báo cáo trực tiếp từ kỳ 07/2025")
    except CoverError as error:
        error.unit = unit
        raise
    if names_district:
        warnings.append(_ignored_label("Mã huyện / Tên huyện", "district", period))
    prepared_on = _prepared_on(values.get("prepared_on"), warnings)
    name = cell_text(values.get("commune_name")) or None
    return Cover(None, period, version, None, prepared_on, warnings, reference.COMMUNE, commune, name)


def _ignored_label(label: str, what: str, period: dt.date) -> CoverWarning:
    who = "districts" if what == "commune" else "communes"
    who_vi = "huyện" if what == "commune" else "xã"
    return CoverWarning(f"the cover names both a district and a commune: for {period:%m/%Y} the {who} report, "
                        f"so {label} was ignored",
                        f"trang bìa ghi cả huyện và xã: kỳ {period:%m/%Y} do {who_vi} báo cáo nên {label} không được "
                        "dùng", reading.COVER_NAMES_ONE_UNIT)


def _period_or_none(values: dict[str, object], today: dt.date) -> dt.date | None:
    try:
        _unreadable_cells(values, ("period",))
        return _period(values, today)
    except CoverError:
        return None


def _commune(values: dict[str, object]) -> tuple[str, list[CoverWarning]]:
    """The submitting commune (today's list: communes only report from 2025-07), with a name warning."""
    code_value, name_value = values.get("commune_code"), values.get("commune_name")
    code = None
    if code_value is not None:
        try:
            code = reference.normalise_code(code_value, 5)
        except ValueError:
            raise CoverError(f"commune code (Mã xã) '{cell_text(code_value)}' is not a 5-digit code",
                             f"Mã xã '{cell_text(code_value)}' không phải mã 5 chữ số") from None
    name = cell_text(name_value) if name_value is not None else None
    commune_list = reference.list_for_month(reference.COMMUNE_ERA)
    commune, mismatch = reference.find_commune(code, name, commune_list)
    if commune is None:
        shown = code or name
        raise CoverError(
            f"unknown commune '{shown}': not one of Son La's 75 communes in force since 01/07/2025",
            f"xã '{shown}' không có trong danh mục 75 xã, phường của tỉnh Sơn La từ 01/07/2025")
    warnings = []
    if mismatch:
        warnings.append(CoverWarning(mismatch, f"tên xã '{name}' không khớp Mã xã {commune.code}; dùng theo mã",
                                     reading.COVER_NAME_MATCHES_CODE))
    return commune.code, warnings


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
        warnings.append(CoverWarning(f"date prepared (Ngày lập) '{shown}' is not a date",
                                     f"Ngày lập '{shown}' không phải là ngày", reading.PREPARED_ON_READABLE))
        return None
