"""Row rules, written once as a Great Expectations suite per sheet, run set-wise on frames.

The frame of a sheet kind holds the typed rows of every submission in a batch. Each
expectation carries its column, severity and plain-language reasons in `meta`; GX's
row-level results (unexpected_index_list on `row_key`) become rejected rows or warnings.
Great Expectations is imported lazily: it costs seconds, and a load with nothing new
must not pay for it.
"""
from __future__ import annotations

import functools
import itertools
import logging
import os
import re
import threading
from dataclasses import dataclass

import pandas as pd

from pipeline.ingest.sheets import (
    CATEGORY, FUNDING_SOURCE, HOUSE_NORM_VND, HOUSE_STATUS, NORM_MULTIPLE, PROGRAMME,
    RATE_TOLERANCE_PP, SUPPORT_TYPE,
)

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str            # GX expectation class name
    kwargs: dict
    column: str          # the column a clerk should look at
    severity: str
    reason: str
    reason_vi: str


def _not_null(name, column, header_vi):
    return Rule(name, "ExpectColumnValuesToNotBeNull", {"column": column}, column, ERROR,
                f"{header_vi} ({column}) is required", f"thiếu {header_vi}")


def _in_set(name, column, header_vi, mapping):
    values = sorted(set(mapping.values()))
    return Rule(name, "ExpectColumnValuesToBeInSet", {"column": column, "value_set": values}, column, ERROR,
                f"{header_vi} ({column}) must be one of: {', '.join(values)}",
                f"{header_vi} không hợp lệ")


def _at_least(name, column, header_vi, minimum, severity=ERROR, **extra):
    return Rule(name, "ExpectColumnValuesToBeBetween", {"column": column, "min_value": minimum, **extra}, column,
                severity, f"{header_vi} ({column}) must be at least {minimum}",
                f"{header_vi} phải ≥ {minimum}")


def _a_ge_b(name, a, b, column, severity, reason, reason_vi):
    return Rule(name, "ExpectColumnPairValuesAToBeGreaterThanB",
                {"column_A": a, "column_B": b, "or_equal": True, "ignore_row_if": "either_value_is_missing"},
                column, severity, reason, reason_vi)


def _unique(name, columns, column, what, what_vi):
    return Rule(name, "ExpectCompoundColumnsToBeUnique", {"column_list": ["submission_id", *columns]}, column,
                ERROR, f"duplicate {what} in this submission (both rows rejected)",
                f"trùng {what_vi} trong báo cáo (cả hai dòng bị loại)")


COMPLETED = 'status=="completed"'

# Amounts that cannot be true: a positive amount below 1,000 đồng, a completed case below 1 %
# of its norm. They were written in nghìn or triệu without the unit, and must never load.
MIN_AMOUNT_VND = 1_000
MIN_NORM_SHARE = 0.01
EARLIEST_DATE = "2015-01-01"
AMOUNT_COLUMNS = {"houses": [("central_budget", "Ngân sách trung ương"), ("local_budget", "Ngân sách địa phương"),
                             ("social_contribution", "Xã hội hóa")],
                  "grants": [("amount", "Số tiền")]}
_UNIT_HINT = ("it was probably written in nghìn or triệu đồng without the unit: put the unit in the column "
              "header, e.g. 'Ngân sách trung ương (triệu đồng)', or a line 'ĐVT: triệu đồng' above the table")
_UNIT_HINT_VI = ("có lẽ số tiền được ghi theo nghìn hoặc triệu đồng mà không ghi đơn vị: hãy ghi đơn vị ở tiêu đề cột, "
                 "ví dụ 'Ngân sách trung ương (triệu đồng)', hoặc dòng 'ĐVT: triệu đồng' phía trên bảng")


def _flagged(name, derived, column, reason, reason_vi):
    """Rows where a derived column is not null fail: the derivation holds the condition (cheaper in GX
    than a row condition or a column pair)."""
    return Rule(name, "ExpectColumnValuesToBeNull", {"column": derived}, column, ERROR, reason, reason_vi)


