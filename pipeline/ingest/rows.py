"""Sorting the rows under a sheet's header: each row's role is data, or a reason it is skipped.

Every row is one or the other, so rows read = data rows + skipped rows, and a skipped row's
reason (raw.skipped_rows.kind) tells the clerk why it did not count. A row that is neither
clearly data nor clearly layout is read as data where it sits inside the table: the rules
then reject it with a reason, so nothing inside the table is dropped quietly. The table
ends after its last data row, or at a signature block; what is below it is footer.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pipeline.ingest import reference
from pipeline.text import BLANK_CHARS, cell_text
from pipeline.text import fold_cached as fold

DATA = "data"
# Why a row is skipped (the enumeration domain skipped_row, pipeline/enumerations.py).
BLANK, TOTAL, SUBTOTAL = "blank", "total", "subtotal"
COLUMN_NUMBERS, REPEATED_HEADER, NOTE, FOOTER = "column_numbers", "repeated_header", "note", "footer"
SKIP_REASONS = (BLANK, TOTAL, SUBTOTAL, COLUMN_NUMBERS, REPEATED_HEADER, NOTE, FOOTER)
# Roles of a row while sorting, before the table's end is known.
_SIGNATURE, _BELOW, _PARTIAL = "signature", "below", "partial"

LABEL_COLUMNS = ("no", "commune_code", "commune_name")      # where a total row's label is written
TEMPLATE_COLUMNS = ("commune_code", "commune_name", "village")   # pre-filled in blank templates

TOTAL_LABEL = re.compile(r"^(tong|cong|toan huyen|toan xa|total)\b")
# In any other column (e.g. under the household head, where 'Tống Văn A' is a name) only a
# cell that is nothing but a total word counts.
TOTAL_PHRASE = re.compile(r"^(tong cong|tong so|tong|cong|total|toan huyen|toan xa)( toan huyen)?\s*:?$")
SUBTOTAL_LABEL = re.compile(r"^(tong cong|tong so|tong|cong)\s*:?\s+(xa|phuong|thi tran|ban|thon|tieu khu|to)\b")
SIGNATURE = re.compile(
    r"^(nguoi lap|thu truong|truong phong|pho truong phong|ke toan|xac nhan|ky ten|ky, ghi ro|ky ghi ro|"
    r"giam doc|chu tich|noi nhan|ngay \d+ thang|\.+, ngay|[^,]{0,30}, ngay \d*)")
NOTE_WORDS = re.compile(r"^(ghi chu|chu thich|luu y|chu y)\b")
COLUMN_NUMBER = re.compile(r"^\(?(\d{1,2})\)?(\s*=.*)?$")   # (1), 2, (5)=(3)+(4)
# Official forms letter the text columns before numbering the figures: A, B, C, 1, 2, 3 (also (A), (1)).
COLUMN_LETTER = re.compile(r"^\(?([A-Z])\)?$")


@dataclass(frozen=True)
class Layout:
    """What sorting needs to know about the sheet's columns."""

    data_cols: tuple[int, ...]          # mapped columns that hold data (not STT, not notes)
    template_cols: frozenset[int]
    ignore_cols: frozenset[int]         # STT
    label_cols: frozenset[int]          # STT, commune columns, the key column
    mapped_cols: frozenset[int]         # every column with a known header
    key_col: int | None                 # the field a data row always has (the form's key column); a total lacks it
    header_texts: frozenset[str]
    village_col: int | None = None      # poverty: a total label here makes a total row whatever the row holds


def _blank(value: object) -> bool:
    t = type(value)   # tested by type first: called for most cells of every sheet
    if t is str:
        return not value.strip(BLANK_CHARS)   # invisible characters alone ('\u200b') are blank too
    if t is float:
        return False
    return value is None or value == ""


def _first_cell(row: list) -> tuple[int, object] | None:
    for index, cell in enumerate(row):
        if not _blank(cell):
            return index, cell
    return None


def _label_text(value: object) -> str:
    return fold(value).lstrip("(*-+. ") if isinstance(value, str) else ""


def _lacks_key(row: list, layout: Layout, label_col: int) -> bool:
    key = layout.key_col
    return key is None or key == label_col or key >= len(row) or _blank(row[key])


def total_role(row: list, layout: Layout, first: tuple[int, object] | None = None) -> str | None:
    """TOTAL or SUBTOTAL when the row's label says so and the row lacks a data row's key."""
    first = first or _first_cell(row)
    if first is None or not isinstance(first[1], str):
        return None
    col, text = first[0], _label_text(first[1])
    in_label_column = col in layout.label_cols or col not in layout.mapped_cols
    pattern = TOTAL_LABEL if in_label_column else TOTAL_PHRASE
    if not pattern.match(text) or not _lacks_key(row, layout, col) or reference.is_commune_name(first[1]):
        return None
    return SUBTOTAL if SUBTOTAL_LABEL.match(text) else TOTAL


# In the village cell, where 'Tông Cọ' is a village: a total word with its diacritics, or alone.
_VILLAGE_TOTAL = re.compile(r"^[(*\-+. ]*(tổng|cộng|toàn xã|toàn phường|toàn huyện|total)(\s|:|$)")


