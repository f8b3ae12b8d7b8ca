"""The report as one self-contained HTML page: Vietnamese headings with the English beside them,
each chart embedded as an SVG data URI with its numbers as a table under it, and every figure
in a JSON data island (<script type="application/json" id="report-data">).

Nothing is loaded from anywhere: no script runs, no font, style or image is fetched, and the
page's Content-Security-Policy forbids it, so it opens the same from a file on an intranet PC.
"""
from __future__ import annotations

import base64
import calendar
import html
import json
from collections import defaultdict

from pipeline.report import fmt

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
DATA_ISLAND_ID = "report-data"
NOT_AVAILABLE_ID = "commune-not-available"

STYLE = """
:root { --ink: #1a1a1a; --muted: #595959; --line: #d9d9d9; --accent: #c0504d; --warn: #9c5700; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", Arial, "Noto Sans", "DejaVu Sans", "Liberation Sans", sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 960px; padding: 24px; line-height: 1.4; font-size: 14px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 32px 0 8px; border-bottom: 2px solid var(--accent); }
h3 { font-size: 15px; margin: 20px 0 6px; }
.en { color: var(--muted); font-weight: normal; }
.meta { color: var(--muted); font-size: 13px; margin: 4px 0; }
.cards { display: grid; grid-template-columns: repeat(2, 1fr); gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-left: 4px solid var(--accent); padding: 10px 12px; break-inside: avoid; }
.card.wide { grid-column: 1 / -1; } .card .label { font-size: 13px; } .card .value { font-size: 28px; font-weight: bold; margin: 2px 0; }
.card .note { font-size: 12px; color: var(--muted); }
figure { margin: 8px 0; break-inside: avoid; } figure img { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; font-size: 12px; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-size: 11px; } th .en { display: block; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; } td.num { white-space: nowrap; }
tr.partial td { background: #fff2cc; }
.partial-flag { color: var(--warn); font-weight: bold; }
.not-available { border: 1px dashed var(--muted); padding: 12px; color: var(--muted); background: #fafafa; }
.note { font-size: 12px; color: var(--muted); }
a { color: #1f4e79; }
@page { size: A4; margin: 12mm; }
@media print { body { padding: 0; max-width: none; } h2 { break-after: avoid; } h3 { break-after: avoid; } }
"""


# -- small builders ------------------------------------------------------------------------------

def esc(text) -> str:
    return html.escape("" if text is None else str(text))


def heading(level: int, vi: str, en: str, anchor: str | None = None) -> str:
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return f'<h{level}{ident}>{esc(vi)} <span class="en">· {esc(en)}</span></h{level}>'


def bilingual(vi: str, en: str) -> str:
    return f'{esc(vi)} <span class="en">· {esc(en)}</span>'


def figure(svg: str | None, alt: str) -> str:
    if svg is None:
        return f'<p class="not-available">Chưa có số liệu · no data yet ({esc(alt)})</p>'
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<figure><img alt="{esc(alt)}" src="data:image/svg+xml;base64,{data}"></figure>'


def table(columns: list[tuple[str, str, bool]], body: list[list[str]], partial_rows: set[int] = frozenset(),
          name: str | None = None) -> str:
    """columns: (Vietnamese, English, numeric); body: cells already formatted as text."""
    head = "".join(f'<th class="num">{bilingual(vi, en)}</th>' if numeric else f"<th>{bilingual(vi, en)}</th>"
                   for vi, en, numeric in columns)
    lines = []
    for i, cells in enumerate(body):
        tds = "".join(f'<td class="num">{esc(c)}</td>' if columns[j][2] else f"<td>{esc(c)}</td>"
                      for j, c in enumerate(cells))
        lines.append(f'<tr class="partial">{tds}</tr>' if i in partial_rows else f"<tr>{tds}</tr>")
    attribute = f' data-table="{esc(name)}"' if name else ""
    return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{''.join(lines)}</tbody></table>"


def label_of(figures: dict, domain: str, code: str) -> tuple[str, str]:
    for item in figures["labels"]["domains"].get(domain, []):
        if item["code"] == code:
            return item["label_vi"], item["label_en"]
    return str(code), str(code)


def codes_of(figures: dict, domain: str, present) -> list[str]:
    known = [item["code"] for item in figures["labels"]["domains"].get(domain, [])]
    return known + sorted(c for c in set(present) if c not in known and c is not None)


