"""A file against what the unit sent before: the rules that judge a whole submission, and their words.

Which submissions count is decided over the ledger (pipeline/warehouse/supersession.py); these
rules tell the clerk (a warning in the feedback workbook) and the operator (audit tables) what
that decision did: a replacement that drops rows, a submission number two files claim, dates
that point to another month than the cover's, a monthly figure far from the unit's own history
(the outliers: dbt's audit.outliers, thresholds in dbt_project.yml). Warnings: the file loads.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from pipeline import enumerations, form
from pipeline.rulebook.model import WARNING, History, Rule

REPLACEMENT_DROPS_ROWS = "replacement_drops_rows"
VERSION_CLAIMED_TWICE = "version_claimed_twice"
REPLACEMENT_LOADS_NOTHING = "replacement_loads_nothing"
DATES_IN_ANOTHER_MONTH = "dates_in_another_month"
FIGURE_FAR_FROM_HISTORY = "figure_far_from_history"
AWAITS_APPROVAL = "awaits_approval"
# More than half of a file's dates (and at least this many) in one other month: the cover's month is likely wrong.
MONTH_EVIDENCE = 3

RULES = [
    Rule(REPLACEMENT_DROPS_ROWS, None, None, WARNING,
         "a later report for the same unit and month (or, for poverty, the same commune and review year) replaces "
         "the earlier one for the sheets it carries: each row of the earlier report that it does not repeat no "
         "longer counts, and is listed (send it again, or send a supplement, Loại báo cáo = Bổ sung)",
         "báo cáo gửi sau của cùng đơn vị và kỳ (hộ nghèo: cùng xã và năm rà soát) thay thế báo cáo trước cho các "
         "trang có số liệu: mỗi dòng của báo cáo trước không có trong báo cáo mới không còn được tính và được liệt "
         "kê (hãy gửi lại, hoặc gửi báo cáo bổ sung, Loại báo cáo = Bổ sung)", History()),
    Rule(REPLACEMENT_LOADS_NOTHING, None, None, WARNING,
         "a later report whose sheet holds data rows, every one rejected, carries nothing of that sheet and "
         "replaces nothing in it: the earlier report's figures for the same unit and month (for poverty, the same "
         "commune and review year) still count until a corrected file is sent",
         "báo cáo gửi sau có trang có dòng số liệu nhưng mọi dòng đều bị loại thì không có số liệu của trang đó và "
         "không thay thế gì trong trang đó: số liệu của báo cáo trước cho cùng đơn vị và kỳ (hộ nghèo: cùng xã và "
         "năm rà soát) vẫn được tính cho đến khi gửi tệp đã sửa", History()),
    Rule(VERSION_CLAIMED_TWICE, "cover", None, WARNING,
         "two different files claim the same submission number (Lần gửi) for one unit and month: the later "
         "replaces the earlier for the sheets both carry (it may be another month's report with a stale Kỳ báo cáo)",
         "hai tệp khác nhau cùng ghi một Lần gửi cho một đơn vị và kỳ: tệp nhận sau thay thế tệp trước cho các "
         "trang cả hai cùng có (có thể là báo cáo của tháng khác mà chưa sửa Kỳ báo cáo)", History()),
    Rule(DATES_IN_ANOTHER_MONTH, "houses", "completion_date", WARNING,
         f"more than half (and at least {MONTH_EVIDENCE}) of the file's new completion dates and of the start dates "
         "of its new cases fall in one month other than its Kỳ báo cáo: the cover's month may be wrong",
         f"hơn một nửa (và ít nhất {MONTH_EVIDENCE}) số ngày hoàn thành mới và ngày khởi công của các hộ mới trong "
         "tệp thuộc một tháng khác Kỳ báo cáo: có thể Kỳ báo cáo trên trang bìa bị ghi sai", History()),
    Rule(FIGURE_FAR_FROM_HISTORY, None, None, WARNING,
         "a monthly figure far from the unit's own previous 12 months (modified z-score beyond 3.5), or a poverty "
         "count far from the unit's previous review: it loads, and is listed for the province to check",
         "số liệu tháng khác xa 12 tháng trước của chính đơn vị (điểm z hiệu chỉnh vượt 3,5), hoặc số hộ khác xa kỳ "
         "rà soát trước: số liệu vẫn được nhận và được đưa vào danh sách để tỉnh kiểm tra", History()),
    Rule(AWAITS_APPROVAL, None, None, WARNING,
         "a file for a month the province has approved (for poverty: a commune's review year it approved) is read "
         "and checked as usual, but its figures await the province's approval: the approved figures stand until "
         "the province approves the month again",
         "tệp của kỳ báo cáo tỉnh đã phê duyệt (hộ nghèo: năm rà soát của xã tỉnh đã phê duyệt) vẫn được đọc và "
         "kiểm tra như thường lệ, nhưng số liệu của tệp chờ tỉnh phê duyệt: số liệu đã phê duyệt được giữ nguyên "
         "cho đến khi tỉnh phê duyệt lại kỳ đó", History()),
]


def _month_text(period) -> str:
    return f"{period:%m/%Y}" if period is not None else "?"


def _what(row: dict) -> tuple[str, str, str, str]:
    """(the key in English, in Vietnamese, the column a clerk looks at, its value) of a dropped row."""
    kind = row["sheet_kind"]
    if kind == "houses":
        return (f"case Mã hộ {row['household_id']}", f"hộ Mã hộ {row['household_id']}", "Mã hộ", row["household_id"])
    if kind == "grants":
        programme = enumerations.label_vi("programme", row["programme"])
        source = enumerations.label_vi("funding_source", row["funding_source"])
        programme_en = enumerations.label_en("programme", row["programme"])
        source_en = enumerations.label_en("funding_source", row["funding_source"])
        value = f"{row['commune_code']} · {programme} · {source}"
        return (f"the grant row of commune {row['commune_code']}, {programme_en}, {source_en}",
                f"dòng hỗ trợ xã {row['commune_code']}, {programme}, {source}", "Chương trình", value)
    if row.get("village"):
        return (f"village {row['village']} of the {row['review_year']} review",
                f"bản {row['village']} của kỳ rà soát năm {row['review_year']}", "Bản", row["village"])
    return (f"the whole-commune row of the {row['review_year']} review",
            f"dòng cả xã của kỳ rà soát năm {row['review_year']}", "Năm rà soát", str(row["review_year"]))


def dropped_row(row: dict, replaced: dict, replacing: dict) -> tuple[str, str, str, str]:
    """(message, message_vi, column, value) telling a replacement's clerk that one earlier row no longer counts,
    and how to send it again: a supplement counts after this file only with the next Lần gửi (a lower one is
    older than this file, and this full report replaces it). row: a supersession.replaced_rows() row; replaced,
    replacing: the replaced and the replacing submissions' ledger rows."""
    next_version = (replacing["version"] or 1) + 1
    what, what_vi, column, value = _what(row)
    sheet = form.sheet_name(row["sheet_kind"])
    earlier = f"'{replaced['file_name']}', Lần gửi {replaced['version'] or 1}, row {row['excel_row']}"
    earlier_vi = f"'{replaced['file_name']}', Lần gửi {replaced['version'] or 1}, dòng {row['excel_row']}"
    scope = (f"commune {row['commune_code']}, review {row['review_year']}" if row["sheet_kind"] == "poverty"
             else _month_text(replaced["period"]))
    scope_vi = (f"xã {row['commune_code']}, rà soát năm {row['review_year']}" if row["sheet_kind"] == "poverty"
                else f"kỳ {_month_text(replaced['period'])}")
    message = (f"{what} ({earlier}) is not in this file, which replaces that report's '{sheet}' for {scope}: it no "
               "longer counts. If it should, send it again, or send it alone as a supplement (Loại báo cáo: Bổ sung) "
               f"with Lần gửi {next_version}")
    message_vi = (f"{what_vi} ({earlier_vi}) không có trong tệp này, tệp thay thế trang '{sheet}' của báo cáo đó "
                  f"({scope_vi}): dòng này không còn được tính. Nếu vẫn cần tính, hãy gửi lại, hoặc gửi riêng dưới "
                  f"dạng báo cáo bổ sung (Loại báo cáo: Bổ sung) với Lần gửi {next_version}")
    return message, message_vi, column, value


