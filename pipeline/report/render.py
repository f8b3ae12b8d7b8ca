"""The report as one self-contained HTML page, from Jinja2 templates (pipeline/report/templates/):
Vietnamese headings with the English beside them, each chart embedded as an SVG data URI with its
numbers as a table under it, and every figure in a JSON data island
(<script type="application/json" id="report-data">).

Nothing is loaded from anywhere: no script runs, no font, style or image is fetched, and the
page's Content-Security-Policy forbids it, so it opens the same from a file on an intranet PC.
This module only shapes the figures into tables of formatted cells; the markup is the templates'.
"""
from __future__ import annotations

import base64
import calendar
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from markupsafe import Markup

from pipeline.report import fmt
from pipeline.report.labels import Labels

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
DATA_ISLAND_ID = "report-data"
NOT_AVAILABLE_ID = "commune-not-available"
DAGGER = " †"   # after a change that does not compare like with like
PROVISIONAL = " ‡"   # after a period whose figures the province has not approved (all of them) yet
LEVELS = {"province": ("Toàn tỉnh", "province"), "district": ("Huyện", "district"),
          "commune_2025": ("Xã, phường (bản đồ hiện nay)", "commune (today's map)")}


@dataclass
class Table:
    """columns: (Vietnamese, English, numeric); rows: cells already formatted as text; flagged:
    indexes of rows shown as standing on partial reporting; marked: a cell carries DAGGER."""
    name: str
    columns: list[tuple[str, str, bool]]
    rows: list[list[str]]
    flagged: set[int] = field(default_factory=set)
    marked: bool = False


# -- small helpers the templates call ----------------------------------------------------------------

def months_label(date_from, date_to) -> tuple[str, str]:
    start, end = fmt.as_date(date_from), fmt.as_date(date_to)
    vi = f"tháng {start.month:02d}–{end.month:02d}/{end.year}" if start.year == end.year else \
        f"{fmt.month(start)}–{fmt.month(end)}"
    en = (f"{calendar.month_abbr[start.month]}–{calendar.month_abbr[end.month]} {end.year}" if start.year == end.year
          else f"{calendar.month_abbr[start.month]} {start.year}–{calendar.month_abbr[end.month]} {end.year}")
    return vi, en


def reported(row: dict) -> str:
    text = f"{fmt.integer(row['communes_reported'])}/{fmt.integer(row['communes_due'])}"
    return text + " ⚠" if row["communes_reported"] < row["communes_due"] else text


def not_like_for_like(flag) -> str:
    return DAGGER if flag is False else ""


def dagger_note() -> Markup:
    return Markup("† không so sánh tương đương <span class=\"en\">· not like for like: partial reporting, or "
                  "(on today's map) an approximate mapping in one of the two years</span>. "
                  f"{BREAK}: không so sánh qua hai chuẩn nghèo <span class=\"en\">· no change is read across two "
                  "poverty standards</span>")


BREAK = "đổi chuẩn · new standard"   # a change of poverty standard: no change is read across it


def change(row: dict, has_previous: bool = False) -> str:
    """The change against the previous review year; across a change of poverty standard (the previous
    year has figures, not comparable) the break, never a number."""
    if row["change_pp"] is None and has_previous and row["comparable_with_previous"] is False:
        return BREAK
    return fmt.decimal(row["change_pp"], signed=True) + (not_like_for_like(row["change_like_for_like"])
                                                          if row["change_pp"] is not None else "")


def standard(row: dict) -> str:
    return "nhiều chuẩn · mixed" if row["poverty_standard"] == "mixed" else (row["poverty_standard"] or "–")


def data_island(figures: dict) -> Markup:
    text = json.dumps(figures, ensure_ascii=False, sort_keys=True, indent=1)
    # the only sequence that could end the script element early
    text = text.replace("</", "<\\/")
    return Markup(f'<script type="application/json" id="{DATA_ISLAND_ID}">\n{text}\n</script>')


# -- the tables under the charts ---------------------------------------------------------------------

def grants_year_to_date(figures: dict) -> Table:
    rows = figures["headline"].get("grants_year_to_date", {}).get("rows", [])
    return Table("grants_year_to_date",
                 [("Chương trình", "programme", False), ("Số đối tượng", "beneficiaries", True),
                  ("Số tiền (triệu đồng)", "amount (million VND)", True)],
                 [[f"{r['label_vi']} · {r['label_en']}",
                   f"{fmt.integer(r['beneficiaries'])} {r['beneficiary_unit_label_vi']} · {r['beneficiary_unit_label_en']}",
                   fmt.millions(r["amount_vnd"])] for r in rows])


