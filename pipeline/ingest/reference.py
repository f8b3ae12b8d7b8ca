"""The official administrative units (the dbt seeds), for matching districts and communes.

Which list applies when is data, not code: the seed admin_unit_lists.csv gives each list's
id (`commune_list`: '2024', '2025-02', '2025-07') and days in force, and dbt reads the same
seed. A report uses the list in force on the last day of its reporting month; a poverty
review the list in force at the end of its review year. Codes are reused across lists
(03664 is Xã Chiềng Xôm in 2024 and Phường Chiềng An from 2025-07): a code means nothing
without its list.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from dataclasses import dataclass

from pipeline.text import INVISIBLE, fold

from pipeline.config import SEEDS_DIR

_COMMUNE_PREFIX = re.compile(r"^(xa|x\.|phuong|p\.|thi tran|tt\.|tt)\s*")
_DISTRICT_PREFIX = re.compile(r"^(huyen|thi xa|thanh pho|tp\.?|h\.|tx\.?)\s*")
_INVISIBLE = {ord(c): None for c in INVISIBLE}

DISTRICT, COMMUNE = "district", "commune"
# The first month communes report directly (the district level ended on 2025-06-30).
COMMUNE_ERA = dt.date(2025, 7, 1)
# Poverty reviews from this year on are reported by the communes, earlier ones by the districts.
FIRST_COMMUNE_REVIEW = 2025
NO_DISTRICT = ""   # district_code of the communes of a list without districts (2025-07)


@dataclass(frozen=True)
class Reporter:
    """Who sent a report: a district (up to 2025-06) or a commune (from 2025-07)."""

    unit_type: str      # DISTRICT | COMMUNE
    unit_code: str


@dataclass(frozen=True)
class ListValidity:
    commune_list: str            # '2024', '2025-02', '2025-07': the month the list came into force
    list_year: int               # year of the official list (2024, 2025)
    seed_name: str
    valid_from: dt.date
    valid_to: dt.date | None     # inclusive; None while in force


@functools.cache
def list_validity() -> tuple[ListValidity, ...]:
    with open(SEEDS_DIR / "admin_unit_lists.csv", encoding="utf-8", newline="") as handle:
        return tuple(ListValidity(row["commune_list"], int(row["list_year"]), row["seed_name"],
                                  dt.date.fromisoformat(row["valid_from"]),
                                  dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None)
                     for row in csv.DictReader(handle))


def list_id(value: object) -> str:
    """A list id from an id or a legacy year (2024 -> '2024', 2025 -> the first 2025 list)."""
    text = str(value)
    ids = [v.commune_list for v in list_validity()]
    if text in ids:
        return text
    matches = [v.commune_list for v in list_validity() if str(v.list_year) == text]
    if not matches:
        raise KeyError(value)
    return matches[0]


def list_in_force(day: dt.date) -> str:
    """The list in force on `day` (the first list for days before any list)."""
    lists = list_validity()
    for validity in lists:
        if validity.valid_from <= day and (validity.valid_to is None or day <= validity.valid_to):
            return validity.commune_list
    return lists[0].commune_list


def month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@functools.lru_cache(maxsize=None)
def list_for_month(month: dt.date) -> str:
    return list_in_force(month_end(month))


@functools.lru_cache(maxsize=None)
def list_for_review(review_year: int) -> str:
    return list_in_force(dt.date(review_year, 12, 31))


def reports_review(unit_type: str, review_year: int) -> bool:
    """Reviews up to 2024 were reported by the districts, from 2025 on by the communes."""
    return (review_year >= FIRST_COMMUNE_REVIEW) == (unit_type == COMMUNE)


def districts_report(period: dt.date) -> bool:
    """Districts report months up to 2025-06; communes report from 2025-07."""
    return period < COMMUNE_ERA


def commune_key(name: object) -> str:
    return _COMMUNE_PREFIX.sub("", fold(name)).strip()


_PREFIX_CANONICAL = {"xa": "xa", "x.": "xa", "phuong": "phuong", "p.": "phuong",
                     "thi tran": "thi tran", "tt.": "thi tran", "tt": "thi tran"}


def commune_full_key(name: object) -> str:
    """Folded name with its prefix spelled out: 'TT. Hát Lót' == 'Thị trấn Hat Lot'."""
    folded = fold(name)
    match = _COMMUNE_PREFIX.match(folded)
    if not match:
        return folded
    return f"{_PREFIX_CANONICAL[match.group(1)]} {folded[match.end():].strip()}"


def district_key(name: object) -> str:
    return _DISTRICT_PREFIX.sub("", fold(name)).strip()


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    district_code: str      # NO_DISTRICT on the 2025-07 list


@dataclass(frozen=True)
class UnitList:
    year: str                                   # the list id (commune_list)
    districts: dict[str, str]                   # code -> official name (none on the 2025-07 list)
    communes: dict[str, Commune]                # code -> commune
    by_name: dict[tuple[str, str], list[str]]   # (district, folded name without prefix) -> codes
    by_full_name: dict[tuple[str, str], str]    # (district, folded full name) -> code


@functools.lru_cache(maxsize=None)
def unit_list(year: object) -> UnitList:
    ident = list_id(year)
    districts: dict[str, str] = {}
    communes: dict[str, Commune] = {}
    by_name: dict[tuple[str, str], list[str]] = {}
    by_full_name: dict[tuple[str, str], str] = {}
    seed = next(v.seed_name for v in list_validity() if v.commune_list == ident)
    with open(SEEDS_DIR / f"{seed}.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            district = row.get("district_code") or NO_DISTRICT
            if district:
                districts[district] = row["district_name_vi"]
            name = row.get("commune_name_vi") or row["commune_name"]
            commune = Commune(row["commune_code"], name, district)
            communes[commune.code] = commune
            by_name.setdefault((district, commune_key(name)), []).append(commune.code)
            by_full_name[(district, commune_full_key(name))] = commune.code
    return UnitList(ident, districts, communes, by_name, by_full_name)


def is_commune_name(name: object) -> bool:
    key = commune_key(name)
    return any(k[1] == key for v in list_validity() for k in unit_list(v.commune_list).by_name)


def all_district_codes() -> dict[str, str]:
    names: dict[str, str] = {}
    for validity in list_validity():   # the newest name wins
        names.update(unit_list(validity.commune_list).districts)
    return names


def find_district(code: str | None, name: str | None) -> tuple[str | None, str | None]:
    """(district_code, warning) from the cover's code and/or name; code None if unknown."""
    districts = all_district_codes()
    if code:
        if code not in districts:
            return None, None
        if name and district_key(name) != district_key(districts[code]):
            return code, (
                f"district name '{name}' does not match code {code} ({districts[code]}); the code is used"
            )
        return code, None
    if name:
        matches = [c for c, n in districts.items() if district_key(n) == district_key(name)]
        if len(matches) == 1:
            return matches[0], None
    return None, None


