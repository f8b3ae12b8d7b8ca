"""The poverty sheet's rules (the annual review per commune, or per village), and the columns they share."""
from __future__ import annotations

from pipeline import form, standards
from pipeline.ingest.reference import COMMUNE, DISTRICT, FIRST_COMMUNE_REVIEW, reports_review
from pipeline.rulebook.make import a_not_below_b, at_least, flagged, required, unique
from pipeline.rulebook.model import ERROR, WARNING, Expect, OnRead, Rule

P = "poverty"


def prepare(frame) -> None:
    """In place: the reporting year, poor + near-poor (unless poor > total: its own error), the rate's gap."""
    import pandas as pd

    frame["reporting_year"] = pd.to_datetime(frame["period"]).dt.year
    frame["reporting_month"] = pd.to_datetime(frame["period"]).dt.month
    poor, total = frame["poor_households"].astype("Float64"), frame["total_households"].astype("Float64")
    frame["poor_and_near_poor"] = (poor + frame["near_poor_households"].astype("Float64")).where(poor <= total)
    computed = frame["poor_households"] / frame["total_households"].where(frame["total_households"] > 0) * 100
    given = frame["poverty_rate_pct"].astype("Float64")
    # A cell formatted as a percentage reads as 0.1089: accept either reading.
    gap, gap_fraction = (given - computed).abs(), (given * 100 - computed).abs()
    frame["rate_gap_pp"] = pd.concat([gap, gap_fraction], axis=1).min(axis=1).round(6)
    if "village" not in frame:
        frame["village"] = None


def _mixed_villages(frame):
    """Every row of a (submission, commune, year) that has both village rows and a whole-commune row (both kinds
    are rejected: which one is right is not ours to guess)."""
    has_village = frame["village"].notna()
    keys = [frame["submission_id"], frame["commune_code"], frame["review_year"]]
    some = has_village.groupby(keys, dropna=False).transform("any")
    every = has_village.groupby(keys, dropna=False).transform("all")
    return frame["review_year"].where(some & ~every)


def _reviews_of(unit_type: str):
    """The rows whose review year this kind of unit does not report (reviews up to 2024 were reported by
    the districts, from 2025 on by the communes; a year after the report's has its own rule)."""
    def failing(columns, reporter, period) -> list[int]:
        if reporter.unit_type != unit_type:
            return []
        return [i for i, year in enumerate(columns.get("review_year") or ())
                if isinstance(year, int) and year <= period.year and not reports_review(unit_type, year)]
    return failing


def _standard_not_known(columns, reporter, period) -> list[int]:
    """The rows under a Chuẩn nghèo that names no standard we know (two that disagree: the next rule)."""
    return [i for i, statement in enumerate(columns.get("poverty_standard") or ())
            if statement is not None and statement.standard_id is None and not statement.conflict]


def _standard_stated_twice(columns, reporter, period) -> list[int]:
    return [i for i, statement in enumerate(columns.get("poverty_standard") or ())
            if statement is not None and statement.conflict]


def _standard_not_allowed(columns, reporter, period) -> dict[int, dict]:
    """The rows whose review year may not use the standard stated (the seed's allowed_* review years)."""
    failing = {}
    for i, (statement, year) in enumerate(zip(columns.get("poverty_standard") or (), columns.get("review_year") or ())):
        if statement is None or statement.standard_id is None or not isinstance(year, int):
            continue
        if not standards.by_id(statement.standard_id).allows(year):
            allowed = standards.allowed_for(year)
            failing[i] = {"standard": statement.standard_id, "year": year,
                          "allowed": " / ".join(s.label for s in allowed) or "–"}
    return failing


_FIRST = FIRST_COMMUNE_REVIEW
_STANDARD = form.COVER_LABEL["poverty_standard"].label