def months_label(date_from, date_to) -> tuple[str, str]:
    start, end = fmt.as_date(date_from), fmt.as_date(date_to)
    vi = f"tháng {start.month:02d}–{end.month:02d}/{end.year}" if start.year == end.year else \
        f"{fmt.month(start)}–{fmt.month(end)}"
    en = (f"{calendar.month_abbr[start.month]}–{calendar.month_abbr[end.month]} {end.year}" if start.year == end.year
          else f"{calendar.month_abbr[start.month]} {start.year}–{calendar.month_abbr[end.month]} {end.year}")
    return vi, en


def reported(row: dict, due_key: str = "communes_total") -> str:
    due = row.get(due_key)
    text = f"{fmt.integer(row['communes_reported'])}/{fmt.integer(due)}"
    return text + " ⚠" if due is not None and row["communes_reported"] < due else text


def data_island(figures: dict) -> str:
    text = json.dumps(figures, ensure_ascii=False, sort_keys=True, indent=1)
    # the only sequence that could end the script element early
    text = text.replace("</", "<\\/")
    return f'<script type="application/json" id="{DATA_ISLAND_ID}">\n{text}\n</script>'


# -- sections ------------------------------------------------------------------------------------

def header(figures: dict) -> str:
    period = figures["period"]
    lines = [
        '<header>',
        heading(1, "Báo cáo tỉnh Sơn La: phong trào “Vì người nghèo – Không để ai bị bỏ lại phía sau”",
                "Son La provincial report: “For the poor – No one is left behind”"),
        f'<p class="meta">{bilingual("Số liệu nạp lúc", "data loaded")}: <b data-figure="loaded_at">'
        f'{esc(fmt.timestamp(period.get("loaded_at")))}</b> '
        f'({fmt.integer(period.get("files_received"))} {bilingual("tệp đã nhận", "files received")}) · '
        f'{bilingual("kỳ báo cáo mới nhất", "latest reporting month")}: '
        f'<b data-figure="latest_month">{esc(fmt.month(period.get("latest_month")))}</b> · '
        f'{bilingual("lập báo cáo lúc", "report generated")}: {esc(fmt.timestamp(figures["generated_at"]))}</p>',
        f'<p class="meta">{bilingual("Cách viết số: dấu chấm ngăn cách hàng nghìn, dấu phẩy là dấu thập phân (9.317 nhà; 10,89 %)", "Number format: a point separates thousands, a comma is the decimal mark (9.317 = 9,317; 10,89 % = 10.89 %)")}. '
        f'{bilingual("Mọi số liệu được tính bằng SQL từ kho dữ liệu đã công bố", "Every figure is computed by SQL over the published warehouse")} (<code>bi.duckdb</code>). '
        f'<a href="report.pdf">PDF</a> · <a href="data-dictionary.html">{bilingual("Từ điển dữ liệu", "data dictionary")}</a></p>',
        '</header>',
    ]
    return "\n".join(lines)


