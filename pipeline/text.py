"""Text folding used to match sheet names, headers, labels, enumerations and commune names.

Clerks type with or without diacritics, in NFC or NFD, any case, with stray spaces,
line breaks and underscores; all of those fold to the same key.
"""
from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"[\s_]+")
# Characters a copy from a web page or a PDF leaves around codes and numbers, invisible in Excel.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00a0"
_DROP_INVISIBLE = {ord(c): None for c in INVISIBLE if c != "\u00a0"}
BLANK_CHARS = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + INVISIBLE


def strip_diacritics(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    without = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return without.replace("đ", "d").replace("Đ", "D")


def fold(text: object) -> str:
    """Lower-case, diacritics removed, whitespace/underscores collapsed to one space."""
    if text is None:
        return ""
    folded = strip_diacritics(str(text).translate(_DROP_INVISIBLE)).lower()
    return _SPACES.sub(" ", folded).strip()


# Parsing's hot path (benchmark: ~390k rows): the same texts repeat row after row and file
# after file (enumerations, commune names, headers), so fold each once.
fold_cached = functools.lru_cache(maxsize=1 << 17, typed=True)(fold)


def clean(value: object) -> object:
    """A text cell without the spaces and invisible characters around it; other cells as they are."""
    return value.strip(BLANK_CHARS) if isinstance(value, str) else value


def compact(text: object) -> str:
    """fold() without any spaces: for sheet names ('Nha_o' == 'Nhà ở' == 'NHAO')."""
    return fold(text).replace(" ", "")


_UNIT = re.compile(r"\(([^()]*)\)\s*$")
# A header marked as required, the way forms mark it: 'Mã hộ (*)', 'Số tiền (triệu đồng)(*)', 'Mã hộ*'.
_REQUIRED_MARK = re.compile(r"\s*(\(\s*\*+\s*\)|\*+)\s*$")


def split_unit(header: str) -> tuple[str, str | None]:
    """'Số tiền (triệu đồng)' -> ('Số tiền', 'trieu dong'); no unit -> (header, None). A required mark
    '(*)' is not a unit: 'Số tiền (*)' -> ('Số tiền', None)."""
    text = _REQUIRED_MARK.sub("", str(header).strip())
    match = _UNIT.search(text)
    if not match:
        return text, None
    return text[: match.start()].strip(), fold(match.group(1))


def cell_text(value: object) -> str:
    """A cell as a clerk would read it, for messages and the 'value as written'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip(BLANK_CHARS)


# Every dash a keyboard or a word processor makes: hyphen, non-breaking hyphen, figure dash,
# en dash, em dash, horizontal bar, minus sign, small and full-width hyphen-minus.
_CASE_ID = str.maketrans({**{c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"},
                         **{c: None for c in INVISIBLE}})


def case_id(value: object) -> str | None:
    """A household id (Mã hộ) as one case: any dash is '-', no spaces (nor invisible ones), upper case
    ('03688–2025–001 ' and '03688-2025-001' are the same id)."""
    text = "".join(cell_text(value).translate(_CASE_ID).split()).strip(BLANK_CHARS).upper()
    return text or None
