"""The official administrative units (the dbt seeds), for matching districts and communes.

Reporting months up to 2024-12 use the 2024 list, later months the 2025 list; a poverty
review uses the list in force at the end of its review year.
"""
from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.text import fold

SEEDS_DIR = Path(__file__).resolve().parent.parent / "dbt_project" / "seeds"
LIST_FILES = {2024: "admin_units_2024.csv", 2025: "admin_units_2025.csv"}
FIRST_DAY_OF_2025_LIST = dt.date(2025, 1, 1)

_COMMUNE_PREFIX = re.compile(r"^(xa|x\.|phuong|p\.|thi tran|tt\.|tt)\s*")
_DISTRICT_PREFIX = re.compile(r"^(huyen|thi xa|thanh pho|tp\.?|h\.|tx\.?)\s*")


def list_year_for_month(month: dt.date) -> int:
    return 2025 if month >= FIRST_DAY_OF_2025_LIST else 2024


def list_year_for_review(review_year: int) -> int:
    return 2024 if review_year <= 2024 else 2025


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
    with open(SEEDS_DIR / LIST_FILES[year], encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            districts[row["district_code"]] = row["district_name_vi"]
            commune = Commune(row["commune_code"], row["commune_name_vi"], row["district_code"])
            communes[commune.code] = commune
            by_name.setdefault((commune.district_code, commune_key(commune.name)), []).append(commune.code)
            by_full_name[(commune.district_code, commune_full_key(commune.name))] = commune.code
    return UnitList(year, districts, communes, by_name, by_full_name)


def is_commune_name(name: object) -> bool:
    key = commune_key(name)
    return any(k[1] == key for y in LIST_FILES for k in unit_list(y).by_name)


def all_district_codes() -> dict[str, str]:
    names = dict(unit_list(2024).districts)
    names.update(unit_list(2025).districts)
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


def match_commune(code_value: object, name_value: object, district_code: str, list_year: int) -> str:
    """The commune's official code, or CommuneError naming what is wrong."""
    units = unit_list(list_year)
    other = unit_list(2024 if list_year == 2025 else 2025)
    code = None
    if code_value not in (None, ""):
        try:
            code = normalise_code(code_value, 5)
        except ValueError:
            raise CommuneError(
                f"commune code '{code_value}' is not a 5-digit code",
                f"mã xã '{code_value}' không phải mã 5 chữ số",
                "commune_code",
            ) from None
    name_code = None
    if name_value not in (None, ""):
        full = units.by_full_name.get((district_code, commune_full_key(name_value)))
        codes = [full] if full else units.by_name.get((district_code, commune_key(name_value)), [])
        if len(codes) == 1:
            name_code = codes[0]
        elif len(codes) > 1 and code is None:
            raise CommuneError(
                f"commune name '{name_value}' is ambiguous in district {district_code}; give Mã xã",
                f"tên xã '{name_value}' không rõ ràng trong huyện {district_code}; hãy ghi Mã xã",
                "commune_name",
            )
        elif code is None:
            in_other = other.by_name.get((district_code, commune_key(name_value)))
            extra = (
                f" (it is in the {other.year} list, not the one for this period)" if in_other else ""
            )
            raise CommuneError(
                f"commune '{name_value}' is not a commune of district {district_code}{extra}",
                f"xã '{name_value}' không thuộc huyện {district_code} trong danh mục áp dụng cho kỳ này",
                "commune_name",
            )
    if code is None:
        if name_code is None:
            raise CommuneError(
                "commune missing: give Mã xã or Tên xã", "thiếu xã: ghi Mã xã hoặc Tên xã", "commune_code"
            )
        return name_code
    commune = units.communes.get(code)
    if commune is None:
        if code in other.communes:
            raise CommuneError(
                f"commune code {code} ({other.communes[code].name}) is not in force for this period "
                f"(valid in the {other.year} list only)",
                f"mã xã {code} ({other.communes[code].name}) không còn/chưa có hiệu lực trong kỳ này",
                "commune_code",
            )
        raise CommuneError(
            f"unknown commune code {code}", f"mã xã {code} không có trong danh mục", "commune_code"
        )
    if commune.district_code != district_code:
        raise CommuneError(
            f"commune {code} ({commune.name}) belongs to district {commune.district_code}, not {district_code}",
            f"xã {code} ({commune.name}) thuộc huyện {commune.district_code}, không thuộc huyện {district_code}",
            "commune_code",
        )
    if name_value not in (None, "") and code not in (
        [name_code] if name_code else units.by_name.get((district_code, commune_key(name_value)), [])
    ):
        raise CommuneError(
            f"commune code {code} ({commune.name}) and name '{name_value}' disagree",
            f"mã xã {code} ({commune.name}) và tên xã '{name_value}' không khớp",
            "commune_name",
        )
    return code