def find_commune(code: str | None, name: str | None, commune_list: str) -> tuple[Commune | None, str | None]:
    """(commune, warning) of a commune cover within a list: the code wins over a name that disagrees."""
    units = unit_list(commune_list)
    if code:
        commune = units.communes.get(code)
        if commune is None:
            return None, None
        if name and commune_key(name) != commune_key(commune.name):
            return commune, f"commune name '{name}' does not match code {code} ({commune.name}); the code is used"
        return commune, None
    if name:
        full = [c for (_, key), c in units.by_full_name.items() if key == commune_full_key(name)]
        codes = full or [c for (_, key), cs in units.by_name.items() if key == commune_key(name) for c in cs]
        if len(set(codes)) == 1:
            return units.communes[codes[0]], None
    return None, None


def normalise_code(value: object, width: int) -> str | None:
    """'3646', 3646, 3646.0, ' 03646 ', '03646\\u200b' -> '03646'; None when blank; ValueError if not digits."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    text = str(value).translate(_INVISIBLE).strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > width:
        raise ValueError(value)
    return text.zfill(width)


class CommuneError(ValueError):
    def __init__(self, reason: str, reason_vi: str, column: str):
        super().__init__(reason)
        self.reason, self.reason_vi, self.column = reason, reason_vi, column


def _other_lists(commune_list: str) -> list[UnitList]:
    return [unit_list(v.commune_list) for v in list_validity() if v.commune_list != commune_list]


def _parse_commune_code(code_value: object) -> str | None:
    if code_value in (None, ""):
        return None
    try:
        return normalise_code(code_value, 5)
    except ValueError:
        raise CommuneError(f"commune code '{code_value}' is not a 5-digit code",
                           f"mã xã '{code_value}' không phải mã 5 chữ số", "commune_code") from None


def _scope(district_code: str) -> tuple[str, str]:
    """How a scope is named to the clerk: district 116 / the province's communes."""
    if district_code == NO_DISTRICT:
        return "of Son La on this period's list", "của tỉnh Sơn La trong danh mục áp dụng cho kỳ này"
    return f"of district {district_code}", f"thuộc huyện {district_code}"


