"""The cover sheet ('Thông tin'): label/value pairs that say whose report it is and when."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline import form
from pipeline.ingest import reference, sender
from pipeline.ingest.problem import CoverError, CoverWarning  # noqa: F401  (the cover's outcomes)
from pipeline.ingest.values import CellIssue, ParseError, parse_date, parse_period
from pipeline.rulebook import reading
from pipeline.text import cell_text, clean, fold

_LABEL_KEYS = {fold(spelling): label.key for label in form.COVER_LABELS for spelling in label.spellings}


FULL, SUPPLEMENT = "full", "supplement"


def report_type(value: object) -> str:
    """Loại báo cáo: only the label's value 'Bổ sung' makes a supplement (a title saying 'sửa đổi, bổ sung'
    is an ordinary full report: it is not this label's value)."""
    if isinstance(value, _Twice):
        return SUPPLEMENT if report_type(value.first) == report_type(value.second) == SUPPLEMENT else FULL
    return SUPPLEMENT if value is not None and fold(cell_text(value)) == fold(form.SUPPLEMENT) else FULL


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
    report_type: str = FULL              # full | supplement (Loại báo cáo = Bổ sung: merged by key)
    poverty_standard: object = None      # Chuẩn nghèo as written (pipeline/ingest/stated.py reads it)

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
            if key is None:   # 'Đơn vị báo cáo: UBND xã Mường Chiên' in one cell
                key, value = _inline(cell)
            if value is None:
                continue
            if key == "reporting_unit":   # quoted as the clerk labelled it ('Đơn vị:', 'Cơ quan báo cáo')
                values.setdefault(sender.OFFICE_LABEL, cell.partition(":")[0].strip())
            if key in values and not isinstance(values[key], _Twice) and cell_text(values[key]) != cell_text(value):
                values[key] = _Twice(values[key], value)
            values.setdefault(key, value)
    return values


def _inline(cell: str) -> tuple[str | None, str | None]:
    """(label key, value) of a cell holding both, 'Label: value'; (None, None) otherwise."""
    label, colon, value = cell.partition(":")
    key = _LABEL_KEYS.get(fold(label)) if colon else None
    value = clean(value)
    return (key, value) if key is not None and value else (None, None)


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
    sender.named_by_office(values)
    period = _period_or_none(values, today)
    try:
        cover = _cover(values, today, period)
        cover.poverty_standard = values.get("poverty_standard")
        return cover
    except CoverError as error:
        if error.unit is None:   # no unit known: the ledger and the feedback keep what the cover said
            error.period = error.period or period
            error.unit_type = error.unit_type or _unit_type_called_for(values, period)
            name = values.get("commune_name" if error.unit_type == reference.COMMUNE else "district_name")
            error.unit_name = cell_text(name) or None if isinstance(name, str) else None
        raise


def _cover(values: dict[str, object], today: dt.date, period: dt.date | None) -> Cover:
    _unreadable_cells(values, ("district_code", "district_name", "commune_code", "commune_name"))
    names_district = values.get("district_code") is not None or values.get("district_name") is not None
    names_commune = values.get("commune_code") is not None or values.get("commune_name") is not None
    if not names_commune and not names_district:
        raise _no_unit(period)
    if not names_commune:
        return _district_cover(values, today)
    if names_district and (period is None or reference.districts_report(period)):
        cover = _district_cover(values, today)
        cover.warnings.append(_ignored_label(_written_labels(values, "commune"), "commune", cover.period))
        return cover
    return _commune_cover(values, today, names_district)


def _unit_type_called_for(values: dict[str, object], period: dt.date | None) -> str | None:
    """The kind of unit a rejected cover speaks of: the one it names, else the one its period calls for."""
    if values.get("commune_code") is not None or values.get("commune_name") is not None:
        return reference.COMMUNE
    if values.get("district_code") is not None or values.get("district_name") is not None:
        return reference.DISTRICT
    if period is None:
        return None
    return reference.DISTRICT if reference.districts_report(period) else reference.COMMUNE


