"""The pieces the form is written with: a column, what the template shows for it, a sheet, a cover label.

Plain data; pipeline/form/sheets.py holds the form itself. Spellings are compared after
text.fold(), so diacritics, case, spacing and Unicode form never matter.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.text import fold

# What a column's cells are read as (pipeline/ingest/convert.py types them):
#   text, code (a commune code), amount (money: a unit in the header converts it to whole đồng),
#   count (a whole number), year, date, choice (one value of an enumeration domain), decimal,
#   national_id (12 digits, written as text), ignore (read for the layout only: STT).
VALUE_TYPES = frozenset({"text", "code", "amount", "count", "year", "date", "choice", "decimal",
                         "national_id", "ignore"})


@dataclass(frozen=True)
class Template:
    """What the monthly template shows for a column (pipeline/templates/workbook.py writes it).

    check: the cell check when it is not the one of the column's value type (value types map to
    checks in pipeline/templates/checks.py): 'unique' (a COUNTIF), 'commune_name' (the unit's
    communes), 'percent' (0 to 100)."""

    width: float
    hint: str = ""
    check: str | None = None
    text_format: bool = False        # stored as text (codes keep their leading zeros)
    units: tuple[str, ...] = ("district", "commune")   # the reporting units whose template shows it
    prefill: bool = True             # pre-filled with an open case's current value (houses; never a personal column)


@dataclass(frozen=True)
class Column:
    key: str                         # English name (the typed rows' key)
    header: str                      # canonical Vietnamese header
    aliases: tuple[str, ...] = ()    # other spellings of the header (English key included automatically)
    value_type: str = "text"         # VALUE_TYPES
    required: bool = False           # the column must exist, and the value must be given
    personal: bool = False           # never copied out of the raw layer, never quoted in a message
    choices: str | None = None       # enumeration domain of a choice column (pipeline/enumerations.py)
    summable: bool = False           # checked against a total row
    raw_name: str | None = None      # its column in the raw layer (raw_schema.sql), when not `key`
    sub_aliases: tuple[str, ...] = ()   # spellings that name it only under a group header (second header row)
    fill_down: bool = False          # a cell merged down several rows gives its value to each of them
    minimum: int | None = None       # the least value a row may hold (the rule book's `*_not_negative` …)
    maximum: int | None = None       # the most (a number the template's check bounds)
    template: Template | None = None   # None: not on the template

    def __post_init__(self):
        if self.value_type not in VALUE_TYPES:
            raise ValueError(f"{self.key}: unknown value type {self.value_type!r}")
        if (self.value_type == "choice") != (self.choices is not None):
            raise ValueError(f"{self.key}: a choice column names its enumeration domain, and only it")

    def header_keys(self) -> set[str]:
        return {fold(h) for h in (self.header, self.key, *self.aliases)}

    def sub_header_keys(self) -> set[str]:
        return {fold(h) for h in self.sub_aliases}

    @property
    def raw_column(self) -> str:
        return self.raw_name or self.key

    @property
    def typed(self) -> bool:
        """Read into the typed rows (the commune columns are matched together, STT is layout only)."""
        return self.value_type not in ("ignore", "code") and self.key != "commune_name"


@dataclass(frozen=True)
class Sheet:
    kind: str                        # cover | houses | grants | poverty
    name: str                        # canonical sheet name
    aliases: tuple[str, ...] = ()    # other names (diacritics, spaces, underscores never matter)
    columns: tuple[Column, ...] = ()
    key_column: str | None = None    # the field a data row always has; a total row lacks it

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    def __post_init__(self):
        object.__setattr__(self, "_by_key", {c.key: c for c in self.columns})

    def column(self, key: str) -> Column:
        return self._by_key[key]

    def has(self, key: str) -> bool:
        return key in self._by_key

    def headers(self, keys=None) -> list[str]:
        """Canonical headers: of every column in the form's order, or of these keys in their order."""
        return [c.header for c in self.columns] if keys is None else [self.column(k).header for k in keys]


@dataclass(frozen=True)
class CoverLabel:
    key: str                         # the cover value's English name
    label: str                       # canonical Vietnamese label
    aliases: tuple[str, ...] = field(default_factory=tuple)

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.label, self.key, *self.aliases)
