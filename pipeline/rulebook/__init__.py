"""The rule book: every rule a submission is checked against, in one place.

Each rule has a name, the sheet and column it is about, a severity (error: the row is
rejected; warning: it loads and the clerk is told), its reasons in English and Vietnamese,
and what evaluates it (pipeline/rulebook/model.py): a Great Expectations expectation, a
vectorised pandas check judged by GX, a lookup against the warehouse, a check of the typed
rows as they are read, or the parser's own reading. The rules of each sheet are in
houses.py, grants.py and poverty.py (with the columns they share); reading.py names what the
parser finds. The feedback workbooks, the asset checks, the audit tables and the seed
`rules` (python -m tools.export_seeds) read this list.

Adding a row rule: one entry in the sheet's RULES, and its test.
"""
from __future__ import annotations

from pipeline.rulebook import grants, houses, poverty, reading
from pipeline.rulebook.model import (  # noqa: F401  (the rule book's vocabulary)
    ERROR, SEVERITIES, WARNING, Expect, Flag, Lookup, OnRead, Reading, Rule,
)

RULES: tuple[Rule, ...] = (*houses.RULES, *grants.RULES, *poverty.RULES, *reading.RULES)
BY_NAME = {r.name: r for r in RULES}
assert len(BY_NAME) == len(RULES), "two rules share a name"
PREPARE = {"houses": houses.prepare, "grants": grants.prepare, "poverty": poverty.prepare}
SEED_HEADER = ("rule", "sheet_kind", "column", "severity", "evaluated_by", "reason_en", "reason_vi")


def rule(name: str) -> Rule:
    return BY_NAME[name]


def judged(sheet_kind: str) -> list[Rule]:
    """The sheet kind's set-wise rules, in the book's order: Great Expectations judges them over a batch's frame."""
    return [r for r in RULES if r.sheet_kind == sheet_kind and r.judged_by_gx]


def on_read(sheet_kind: str) -> list[Rule]:
    """The sheet kind's rules checked on one sheet's typed rows as they are read."""
    return [r for r in RULES if r.sheet_kind == sheet_kind and isinstance(r.check, OnRead)]


def seed_rows() -> list[tuple]:
    """The rows of dbt's seed rules.csv (SEED_HEADER), in the book's order."""
    return [(r.name, r.sheet_kind or "", r.column or "", r.severity, r.check.evaluated_by, r.reason, r.reason_vi)
            for r in RULES]
