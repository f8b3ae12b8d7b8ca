"""Shorthands for the usual rules: the reasons are written once here, the headers come from the form."""
from __future__ import annotations

from pipeline import enumerations, form
from pipeline.rulebook.model import ERROR, Expect, Flag, Rule


def header(sheet_kind: str, key: str) -> str:
    return form.SHEETS[sheet_kind].column(key).header


def required(name: str, sheet_kind: str, key: str) -> Rule:
    text = header(sheet_kind, key)
    return Rule(name, sheet_kind, key, ERROR, f"{text} ({key}) is required", f"thiếu {text}",
                Expect("ExpectColumnValuesToNotBeNull", {"column": key}))


def valid_choice(name: str, sheet_kind: str, key: str) -> Rule:
    column = form.SHEETS[sheet_kind].column(key)
    values = sorted(enumerations.codes(column.choices))
    return Rule(name, sheet_kind, key, ERROR, f"{column.header} ({key}) must be one of: {', '.join(values)}",
                f"{column.header} không hợp lệ",
                Expect("ExpectColumnValuesToBeInSet", {"column": key, "value_set": values}))


def at_least(name: str, sheet_kind: str, key: str, minimum=None, text=None, cells=(), **condition) -> Rule:
    """The column's value is at least its minimum in the form (or `minimum`), where `condition` selects rows."""
    if minimum is None:
        minimum = form.SHEETS[sheet_kind].column(key).minimum
    text = text or header(sheet_kind, key)
    return Rule(name, sheet_kind, key, ERROR, f"{text} ({key}) must be at least {minimum}", f"{text} phải ≥ {minimum}",
                Expect("ExpectColumnValuesToBeBetween", {"column": key, "min_value": minimum, **condition}), cells)


def a_not_below_b(name: str, sheet_kind: str, a: str, b: str, column: str, severity: str, reason: str,
                  reason_vi: str, cells=()) -> Rule:
    """a >= b on every row that has both."""
    return Rule(name, sheet_kind, column, severity, reason, reason_vi,
                Expect("ExpectColumnPairValuesAToBeGreaterThanB",
                       {"column_A": a, "column_B": b, "or_equal": True, "ignore_row_if": "either_value_is_missing"}),
                cells)


def unique(name: str, sheet_kind: str, keys: list[str], column: str, what: str, what_vi: str,
           blank_is_no_key: bool = False) -> Rule:
    """No two rows of one submission share these keys (both are rejected). blank_is_no_key: a row missing a key
    (an error of its own) shares it with no other row; otherwise a blank is a value (two whole-commune rows)."""
    kwargs = {"column_list": ["submission_id", *keys]}
    if blank_is_no_key:
        kwargs["ignore_row_if"] = "any_value_is_missing"
    return Rule(name, sheet_kind, column, ERROR, f"duplicate {what} in this submission (both rows rejected)",
                f"trùng {what_vi} trong báo cáo (cả hai dòng bị loại)", Expect("ExpectCompoundColumnsToBeUnique", kwargs))


def flagged(name: str, sheet_kind: str, column: str, derived: str, derive, reason: str, reason_vi: str,
            cells=()) -> Rule:
    """Rows where derive(frame) is not null fail (the derivation holds the condition: cheaper in GX than
    a row condition or a column pair)."""
    return Rule(name, sheet_kind, column, ERROR, reason, reason_vi, Flag(derived, derive), cells)


# Amounts that cannot be true: written in nghìn or triệu without the unit; they must never load.
UNIT_HINT = ("it was probably written in nghìn or triệu đồng without the unit: put the unit in the column "
             "header, e.g. 'Ngân sách trung ương (triệu đồng)', or a line 'ĐVT: triệu đồng' above the table")
UNIT_HINT_VI = ("có lẽ số tiền được ghi theo nghìn hoặc triệu đồng mà không ghi đơn vị: hãy ghi đơn vị ở tiêu đề "
                "cột, ví dụ 'Ngân sách trung ương (triệu đồng)', hoặc dòng 'ĐVT: triệu đồng' phía trên bảng")


def implausible_amounts(frame, keys) -> dict:
    """{key: the amount where it is positive but below MIN_AMOUNT_VND} for these amount columns."""
    import pandas as pd

    found = {}
    for key in keys:
        values = pd.to_numeric(frame[key], errors="coerce").astype("Float64")
        found[key] = values.where(((values > 0) & (values < form.MIN_AMOUNT_VND)).fillna(False))
    return found


def plausible_amount(sheet_kind: str, key: str) -> Rule:
    text = header(sheet_kind, key)
    return flagged(f"{key}_plausible", sheet_kind, key, f"{key}_implausible",
                   lambda frame: implausible_amounts(frame, [key])[key],
                   f"{text} ({key}) is below {form.MIN_AMOUNT_VND:,} đồng; {UNIT_HINT}",
                   f"{text} dưới {form.MIN_AMOUNT_VND:,} đồng; {UNIT_HINT_VI}")


def date_from(sheet_kind: str, key: str) -> Rule:
    """Not before the form's earliest date."""
    import datetime as dt

    earliest: dt.date = form.EARLIEST_DATE
    text = header(sheet_kind, key)
    return flagged(f"{key}_from_{earliest.year}", sheet_kind, key, f"{key}_too_early",
                   lambda frame: frame[key].where(frame[key] < _timestamp(earliest)),
                   f"{text} ({key}) is before {earliest:%d/%m/%Y}: check the year",
                   f"{text} trước ngày {earliest:%d/%m/%Y}: hãy kiểm tra năm")


def _timestamp(day):
    import pandas as pd

    return pd.Timestamp(day)