def _plausible_amount(column, header_vi):
    return _flagged(f"{column}_plausible", f"{column}_implausible", column,
                    f"{header_vi} ({column}) is below {MIN_AMOUNT_VND:,} đồng; {_UNIT_HINT}",
                    f"{header_vi} dưới {MIN_AMOUNT_VND:,} đồng; {_UNIT_HINT_VI}")


_EARLIEST = f"{EARLIEST_DATE[8:]}/{EARLIEST_DATE[5:7]}/{EARLIEST_DATE[:4]}"


def _date_from(column, header_vi):
    return _flagged(f"{column}_from_{EARLIEST_DATE[:4]}", f"{column}_too_early", column,
                    f"{header_vi} ({column}) is before {_EARLIEST}: check the year",
                    f"{header_vi} trước ngày {_EARLIEST}: hãy kiểm tra năm")


RULES: dict[str, list[Rule]] = {
    "houses": [
        _not_null("household_id_required", "household_id", "Mã hộ"),
        # Blank is allowed on a case already known (templates do not carry names): batch.py marks known_case.
        _flagged("household_head_required", "new_case_without_head", "household_head",
                 "Họ tên chủ hộ (household_head) is required for a case not reported before (no current "
                 "submission of this unit has this household ID, Mã hộ)",
                 "thiếu Họ tên chủ hộ: bắt buộc với hộ chưa có trong báo cáo nào đã nhận của đơn vị (theo Mã hộ)"),
        _not_null("category_required", "category", "Đối tượng"),
        _in_set("category_valid", "category", "Đối tượng", CATEGORY),
        _not_null("support_type_required", "support_type", "Hình thức hỗ trợ"),
        _in_set("support_type_valid", "support_type", "Hình thức hỗ trợ", SUPPORT_TYPE),
        _not_null("status_required", "status", "Tình trạng"),
        _in_set("status_valid", "status", "Tình trạng", HOUSE_STATUS),
        _at_least("central_budget_not_negative", "central_budget", "Ngân sách trung ương", 0),
        _at_least("local_budget_not_negative", "local_budget", "Ngân sách địa phương", 0),
        _at_least("social_contribution_not_negative", "social_contribution", "Xã hội hóa", 0),
        Rule("completed_needs_completion_date", "ExpectColumnValuesToNotBeNull",
             {"column": "completion_date", "row_condition": COMPLETED, "condition_parser": "pandas"},
             "completion_date", ERROR, "a completed house needs its completion date (Ngày hoàn thành)",
             "nhà đã hoàn thành phải có Ngày hoàn thành"),
        _at_least("completed_needs_money", "total_vnd", "Tổng kinh phí", 1, row_condition=COMPLETED,
                  condition_parser="pandas"),
        _a_ge_b("completion_not_before_start", "completion_date", "start_date", "completion_date", ERROR,
                "completion date is before the start date (Ngày khởi công)",
                "Ngày hoàn thành trước Ngày khởi công"),
        _a_ge_b("completion_not_after_period", "period_end", "completion_date", "completion_date", ERROR,
                "completion date is after the reporting month", "Ngày hoàn thành sau kỳ báo cáo"),
        _unique("household_unique", ["household_id"], "household_id", "household ID (Mã hộ)", "Mã hộ"),
        *(_plausible_amount(column, header_vi) for column, header_vi in AMOUNT_COLUMNS["houses"]),
        _flagged("completed_total_plausible", "implausible_total_vnd", "total_vnd",
                 f"a completed case's total support is below {MIN_NORM_SHARE:.0%} of the programme norm "
                 f"({HOUSE_NORM_VND['new_build'] * MIN_NORM_SHARE:,.0f} đồng new build / "
                 f"{HOUSE_NORM_VND['repair'] * MIN_NORM_SHARE:,.0f} repair); {_UNIT_HINT}",
                 f"tổng kinh phí của nhà đã hoàn thành dưới {MIN_NORM_SHARE:.0%} định mức; {_UNIT_HINT_VI}"),
        _date_from("start_date", "Ngày khởi công"),
        _date_from("completion_date", "Ngày hoàn thành"),
        _flagged("start_not_after_period", "start_after_period", "start_date",
                 "start date (Ngày khởi công) is after the reporting month", "Ngày khởi công sau kỳ báo cáo"),
        _flagged("not_started_without_completion_date", "completion_if_not_started", "completion_date",
                 "a case not started (Chưa khởi công) cannot have a completion date (Ngày hoàn thành)",
                 "nhà chưa khởi công không thể có Ngày hoàn thành"),
        _flagged("household_id_not_shared_by_two_cases", "household_id_collision", "household_id",
                 "two districts used this household ID (Mã hộ) for two different cases that are both in this "
                 "commune now: give this case a new Mã hộ and say the old one in Ghi chú",
                 "hai huyện cũ đã dùng Mã hộ này cho hai hộ khác nhau, nay cùng thuộc xã: hãy đặt Mã hộ mới cho "
                 "hộ này và ghi Mã hộ cũ vào cột Ghi chú"),
        _a_ge_b("within_programme_norm", "norm_limit_vnd", "total_vnd", "total_vnd", WARNING,
                f"total support is above {NORM_MULTIPLE}x the programme norm "
                f"({HOUSE_NORM_VND['new_build']:,} new build / {HOUSE_NORM_VND['repair']:,} repair)",
                f"tổng kinh phí vượt {NORM_MULTIPLE} lần định mức"),
    ],
    "grants": [
        _not_null("programme_required", "programme", "Chương trình"),
        _in_set("programme_valid", "programme", "Chương trình", PROGRAMME),
        _not_null("funding_source_required", "funding_source", "Nguồn kinh phí"),
        _in_set("funding_source_valid", "funding_source", "Nguồn kinh phí", FUNDING_SOURCE),
        _not_null("beneficiaries_required", "beneficiaries", "Số đối tượng"),
        _at_least("beneficiaries_not_negative", "beneficiaries", "Số đối tượng", 0),
        _not_null("amount_required", "amount", "Số tiền"),
        _at_least("amount_not_negative", "amount", "Số tiền", 0),
        _plausible_amount("amount", "Số tiền"),
        _unique("grant_unique", ["commune_code", "programme", "funding_source"], "programme",
                "commune, programme and funding source", "xã, chương trình và nguồn kinh phí"),
    ],
    "poverty": [
        _not_null("review_year_required", "review_year", "Năm rà soát"),
        _at_least("review_year_from_2020", "review_year", "Năm rà soát", 2020),
        _a_ge_b("review_year_not_after_report", "reporting_year", "review_year", "review_year", ERROR,
                "review year (Năm rà soát) is after the reporting year", "Năm rà soát sau năm báo cáo"),
        _not_null("total_required", "total_households", "Tổng số hộ"),
        _at_least("total_positive", "total_households", "Tổng số hộ", 1),
        _not_null("poor_required", "poor_households", "Số hộ nghèo"),
        _at_least("poor_not_negative", "poor_households", "Số hộ nghèo", 0),
        _not_null("near_poor_required", "near_poor_households", "Số hộ cận nghèo"),
        _at_least("near_poor_not_negative", "near_poor_households", "Số hộ cận nghèo", 0),
        _a_ge_b("poor_within_total", "total_households", "poor_households", "poor_households", ERROR,
                "poor households (Số hộ nghèo) exceed total households", "Số hộ nghèo lớn hơn Tổng số hộ"),
        _a_ge_b("poor_and_near_poor_within_total", "total_households", "poor_and_near_poor",
                "near_poor_households", ERROR,
                "poor + near-poor households exceed total households",
                "Số hộ nghèo + cận nghèo lớn hơn Tổng số hộ"),
        _a_ge_b("ethnic_minority_within_poor", "poor_households", "poor_ethnic_minority_households",
                "poor_ethnic_minority_households", ERROR,
                "poor ethnic-minority households (Hộ nghèo DTTS) exceed poor households",
                "Hộ nghèo DTTS lớn hơn Số hộ nghèo"),
        # One row per commune and year, or one per village (Bản) and year (summed in the warehouse).
        _unique("commune_year_unique", ["commune_code", "review_year", "village"], "commune_code",
                "commune and review year (or village, Bản)", "xã và năm rà soát (hoặc bản)"),
        _flagged("villages_not_mixed_with_commune_row", "village_mixed", "village",
                 "village rows (Bản) and a whole-commune row for the same commune and review year: give either "
                 "one row for the commune or one row per village, not both",
                 "vừa có dòng theo bản vừa có dòng cả xã cho cùng xã và năm rà soát: chỉ ghi một dòng cho cả xã "
                 "hoặc mỗi bản một dòng"),
        Rule("rate_matches_counts", "ExpectColumnValuesToBeBetween",
             {"column": "rate_gap_pp", "max_value": RATE_TOLERANCE_PP}, "poverty_rate_pct", WARNING,
             f"poverty rate differs from poor/total x 100 by more than {RATE_TOLERANCE_PP} points",
             f"tỷ lệ hộ nghèo lệch quá {RATE_TOLERANCE_PP} điểm so với số hộ nghèo / tổng số hộ"),
    ],
}


