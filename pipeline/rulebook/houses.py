"""The houses sheet's rules (one row per household case), and the columns they share."""
from __future__ import annotations

from pipeline import form
from pipeline.rulebook.cases import colliding_ids, known_case
from pipeline.rulebook.make import (
    UNIT_HINT, UNIT_HINT_VI, a_not_below_b, at_least, date_from, flagged, implausible_amounts, plausible_amount,
    required, unique, valid_choice,
)
from pipeline.rulebook.model import ERROR, WARNING, Expect, Lookup, OnRead, Rule

H = "houses"
AMOUNTS = ("central_budget", "local_budget", "social_contribution")
COMPLETED = 'status=="completed"'
NORMS = form.HOUSE_NORM_VND


def prepare(frame) -> None:
    """Columns several rules compare, in place: blank amounts are 0, the total, the norm's limit, dates, month end."""
    import pandas as pd

    for key in AMOUNTS:
        frame[key] = frame[key].fillna(0).astype("int64")
    frame["total_vnd"] = frame["central_budget"] + frame["local_budget"] + frame["social_contribution"]
    frame["norm_limit_vnd"] = (frame["support_type"].map(NORMS) * form.NORM_MULTIPLE).astype("Float64")
    for key in ("start_date", "completion_date"):
        frame[key] = pd.to_datetime(frame[key])
    frame["period_end"] = pd.to_datetime(frame["period"]) + pd.offsets.MonthEnd(0)


def _implausible_total(frame):
    """A completed case's total below 1 % of its norm, unless a cell is already an error on its own (below
    1,000 đồng) or the total is 0 (completed_needs_money says so)."""
    import pandas as pd

    any_small = pd.Series(False, index=frame.index)
    for values in implausible_amounts(frame, AMOUNTS).values():
        any_small |= values.notna()
    total = frame["total_vnd"].astype("Float64")
    norm = frame["support_type"].map(NORMS)
    low = (frame["status"] == "completed") & (total > 0) & ~any_small & (total < norm * form.MIN_NORM_SHARE)
    return total.where(low.fillna(False))


def _new_case_without_head(frame, known_cases):
    """The household head may be blank on a case already known: a current submission loaded it (the
    warehouse answers known_cases(keys)), or another file of this batch gives it with its head. A case is
    keyed by Mã hộ within today's commune, so a district-era case is known to its new commune."""
    known = known_case(frame, known_cases)
    return frame["household_id"].where(frame["household_head"].isna() & ~known)


def _national_id_malformed(columns, reporter, period) -> list[int]:
    digits = form.NATIONAL_ID_DIGITS
    return [i for i, value in enumerate(columns.get("national_id") or ())
            if value is not None and not (len(value) == digits and value.isdigit())]


_NORM_TEXT = f"{NORMS['new_build']:,} new build / {NORMS['repair']:,} repair"
_SHARE_TEXT = (f"{NORMS['new_build'] * form.MIN_NORM_SHARE:,.0f} đồng new build / "
               f"{NORMS['repair'] * form.MIN_NORM_SHARE:,.0f} repair")

RULES = [
    required("household_id_required", H, "household_id"),
    Rule("household_head_required", H, "household_head", ERROR,
         "Họ tên chủ hộ (household_head) is required for a case not reported before (no current submission of "
         "this unit has this household ID, Mã hộ)",
         "thiếu Họ tên chủ hộ: bắt buộc với hộ chưa có trong báo cáo nào đã nhận của đơn vị (theo Mã hộ)",
         Lookup("new_case_without_head", _new_case_without_head, "known_house_cases")),
    required("category_required", H, "category"),
    valid_choice("category_valid", H, "category"),
    required("support_type_required", H, "support_type"),
    valid_choice("support_type_valid", H, "support_type"),
    required("status_required", H, "status"),
    valid_choice("status_valid", H, "status"),
    *(at_least(f"{key}_not_negative", H, key) for key in AMOUNTS),
    Rule("completed_needs_completion_date", H, "completion_date", ERROR,
         "a completed house needs its completion date (Ngày hoàn thành)", "nhà đã hoàn thành phải có Ngày hoàn thành",
         Expect("ExpectColumnValuesToNotBeNull",
                {"column": "completion_date", "row_condition": COMPLETED, "condition_parser": "pandas"})),
    at_least("completed_needs_money", H, "total_vnd", 1, "Tổng kinh phí", AMOUNTS,
             row_condition=COMPLETED, condition_parser="pandas"),
    a_not_below_b("completion_not_before_start", H, "completion_date", "start_date", "completion_date", ERROR,
                  "completion date is before the start date (Ngày khởi công)", "Ngày hoàn thành trước Ngày khởi công"),
    a_not_below_b("completion_not_after_period", H, "period_end", "completion_date", "completion_date", ERROR,
                  "completion date is after the reporting month", "Ngày hoàn thành sau kỳ báo cáo"),
    unique("household_unique", H, ["household_id"], "household_id", "household ID (Mã hộ)", "Mã hộ"),
    *(plausible_amount(H, key) for key in AMOUNTS),
    flagged("completed_total_plausible", H, "total_vnd", "implausible_total_vnd", _implausible_total,
            f"a completed case's total support is below {form.MIN_NORM_SHARE:.0%} of the programme norm "
            f"({_SHARE_TEXT}); {UNIT_HINT}",
            f"tổng kinh phí của nhà đã hoàn thành dưới {form.MIN_NORM_SHARE:.0%} định mức; {UNIT_HINT_VI}", AMOUNTS),
    date_from(H, "start_date"),
    date_from(H, "completion_date"),
    flagged("start_not_after_period", H, "start_date", "start_after_period",
            lambda frame: frame["start_date"].where(frame["start_date"] > frame["period_end"]),
            "start date (Ngày khởi công) is after the reporting month", "Ngày khởi công sau kỳ báo cáo"),
    flagged("not_started_without_completion_date", H, "completion_date", "completion_if_not_started",
            lambda frame: frame["completion_date"].where(frame["status"] == "not_started"),
            "a case not started (Chưa khởi công) cannot have a completion date (Ngày hoàn thành)",
            "nhà chưa khởi công không thể có Ngày hoàn thành"),
    Rule("household_id_not_shared_by_two_cases", H, "household_id", ERROR,
         "two districts used this household ID (Mã hộ) for two different cases that are both in this commune now: "
         "give this case a new Mã hộ and say the old one in Ghi chú",
         "hai huyện cũ đã dùng Mã hộ này cho hai hộ khác nhau, nay cùng thuộc xã: hãy đặt Mã hộ mới cho hộ này và ghi "
         "Mã hộ cũ vào cột Ghi chú",
         Lookup("household_id_collision", colliding_ids, "house_districts")),
    a_not_below_b("within_programme_norm", H, "norm_limit_vnd", "total_vnd", "total_vnd", WARNING,
                  f"total support is above {form.NORM_MULTIPLE}x the programme norm ({_NORM_TEXT})",
                  f"tổng kinh phí vượt {form.NORM_MULTIPLE} lần định mức", AMOUNTS),
    # Read with the row (the parser gives the ID as written, spaces and dots dropped).
    Rule("national_id_12_digits", H, "national_id", ERROR, "national ID (Số CCCD) must be 12 digits",
         "Số CCCD phải gồm 12 chữ số", OnRead(_national_id_malformed)),
]