RULES = [
    required("review_year_required", P, "review_year"),
    at_least(f"review_year_from_{form.FIRST_REVIEW_YEAR}", P, "review_year"),
    a_not_below_b("review_year_not_after_report", P, "reporting_year", "review_year", "review_year", ERROR,
                  "review year (Năm rà soát) is after the reporting year", "Năm rà soát sau năm báo cáo"),
    flagged("review_year_ended", P, "review_year", "review_not_ended",
            lambda frame: frame["review_year"].where(((frame["review_year"] == frame["reporting_year"])
                                                      & (frame["reporting_month"] < 12)).fillna(False)),
            "the review of this year (Năm rà soát) has not ended: the yearly review runs from 1 September to 14 "
            "December and its results are reported from the December report on; before December, a report "
            "carries the previous year's review",
            "kỳ rà soát của năm này (Năm rà soát) chưa kết thúc: rà soát hằng năm từ 1/9 đến 14/12, kết quả báo cáo "
            "từ kỳ báo cáo tháng 12; trước tháng 12, báo cáo chỉ gồm kết quả rà soát của năm trước"),
    required("total_required", P, "total_households"),
    at_least("total_positive", P, "total_households"),
    required("poor_required", P, "poor_households"),
    at_least("poor_not_negative", P, "poor_households"),
    required("near_poor_required", P, "near_poor_households"),
    at_least("near_poor_not_negative", P, "near_poor_households"),
    a_not_below_b("poor_within_total", P, "total_households", "poor_households", "poor_households", ERROR,
                  "poor households (Số hộ nghèo) exceed total households", "Số hộ nghèo lớn hơn Tổng số hộ"),
    a_not_below_b("poor_and_near_poor_within_total", P, "total_households", "poor_and_near_poor",
                  "near_poor_households", ERROR, "poor + near-poor households exceed total households",
                  "Số hộ nghèo + cận nghèo lớn hơn Tổng số hộ"),
    a_not_below_b("ethnic_minority_within_poor", P, "poor_households", "poor_ethnic_minority_households",
                  "poor_ethnic_minority_households", ERROR,
                  "poor ethnic-minority households (Hộ nghèo DTTS) exceed poor households",
                  "Hộ nghèo DTTS lớn hơn Số hộ nghèo"),
    # One row per commune and year, or one per village (Bản) and year (summed in the warehouse).
    unique("commune_year_unique", P, ["commune_code", "review_year", "village"], "commune_code",
           "commune and review year (or village, Bản)", "xã và năm rà soát (hoặc bản)"),
    flagged("villages_not_mixed_with_commune_row", P, "village", "village_mixed", _mixed_villages,
            "village rows (Bản) and a whole-commune row for the same commune and review year: give either one row "
            "for the commune or one row per village, not both",
            "vừa có dòng theo bản vừa có dòng cả xã cho cùng xã và năm rà soát: chỉ ghi một dòng cho cả xã hoặc mỗi "
            "bản một dòng"),
    Rule("rate_matches_counts", P, "poverty_rate_pct", WARNING,
         f"poverty rate differs from poor/total x 100 by more than {form.RATE_TOLERANCE_PP} points",
         f"tỷ lệ hộ nghèo lệch quá {form.RATE_TOLERANCE_PP} điểm so với số hộ nghèo / tổng số hộ",
         Expect("ExpectColumnValuesToBeBetween", {"column": "rate_gap_pp", "max_value": form.RATE_TOLERANCE_PP})),
    # Read with the row: which unit reports a review (the district level ended on 01/07/2025).
    Rule(f"commune_report_reviews_from_{_FIRST}", P, "review_year", ERROR,
         f"review year {{value}}: the reviews up to {_FIRST - 1} were reported by the districts; a commune's report "
         f"carries reviews from {_FIRST} on only (remove this row)",
         f"năm rà soát {{value}}: kết quả rà soát đến năm {_FIRST - 1} do huyện báo cáo; báo cáo của xã chỉ gồm kết "
         f"quả rà soát từ năm {_FIRST} (hãy xóa dòng này)", OnRead(_reviews_of(COMMUNE))),
    # The standard the review used: stated on the cover or above the table (pipeline/ingest/stated.py), else the
    # seed's default for the review year (in dbt). Which standard a review used is never guessed.
    Rule("poverty_standard_known", P, "poverty_standard", ERROR,
         f"{_STANDARD} '{{value}}' names no poverty standard we know: write the legal act or the period "
         f"({standards.spellings()}), or leave it blank for the standard of the review year",
         f"{_STANDARD} '{{value}}' không phải chuẩn nghèo đã biết: hãy ghi văn bản quy định hoặc giai đoạn "
         f"({standards.spellings()}), hoặc để trống (áp dụng chuẩn nghèo của năm rà soát)",
         OnRead(_standard_not_known)),
    Rule("poverty_standard_stated_once", P, "poverty_standard", ERROR,
         f"{_STANDARD} is stated more than once, differently ('{{value}}'; on the cover and above the table, or "
         "twice): which standard the review used is not ours to guess; state it once",
         f"{_STANDARD} được ghi nhiều lần, khác nhau ('{{value}}'; trên trang bìa và phía trên bảng, hoặc hai lần): "
         "không thể đoán chuẩn nghèo đã dùng khi rà soát; chỉ ghi một lần", OnRead(_standard_stated_twice)),
    Rule("poverty_standard_allowed_for_year", P, "poverty_standard", ERROR,
         f"{_STANDARD} '{{value}}' (standard {{standard}}) does not apply to review year {{year}}: a {{year}} review "
         f"is classified under {{allowed}}; correct {_STANDARD} or the review year (Năm rà soát)",
         f"{_STANDARD} '{{value}}' (chuẩn {{standard}}) không áp dụng cho năm rà soát {{year}}: rà soát năm "
         f"{{year}} theo chuẩn {{allowed}}; hãy sửa {_STANDARD} hoặc Năm rà soát", OnRead(_standard_not_allowed)),
    Rule(f"district_report_reviews_up_to_{_FIRST - 1}", P, "review_year", ERROR,
         f"review year {{value}}: from the {_FIRST} review on the communes report their own results (the district "
         "level was abolished on 01/07/2025); remove this row from the district's report",
         f"năm rà soát {{value}}: từ kỳ rà soát năm {_FIRST} các xã tự báo cáo kết quả (không còn cấp huyện từ "
         "01/07/2025); hãy xóa dòng này khỏi báo cáo của huyện", OnRead(_reviews_of(DISTRICT))),
]
