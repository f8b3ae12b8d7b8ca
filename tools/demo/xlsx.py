"""Writing one submission workbook (district or commune cover) with xlsxwriter, byte-stable."""
from __future__ import annotations

import dataclasses
import datetime as dt
import random
from pathlib import Path

import xlsxwriter

from pipeline import form

from .common import PROGRAMMES, SEED, strip_diacritics

# The columns each sheet of the demo fills, in the order its rows are written; headers from the form.
HOUSE_KEYS = ("no", "household_id", "commune_code", "commune_name", "village", "household_head", "national_id",
              "ethnicity", "category", "support_type", "central_budget", "local_budget", "social_contribution",
              "start_date", "completion_date", "status", "notes")
GRANT_KEYS = ("no", "commune_code", "commune_name", "programme", "beneficiaries", "amount", "funding_source", "notes")
POVERTY_KEYS = ("no", "commune_code", "commune_name", "review_year", "total_households", "poor_households",
                "near_poor_households", "poor_ethnic_minority_households", "poverty_rate_pct")
HOUSE_HEADERS = form.HOUSES.headers(HOUSE_KEYS)
AMOUNT_HEADERS = tuple(form.HOUSES.headers(("central_budget", "local_budget", "social_contribution")))
GRANT_HEADERS = form.GRANTS.headers(GRANT_KEYS)
POVERTY_HEADERS = form.POVERTY.headers(POVERTY_KEYS)
VILLAGE_HEADER = form.POVERTY.column("village").header
COMMUNE_COLS = (form.COMMUNE_CODE.header, form.COMMUNE_NAME.header)
LABEL = {key: label.label for key, label in form.COVER_LABEL.items()}


class Style:
    def __init__(self, title=False, nodiac=False, trieu=False, total=False, signature=False):
        self.title, self.nodiac, self.trieu, self.total, self.signature = title, nodiac, trieu, total, signature


def pick_style(unit: str, y: int, m: int, plain: bool, clean: bool = False) -> Style:
    """Tolerated variations in about a quarter of the files (never in files carrying broken rows)."""
    if plain or clean:
        return Style()
    r = random.Random(f"{SEED}-style-{unit}-{y}-{m}")
    if r.random() >= 0.25:
        return Style()
    flags = [r.random() < 0.5 for _ in range(5)]
    if not any(flags):
        flags[r.randrange(5)] = True
    return Style(*flags)


@dataclasses.dataclass
class Sub:
    """One workbook to write: its cover, its rows as written, and how it is laid out."""
    rel: str
    unit: str                     # "district" or "commune": the kind of cover
    code: str
    name: str
    period: tuple[int, int]
    version: int
    prepared: dt.date
    clerk: str
    houses: list = dataclasses.field(default_factory=list)     # case dicts, commune as written
    grants: list = dataclasses.field(default_factory=list)
    poverty: list = dataclasses.field(default_factory=list)    # (review year, row dict[, village])
    style: Style = dataclasses.field(default_factory=Style)
    extra_house: list = dataclasses.field(default_factory=list)  # rows built to be rejected
    extra_grant: list = dataclasses.field(default_factory=list)
    omit_commune: bool = False    # commune files may leave the commune columns out
    cover: list | None = None     # explicit cover (label, kind, value) rows
    copy_of: str | None = None    # a byte copy of another submission's file
    empty_sheets: bool = False    # nothing to report: the data sheets with their headers only

    def cover_rows(self) -> list:
        if self.cover is not None:
            return self.cover
        y, m = self.period
        who = [(LABEL[f"{self.unit}_code"], "s", self.code), (LABEL[f"{self.unit}_name"], "s", self.name)]
        return who + [(LABEL["period"], "s", f"{m:02d}/{y}"), (LABEL["version"], "n", self.version),
                      (LABEL["prepared_on"], "d", self.prepared), (LABEL["prepared_by"], "s", self.clerk)]


def write_table(wb, ws, headers, rows, style: Style, fmt, title: str, total_cols=(), sign_by=""):
    """rows: lists of (kind, value); kind in 's', 'n', 'd', ''."""
    hdr = [strip_diacritics(h) if style.nodiac else h for h in headers]
    r0 = 0
    if style.title:
        ws.merge_range(0, 0, 0, len(headers) - 1, title, fmt["title"])
        r0 = 2
    for j, h in enumerate(hdr):
        ws.write_string(r0, j, h, fmt["hdr"])
    r = r0 + 1
    for row in rows:
        for j, (kind, v) in enumerate(row):
            if v is None or v == "":
                continue
            if kind == "s":
                ws.write_string(r, j, v)
            elif kind == "d":
                ws.write_datetime(r, j, dt.datetime(v.year, v.month, v.day), fmt["date"])
            else:
                ws.write_number(r, j, v)
        r += 1
    if style.total and rows:
        ws.write_string(r, 0, "Tổng cộng" if not style.nodiac else "Tong cong", fmt["hdr"])
        for j in total_cols:
            ws.write_number(r, j, sum(row[j][1] or 0 for row in rows), fmt["hdr"])
        r += 1
    if style.signature:
        ws.write_string(r + 1, 1, "Người lập biểu")
        ws.write_string(r + 1, 6, "Thủ trưởng đơn vị")
        ws.write_string(r + 2, 1, "(Ký, ghi rõ họ tên)")
        ws.write_string(r + 5, 1, sign_by)
    ws.set_column(0, len(headers) - 1, 14)


