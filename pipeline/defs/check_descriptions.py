"""What each dbt test checks, in words, for its asset check in the Dagster UI.

A test's own dbt description (the `description:` of a data test, dbt 1.10+) comes first; without one
the rule is told from the generic test and its arguments (not_null, unique, relationships, ...), or,
for a singular test, from the comment that opens its SQL. Pure: reads the manifest's node only.
"""
from __future__ import annotations

from typing import Any, Mapping

SEVERITY = {"error": "A failure stops the build: nothing is published until it is fixed.",
            "warn": "A failure is a warning: the build goes on and publishes."}


def describe_test(test: Mapping[str, Any]) -> str:
    said = (test.get("description") or "").strip() or _generic(test) or _leading_comment(test) \
        or f"dbt test {test.get('name')}."
    severity = str((test.get("config") or {}).get("severity") or "error").lower()
    return f"{said} {SEVERITY.get(severity, '')} (dbt test `{test.get('name')}`)".replace("  ", " ")


def _model(test: Mapping[str, Any]) -> str:
    attached = test.get("attached_node") or ""
    return f"`{attached.split('.')[-1]}`" if attached else "the model"


def _generic(test: Mapping[str, Any]) -> str | None:
    meta = test.get("test_metadata") or {}
    kwargs = meta.get("kwargs") or {}
    column = kwargs.get("column_name") or test.get("column_name")
    model = _model(test)
    describe = {
        "not_null": lambda: f"Every row of {model} has a value in `{column}`.",
        "unique": lambda: f"No two rows of {model} share a `{column}`.",
        "accepted_values": lambda: f"`{column}` of {model} holds only: {', '.join(map(str, kwargs.get('values', [])))}.",
        "relationships": lambda: (f"Every `{column}` of {model} exists as `{kwargs.get('field')}` in "
                                  f"{_ref_name(kwargs.get('to'))}."),
        "unique_combination": lambda: (f"No two rows of {model} share the same "
                                       f"({', '.join(kwargs.get('combination_of_columns', []))})."),
        "in_enumeration": lambda: (f"`{column}` of {model} holds only codes of the enumeration "
                                   f"`{kwargs.get('domain')}` (seed enumerations, from pipeline/enumerations.py)"
                                   + (f", never {', '.join(kwargs['excluding'])}" if kwargs.get("excluding") else "")
                                   + "."),
        "expression_is_true": lambda: f"Every row of {model} satisfies: {kwargs.get('expression')}.",
    }.get(meta.get("name") or "")
    return describe() if describe else None


def _ref_name(to: Any) -> str:
    """ref('dim_district') -> `dim_district`."""
    text = str(to or "")
    for quote in ("'", '"'):
        if f"ref({quote}" in text:
            return f"`{text.split(f'ref({quote}')[1].split(quote)[0]}`"
    return f"`{text}`"


def _leading_comment(test: Mapping[str, Any]) -> str | None:
    """A singular test's opening SQL comment (what its author wrote it to check)."""
    lines = []
    for line in (test.get("raw_code") or "").splitlines():
        stripped = line.strip()
        if stripped.startswith("--"):
            lines.append(stripped.lstrip("-").strip())
        elif stripped and not stripped.startswith("{{"):
            break
    return " ".join(lines) or None
