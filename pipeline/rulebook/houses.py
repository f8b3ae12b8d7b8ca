"""The houses sheet's rules (one row per household case), and the columns they share."""
from __future__ import annotations

from pipeline import form
from pipeline.rulebook import cases
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
    norm = frame["support_type"].map(NORMS).astype("Float64")
    # above 10x the norm is an error of its own (within_ten_times_norm): not also the 3x warning
    above = (frame["total_vnd"] > norm * form.MAX_NORM_MULTIPLE).fillna(False)
    frame["norm_limit_vnd"] = (norm * form.NORM_MULTIPLE).where(~above)
    for key in ("start_date", "completion_date"):
        frame[key] = pd.to_datetime(frame[key])
    frame["period_end"] = pd.to_datetime(frame["period"]) + pd.offsets.MonthEnd(0)
    # the day the file was received (the batch's; a frame built elsewhere has none)
    frame["received_on"] = pd.to_datetime(frame["received_on"] if "received_on" in frame else pd.NaT)


def _implausible_total(completed: bool):
    """A case's positive total below 1 % of its norm (completed cases, or the others), unless a cell is
    already an error on its own (below 1,000 đồng); a completed case's 0 is completed_needs_money's."""
    def derive(frame):
        import pandas as pd

        any_small = pd.Series(False, index=frame.index)
        for values in implausible_amounts(frame, AMOUNTS).values():
            any_small |= values.notna()
        total = frame["total_vnd"].astype("Float64")
        norm = frame["support_type"].map(NORMS)
        status = (frame["status"] == "completed") if completed else (frame["status"] != "completed")
        low = status & (total > 0) & ~any_small & (total < norm * form.MIN_NORM_SHARE)
        return total.where(low.fillna(False))
    return derive


