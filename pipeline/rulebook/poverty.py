"""The poverty sheet's rules (the annual review per commune, or per village), and the columns they share."""
from __future__ import annotations

from pipeline import form
from pipeline.ingest.reference import COMMUNE, DISTRICT, FIRST_COMMUNE_REVIEW, reports_review
from pipeline.rulebook.make import a_not_below_b, at_least, flagged, required, unique
from pipeline.rulebook.model import ERROR, WARNING, Expect, OnRead, Rule

P = "poverty"


def prepare(frame) -> None:
    """In place: the reporting year, poor + near-poor (unless poor > total: its own error), the rate's gap."""
    import pandas as pd

    frame["reporting_year"] = pd.to_datetime(frame["period"]).dt.year
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


_FIRST = FIRST_COMMUNE_REVIEW

RULES = [
    required("review_year_required", P, "review_year"),
    at_least(f"review_year_from_{form.FIRST_REVIEW_YEAR}", P, "review_year"),
    a_not_below_b("review_year_not_after_report", P, "reporting_year", "review_year", "review_year", ERROR,
                  "review year (Năm rà soát) is after the reporting year", "Năm rà soát sau năm báo cáo"),
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
    Rule(f"district_report_reviews_up_to_{_FIRST - 1}", P, "review_year", ERROR,
         f"review year {{value}}: from the {_FIRST} review on the communes report their own results (the district "
         "level was abolished on 01/07/2025); remove this row from the district's report",
         f"năm rà soát {{value}}: từ kỳ rà soát năm {_FIRST} các xã tự báo cáo kết quả (không còn cấp huyện từ "
         "01/07/2025); hãy xóa dòng này khỏi báo cáo của huyện", OnRead(_reviews_of(DISTRICT))),
]