def loads_nothing(row: dict) -> tuple[str, str]:
    """(message, message_vi): none of this file's rows of a sheet loaded, so it replaces nothing in it and the earlier
    file's figures still count. row: a supersession.unreplaced_kinds() row."""
    sheet = row["sheet_name"] or form.sheet_name(row["sheet_kind"])
    earlier = f"'{row['other_file_name']}', Lần gửi {row['other_version'] or 1}"
    if row["sheet_kind"] == "poverty":
        scopes = [scope.split("/") for scope in (row["scopes"] or "").split(",") if scope]
        scope = " for " + "; ".join(f"commune {commune}, review {year}" for commune, year in scopes)
        scope_vi = " cho " + "; ".join(f"xã {commune}, rà soát năm {year}" for commune, year in scopes)
    else:
        scope, scope_vi = f" for {_month_text(row['period'])}", f" kỳ {_month_text(row['period'])}"
    return (f"none of the rows of sheet '{sheet}' could be loaded, so this file replaces nothing in it: the figures "
            f"of the earlier file ({earlier}){scope} still count until a corrected file is sent",
            f"không dòng nào của trang '{sheet}' được nhận, nên tệp này không thay thế gì trong trang đó: số liệu của "
            f"tệp trước ({earlier}){scope_vi} vẫn được tính cho đến khi gửi tệp đã sửa")


