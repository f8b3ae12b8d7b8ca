"""Text typed in the legacy Vietnamese font encodings (TCVN3/ABC with the .VnTime fonts, VNI with VNI-Times):
recognised and converted to Unicode before anything is matched ('Hoµn thµnh' -> 'Hoàn thành', 'Nhµ ë' -> 'Nhà ở').

The tables and the detection are the maintained package viparse's (MIT): fix(text, encoding) converts,
detect_encoding(fonts) reads the font-name signal, detect_text_encoding(text) scores content. The
fast reader (python-calamine) gives no fonts, so the workbook is looked at in three steps, each only
when the one before found something:

1. every text cell read is scanned for the characters legacy encodings put where Unicode Vietnamese
   never has them (µ ¸ ¶ « ­ …): a file without any is left alone (almost every file: one pass of C);
2. the fonts of the text cells (openpyxl, .xlsx/.xlsm only): a cell in a .Vn* or VNI* font is in that
   encoding, whatever its text; the fonts of the workbook decide for the other suspect cells;
3. without a font signal, the suspect texts together are scored (a short cell alone cannot be).

A cell is converted when the conversion leaves none of those characters; text that cannot be
decided is left as written (its rows then fail the rules that quote it). Sheet names have no font:
one is converted when the conversion is the name of one of our sheets.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import viparse
from viparse.normalize.detector import detect_encoding
from viparse.normalize.encodings import CHARMAPS

ENCODINGS = ("tcvn3", "vni")
FONT_NAMES = {"tcvn3": "TCVN3 (ABC, .VnTime)", "vni": "VNI (VNI-Times)"}
_VIETNAMESE = set("aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ")
_VIETNAMESE |= {c.upper() for c in _VIETNAMESE}


@functools.cache
def _suspect() -> re.Pattern:
    """Characters of the legacy tables that Unicode Vietnamese text never holds; or (TCVN3 stores some small
    letters at capital codes: 'Hé nghÌo' is Hộ nghèo) an accented capital right after a small letter."""
    chars = {c for name in ENCODINGS for source, _ in CHARMAPS[name].pairs for c in source
             if not c.isascii() and c not in _VIETNAMESE}
    return re.compile("[" + re.escape("".join(sorted(chars))) + "]|[a-zà-ÿ][À-ÞĂÂÊÔƠƯĐ]")


def suspect(text: str) -> bool:
    """Text holding what legacy encodings put where Unicode Vietnamese never has it."""
    return _suspect().search(text) is not None


def _unicode(text: str) -> bool:
    """Legacy-encoded text lives in the 8-bit range: a character beyond it (ộ, ư, đ) means Unicode."""
    return any(ord(c) > 0xFF for c in text)


@dataclass
class Conversion:
    """What was converted in one workbook, for the one warning the clerk gets."""

    encoding: str
    cells: dict[str, int] = field(default_factory=dict)          # sheet (as written) -> cells converted
    sheet_names: list[tuple[str, str]] = field(default_factory=list)   # (as written, converted)
    undecided: int = 0                                           # suspect cells left as written


def convert_name(name: str) -> tuple[str, str] | None:
    """(converted name, encoding) of a sheet name none of ours that converts to one of ours ('Nhµ ë', 'Thoâng tin':
    a name is short, but being one of our names decides it)."""
    from pipeline import form

    if name.isascii() or _unicode(name):
        return None
    for encoding in ENCODINGS:
        converted = viparse.fix(name, encoding=encoding)
        if converted != name and (form.sheet_kind(converted) or form.copy_of(converted)):
            return converted, encoding
    return None


def _texts(grid: list[list]) -> str:
    return "\x00".join(cell for row in grid for cell in row if type(cell) is str)


def _fonts(path: Path, names: list[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Sheet -> {(row, col) 0-based: the font name of a text cell} (openpyxl reads fonts; .xlsx/.xlsm only)."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return {}
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:   # fonts are only a signal: the text alone still decides
        return {}
    try:
        fonts = {}
        for name in names:
            if name not in book.sheetnames:
                continue
            fonts[name] = {(cell.row - 1, cell.column - 1): cell.font.name
                           for row in book[name].iter_rows() for cell in row
                           if isinstance(getattr(cell, "value", None), str) and cell.font is not None}
        return fonts
    finally:
        book.close()


def _font_encoding(font: str | None) -> str | None:
    return detect_encoding([font]).encoding if font else None


def convert_grids(path: Path, grids: dict[str, list[list]]) -> Conversion | None:
    """Convert the legacy-encoded text cells of these grids (sheet name as written -> rows) in place."""
    if not any(suspect(_texts(grid)) for grid in grids.values()):
        return None
    fonts = _fonts(path, list(grids))
    legacy = [font for cells in fonts.values() for font in cells.values() if _font_encoding(font)]
    verdict = detect_encoding(legacy).encoding if legacy else None
    if verdict is None:
        found = viparse.detect_text_encoding(" ".join(_suspects(grids)))
        verdict = found if found in ENCODINGS else None
    conversion = Conversion(verdict or "")
    for name, grid in grids.items():
        _convert_grid(grid, fonts.get(name, {}), verdict, conversion, name)
    return conversion if conversion.cells or conversion.undecided else None


def _suspects(grids: dict[str, list[list]]) -> list[str]:
    return [cell for grid in grids.values() for row in grid for cell in row
            if type(cell) is str and suspect(cell) and not _unicode(cell)]


def _convert_grid(grid: list[list], fonts: dict, verdict: str | None, conversion: Conversion, name: str) -> None:
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if type(cell) is not str or _unicode(cell):
                continue
            encoding = _font_encoding(fonts.get((r, c))) or (verdict if suspect(cell) else None)
            if encoding is None:
                conversion.undecided += suspect(cell)
                continue
            converted = viparse.fix(cell, encoding=encoding)
            if suspect(converted):
                conversion.undecided += 1
                continue
            if converted != cell:
                row[c] = converted
                conversion.cells[name] = conversion.cells.get(name, 0) + 1
                conversion.encoding = conversion.encoding or encoding