def _select(headers: list, rows: list, keep) -> tuple[list, list]:
    idx = [j for j, h in enumerate(headers) if keep(h)]
    return [headers[j] for j in idx], [[row[j] for j in idx] for row in rows]


def write_workbook(path: Path, sub: Sub) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = xlsxwriter.Workbook(str(path), {"in_memory": True})
    p = sub.prepared
    wb.set_properties({"author": sub.clerk, "created": dt.datetime(p.year, p.month, p.day, 8, 30, 0)})
    fmt = {"date": wb.add_format({"num_format": "dd/mm/yyyy"}), "hdr": wb.add_format({"bold": True}),
           "title": wb.add_format({"bold": True, "align": "center"})}
    cov = wb.add_worksheet(form.COVER.name)
    for i, (label, kind, value) in enumerate(sub.cover_rows()):
        cov.write_string(i, 0, label, fmt["hdr"])
        if kind == "s":
            cov.write_string(i, 1, value)
        elif kind == "n":
            cov.write_number(i, 1, value)
        else:
            cov.write_datetime(i, 1, dt.datetime(value.year, value.month, value.day), fmt["date"])
    cov.set_column(0, 1, 22)
    y, m = sub.period
    period = f"{m:02d}/{y}"
    keep = (lambda h: h not in COMMUNE_COLS) if sub.omit_commune else (lambda h: True)
    unit_title = sub.name.upper()
    if sub.houses or sub.extra_house or sub.empty_sheets:
        _houses(wb, sub, fmt, period, keep, unit_title)
    if sub.grants or sub.extra_grant or sub.empty_sheets:
        ws = wb.add_worksheet(form.GRANTS.name)
        rows = []
        for i, g in enumerate(list(sub.grants) + list(sub.extra_grant), 1):
            rows.append([("n", i), ("s", g["commune"][0]), ("s", g["commune"][1]),
                         ("s", PROGRAMMES.get(g["programme"], g["programme"])), ("n", g["n"]),
                         ("n", g["amount"]), ("s", g["source"]), ("s", g.get("note", ""))])
        headers, rows = _select(GRANT_HEADERS, rows, keep)
        write_table(wb, ws, headers, rows, sub.style, fmt, f"KẾT QUẢ HỖ TRỢ THÁNG {period}",
                    [headers.index(h) for h in form.GRANTS.headers(("beneficiaries", "amount"))], sub.clerk)
    if sub.poverty:
        _poverty(wb, sub, fmt, keep, unit_title)
    wb.close()


def _houses(wb, sub: Sub, fmt, period: str, keep, unit_title: str) -> None:
    ws = wb.add_worksheet(form.HOUSES.name)
    headers = list(HOUSE_HEADERS)
    div = 1
    if sub.style.trieu:
        div = 1_000_000
        headers = [h + " (triệu đồng)" if h in AMOUNT_HEADERS else h for h in headers]
    rows = []
    for i, c in enumerate(list(sub.houses) + list(sub.extra_house), 1):
        p = c["person"]
        amt = [c["central"], c["local"], c["social"]]
        amt = [a / div if div != 1 else a for a in amt]
        rows.append([("n", i), ("s", c["id"]), ("s", c["commune"][0]), ("s", c["commune"][1]),
                     ("s", p.village), ("s", p.name), ("s", p.cccd), ("s", p.ethnicity),
                     ("s", c["category"]), ("s", c["support"]), ("n", amt[0]), ("n", amt[1]),
                     ("n", amt[2]), ("d", c["start"]), ("d", c["completion"]), ("s", c["status"]),
                     ("s", c["note"])])
    headers, rows = _select(headers, rows, lambda h: keep(h.split(" (")[0]))
    write_table(wb, ws, headers, rows, sub.style, fmt, f"BÁO CÁO HỖ TRỢ NHÀ Ở THÁNG {period} - {unit_title}",
                [j for j, h in enumerate(headers) if h.split(" (")[0] in AMOUNT_HEADERS], sub.clerk)


def _poverty(wb, sub: Sub, fmt, keep, unit_title: str) -> None:
    ws = wb.add_worksheet(form.POVERTY.name)
    by_village = any(r.get("village") for _, r in sub.poverty)
    headers = list(POVERTY_HEADERS)
    if by_village:
        headers.insert(3, VILLAGE_HEADER)
    rows = []
    for i, (year, r) in enumerate(sub.poverty, 1):
        row = [("n", i), ("s", r["commune"][0]), ("s", r["commune"][1])]
        if by_village:
            row.append(("s", r["village"]))
        rows.append(row + [("n", year), ("n", r["total"]), ("n", r["poor"]), ("n", r["near"]),
                           ("n", r["dtts"]), ("n", r["rate"])])
    headers, rows = _select(headers, rows, keep)
    write_table(wb, ws, headers, rows, sub.style, fmt, f"KẾT QUẢ RÀ SOÁT HỘ NGHÈO - {unit_title}",
                [headers.index(h) for h in form.POVERTY.headers(("total_households", "poor_households",
                                                                 "near_poor_households",
                                                                 "poor_ethnic_minority_households"))],
                sub.clerk)