def _above_ten_times_norm(frame):
    total = frame["total_vnd"].astype("Float64")
    norm = frame["support_type"].map(NORMS).astype("Float64")
    return total.where((total > norm * form.MAX_NORM_MULTIPLE).fillna(False))


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
    # a blank Mã hộ is its own error (required), not a duplicate of every other blank one
    unique("household_unique", H, ["household_id"], "household_id", "household ID (Mã hộ)", "Mã hộ",
           blank_is_no_key=True),
    *(plausible_amount(H, key) for key in AMOUNTS),
    flagged("completed_total_plausible", H, "total_vnd", "implausible_total_vnd", _implausible_total(True),
            f"a completed case's total support is below {form.MIN_NORM_SHARE:.0%} of the programme norm "
            f"({_SHARE_TEXT}); {UNIT_HINT}",
            f"tổng kinh phí của nhà đã hoàn thành dưới {form.MIN_NORM_SHARE:.0%} định mức; {UNIT_HINT_VI}", AMOUNTS),
    flagged("open_case_total_plausible", H, "total_vnd", "implausible_open_total_vnd", _implausible_total(False),
            f"the total support of a case not yet completed is above 0 but below {form.MIN_NORM_SHARE:.0%} of the "
            f"programme norm ({_SHARE_TEXT}); {UNIT_HINT}",
            f"tổng kinh phí của nhà chưa hoàn thành lớn hơn 0 nhưng dưới {form.MIN_NORM_SHARE:.0%} định mức; "
            f"{UNIT_HINT_VI}", AMOUNTS),
    flagged("within_ten_times_norm", H, "total_vnd", "total_above_ten_norms", _above_ten_times_norm,
            f"total support is above {form.MAX_NORM_MULTIPLE}x the programme norm ({_NORM_TEXT}): it was probably "
            "typed in đồng under a header in nghìn or triệu đồng, or has extra zeros; check the numbers and the "
            "unit in the header",
            f"tổng kinh phí vượt {form.MAX_NORM_MULTIPLE} lần định mức: có lẽ số tiền được ghi theo đồng dưới tiêu đề "
            "tính bằng nghìn hoặc triệu đồng, hoặc thừa chữ số 0; hãy kiểm tra số tiền và đơn vị ở tiêu đề cột",
            AMOUNTS),
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
         Lookup(cases.COLLISION, colliding_ids, "house_districts")),
    a_not_below_b("within_programme_norm", H, "norm_limit_vnd", "total_vnd", "total_vnd", WARNING,
                  f"total support is above {form.NORM_MULTIPLE}x the programme norm ({_NORM_TEXT})",
                  f"tổng kinh phí vượt {form.NORM_MULTIPLE} lần định mức", AMOUNTS),
    # States that cannot follow each other (a completed case stays completed).
    flagged("in_progress_without_completion_date", H, "completion_date", "completion_if_in_progress",
            lambda frame: frame["completion_date"].where(frame["status"] == "in_progress"),
            "a case in progress (Đang thi công) cannot have a completion date (Ngày hoàn thành): if the house is "
            "finished its status is Hoàn thành, if not leave the date blank",
            "nhà đang thi công không thể có Ngày hoàn thành: nếu nhà đã xong thì Tình trạng là Hoàn thành, nếu chưa "
            "thì để trống Ngày hoàn thành"),
    flagged("completion_not_after_receipt", H, "completion_date", "completion_after_receipt",
            lambda frame: frame["completion_date"].where(frame["completion_date"] > frame["received_on"]),
            "completion date (Ngày hoàn thành) is after the day this file was received: a house is reported "
            "completed once it is finished",
            "Ngày hoàn thành sau ngày tỉnh nhận tệp này: chỉ báo cáo hoàn thành khi nhà đã xây xong"),
    Rule("completed_case_stays_completed", H, "status", ERROR,
         "this case was reported completed in the report for {detail}: a later month cannot report it not completed "
         "(the completed state stands; if that earlier report was wrong, send that month again)",
         "hộ này đã được báo cáo hoàn thành trong báo cáo kỳ {detail}: kỳ sau không thể báo cáo chưa hoàn thành (giữ "
         "trạng thái hoàn thành; nếu báo cáo kỳ đó sai, hãy gửi lại báo cáo kỳ đó)",
         Lookup("reopened_after_completion", cases.reopened, "house_case_states")),
    # One household, one case: Mã hộ within today's commune; the same Số CCCD (compared in the raw layer only).
    Rule("household_id_held_by_another_commune", H, "household_id", ERROR,
         "this household ID (Mã hộ) is a case of {detail}, which reported it first: give this case its own Mã hộ "
         "(a case is counted once, by the commune that holds it)",
         "Mã hộ này là của một hộ thuộc {detail} (đã báo cáo trước): hãy đặt Mã hộ riêng cho hộ này (mỗi hộ chỉ "
         "được tính một lần, cho xã đang quản lý)",
         Lookup("household_id_held_elsewhere", cases.held_elsewhere, "house_holders")),
    flagged("national_id_once_per_sheet", H, "national_id", "national_id_repeated", cases.repeated_national_id,
            "another case in this sheet has the same national ID (Số CCCD): one household is one case, under one "
            "Mã hộ (both rows rejected: keep one)",
            "một hộ khác trong trang này có cùng Số CCCD: mỗi hộ chỉ có một Mã hộ (cả hai dòng bị loại: giữ lại một "
            "dòng)", ("household_id",)),
    Rule("case_continues_earlier_id", H, "household_id", WARNING,
         "this household (the same Số CCCD) was reported in this commune as case {detail}: this row continues that "
         "case (one case, not two); please keep the Mã hộ {detail}",
         "hộ này (cùng Số CCCD) đã được báo cáo tại xã với Mã hộ {detail}: dòng này được tính tiếp cho hộ đó (một "
         "hộ, không phải hai); đề nghị giữ Mã hộ {detail}",
         Lookup("continues_case", cases.continues_case, "same_national_id")),
    Rule("same_household_as_completed_case", H, "household_id", WARNING,
         "this household (the same Số CCCD) already has a completed case in this commune, Mã hộ {detail}: this row "
         "is counted as a second case; if it is the same house, remove it",
         "hộ này (cùng Số CCCD) đã có nhà hoàn thành tại xã, Mã hộ {detail}: dòng này được tính là hộ thứ hai; nếu "
         "là cùng một nhà, hãy xóa dòng này",
         Lookup("completed_case_same_household", cases.completed_same_household, "same_national_id")),
    Rule("same_household_in_another_commune", H, "household_id", WARNING,
         "the same Số CCCD is on an open case of another commune, Mã hộ {detail}: one household is one case; both "
         "communes are told, please agree which one reports it",
         "cùng Số CCCD với hộ đang thực hiện của xã khác, Mã hộ {detail}: mỗi hộ chỉ là một hộ; cả hai xã đều được "
         "báo, đề nghị thống nhất xã nào báo cáo hộ này",
         Lookup("same_household_other_commune", cases.other_commune_same_household, "same_national_id")),
    # Read with the row (the parser gives the ID as written, spaces and dots dropped).
    Rule("national_id_12_digits", H, "national_id", ERROR, "national ID (Số CCCD) must be 12 digits",
         "Số CCCD phải gồm 12 chữ số", OnRead(_national_id_malformed)),
]