def headline(figures: dict) -> str:
    head = figures["headline"]
    if not head:
        return heading(2, "Số liệu chính", "Headline figures") + \
            '<p class="not-available">Chưa có báo cáo nào được nhận · no accepted report yet</p>'
    cards = programme_cards(head.get("programme") or {})
    houses = head["houses_completed"]
    if houses.get("from_year") is not None:
        span = f"{houses['from_year']}–{houses['to_year']}"
        cards.append(
            f'<div class="card" data-figure="houses_completed"><div class="label">'
            f'{bilingual(f"Nhà tạm, dột nát đã xóa {span}", f"Temporary and dilapidated houses replaced {span}")}</div>'
            f'<div class="value">{fmt.integer(houses["houses"])} <span class="en">nhà · houses</span></div>'
            f'<div class="note">{bilingual("Tổng kinh phí", "total cost")}: <b>{fmt.billions(houses["total_vnd"])}</b> '
            f'{bilingual("tỷ đồng", "billion VND")}</div></div>')
    started = head["houses_started"]
    vi, en = months_label(started["date_from"], started["date_to"])
    cards.append(
        f'<div class="card" data-figure="houses_started"><div class="label">'
        f'{bilingual(f"Hộ được hỗ trợ khởi công {vi}", f"Cases started {en}")}</div>'
        f'<div class="value">{fmt.integer(started["cases"])} <span class="en">hộ · households</span></div>'
        f'<div class="note">{bilingual("đã hoàn thành", "completed")} {fmt.integer(started["completed"])} · '
        f'{bilingual("đang thi công", "in progress")} {fmt.integer(started["in_progress"])} · '
        f'{bilingual("chưa khởi công", "not started")} {fmt.integer(started["not_started"])}</div></div>')
    poverty = head.get("poverty") or {}
    if poverty.get("review_year") is not None:
        year = poverty["review_year"]
        change = (f'{fmt.decimal(poverty["change_pp"], signed=True)} {bilingual("điểm so với năm", "points vs")} {year - 1}'
                  if poverty.get("change_pp") is not None else "")
        average = (f' · {bilingual("bình quân", "average")} {fmt.decimal(poverty["average_change_pp"], signed=True)} '
                   f'{bilingual("điểm/năm", "points a year")} {poverty["changes_from"]}–{year}'
                   if poverty.get("average_change_pp") is not None else "")
        partial = (f' <span class="partial-flag">⚠ {bilingual("báo cáo chưa đủ", "partial reporting")}: '
                   f'{reported(poverty)}</span>' if poverty["communes_reported"] < poverty["communes_total"] else "")
        cards.append(
            f'<div class="card" data-figure="poverty_rate"><div class="label">'
            f'{bilingual(f"Tỷ lệ hộ nghèo cuối năm {year}", f"Poverty rate at the end of {year}")}</div>'
            f'<div class="value">{fmt.decimal(poverty["poverty_rate_pct"])} %</div>'
            f'<div class="note">{change}{average}{partial}</div></div>')
        cards.append(
            f'<div class="card" data-figure="poor_households"><div class="label">'
            f'{bilingual(f"Hộ nghèo theo kỳ rà soát {year}", f"Poor households, {year} review")}</div>'
            f'<div class="value">{fmt.integer(poverty["poor_households"])} <span class="en">hộ · households</span></div>'
            f'<div class="note">{bilingual("trên tổng số", "of")} {fmt.integer(poverty["total_households"])} '
            f'{bilingual("hộ", "households")} · {bilingual("xã báo cáo", "communes reported")} {reported(poverty)}</div></div>')
    grants = head["grants_year_to_date"]
    vi, en = months_label(grants["date_from"], grants["date_to"])
    body = [[" · ".join(label_of(figures, "programme", r["programme"])), fmt.integer(r["beneficiaries"]),
             fmt.millions(r["amount_vnd"])] for r in grants["rows"]]
    grant_table = table([("Chương trình", "programme", False), ("Số đối tượng", "people supported", True),
                         ("Số tiền (triệu đồng)", "amount (million VND)", True)], body, name="grants_year_to_date")
    cards.append(f'<div class="card wide" data-figure="grants_year_to_date"><div class="label">'
                 f'{bilingual(f"Hỗ trợ theo chương trình, {vi}", f"Support by programme, {en}")}</div>{grant_table}</div>')
    return heading(2, "Số liệu chính", "Headline figures", "headline") + f'<div class="cards">{"".join(cards)}</div>'


def programme_cards(programme: dict) -> list[str]:
    """The article's periods: houses replaced 2020–2024 and their cost, cases started in Q1 2025."""
    houses, started = programme.get("houses_completed"), programme.get("houses_started")
    if not houses or not houses.get("houses"):
        return []
    span = f"{houses['from_year']}–{houses['to_year']}"
    vi, en = months_label(started["date_from"], started["date_to"])
    return [
        f'<div class="card" data-figure="programme_houses_completed"><div class="label">'
        f'{bilingual(f"Chương trình {span}: nhà tạm, dột nát đã xóa", f"Programme {span}: houses replaced")}</div>'
        f'<div class="value">{fmt.integer(houses["houses"])} <span class="en">nhà · houses</span></div>'
        f'<div class="note">{bilingual("Tổng kinh phí", "total cost")}: <b>{fmt.billions(houses["total_vnd"])}</b> '
        f'{bilingual("tỷ đồng", "billion VND")}</div></div>',
        f'<div class="card" data-figure="programme_houses_started"><div class="label">'
        f'{bilingual(f"Khởi công {vi}", f"Started {en}")}</div>'
        f'<div class="value">{fmt.integer(started["cases"])} <span class="en">hộ · households</span></div>'
        f'<div class="note">{bilingual("nay đã hoàn thành", "completed since")} {fmt.integer(started["completed"])}'
        f'</div></div>']


