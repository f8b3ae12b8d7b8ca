"""The national poverty standards (chuẩn nghèo), as the reference file gives them, and what a text names.

The seed poverty_standards.csv (../shared/reference/poverty_standards.csv, never edited here) says
which standard a review year gets when a workbook states none (`default_*` review years) and which
a workbook may state for it (`allowed_*`); dbt reads the same seed (marts.dim_poverty_standard).
A workbook names a standard by its legal act ('Nghị định 351/2025/NĐ-CP', 'QĐ 59/2015') or by its
period ('2027-2030', 'giai đoạn 2022 - 2025'); any other act or period names none we know.

Pure: no pandas, no database (the parsing workers, the rule book and the templates import it).
"""
from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass

from pipeline.config import SEEDS_DIR
from pipeline.text import fold

# 'nghị định 351/2025', 'qđ số 59/2015', or '07/2021/nđ-cp' (folded); a date '30/12/2025' is none of them
_ACT = re.compile(r"(?:\b(?:nghi dinh|quyet dinh|nd|qd)\s*(?:so\s*)?(\d{1,3})\s*/\s*(\d{4})"
                  r"|(?<![\d/])(\d{1,3})\s*/\s*(\d{4})\s*/\s*(?:nd|qd)\b)")
_PERIOD = re.compile(r"(?<![\d/])(20\d\d)\s*[-\u2013\u2014]\s*(20\d\d)(?![\d/])")


@dataclass(frozen=True)
class Standard:
    standard_id: str                 # '2022-2025'
    legal_basis: str                 # as the reference file writes it
    default_years: tuple[int, int]   # review years measured under it when a workbook states none
    allowed_years: tuple[int, int]   # review years a workbook may state it for

    @property
    def act(self) -> str:
        """The legal act that sets it ('Nghị định 07/2021/NĐ-CP'): the first one its legal basis names."""
        return re.split(r"\s*[(;]", self.legal_basis, maxsplit=1)[0].strip()

    @property
    def label(self) -> str:
        """'2022-2025 (Nghị định 07/2021/NĐ-CP)': how a message or a template names it."""
        return f"{self.standard_id} ({self.act})"

    def allows(self, review_year: int) -> bool:
        return self.allowed_years[0] <= review_year <= self.allowed_years[1]


@functools.cache
def standards() -> tuple[Standard, ...]:
    with open(SEEDS_DIR / "poverty_standards.csv", encoding="utf-8", newline="") as handle:
        return tuple(Standard(row["standard_id"], row["legal_basis"],
                              (int(row["default_first_review_year"]), int(row["default_last_review_year"])),
                              (int(row["allowed_first_review_year"]), int(row["allowed_last_review_year"])))
                     for row in csv.DictReader(handle))


def by_id(standard_id: str) -> Standard:
    return next(s for s in standards() if s.standard_id == standard_id)


def default_for(review_year: int) -> Standard | None:
    """The standard a review year is measured under when the workbook states none."""
    return next((s for s in standards() if s.default_years[0] <= review_year <= s.default_years[1]), None)


def allowed_for(review_year: int) -> list[Standard]:
    """The standards a workbook may state for a review year, the default first."""
    default = default_for(review_year)
    return sorted((s for s in standards() if s.allows(review_year)), key=lambda s: s is not default)


@functools.cache
def _keys() -> dict[tuple[str, int, int], str]:
    """('act', number, year) and ('period', first, last) -> standard id."""
    keys = {}
    for standard in standards():
        first, last = (int(part) for part in standard.standard_id.split("-"))
        keys[("period", first, last)] = standard.standard_id
        for mention in _mentions(standard.act):
            keys[mention] = standard.standard_id
    return keys


def _mentions(text: str) -> list[tuple[str, int, int]]:
    folded = fold(text)
    found = []
    for match in _ACT.finditer(folded):
        number, year = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        found.append(("act", int(number), int(year)))
    found += [("period", int(first), int(last)) for first, last in _PERIOD.findall(folded)]
    return found


def named(text: str) -> tuple[set[str], bool]:
    """(the standards a text names, whether it names an act or a period at all). An act or period
    that is no standard's is ignored beside one that is ('Nghị định 07/2021/NĐ-CP; rà soát theo
    Quyết định 24/2021/QĐ-TTg' names 2022-2025); alone, it names none."""
    mentions = _mentions(text)
    return {_keys()[m] for m in mentions if m in _keys()}, bool(mentions)


def spellings() -> str:
    """What a workbook may write, for messages: 'Nghị định 07/2021/NĐ-CP or 2022-2025, …'."""
    return ", ".join(f"{s.act} / {s.standard_id}" for s in standards())
