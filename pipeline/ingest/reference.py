"""The official administrative units (the dbt seeds), for matching districts and communes.

Which list applies when is data, not code: the seed admin_unit_lists.csv gives each list's
days in force, and dbt reads the same seed. A report uses the list in force on the last day
of its reporting month; a poverty review the list in force at the end of its review year.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from dataclasses import dataclass

from pipeline.text import fold

from pipeline.config import SEEDS_DIR

_COMMUNE_PREFIX = re.compile(r"^(xa|x\.|phuong|p\.|thi tran|tt\.|tt)\s*")
_DISTRICT_PREFIX = re.compile(r"^(huyen|thi xa|thanh pho|tp\.?|h\.|tx\.?)\s*")


@dataclass(frozen=True)
class ListValidity:
    list_year: int
    seed_name: str
    valid_from: dt.date
    valid_to: dt.date | None     # inclusive; None while in force


@functools.cache
def list_validity() -> tuple[ListValidity, ...]:
    with open(SEEDS_DIR / "admin_unit_lists.csv", encoding="utf-8", newline="") as handle:
        return tuple(ListValidity(int(row["list_year"]), row["seed_name"], dt.date.fromisoformat(row["valid_from"]),
                                  dt.date.fromisoformat(row["valid_to"]) if row["valid_to"] else None)
                     for row in csv.DictReader(handle))


def list_in_force(day: dt.date) -> int:
    """The list in force on `day` (the first list for days before any list)."""
    lists = list_validity()
    for validity in lists:
        if validity.valid_from <= day and (validity.valid_to is None or day <= validity.valid_to):
            return validity.list_year
    return lists[0].list_year


@functools.lru_cache(maxsize=None)
def list_year_for_month(month: dt.date) -> int:
    last_day = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return list_in_force(last_day)


@functools.lru_cache(maxsize=None)
def list_year_for_review(review_year: int) -> int:
    return list_in_force(dt.date(review_year, 12, 31))


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
    district_code: str


@dataclass(frozen=True)
class UnitList:
    year: int
    districts: dict[str, str]                   # code -> official name
    communes: dict[str, Commune]                # code -> commune
    by_name: dict[tuple[str, str], list[str]]   # (district, folded name without prefix) -> codes
    by_full_name: dict[tuple[str, str], str]    # (district, folded full name) -> code


@functools.lru_cache(maxsize=None)
def unit_list(year: int) -> UnitList:
    districts: dict[str, str] = {}
    communes: dict[str, Commune] = {}
    by_name: dict[tuple[str, str], list[str]] = {}
    by_full_name: dict[tuple[str, str], str] = {}
    seed = next(v.seed_name for v in list_validity() if v.list_year == year)
    with open(SEEDS_DIR / f"{seed}.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            districts[row["district_code"]] = row["district_name_vi"]
            commune = Commune(row["commune_code"], row["commune_name_vi"], row["district_code"])
            communes[commune.code] = commune
            by_name.setdefault((commune.district_code, commune_key(commune.name)), []).append(commune.code)
            by_full_name[(commune.district_code, commune_full_key(commune.name))] = commune.code
    return UnitList(year, districts, communes, by_name, by_full_name)


def is_commune_name(name: object) -> bool:
    key = commune_key(name)
    return any(k[1] == key for v in list_validity() for k in unit_list(v.list_year).by_name)


def all_district_codes() -> dict[str, str]:
    names: dict[str, str] = {}
    for validity in list_validity():   # the newest name wins
        names.update(unit_list(validity.list_year).districts)
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


def normalise_code(value: object, width: int) -> str | None:
    """'3646', 3646, 3646.0, ' 03646 ' -> '03646'; None when blank; ValueError if not digits."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    text = str(value).strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > width:
        raise ValueError(value)
    return text.zfill(width)


class CommuneError(ValueError):
    def __init__(self, reason: str, reason_vi: str, column: str):
        super().__init__(reason)
        self.reason, self.reason_vi, self.column = reason, reason_vi, column


def _other_lists(list_year: int) -> list[UnitList]:
    return [unit_list(v.list_year) for v in list_validity() if v.list_year != list_year]


def _parse_commune_code(code_value: object) -> str | None:
    if code_value in (None, ""):
        return None
    try:
        return normalise_code(code_value, 5)
    except ValueError:
        raise CommuneError(f"commune code '{code_value}' is not a 5-digit code",
                           f"mã xã '{code_value}' không phải mã 5 chữ số", "commune_code") from None


def _code_by_name(units: UnitList, name_value: object, district_code: str, code: str | None) -> str | None:
    """The code a commune name stands for in the district (None if it names none, with a code given)."""
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
        in_other = [o for o in _other_lists(units.year) if o.by_name.get((district_code, commune_key(name_value)))]
        extra = f" (it is in the {in_other[0].year} list, not the one for this period)" if in_other else ""
        raise CommuneError(
            f"commune '{name_value}' is not a commune of district {district_code}{extra}",
            f"xã '{name_value}' không thuộc huyện {district_code} trong danh mục áp dụng cho kỳ này",
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


def match_commune(code_value: object, name_value: object, district_code: str, list_year: int) -> str:
    """The commune's official code, or CommuneError naming what is wrong."""
    units = unit_list(list_year)
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