def awaits_approval(row: dict) -> tuple[str, str]:
    """(message, message_vi): this file's figures of a kind wait for the province, which approved their month.
    row: an approvals.awaiting() row."""
    sheet = form.sheet_name(row["sheet_kind"])
    if row["sheet_kind"] == "poverty":
        scope, scope_vi = (f"commune {row['commune_code']}'s {row['review_year']} review",
                           f"kết quả rà soát năm {row['review_year']} của xã {row['commune_code']}")
    else:
        scope, scope_vi = f"{_month_text(row['period'])}", f"kỳ {_month_text(row['period'])}"
    return (f"the province has already approved {scope}: this file's '{sheet}' is checked and kept, and awaits "
            "the province's approval; until then the approved figures stand (nothing to do unless the province asks)",
            f"tỉnh đã phê duyệt {scope_vi}: trang '{sheet}' của tệp này đã được kiểm tra và lưu lại, đang chờ tỉnh "
            "phê duyệt; cho đến khi đó số liệu đã phê duyệt được giữ nguyên (không cần làm gì trừ khi tỉnh yêu cầu)")


def version_claim(claim: dict) -> tuple[str, str]:
    """(message, message_vi): this file and another claim the same Lần gửi for the unit and month."""
    kinds = ", ".join(f"'{form.sheet_name(k)}'" for k in claim["kinds"].split(","))
    period = _month_text(claim["period"])
    received = claim["other_received_at"]
    when = f" (received {received:%d/%m/%Y})" if received else ""
    when_vi = f" (nhận ngày {received:%d/%m/%Y})" if received else ""
    if claim.get("report_type") == "supplement":   # merged by key into that file's figures, not replacing them
        does = f"this one is merged into it for {kinds} (Loại báo cáo: Bổ sung)"
        does_vi = f"tệp này được bổ sung vào tệp đó cho {kinds} (Loại báo cáo: Bổ sung)"
    else:
        does, does_vi = f"this one replaces it for {kinds}", f"tệp này thay thế tệp đó cho {kinds}"
    return (f"another file, '{claim['other_file_name']}'{when}, also claims Lần gửi {claim['version']} for {period}: "
            f"{does}. If this file is another month's report, correct its Kỳ báo cáo; "
            "if it corrects that file, give it the next Lần gửi",
            f"tệp '{claim['other_file_name']}'{when_vi} cũng ghi Lần gửi {claim['version']} cho kỳ {period}: "
            f"{does_vi}. Nếu tệp này là báo cáo của tháng khác, hãy sửa Kỳ báo cáo; nếu là bản sửa "
            "của tệp đó, hãy ghi Lần gửi tiếp theo")


def same_household_elsewhere(link: dict, reporter: dict) -> tuple[str, str]:
    """(message, message_vi) for the other commune of a household found on open cases of two communes."""
    where = f"'{reporter['file_name']}' ({_month_text(reporter['period'])})"
    return (f"the same Số CCCD as this case is on an open case of commune {link['commune_2025_code']}, Mã hộ "
            f"{link['household_id']}, reported in {where}: one household is one case; both communes are told, "
            "please agree which one reports it",
            f"hộ này có cùng Số CCCD với hộ đang thực hiện của xã {link['commune_2025_code']}, Mã hộ "
            f"{link['household_id']}, báo cáo trong {where}: mỗi hộ chỉ là một hộ; cả hai xã đều được báo, đề nghị "
            "thống nhất xã nào báo cáo hộ này")