def poverty_province(figures: dict) -> Table:
    rows = figures["poverty_province"]
    years = {r["review_year"] for r in rows}
    return Table("poverty_province",
                 [("Năm", "year", False), ("Tổng số hộ", "households", True), ("Hộ nghèo", "poor", True),
                  ("Hộ cận nghèo", "near-poor", True), ("Tỷ lệ nghèo %", "poverty rate %", True),
                  ("Tỷ lệ cận nghèo %", "near-poor rate %", True), ("Thay đổi (điểm)", "change (points)", True),
                  ("Chuẩn nghèo", "poverty standard", False),
                  ("Xã báo cáo/phải báo cáo", "communes reported/due", True)],
                 [[str(r["review_year"]), fmt.integer(r["total_households"]), fmt.integer(r["poor_households"]),
                   fmt.integer(r["near_poor_households"]), fmt.decimal(r["poverty_rate_pct"]),
                   fmt.decimal(r["near_poor_rate_pct"]), change(r, r["review_year"] - 1 in years), standard(r),
                   reported(r)]
                  for r in rows],
                 {i for i, r in enumerate(rows) if r["is_partial"]},
                 any(r["change_like_for_like"] is False for r in rows))


def district_years(figures: dict) -> list[int]:
    return sorted({r["review_year"] for r in figures["poverty_district"]})


def poverty_district(figures: dict) -> Table:
    years = district_years(figures)
    by_district: dict[str, dict] = defaultdict(dict)
    names = {}
    for r in figures["poverty_district"]:
        by_district[r["district_code"]][r["review_year"]] = r
        names[r["district_code"]] = r["district_name"]
    body, partial = [], set()
    for i, code in enumerate(sorted(by_district)):
        found = by_district[code]
        latest = found[max(found)]
        body.append([code, names[code] or ""]
                    + [fmt.decimal(found[y]["poverty_rate_pct"]) if y in found else "–" for y in years]
                    + [fmt.decimal(latest["change_since_first_pp"], signed=True), reported(latest)])
        if any(r["is_partial"] for r in found.values()):
            partial.add(i)
    standards = year_standards(figures["poverty_district"])
    first = min((r["first_review_year"] for r in figures["poverty_district"] if r["review_year"] == years[-1]),
                default=None) if years else None
    return Table("poverty_district",
                 [("Mã", "code", False), ("Huyện", "district", False)]
                 + [(f"{y} %", f"rate, standard {standards[y]}", True) for y in years]
                 + [(f"Thay đổi (điểm) từ {first}, cùng chuẩn nghèo",
                     f"change (points) since {first}, within one standard", True),
                    ("Xã báo cáo/phải báo cáo, năm cuối", "communes reported/due, latest year", True)],
                 body, partial)


def year_standards(rows: list[dict]) -> dict[int, str]:
    """Each review year's poverty standard across the rows (mixed when they differ)."""
    found: dict[int, set] = defaultdict(set)
    for r in rows:
        found[r["review_year"]].add(r["poverty_standard"])
    return {year: standard({"poverty_standard": names.pop() if len(names) == 1 else "mixed"})
            for year, names in found.items()}


def poverty_commune(figures: dict) -> Table:
    rows = figures["poverty_commune"]
    return Table("poverty_commune",
                 [("Hạng", "rank", True), ("Mã", "code", False), ("Xã, phường", "commune", False),
                  ("Tổng số hộ", "households", True), ("Hộ nghèo", "poor", True),
                  ("Tỷ lệ nghèo %", "poverty rate %", True), ("Thay đổi (điểm)", "change (points)", True),
                  ("Chuẩn nghèo", "poverty standard", False),
                  ("Xã cũ báo cáo/phải báo cáo", "old communes reported/expected", True),
                  ("Quy đổi", "mapping", False)],
                 [[str(r["rank_in_year"]), r["commune_2025_code"], r["commune_2025_name"] or "",
                   fmt.integer(r["total_households"]), fmt.integer(r["poor_households"]),
                   fmt.decimal(r["poverty_rate_pct"]), change(r, r["previous_mapping"] is not None), standard(r),
                   reported(r), "gần đúng · approximate" if r["mapping"] == "approximate" else "đúng · exact"]
                  for r in rows],
                 {i for i, r in enumerate(rows) if r["is_partial"]},
                 any(r["change_like_for_like"] is False for r in rows))