def poverty(figures: dict, charts: dict) -> str:
    parts = [heading(2, "Tỷ lệ hộ nghèo", "Poverty rate", "poverty")]
    # province
    rows = figures["poverty_province"]
    parts.append(heading(3, "Toàn tỉnh theo năm rà soát", "Province, by review year"))
    parts.append(figure(charts.get("poverty_province"), "poverty rate by review year"))
    parts.append(table(
        [("Năm", "year", False), ("Tổng số hộ", "households", True), ("Hộ nghèo", "poor", True),
         ("Hộ cận nghèo", "near-poor", True), ("Tỷ lệ nghèo %", "poverty rate %", True),
         ("Tỷ lệ cận nghèo %", "near-poor rate %", True), ("Thay đổi (điểm)", "change (points)", True),
         ("Xã báo cáo/phải báo cáo", "communes reported/due", True)],
        [[str(r["review_year"]), fmt.integer(r["total_households"]), fmt.integer(r["poor_households"]),
          fmt.integer(r["near_poor_households"]), fmt.decimal(r["poverty_rate_pct"]),
          fmt.decimal(r["near_poor_rate_pct"]), fmt.decimal(r["change_pp"], signed=True), reported(r)] for r in rows],
        {i for i, r in enumerate(rows) if r["communes_reported"] < r["communes_total"]}, name="poverty_province"))
    # districts (the district level ends with the 2024 review)
    rows = figures["poverty_district"]
    years = sorted({r["review_year"] for r in rows})
    parts.append(heading(3, f"Theo huyện{f', {years[0]}–{years[-1]}' if years else ''}",
                         f"By district{f', {years[0]}–{years[-1]}' if years else ''}"))
    parts.append('<p class="note">' + bilingual(
        "Cấp huyện kết thúc với kỳ rà soát năm 2024 (bỏ cấp huyện từ 01/07/2025).",
        "The district level ends with the 2024 review (districts abolished on 2025-07-01).") + "</p>")
    parts.append(figure(charts.get("poverty_district"), "poverty rate by district, first and latest review year"))
    by_district: dict[str, dict] = defaultdict(dict)
    names = {}
    for r in rows:
        by_district[r["district_code"]][r["review_year"]] = r
        names[r["district_code"]] = r["district_name"]
    body, partial = [], set()
    for i, code in enumerate(sorted(by_district)):
        found = by_district[code]
        latest = found[max(found)]
        change = latest["change_since_first_pp"]
        body.append([code, names[code] or ""] + [fmt.decimal(found[y]["poverty_rate_pct"]) if y in found else "–"
                                                 for y in years]
                    + [fmt.decimal(change, signed=True), reported(latest)])
        if any(r["communes_reported"] < r["communes_total"] for r in found.values()):
            partial.add(i)
    parts.append(table([("Mã", "code", False), ("Huyện", "district", False)]
                       + [(f"{y} %", "rate", True) for y in years]
                       + [("Thay đổi (điểm)", "change (points)", True),
                          ("Xã báo cáo/phải báo cáo, năm cuối", "communes reported/due, latest year", True)],
                       body, partial, name="poverty_district"))
    # today's map
    parts.append(commune(figures, charts))
    return "\n".join(parts)