def dates_in_another_month(frame) -> dict[str, tuple[str, str]]:
    """{submission: (message, message_vi)} where more than half (and at least MONTH_EVIDENCE) of its new completion
    dates (of cases not completed in an earlier month) and of the start dates of its new cases fall in one month
    other than its Kỳ báo cáo. frame: a derived houses frame (cases.case_history has run on it)."""
    found = {}
    dates: dict[str, Counter] = {s: Counter() for s in frame["submission_id"].unique()}   # months of its new dates
    # most rows repeat a case told before: only the others' dates are looked at, row by row, in order
    new_done = frame["_completed_before"].isna() & frame["completion_date"].notna()
    new_start = ~frame["_known_before"].astype(bool) & frame["start_date"].notna()
    told = frame[new_done | new_start]
    for submission, start, done, take_done, take_start in zip(
            told["submission_id"], told["start_date"], told["completion_date"], new_done[told.index],
            new_start[told.index]):
        if take_done and _given(done):
            dates[submission][(done.year, done.month)] += 1
        if take_start and _given(start):
            dates[submission][(start.year, start.month)] += 1
    periods = dict(zip(frame["submission_id"], frame["period"]))
    for submission, months in dates.items():
        if not months:
            continue
        pool = months.total()
        (year, month), count = months.most_common(1)[0]
        period = periods[submission]
        if (year, month) != (period.year, period.month) and count >= MONTH_EVIDENCE and count * 2 > pool:
            named, cover = f"{month:02d}/{year}", _month_text(period)
            found[submission] = (
                f"{count} of the {pool} new completion and start dates in this file are in {named}, not in "
                f"{cover} (Kỳ báo cáo): is this the report for {named}? If so, correct Kỳ báo cáo and send it again",
                f"{count} trên {pool} ngày hoàn thành và ngày khởi công mới trong tệp thuộc tháng {named}, không "
                f"phải {cover} (Kỳ báo cáo): đây có phải báo cáo tháng {named}? Nếu đúng, hãy sửa Kỳ báo cáo và gửi lại")
    return found


def _given(value) -> bool:
    return value is not None and value == value and isinstance(value, (dt.date, dt.datetime))


# What each measure of audit.outliers is, for the clerk: (sheet kind, English, Vietnamese).
MEASURES = {
    "houses_started": ("houses", "houses started", "số nhà khởi công"),
    "houses_completed": ("houses", "houses completed", "số nhà hoàn thành"),
    "houses_completed_vnd": ("houses", "the cost of the houses completed (đồng)", "kinh phí các nhà hoàn thành (đồng)"),
    "grants_beneficiaries": ("grants", "beneficiaries of {programme}", "số đối tượng {programme_vi}"),
    "grants_vnd": ("grants", "amount paid for {programme} (đồng)", "số tiền {programme_vi} (đồng)"),
    "total_households": ("poverty", "total households", "tổng số hộ"),
    "poor_households": ("poverty", "poor households", "số hộ nghèo"),
    "near_poor_households": ("poverty", "near-poor households", "số hộ cận nghèo"),
}


def _measure(measure: str, programme: str | None) -> tuple[str, str, str]:
    """(sheet kind, English, Vietnamese) of a measure (a grants measure ends with its programme's code)."""
    sheet_kind, english, vietnamese = MEASURES[measure[: -len(programme) - 1] if programme else measure]
    label_en = next((en for code, _, en in enumerations.ENUMERATIONS["programme"] if code == programme), programme)
    labels = {"programme": (label_en or "").lower(), "programme_vi": enumerations.label_vi("programme", programme)}
    return sheet_kind, english.format(**labels), vietnamese.format(**labels)


def outlier(row: dict) -> tuple[str, str, str, str]:
    """(sheet kind, the figure's name, message, message_vi) of an audit.outliers row, for the clerk."""
    sheet_kind, english, vietnamese = _measure(row["measure"], row.get("programme"))
    value, usual = _vi(row["value"]), _vi(row["median"])
    if row.get("review_year") is not None:
        change = f"{row['change_pct']:+.0f} %"
        return (sheet_kind, english,
                f"check this figure: {english} of the {row['review_year']} review is {row['value']:,.0f}, "
                f"{row['median']:,.0f} in the previous review ({change}); if it is right, nothing to do",
                f"hãy kiểm tra số liệu này: {vietnamese} kỳ rà soát năm {row['review_year']} là {value}, kỳ rà soát "
                f"trước là {usual} ({change}); nếu đúng thì không cần làm gì")
    month = _month_text(row["period"])
    return (sheet_kind, english,
            f"check this figure: {english} in {month} is {row['value']:,.0f}, usually about {row['median']:,.0f} "
            "(the unit's previous 12 months); if it is right, nothing to do",
            f"hãy kiểm tra số liệu này: {vietnamese} tháng {month} là {value}, thường khoảng {usual} (12 tháng "
            "trước của đơn vị); nếu đúng thì không cần làm gì")


def _vi(number) -> str:
    return f"{number:,.0f}".replace(",", ".")