def _year_note(figures: dict, year: int) -> str:
    period = figures["period"]
    if period.get("latest_month") and year > period["last_full_year"]:
        return f"{year} (đến · to {fmt.month(period['latest_month'])})"
    return str(year)


def _provisional(row: dict) -> str:
    return PROVISIONAL if row.get("approval_status") != "approved" else ""


def houses_by_year(figures: dict) -> Table:
    labels = Labels(figures["labels"])
    codes = labels.codes("support_type")
    return Table("houses_by_year",
                 [("Năm", "year", False)] + [(*labels.pair("support_type", c), True) for c in codes]
                 + [("Tổng", "total", True)],
                 [[_year_note(figures, r["year"]) + _provisional(r)] + [fmt.integer(r[f"completed_{c}"]) for c in codes]
                  + [fmt.integer(r["houses_completed"])] for r in figures["houses_by_year"]])


def houses_cost(figures: dict) -> Table:
    labels = Labels(figures["labels"])
    sources = ("central", "local", "social")
    return Table("houses_cost",
                 [("Năm", "year", False)]
                 + [(f"{labels.pair('funding_source', c)[0]} (tỷ đồng)", f"{labels.pair('funding_source', c)[1]} "
                     "(billion VND)", True) for c in sources]
                 + [("Tổng (tỷ đồng)", "total (billion VND)", True)],
                 [[_year_note(figures, r["year"]) + _provisional(r)] + [fmt.billions(r[f"completed_{c}_vnd"])
                                                                        for c in sources]
                  + [fmt.billions(r["completed_vnd"])] for r in figures["houses_by_year"]])


def grants_by_month(figures: dict) -> Table:
    labels = Labels(figures["labels"])
    rows = figures["grants_by_month"]
    codes = labels.codes("programme", {r["programme"] for r in rows})
    found = {(r["period"], r["programme"]): r for r in rows}
    provisional = {r["period"] for r in rows if r.get("approval_status") != "approved"}
    return Table("grants_by_month",
                 [("Tháng", "month", False)]
                 + [(f"{labels.pair('programme', c)[0]} (triệu đồng)", f"{labels.pair('programme', c)[1]} "
                     "(million VND)", True) for c in codes],
                 [[fmt.month(m) + (PROVISIONAL if m in provisional else "")]
                  + [fmt.millions(found[(m, c)]["amount_vnd"]) if (m, c) in found else "–" for c in codes]
                  for m in sorted({r["period"] for r in rows})])


def completeness(figures: dict) -> Table:
    """Months in which every unit was on time are shown as runs (01/2020–06/2021), the others one by one."""
    labels = Labels(figures["labels"])
    codes = labels.codes("completeness_state")
    body, flagged, run = [], set(), []

    def counts(row):
        return [fmt.integer(row[f"units_{c}"]) for c in codes]

    def close_run():
        if run:
            span = fmt.month(run[0]["period"]) if len(run) == 1 else \
                f"{fmt.month(run[0]['period'])}–{fmt.month(run[-1]['period'])} ({len(run)} tháng · months)"
            body.append([span] + counts(run[0]))
            run.clear()

    for row in figures["completeness"]:
        all_on_time = row["units_on_time"] == row["units"]
        if all_on_time and (not run or run[0]["units_on_time"] == row["units_on_time"]):
            run.append(row)
            continue
        close_run()
        if all_on_time:
            run.append(row)
            continue
        if row["units_without_report"]:
            flagged.add(len(body))
        body.append([fmt.month(row["period"])] + counts(row))
    close_run()
    return Table("completeness", [("Tháng", "month", False)] + [(*labels.pair("completeness_state", c), True)
                                                                 for c in codes], body, flagged)


def rejected_by_reason(figures: dict) -> Table:
    return Table("rejected_by_reason",
                 [("Lý do", "reason (Vietnamese)", False), ("Lý do (tiếng Anh)", "reason", False),
                  ("Số dòng", "rows", True), ("Số tệp", "files", True)],
                 [[r["reason_vi"] or "", r["reason"], fmt.integer(r["rows_rejected"]), fmt.integer(r["files"])]
                  for r in figures["rejected_by_reason"]])


def rejected_by_unit(figures: dict) -> Table:
    return Table("rejected_by_unit",
                 [("Mã", "code", False), ("Đơn vị", "reporting unit", False), ("Số dòng", "rows", True),
                  ("Số tệp", "files", True)],
                 [[r["unit_code"] or "–", r["unit_name"] or "không rõ · unknown", fmt.integer(r["rows_rejected"]),
                   fmt.integer(r["files"])] for r in figures["rejected_by_unit"]])


