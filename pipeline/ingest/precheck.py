"""Which rows could fail a rule: the rule suite read as vectorised pandas, whole frame at once.

Great Expectations stays the judge (pipeline/ingest/validate.py validates with it); this only
decides which rows it needs to see. A row no rule could fail is not sent to GX, so a clean
batch never imports or runs it (seconds and ~280 MB saved per load). The mask must be a
SUPERSET of the rows GX would report: where a rule's meaning is not known here exactly (an
expectation type or argument not listed below, a comparison pandas cannot make), every row
the rule reads is a suspect and GX decides. tests/test_precheck.py checks that GX on the
suspects finds exactly what GX on the whole frame finds.
"""
from __future__ import annotations

import pandas as pd

# Expectation type -> the arguments whose meaning is implemented here (any other: all rows suspect).
KNOWN_KWARGS = {
    "ExpectColumnValuesToNotBeNull": {"column", "row_condition", "condition_parser"},
    "ExpectColumnValuesToBeNull": {"column", "row_condition", "condition_parser"},
    "ExpectColumnValuesToBeInSet": {"column", "value_set", "row_condition", "condition_parser"},
    "ExpectColumnValuesToBeBetween": {"column", "min_value", "max_value", "row_condition", "condition_parser"},
    "ExpectColumnPairValuesAToBeGreaterThanB": {"column_A", "column_B", "or_equal", "ignore_row_if"},
    "ExpectCompoundColumnsToBeUnique": {"column_list", "ignore_row_if"},
}


def suspects(rules, frame: pd.DataFrame) -> pd.Series:
    """Boolean mask over frame: True where at least one of the rules might fail the row."""
    mask = pd.Series(False, index=frame.index)
    for rule in rules:
        mask |= rule_suspects(rule.expectation, rule.kwargs, frame)
    return mask


def rule_suspects(expectation: str, kwargs: dict, frame: pd.DataFrame) -> pd.Series:
    everything = pd.Series(True, index=frame.index)
    if expectation not in KNOWN_KWARGS or set(kwargs) - KNOWN_KWARGS[expectation]:
        return everything
    try:
        scope = _condition(kwargs, frame)
        return (_failing(expectation, kwargs, frame) & scope).fillna(True).astype(bool)
    except (TypeError, ValueError, KeyError, SyntaxError, NameError):   # GX decides (and reports any error)
        return everything


def _condition(kwargs: dict, frame: pd.DataFrame) -> pd.Series:
    """Rows a row_condition selects, as GX's pandas parser does (DataFrame.query)."""
    condition = kwargs.get("row_condition")
    if not condition:
        return pd.Series(True, index=frame.index)
    if kwargs.get("condition_parser") != "pandas":
        raise ValueError("only pandas row conditions are read here")
    return frame.eval(condition, parser="pandas").fillna(False).astype(bool)


def _failing(expectation: str, kwargs: dict, frame: pd.DataFrame) -> pd.Series:
    if expectation == "ExpectCompoundColumnsToBeUnique":
        keys = list(kwargs["column_list"])
        duplicated = frame.duplicated(subset=keys, keep=False)
        ignore = kwargs.get("ignore_row_if", "all_values_are_missing")
        if ignore == "any_value_is_missing":
            return duplicated & frame[keys].notna().all(axis=1)
        if ignore == "all_values_are_missing":
            return duplicated & frame[keys].notna().any(axis=1)
        return duplicated
    if expectation == "ExpectColumnPairValuesAToBeGreaterThanB":
        a, b = frame[kwargs["column_A"]], frame[kwargs["column_B"]]
        both = a.notna() & b.notna()
        holds = (a >= b) if kwargs.get("or_equal") else (a > b)
        failing = both & ~holds.fillna(False).astype(bool)
        if kwargs.get("ignore_row_if", "both_values_are_missing") != "either_value_is_missing":
            failing |= ~both   # GX may count half-missing pairs: let it judge them
        return failing
    values = frame[kwargs["column"]]
    if expectation == "ExpectColumnValuesToNotBeNull":
        return values.isna()
    if expectation == "ExpectColumnValuesToBeNull":
        return values.notna()
    present = values.notna()
    if expectation == "ExpectColumnValuesToBeInSet":
        return present & ~values.isin(list(kwargs["value_set"]))
    within = pd.Series(True, index=frame.index)   # ExpectColumnValuesToBeBetween
    if kwargs.get("min_value") is not None:
        within &= (values >= kwargs["min_value"]).fillna(False).astype(bool)
    if kwargs.get("max_value") is not None:
        within &= (values <= kwargs["max_value"]).fillna(False).astype(bool)
    return present & ~within
