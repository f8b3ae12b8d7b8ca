"""The submission form: sheets, cover labels, columns and limits (pipeline/form/sheets.py), and lookups over it.

    from pipeline import form
    form.SHEETS["houses"].column("central_budget").raw_column   # 'central_budget_vnd'
"""
from __future__ import annotations

import functools
import re

from pipeline.enumerations import ENUMERATIONS
from pipeline.form.model import VALUE_TYPES, Column, CoverLabel, Sheet, Template  # noqa: F401  (the vocabulary)
from pipeline.form.sheets import (  # noqa: F401  (the form itself: sheets, cover labels, limits)
    CHOICE_ALIASES, COMMUNE_CODE, COMMUNE_NAME, COVER, COVER_LABELS, EARLIEST_DATE, FIRST_PERIOD, FIRST_REVIEW_YEAR,
    GRANTS, HOUSE_NORM_VND, HOUSES, MAX_AMOUNT_VND, MAX_COUNT, MIN_AMOUNT_VND, MIN_NORM_SHARE, NATIONAL_ID_DIGITS,
    NORM_MULTIPLE, POVERTY, RATE_TOLERANCE_PP, SHEETS,
)
from pipeline.text import compact, fold

DATA_SHEETS = ("houses", "grants", "poverty")
COLUMNS = {kind: SHEETS[kind].columns for kind in DATA_SHEETS}
COVER_LABEL = {label.key: label for label in COVER_LABELS}


def sheet_name(sheet_kind: str) -> str:
    """The canonical name of a sheet kind ('houses' -> 'Nhà ở')."""
    return SHEETS[sheet_kind].name


def sheet_kind(name: str) -> str | None:
    """The kind of a sheet by its name, or None (diacritics, case, spaces and underscores never matter)."""
    return _sheet_kinds().get(compact(name))


@functools.cache
def _sheet_kinds() -> dict[str, str]:
    return {compact(name): sheet.kind for sheet in SHEETS.values() for name in sheet.names}


# What Excel, LibreOffice and people add to a copied sheet's name: 'Nhà ở (2)', 'Nha_o_2',
# 'Nhà ở - Copy', 'Copy of Nhà ở', 'Nhà ở (bản sao)' (compared compacted, like sheet names).
_COPY_SUFFIX = re.compile(r"^-?\(?(\d+|copy\d*|bansao\d*)\)?$")


def copy_of(name: str) -> str | None:
    """The kind whose sheet this one looks like a copy of (it is not read), else None."""
    key = compact(name)
    key = key[len("copyof"):] + "copy" if key.startswith("copyof") else key
    for sheet in SHEETS.values():
        for known in sheet.names:
            base = compact(known)
            if key.startswith(base) and _COPY_SUFFIX.match(key[len(base):]):
                return sheet.kind
    return None


@functools.cache
def choice_spellings(domain: str) -> dict[str, str]:
    """{folded written form: code} of an enumeration domain: its codes, Vietnamese labels and aliases."""
    aliases = CHOICE_ALIASES.get(domain, {})
    spellings = {}
    for code, label, _ in ENUMERATIONS[domain]:
        for text in [code, label, *aliases.get(code, [])]:
            spellings[fold(text)] = code
    return spellings