def commune(figures: dict, charts: dict) -> str:
    rows = figures["poverty_commune"]
    parts = [heading(3, "Theo xã, phường trên bản đồ hiện nay (75 đơn vị)", "By commune on today's map (75 units)",
                     "poverty-commune")]
    if rows is None:
        parts.append(f'<p class="not-available" id="{NOT_AVAILABLE_ID}">' + bilingual(
            "Chưa có: kho dữ liệu chưa công bố số liệu hộ nghèo theo 75 xã, phường mới "
            "(bảng marts.agg_poverty_commune_year, đến cùng việc sắp xếp đơn vị hành chính 2025).",
            "Not available yet: the warehouse does not publish poverty by the 75 communes of today's map "
            "(marts.agg_poverty_commune_year, arriving with the 2025 administrative reform).") + "</p>")
        return "\n".join(parts)
    if not rows:
        parts.append('<p class="not-available">' + bilingual("Chưa có số liệu", "no data yet") + "</p>")
        return "\n".join(parts)
    year = rows[0]["review_year"]
    parts.append('<p class="note">' + bilingual(
        f"Năm rà soát {year}, xếp theo tỷ lệ hộ nghèo. Số liệu các xã cũ được cộng dồn về đơn vị mới; "
        "“gần đúng” khi một xã cũ chia về nhiều đơn vị.",
        f"Review year {year}, ranked by poverty rate. Old communes' counts are summed into today's unit; "
        "'approximate' where an old commune went to more than one unit.") + "</p>")
    parts.append(figure(charts.get("poverty_commune_ranked"), f"poverty rate by commune of today's map, {year}"))
    if charts.get("poverty_commune_map"):
        parts.append(figure(charts["poverty_commune_map"], f"dot map of poverty rate by commune, {year}"))
    body, partial = [], set()
    for i, r in enumerate(rows):
        body.append([str(i + 1), r["commune_2025_code"], r["commune_2025_name"] or "", fmt.integer(r["total_households"]),
                     fmt.integer(r["poor_households"]), fmt.decimal(r["poverty_rate_pct"]),
                     fmt.decimal(r["change_pp"], signed=True), reported(r, "communes_expected"),
                     "gần đúng · approximate" if r["mapping"] == "approximate" else "đúng · exact"])
        if r["communes_expected"] is not None and r["communes_reported"] < r["communes_expected"]:
            partial.add(i)
    parts.append(table([("Hạng", "rank", True), ("Mã", "code", False), ("Xã, phường", "commune", False),
                        ("Tổng số hộ", "households", True), ("Hộ nghèo", "poor", True),
                        ("Tỷ lệ nghèo %", "poverty rate %", True), ("Thay đổi (điểm)", "change (points)", True),
                        ("Xã cũ báo cáo/phải báo cáo", "old communes reported/expected", True),
                        ("Quy đổi", "mapping", False)], body, partial, name="poverty_commune"))
    return "\n".join(parts)


def _year_note(figures: dict, year: int) -> str:
    period = figures["period"]
    if period.get("latest_month") and year > period["last_full_year"]:
        return f"{year} (đến · to {fmt.month(period['latest_month'])})"
    return str(year)


def houses(figures: dict, charts: dict) -> str:
    parts = [heading(2, "Xóa nhà tạm, nhà dột nát", "Temporary and dilapidated houses replaced", "houses")]
    rows = figures["houses_by_year"]
    codes = codes_of(figures, "support_type", [r["support_type"] for r in rows])
    years = sorted({r["year"] for r in rows})
    count = {(r["year"], r["support_type"]): r["houses"] for r in rows}
    parts.append(heading(3, "Nhà hoàn thành theo năm và hình thức hỗ trợ", "Houses completed per year, by support type"))
    parts.append(figure(charts.get("houses_by_year"), "houses completed per year by support type"))
    totals = {r["year"]: r["houses"] for r in figures["houses_cost"]}
    parts.append(table([("Năm", "year", False)] + [(*label_of(figures, "support_type", c), True) for c in codes]
                       + [("Tổng", "total", True)],
                       [[_year_note(figures, y)] + [fmt.integer(count.get((y, c), 0)) for c in codes]
                        + [fmt.integer(totals.get(y))] for y in years],
                       name="houses_by_year"))
    rows = figures["houses_cost"]
    parts.append(heading(3, "Kinh phí theo nguồn (nhà hoàn thành)", "Cost by funding source (houses completed)"))
    parts.append(figure(charts.get("houses_cost"), "cost of houses completed per year by funding source"))
    parts.append(table([("Năm", "year", False)]
                       + [(f"{label_of(figures, 'funding_source', c)[0]} (tỷ đồng)",
                           f"{label_of(figures, 'funding_source', c)[1]} (billion VND)", True)
                          for c in ("central", "local", "social")]
                       + [("Tổng (tỷ đồng)", "total (billion VND)", True)],
                       [[_year_note(figures, r["year"]), fmt.billions(r["central_vnd"]), fmt.billions(r["local_vnd"]),
                         fmt.billions(r["social_vnd"]), fmt.billions(r["total_vnd"])] for r in rows],
                       name="houses_cost"))
    return "\n".join(parts)