def partial_reporting(figures: dict) -> Table:
    found = figures["partial_reporting"]
    return Table("partial_reporting",
                 [("Cấp", "level", False), ("Mã", "code", False), ("Tên", "name", False), ("Năm", "year", False),
                  ("Xã đã báo cáo", "communes reported", True), ("Xã phải báo cáo", "communes due", True)],
                 [[" · ".join(LEVELS[r["level"]]), r["code"] or "", r["name"] or "", str(r["review_year"]),
                   fmt.integer(r["communes_reported"]), fmt.integer(r["communes_due"])] for r in found],
                 set(range(len(found))))


def _figure_when(row: dict) -> str:
    if row["period_type"] == "review_year":
        return f"{row['review_year']} (rà soát · review)"
    return fmt.month(row["period"]) if row["period_type"] == "month" else row["period"][:4]


def _value(value) -> str:
    if value is None:
        return "–"
    return fmt.integer(value) if float(value).is_integer() else fmt.decimal(value)


def revisions(figures: dict) -> Table:
    """The figures the latest publish that changed any revised: official ones (published as approved) flagged."""
    found = figures["signoff"]["revisions"]
    return Table("revisions",
                 [("Chỉ tiêu", "figure", False), ("Kỳ", "period", False), ("Đơn vị", "unit", False),
                  ("Công bố lần đầu", "first published", True), ("Trước", "before", True), ("Sau", "after", True),
                  ("Do tệp", "caused by", False)],
                 [[r["label_vi"] + (f" – {r['programme_label_vi']}" if r["programme_label_vi"] else ""),
                   _figure_when(r), r["unit_name"] or r["unit_scope"], _value(r["first_published_value"]),
                   _value(r["previous_value"]) + (PROVISIONAL if r["previous_approval_status"] != "approved" else ""),
                   _value(r["new_value"]) + (PROVISIONAL if r["new_approval_status"] != "approved" else ""),
                   r["caused_by_files"] or (f"giữ lại · held back: {r['replaced_files']}" if r["replaced_files"]
                                            else "")]
                  for r in found],
                 {i for i, r in enumerate(found) if r["is_official_revision"]})


def pending_revisions(figures: dict) -> Table:
    return Table("pending_revisions",
                 [("Đơn vị", "unit", False), ("Kỳ", "month", False), ("Trang", "sheet", False), ("Tệp", "file", False),
                  ("Dòng thêm / bớt / sửa", "rows added / removed / changed", True),
                  ("Số liệu trước → sau", "figures before → after", False)],
                 [[f"{r['unit_code']} {r['unit_name'] or ''}".strip(), fmt.month(r["period"]),
                   r["sheet_label_vi"] + (f" ({r['commune_code']}, {r['review_year']})" if r["review_year"] else ""),
                   r["file_name"], f"{r['rows_added']} / {r['rows_removed']} / {r['rows_changed']}",
                   (r["figures_before_after"] or "").replace(" -> ", " → ")]
                  for r in figures["signoff"]["pending"]])


TABLES = (grants_year_to_date, poverty_province, poverty_district, poverty_commune, houses_by_year, houses_cost,
          grants_by_month, completeness, rejected_by_reason, rejected_by_unit, partial_reporting, revisions,
          pending_revisions)


# -- the page -----------------------------------------------------------------------------------------

def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
                             autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(integer=fmt.integer, decimal=fmt.decimal, billions=fmt.billions, month=fmt.month,
                       timestamp=fmt.timestamp,
                       base64=lambda text: base64.b64encode(text.encode("utf-8")).decode("ascii"))
    env.globals.update(months_label=months_label, reported=reported, not_like_for_like=not_like_for_like,
                       dagger_note=dagger_note, not_available_id=NOT_AVAILABLE_ID, csp=Markup(CSP))
    return env


ENVIRONMENT = _environment()


def render(figures: dict, charts: dict) -> str:
    """The whole page. figures: queries.collect(...) plus generated_at, source (and coordinates_source)."""
    tables = {table.__name__: table(figures) for table in TABLES}
    months = ", ".join(f"{fmt.month(m['period'])} ({m['units']})" for m in figures["months_not_complete"])
    return ENVIRONMENT.get_template("report.html.j2").render(
        f=figures, charts=charts, tables={**tables, "district_years": district_years(figures)},
        island=data_island(figures), months_listed=months,
        source_name="PostgreSQL" if figures.get("source") == "postgresql" else "bi.duckdb")