def _code_by_name(units: UnitList, name_value: object, district_code: str, code: str | None) -> str | None:
    """The code a commune name stands for in the scope (None if it names none, with a code given)."""
    full = units.by_full_name.get((district_code, commune_full_key(name_value)))
    codes = [full] if full else units.by_name.get((district_code, commune_key(name_value)), [])
    if len(codes) == 1:
        return codes[0]
    if len(codes) > 1 and code is None:
        raise CommuneError(
            f"commune name '{name_value}' is ambiguous in district {district_code}; give Mã xã",
            f"tên xã '{name_value}' không rõ ràng trong huyện {district_code}; hãy ghi Mã xã",
            "commune_name")
    if code is None:
        in_other = [o for o in _other_lists(units.year)
                    if any(k[1] == commune_key(name_value) for k in o.by_name
                           if district_code == NO_DISTRICT or k[0] == district_code)]
        extra = f" (it is in the {in_other[0].year} list, not the one for this period)" if in_other else ""
        scope, scope_vi = _scope(district_code)
        raise CommuneError(
            f"commune '{name_value}' is not a commune {scope}{extra}",
            f"xã '{name_value}' không {scope_vi}" + ("" if district_code == NO_DISTRICT
                                                     else " trong danh mục áp dụng cho kỳ này"),
            "commune_name")
    return None


def _commune_by_code(units: UnitList, code: str, district_code: str) -> Commune:
    commune = units.communes.get(code)
    if commune is None:
        for other in _other_lists(units.year):
            if code in other.communes:
                raise CommuneError(
                    f"commune code {code} ({other.communes[code].name}) is not in force for this period "
                    f"(valid in the {other.year} list only)",
                    f"mã xã {code} ({other.communes[code].name}) không còn/chưa có hiệu lực trong kỳ này",
                    "commune_code")
        raise CommuneError(f"unknown commune code {code}", f"mã xã {code} không có trong danh mục", "commune_code")
    if commune.district_code != district_code:
        raise CommuneError(
            f"commune {code} ({commune.name}) belongs to district {commune.district_code}, not {district_code}",
            f"xã {code} ({commune.name}) thuộc huyện {commune.district_code}, không thuộc huyện {district_code}",
            "commune_code")
    return commune


def match_commune(code_value: object, name_value: object, district_code: str, commune_list: object) -> str:
    """The commune's official code within the district (NO_DISTRICT: the whole list), or CommuneError."""
    units = unit_list(commune_list)
    code = _parse_commune_code(code_value)
    has_name = name_value not in (None, "")
    name_code = _code_by_name(units, name_value, district_code, code) if has_name else None
    if code is None:
        if name_code is None:
            raise CommuneError(
                "commune missing: give Mã xã or Tên xã", "thiếu xã: ghi Mã xã hoặc Tên xã", "commune_code")
        return name_code
    commune = _commune_by_code(units, code, district_code)
    if has_name and code not in (
        [name_code] if name_code else units.by_name.get((district_code, commune_key(name_value)), [])
    ):
        raise CommuneError(
            f"commune code {code} ({commune.name}) and name '{name_value}' disagree",
            f"mã xã {code} ({commune.name}) và tên xã '{name_value}' không khớp",
            "commune_name")
    return code


def match_row_commune(code_value: object, name_value: object, reporter: Reporter, commune_list: str) -> str:
    """A data row's commune for its reporter: a district's rows name communes of that district in the
    list; a commune's rows belong to it (the commune columns may be blank), naming another is an error."""
    if reporter.unit_type == DISTRICT:
        return match_commune(code_value, name_value, reporter.unit_code, commune_list)
    if code_value in (None, "") and name_value in (None, ""):
        return reporter.unit_code
    scope = NO_DISTRICT if not unit_list(commune_list).districts else None
    if scope is None:   # a commune report checked against a list with districts: the reporter's district
        commune = unit_list(commune_list).communes.get(reporter.unit_code)
        scope = commune.district_code if commune else NO_DISTRICT
    code = match_commune(code_value, name_value, scope, commune_list)
    if code != reporter.unit_code:
        named = unit_list(commune_list).communes[code].name
        raise CommuneError(
            f"this row names another commune, {code} ({named}): a commune's report holds only its own rows "
            f"({reporter.unit_code}); leave Mã xã / Tên xã blank or send the row in that commune's report",
            f"dòng này ghi xã khác, {code} ({named}): báo cáo của xã chỉ gồm số liệu của xã mình "
            f"({reporter.unit_code}); hãy để trống Mã xã / Tên xã hoặc để xã đó tự báo cáo",
            "commune_code" if code_value not in (None, "") else "commune_name")
    return code