def village_total_role(row: list, layout: Layout) -> str | None:
    """TOTAL or SUBTOTAL when the poverty row's village cell holds a total label ('Tổng cộng', 'Cộng bản …')."""
    col = layout.village_col
    value = row[col] if col is not None and col < len(row) else None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFC", value).strip().lower()
    folded = _label_text(value)
    if not (_VILLAGE_TOTAL.match(text) or TOTAL_PHRASE.match(folded)):
        return None
    return SUBTOTAL if SUBTOTAL_LABEL.match(folded) else TOTAL


def _words_role(row: list, layout: Layout, first: tuple[int, object]) -> str | None:
    """_SIGNATURE or NOTE when the row's first cell starts a signature block or a note."""
    if not isinstance(first[1], str) or not _lacks_key(row, layout, first[0]):
        return None
    text = _label_text(first[1])
    if SIGNATURE.match(text):
        return _SIGNATURE
    return NOTE if NOTE_WORDS.match(text) else None


def column_numbers(row: list) -> list[int] | None:
    """The numbers of a column-number row ((1), (2), … or 1, 2, …, increasing; the official forms' letters
    first: A, B, C, 1, 2, …, the letters counted as 0, -1, … in the list returned), else None."""
    numbers: list[int] = []
    letters = 0
    for cell in row:
        if _blank(cell):
            continue
        text = None if isinstance(cell, bool) else cell_text(cell)
        letter = COLUMN_LETTER.match(text) if text is not None and not numbers else None
        if letter:
            if ord(letter.group(1)) - ord("A") != letters:
                return None   # letters run A, B, C, … from the first
            letters += 1
            continue
        match = None if text is None else COLUMN_NUMBER.match(text)
        if not match or (numbers and int(match.group(1)) <= numbers[-1]):
            return None   # a data row fails on its first or second cell
        numbers.append(int(match.group(1)))
    numbers = [-i for i in range(letters)] + numbers
    return numbers if len(numbers) >= 2 and len(numbers) > letters else None


def _is_header_copy(row: list, layout: Layout) -> bool:
    found = 0
    for cell in row:
        if _blank(cell):
            continue
        if not isinstance(cell, str) or fold(cell) not in layout.header_texts:
            return False   # a data row fails on its first cell
        found += 1
    return found >= 2


def _content_role(row: list, layout: Layout) -> str:
    """DATA, BLANK (a template row), NOTE (text outside the data columns) or _PARTIAL."""
    filled, beyond_template = [], False
    for i in layout.data_cols:
        if i < len(row) and not _blank(row[i]):
            filled.append(i)
            beyond_template = beyond_template or i not in layout.template_cols
            if beyond_template and len(filled) >= 2:
                return DATA
    others = [i for i, c in enumerate(row) if not _blank(c) and i not in layout.data_cols]
    if filled and all(i in layout.template_cols for i in filled) and all(i in layout.ignore_cols for i in others):
        return BLANK
    if not filled:
        texts = [i for i in others if isinstance(row[i], str)]
        return NOTE if texts else (BLANK if all(i in layout.ignore_cols for i in others) else NOTE)
    return _PARTIAL


class _State:
    def __init__(self):
        self.numbers_next = True          # a column-number row may follow (under the header or a copy of it)
        self.numbers: list[int] | None = None
        self.in_footer = False            # below a signature block


def _row_role(row: list, layout: Layout, state: _State) -> str:
    first = _first_cell(row)
    if first is None:
        return BLANK
    starts_with_text = isinstance(first[1], str)   # a data row usually starts with its STT number
    if starts_with_text and _is_header_copy(row, layout):
        state.numbers_next = True
        return REPEATED_HEADER
    # Column numbers right under the header (or a copy of it), or again lower down as the same row.
    numbers = column_numbers(row) if state.numbers_next or state.numbers else None
    if numbers is not None and (state.numbers_next or numbers == state.numbers):
        state.numbers = state.numbers or numbers
        state.numbers_next = False
        return COLUMN_NUMBERS
    state.numbers_next = False
    village_total = village_total_role(row, layout)
    if village_total:
        return village_total
    if starts_with_text:
        role = total_role(row, layout, first) or _words_role(row, layout, first)
        if role:
            return role
    return _content_role(row, layout)


def looks_like_data(row: list, layout: Layout) -> bool:
    """Most of the data columns filled: worth a warning when found below the signature block."""
    filled = sum(1 for i in layout.data_cols if i < len(row) and not _blank(row[i]))
    return filled >= max(3, len(layout.data_cols) // 2)


def classify(body: list[list], layout: Layout) -> tuple[list[str], list[int]]:
    """(each row's role: DATA or a skip reason; rows below a signature block that look like data)."""
    state, first = _State(), []
    for row in body:
        role = _BELOW if state.in_footer else _row_role(row, layout, state)
        state.in_footer = state.in_footer or role == _SIGNATURE
        first.append(role)
    last_data = max((i for i, role in enumerate(first) if role == DATA), default=-1)
    roles, suspicious = [], []
    for i, role in enumerate(first):
        if role == _BELOW and all(_blank(c) for c in body[i]):
            role = BLANK
        elif role in (_SIGNATURE, _BELOW):
            if role == _BELOW and looks_like_data(body[i], layout):
                suspicious.append(i)
            role = FOOTER
        elif role in (NOTE, _PARTIAL):
            # Inside the table a note is a note and a half-filled row is data (the rules say
            # what is missing); below the last data row both are footer.
            role = FOOTER if i > last_data else (NOTE if role == NOTE else DATA)
        roles.append(role)
    return roles, suspicious