def add_derived_columns(kind: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Columns the cross-field rules compare (vectorised, whole frame at once)."""
    frame = frame.copy()
    if kind == "houses":
        _house_columns(frame)
    elif kind == "grants":
        _implausible_amounts(kind, frame)
    elif kind == "poverty":
        frame["reporting_year"] = pd.to_datetime(frame["period"]).dt.year
        # Poor > total is its own error: don't report the same row again as poor + near-poor > total.
        both = frame["poor_households"].astype("Float64") + frame["near_poor_households"].astype("Float64")
        frame["poor_and_near_poor"] = both.where(
            frame["poor_households"].astype("Float64") <= frame["total_households"].astype("Float64"))
        computed = frame["poor_households"] / frame["total_households"].where(frame["total_households"] > 0) * 100
        given = frame["poverty_rate_pct"].astype("Float64")
        # A cell formatted as a percentage reads as 0.1089: accept either reading.
        gap = (given - computed).abs()
        gap_fraction = (given * 100 - computed).abs()
        frame["rate_gap_pp"] = pd.concat([gap, gap_fraction], axis=1).min(axis=1).round(6)
        _mixed_villages(frame)
    return frame


def _mixed_villages(frame: pd.DataFrame) -> None:
    """village_mixed: set on every row of a (submission, commune, year) that has both village rows and a
    whole-commune row (both kinds are rejected: which one is right is not ours to guess)."""
    if "village" not in frame:
        frame["village"] = None
    has_village = frame["village"].notna()
    keys = [frame["submission_id"], frame["commune_code"], frame["review_year"]]
    some = has_village.groupby(keys, dropna=False).transform("any")
    every = has_village.groupby(keys, dropna=False).transform("all")
    frame["village_mixed"] = frame["review_year"].where(some & ~every)


def _implausible_amounts(kind: str, frame: pd.DataFrame) -> pd.Series:
    """<column>_implausible: the amount where it is positive but below MIN_AMOUNT_VND; True where any is."""
    any_small = pd.Series(False, index=frame.index)
    for column, _ in AMOUNT_COLUMNS[kind]:
        values = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
        small = ((values > 0) & (values < MIN_AMOUNT_VND)).fillna(False)
        frame[f"{column}_implausible"] = values.where(small)
        any_small |= small
    return any_small


def _house_columns(frame: pd.DataFrame) -> None:
    # known_case: set by the ingest (batch.mark_known_cases); a blank head is an error on a new case only
    known = frame["known_case"].fillna(False) if "known_case" in frame else pd.Series(False, index=frame.index)
    frame["new_case_without_head"] = frame["household_id"].where(frame["household_head"].isna() & ~known.astype(bool))
    for column in ("central_budget", "local_budget", "social_contribution"):
        frame[column] = frame[column].fillna(0).astype("int64")
    frame["total_vnd"] = frame["central_budget"] + frame["local_budget"] + frame["social_contribution"]
    norm = frame["support_type"].map(HOUSE_NORM_VND)
    frame["norm_limit_vnd"] = (norm * NORM_MULTIPLE).astype("Float64")
    any_small = _implausible_amounts("houses", frame)
    # A completed case's total against 1 % of its norm, unless a cell is already an error on its own
    # (below 1,000 đồng) or the total is 0 (completed_needs_money says so).
    total = frame["total_vnd"].astype("Float64")
    low = (frame["status"] == "completed") & (total > 0) & ~any_small & (total < norm * MIN_NORM_SHARE)
    frame["implausible_total_vnd"] = total.where(low.fillna(False))
    for column in ("start_date", "completion_date"):
        frame[column] = pd.to_datetime(frame[column])
        frame[f"{column}_too_early"] = frame[column].where(frame[column] < pd.Timestamp(EARLIEST_DATE))
    frame["period_end"] = pd.to_datetime(frame["period"]) + pd.offsets.MonthEnd(0)
    frame["start_after_period"] = frame["start_date"].where(frame["start_date"] > frame["period_end"])
    frame["completion_if_not_started"] = frame["completion_date"].where(frame["status"] == "not_started")
    if "household_id_collision" not in frame:   # set by the ingest from the warehouse (batch.py)
        frame["household_id_collision"] = None


_RUNS = itertools.count()


@dataclass
class Finding:
    row_key: int
    rule: Rule


@functools.lru_cache(maxsize=1)
def _gx_context():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx  # lazy: seconds and ~280 MB
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return gx, context


def preload() -> None:
    """Import Great Expectations and build the context ahead of the first validation (thread-safe)."""
    with _PRELOAD_LOCK:
        _gx_context()


_PRELOAD_LOCK = threading.Lock()


def _rule_columns(kind: str, frame: pd.DataFrame) -> list[str]:
    """row_key plus every frame column a rule of the kind names (kwargs or row condition)."""
    wanted = {"row_key"}
    for rule in RULES[kind]:
        for name in ("column", "column_A", "column_B"):
            if name in rule.kwargs:
                wanted.add(rule.kwargs[name])
        wanted.update(rule.kwargs.get("column_list", ()))
        wanted.update(re.findall(r"[A-Za-z_]\w*", rule.kwargs.get("row_condition", "")))
    return [column for column in frame.columns if column in wanted]


@functools.lru_cache(maxsize=None)
def _kind_validation(kind: str):
    """(batch definition, suite, rules by name) for a kind, built once per process.

    Built per validation they cost ~0.1 s each and the context kept every data source with
    its frame (memory grew with the batches); one source per kind holds only the last frame.
    """
    with _PRELOAD_LOCK:
        gx, context = _gx_context()
    run = next(_RUNS)   # names must be unique within the (cached) context
    source = context.data_sources.add_pandas(f"{kind}_source_{run}")
    definition = source.add_dataframe_asset(kind).add_batch_definition_whole_dataframe("batch")
    suite = gx.ExpectationSuite(name=f"{kind}_rules_{run}")
    by_name = {}
    for rule in RULES[kind]:
        suite.add_expectation(getattr(gx.expectations, rule.kind)(**rule.kwargs, meta={"rule": rule.name}))
        by_name[rule.name] = rule
    return definition, context.suites.add(suite), by_name


def validate(kind: str, frame: pd.DataFrame) -> tuple[list[Finding], dict[str, dict]]:
    """Run the kind's suite on the frame: (row findings, per-rule summary for checks)."""
    if frame.empty:
        return [], {rule.name: {"success": True, "unexpected": 0, "severity": rule.severity} for rule in RULES[kind]}
    with _PRELOAD_LOCK:
        gx, context = _gx_context()
    # Only the columns the rules read: GX hashes the whole frame (twice) per validation.
    frame = frame[_rule_columns(kind, frame)]
    definition, suite, by_name = _kind_validation(kind)
    batch = definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        suite,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["row_key"]},
    )
    del batch, frame
    findings, summary = [], {}
    for outcome in result.results:
        rule = by_name[outcome.expectation_config.meta["rule"]]
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            raise RuntimeError(f"rule {rule.name} could not run: {outcome.exception_info.get('exception_message')}")
        keys = [int(item["row_key"]) for item in outcome.result.get("unexpected_index_list") or []]
        findings.extend(Finding(key, rule) for key in keys)
        summary[rule.name] = {"success": bool(outcome.success), "unexpected": len(keys), "severity": rule.severity}
    return findings, summary
