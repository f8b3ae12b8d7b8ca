"""What a rule is: its name, sheet, column, severity, reasons (EN + VI) and what evaluates it.

Four evaluators, one per place a rule can be judged:

- Expect: a Great Expectations expectation over the sheet kind's frame (pipeline/ingest/validate.py);
- Flag: a vectorised pandas check that derives a column from the frame, non-null where the row
  fails; Great Expectations judges it (ExpectColumnValuesToBeNull), so it is an Expect too;
- Lookup: a Flag whose derivation needs the warehouse: the batch supplies the lookup by name
  (pipeline/ingest/batch.py), the rule decides with its answer;
- OnRead: a check of one sheet's typed rows right after they are read, before any set-wise rule
  (pipeline/ingest/tables.py): a row it fails is rejected like an unreadable cell.

- History: a submission set against what its unit sent before, as a whole: after the batch is
  written, over the ledger (pipeline/warehouse/supersession.py: what a replacement drops, a
  submission number claimed twice), or over the batch's rows with the warehouse's answers
  (dates that point to another month); the finding is the submission's, not a row's;
- Reading: a problem the parser itself finds (an unreadable cell, an unknown commune, a missing
  column, …); its message says exactly what, the rule book gives it a name and a severity.

No pandas or Great Expectations here: the parsing workers import the rule book.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ERROR, WARNING = "error", "warning"
SEVERITIES = {ERROR: ("Lỗi (dòng bị loại)", "error: the row is rejected"),
              WARNING: ("Cảnh báo", "warning: the row loads")}


@dataclass(frozen=True)
class Expect:
    """A Great Expectations expectation: its class name and arguments."""

    expectation: str
    kwargs: dict

    evaluated_by = "great_expectations"


@dataclass(frozen=True)
class Flag:
    """derive(frame) -> Series, non-null where the row fails; stored as `column` and judged by GX."""

    column: str
    derive: Callable

    evaluated_by = "pandas"

    @property
    def expectation(self) -> str:
        return "ExpectColumnValuesToBeNull"

    @property
    def kwargs(self) -> dict:
        return {"column": self.column}


@dataclass(frozen=True)
class Lookup(Flag):
    """derive(frame, ask) -> Series, where ask is the warehouse lookup named `lookup` (the batch supplies it)."""

    lookup: str = ""

    evaluated_by = "warehouse_lookup"


@dataclass(frozen=True)
class OnRead:
    """failing(columns, reporter, period) -> indices of the sheet's rows (typed columns, lists) that fail, or
    {index: {field: text}} when the reasons name more than the row's {value} (e.g. {standard}, {year})."""

    failing: Callable

    evaluated_by = "on_read"


@dataclass(frozen=True)
class History:
    """Found by setting a whole submission against what its unit sent before (pipeline/rulebook/history.py)."""

    evaluated_by = "history"


@dataclass(frozen=True)
class Reading:
    """Found by the parser while reading (its message names the cell and what is wrong)."""

    evaluated_by = "parser"


@dataclass(frozen=True)
class Rule:
    name: str
    sheet_kind: str | None        # houses | grants | poverty | cover; None: every data sheet
    column: str | None            # the field a clerk should look at (its header is reported when it has no cell)
    severity: str                 # ERROR: the row is rejected; WARNING: it loads, the clerk is told
    reason: str                   # English; an OnRead reason may hold {value}: the row's value; a Flag's
                                  # {detail}: its derived value at the row (e.g. the id a case continues)
    reason_vi: str                # Vietnamese
    check: Expect | Flag | OnRead | History | Reading
    cells: tuple[str, ...] = field(default=())   # where a finding points (the first the sheet has); default: column

    @property
    def judged_by_gx(self) -> bool:
        return isinstance(self.check, (Expect, Flag))

    @property
    def expectation(self) -> str:
        return self.check.expectation

    @property
    def kwargs(self) -> dict:
        return self.check.kwargs

    @property
    def look_at(self) -> tuple[str, ...]:
        return self.cells or ((self.column,) if self.column else ())