def grants(figures: dict, charts: dict) -> str:
    rows = figures["grants_by_month"]
    codes = codes_of(figures, "programme", [r["programme"] for r in rows])
    months = sorted({r["period"] for r in rows})
    found = {(r["period"], r["programme"]): r for r in rows}
    parts = [heading(2, "Hỗ trợ hộ nghèo theo chương trình và tháng", "Grants by programme and month", "grants"),
             figure(charts.get("grants_by_month"), "grants by programme and month")]
    columns = [("Tháng", "month", False)]
    columns += [(f"{label_of(figures, 'programme', c)[0]} (triệu đồng)", f"{label_of(figures, 'programme', c)[1]} "
                 "(million VND)", True) for c in codes]
    columns += [("Tổng (triệu đồng)", "total (million VND)", True), ("Số đối tượng", "people supported", True)]
    totals = {r["period"]: r for r in figures["grants_month_totals"]}
    body = []
    for m in months:
        body.append([fmt.month(m)] + [fmt.millions(found[(m, c)]["amount_vnd"]) if (m, c) in found else "–" for c in codes]
                    + [fmt.millions(totals[m]["amount_vnd"]), fmt.integer(totals[m]["beneficiaries"])])
    parts.append(table(columns, body, name="grants_by_month"))
    return "\n".join(parts)


def completeness(figures: dict, charts: dict) -> str:
    rows = figures["completeness"]
    codes = codes_of(figures, "completeness_state", [r["state"] for r in rows])
    months = sorted({r["period"] for r in rows})
    units = {(r["period"], r["state"]): r["units"] for r in rows}
    parts = [heading(2, "Tình hình nộp báo cáo", "Submission completeness", "completeness"),
             '<p class="note">' + bilingual(
                 "Số đơn vị báo cáo mỗi tháng theo tình trạng: đúng hạn (ngày 10 tháng sau), muộn, chưa gửi.",
                 "Reporting units per month by state: on time (by the 10th of the next month), late, missing.")
             + "</p>",
             figure(charts.get("completeness"), "submission completeness per month")]
    # months in which every unit was on time are shown as runs (01/2020–06/2021), the others one by one
    body, flagged, run = [], set(), []

    def close_run():
        if run:
            span = fmt.month(run[0]) if len(run) == 1 else f"{fmt.month(run[0])}–{fmt.month(run[-1])} ({len(run)} tháng · months)"
            body.append([span] + [fmt.integer(units.get((run[0], c), 0)) for c in codes])
            run.clear()

    for m in months:
        all_on_time = all(units.get((m, c), 0) == 0 for c in codes if c != "on_time")
        if all_on_time and (not run or units.get((run[0], "on_time")) == units.get((m, "on_time"))):
            run.append(m)
            continue
        close_run()
        if all_on_time:
            run.append(m)
            continue
        if units.get((m, "missing"), 0) or units.get((m, "rejected_only"), 0):
            flagged.add(len(body))
        body.append([fmt.month(m)] + [fmt.integer(units.get((m, c), 0)) for c in codes])
    close_run()
    parts.append('<p class="note">' + bilingual("Các tháng liền nhau mà mọi đơn vị đều đúng hạn được gộp một dòng "
                                                "(số đơn vị là của mỗi tháng).",
                                                "Consecutive months in which every unit was on time share one line "
                                                "(unit counts per month).") + "</p>")
    parts.append(table([("Tháng", "month", False)] + [(*label_of(figures, "completeness_state", c), True) for c in codes],
                       body, flagged, name="completeness"))
    return "\n".join(parts)