def _no_unit(period: dt.date | None) -> CoverError:
    """A cover naming no unit: the reason speaks of the unit the period calls for, never of a district that
    no longer exists."""
    if period is not None and reference.districts_report(period):
        return CoverError("the cover sheet gives no district (Mã huyện)", "trang bìa thiếu Mã huyện",
                          unit_type=reference.DISTRICT)
    if period is not None:
        return CoverError(
            f"the cover sheet names no commune: give Mã xã (or Tên xã) of the commune that sends this report "
            f"(communes report directly since 01/07/2025; the report is for {period:%m/%Y})",
            f"trang bìa không ghi xã báo cáo: hãy ghi Mã xã (hoặc Tên xã) của xã gửi báo cáo (từ 01/07/2025 các "
            f"xã báo cáo trực tiếp; kỳ báo cáo {period:%m/%Y})", unit_type=reference.COMMUNE)
    return CoverError(
        "the cover sheet names no reporting unit: a commune gives Mã xã (or Tên xã), from 07/2025; a district "
        "gave Mã huyện, up to 06/2025",
        "trang bìa không ghi đơn vị báo cáo: xã ghi Mã xã (hoặc Tên xã), từ kỳ 07/2025; huyện ghi Mã huyện, "
        "đến kỳ 06/2025")


def _district_cover(values: dict[str, object], today: dt.date) -> Cover:
    district, warnings = sender.district(values)
    try:
        _unreadable_cells(values, ("period", "version"))
        period, version = _period(values, today), _version(values)
        if not reference.districts_report(period):
            wrong_era = CoverError(
                f"district reports ended with 06/2025: the district level was abolished on 01/07/2025 and "
                f"since then every commune reports directly. This report for {period:%m/%Y} must be sent by "
                "each commune, with its own Mã xã on the cover",
                f"từ 01/07/2025 không còn cấp huyện, các xã báo cáo trực tiếp cho tỉnh: báo cáo kỳ "
                f"{period:%m/%Y} phải do từng xã gửi, ghi Mã xã của xã trên trang bìa")
            wrong_era.period = period   # read: the ledger and the feedback keep it (unit and month)
            raise wrong_era
    except CoverError as error:
        error.district_code = district   # the ledger keeps whose file it was
        error.unit = reference.Reporter(reference.DISTRICT, district)
        raise
    prepared_on = _prepared_on(values.get("prepared_on"), warnings)
    return Cover(district, period, version, cell_text(values.get("district_name")) or None, prepared_on, warnings,
                 report_type=report_type(values.get("report_type")))


def _commune_cover(values: dict[str, object], today: dt.date, names_district: bool) -> Cover:
    try:
        commune, warnings = sender.commune(values)
    except CoverError:   # a month before the reform: that is what is wrong, whatever the name
        period = _period_or_none(values, today)
        if period is not None and reference.districts_report(period):
            raise _commune_before_reform(period) from None
        raise
    unit = reference.Reporter(reference.COMMUNE, commune)
    try:
        _unreadable_cells(values, ("period", "version"))
        period, version = _period(values, today), _version(values)
        if reference.districts_report(period):
            raise _commune_before_reform(period)
    except CoverError as error:
        error.unit = unit
        raise
    if names_district:
        warnings.append(_ignored_label(_written_labels(values, "district"), "district", period))
    prepared_on = _prepared_on(values.get("prepared_on"), warnings)
    name = cell_text(values.get("commune_name")) or None
    return Cover(None, period, version, None, prepared_on, warnings, reference.COMMUNE, commune, name,
                 report_type(values.get("report_type")))


def _commune_before_reform(period: dt.date) -> CoverError:
    """The month was read: the ledger and the feedback keep it (with the commune, where it was read)."""
    error = CoverError(
        f"a commune report for {period:%m/%Y} is not accepted: up to 06/2025 communes reported through "
        "their district, so this month's figures belong in the district's report (Mã huyện on the "
        "cover); communes report directly from 07/2025",
        f"báo cáo của xã cho kỳ {period:%m/%Y} không được nhận: đến hết 06/2025 các xã báo cáo qua huyện, "
        "số liệu kỳ này phải nằm trong báo cáo của huyện (ghi Mã huyện trên trang bìa); "
        "xã báo cáo trực tiếp từ kỳ 07/2025", unit_type=reference.COMMUNE)
    error.period = period
    return error


def _written_labels(values: dict[str, object], what: str) -> str:
    """The labels of the unit a cover names that the period leaves aside, as the clerk wrote them: 'Mã huyện /
    Tên huyện', or the office the name came from ("Đơn vị báo cáo 'UBND huyện Quỳnh Nhai'")."""
    code, name = ("Mã xã", "Tên xã") if what == "commune" else ("Mã huyện", "Tên huyện")
    office = sender.office_as_written(values, what)
    if office is None:
        return f"{code} / {name}"
    by_office = "{} '{}'".format(*office)
    return by_office if values.get(f"{what}_code") is None else f"{code} / {by_office}"


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