def quality(figures: dict, charts: dict) -> str:
    parts = [heading(2, "Chất lượng số liệu", "Data quality", "quality"),
             heading(3, "Dòng bị loại theo lý do", "Rejected rows by reason"),
             figure(charts.get("rejected_by_reason"), "rejected rows by reason")]
    rows = figures["rejected_by_reason"]
    parts.append(table([("Lý do", "reason (Vietnamese)", False), ("Lý do (tiếng Anh)", "reason", False),
                        ("Số dòng", "rows", True), ("Số tệp", "files", True)],
                       [[r["reason_vi"] or "", r["reason"], fmt.integer(r["rows_rejected"]), fmt.integer(r["files"])]
                        for r in rows], name="rejected_by_reason"))
    parts += [heading(3, "Dòng bị loại theo đơn vị báo cáo", "Rejected rows by reporting unit"),
              figure(charts.get("rejected_by_unit"), "rejected rows by reporting unit")]
    rows = figures["rejected_by_unit"]
    parts.append(table([("Mã", "code", False), ("Đơn vị", "reporting unit", False), ("Số dòng", "rows", True),
                        ("Số tệp", "files", True)],
                       [[r["unit_code"] or "–", r["unit_name"] or "không rõ · unknown", fmt.integer(r["rows_rejected"]),
                         fmt.integer(r["files"])] for r in rows], name="rejected_by_unit"))
    return "\n".join(parts)


LEVELS = {"province": ("Toàn tỉnh", "province"), "district": ("Huyện", "district"),
          "commune_2025": ("Xã, phường (bản đồ hiện nay)", "commune (today's map)")}


def partial_reporting(figures: dict) -> str:
    parts = [heading(2, "Số liệu dựa trên báo cáo chưa đầy đủ", "Figures on partial reporting", "partial")]
    found = figures["partial_reporting"]
    if not found:
        parts.append('<p data-partial="none">' + bilingual(
            "Mọi tỷ lệ hộ nghèo trong báo cáo này đều dựa trên báo cáo của đủ các xã phải báo cáo.",
            "Every poverty figure in this report stands on complete reporting (communes reported = communes due).")
            + "</p>")
    else:
        parts.append('<p>' + bilingual(
            "Các tỷ lệ dưới đây chỉ tính trên các xã đã báo cáo (ít hơn số xã phải báo cáo):",
            "These rates stand only on the communes that reported (fewer than the communes due):") + "</p>")
        parts.append(table([("Cấp", "level", False), ("Mã", "code", False), ("Tên", "name", False),
                            ("Năm", "year", False), ("Xã đã báo cáo", "communes reported", True),
                            ("Xã phải báo cáo", "communes due", True)],
                           [[" · ".join(LEVELS[r["level"]]), r["code"] or "", r["name"] or "", str(r["review_year"]),
                             fmt.integer(r["communes_reported"]), fmt.integer(r["communes_due"])] for r in found],
                           set(range(len(found))), name="partial_reporting"))
    months = figures["months_not_complete"]
    if months:
        listed = ", ".join(f"{fmt.month(m['period'])} ({m['units']})" for m in months)
        parts.append('<p>' + bilingual(
            "Tháng còn đơn vị chưa gửi báo cáo hợp lệ (số đơn vị); số nhà ở và hỗ trợ của các tháng này có thể chưa đủ",
            "Months with a reporting unit's valid report missing (units); houses and grants of these months may be "
            "incomplete") + f": <span data-partial=\"months\">{esc(listed)}</span></p>")
    return "\n".join(parts)


def footer(figures: dict) -> str:
    labels_source = figures["labels"]["source"]
    coordinates = figures.get("coordinates_source")
    notes = [
        bilingual("Nguồn: kho dữ liệu đã công bố", "Source: the published warehouse") + " <code>bi.duckdb</code> "
        "(marts, audit).",
        bilingual("Nhãn tiếng Việt của các mã", "Vietnamese labels of the codes") + f": <code>{esc(labels_source)}</code>.",
    ]
    if coordinates:
        notes.append(bilingual("Tọa độ tâm xã", "commune centres") + f": {esc(coordinates)}.")
    return '<footer class="note"><p>' + " ".join(notes) + "</p></footer>"


def render(figures: dict, charts: dict) -> str:
    """The whole page. figures: queries.collect(...) plus generated_at (and coordinates_source)."""
    body = "\n".join([header(figures), headline(figures), poverty(figures, charts), houses(figures, charts),
                      grants(figures, charts), completeness(figures, charts), quality(figures, charts),
                      partial_reporting(figures), footer(figures)])
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Báo cáo tỉnh Sơn La · Son La provincial report ({esc(fmt.month(figures['period'].get('latest_month')))})</title>
<style>{STYLE}</style>
</head>
<body>
{body}
{data_island(figures)}
</body>
</html>
"""
