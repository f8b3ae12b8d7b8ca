"""Building district workbooks in tests (real .xlsx files written with openpyxl).

`submission(...)` writes a canonical workbook; every part can be overridden so a test
states exactly the variation it exercises. Sheet names, cover labels and headers are the
form's (pipeline/form/); a row builder fills its sheet's columns by key, so a column added to
the form is there (blank, or given by its key: house(..., floor_area_m2=54)).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from pipeline import form

HOUSE_KEYS = tuple(c.key for c in form.HOUSES.columns)
GRANT_KEYS = tuple(c.key for c in form.GRANTS.columns)
POVERTY_KEYS = tuple(c.key for c in form.POVERTY.columns if c.key != "village")   # one row per commune
HOUSE_HEADERS = form.HOUSES.headers(HOUSE_KEYS)
GRANT_HEADERS = form.GRANTS.headers(GRANT_KEYS)
POVERTY_HEADERS = form.POVERTY.headers(POVERTY_KEYS)
LABEL = {key: label.label for key, label in form.COVER_LABEL.items()}


def house(household_id="H001", commune="03646", name="Phường Chiềng Lề", head="Lò Văn Test",
          national_id="014099000001", category="Hộ nghèo", support="Xây mới", central=40_000_000,
          local=15_000_000, social=5_000_000, start=dt.date(2025, 1, 6), done=dt.date(2025, 3, 20),
          status="Hoàn thành", village="Bản A", ethnicity="Thái", notes=None, no=1, **more) -> list:
    """A houses row in HOUSE_HEADERS' order; `more`: any other column of the form, by its key."""
    values = dict(no=no, household_id=household_id, commune_code=commune, commune_name=name, village=village,
                  household_head=head, national_id=national_id, ethnicity=ethnicity, category=category,
                  support_type=support, central_budget=central, local_budget=local, social_contribution=social,
                  start_date=start, completion_date=done, status=status, notes=notes, **more)
    return [values.get(key) for key in HOUSE_KEYS]


def grant(commune="03646", name="Phường Chiềng Lề", programme="Khám chữa bệnh", beneficiaries=10,
          amount=5_000_000, source="Ngân sách trung ương", notes=None, no=1, **more) -> list:
    values = dict(no=no, commune_code=commune, commune_name=name, programme=programme, beneficiaries=beneficiaries,
                  amount=amount, funding_source=source, notes=notes, **more)
    return [values.get(key) for key in GRANT_KEYS]


def poverty(commune="03646", name="Phường Chiềng Lề", year=2024, total=1000, poor=100, near_poor=50,
            ethnic=80, rate=10.0, no=1, **more) -> list:
    values = dict(no=no, commune_code=commune, commune_name=name, review_year=year, total_households=total,
                  poor_households=poor, near_poor_households=near_poor, poor_ethnic_minority_households=ethnic,
                  poverty_rate_pct=rate, **more)
    return [values.get(key) for key in POVERTY_KEYS]


def cover_rows(district="116", period="03/2025", version=1, district_name=None, prepared_on=None) -> list[list]:
    rows = [[LABEL["district_code"], district], [LABEL["period"], period], [LABEL["version"], version]]
    if district_name:
        rows.append([LABEL["district_name"], district_name])
    if prepared_on:
        rows.append([LABEL["prepared_on"], prepared_on])
    return rows


def write_workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """sheets: name -> rows (lists of cell values, row 1 first). Order is kept."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def submission(path: Path, district="116", period="03/2025", version=1, houses=None, grants=None,
               poverty_rows=None, cover=None, prepared_on=None) -> Path:
    """A canonical workbook; pass houses/grants/poverty_rows as lists of data rows (None = no sheet)."""
    sheets = {form.COVER.name: cover if cover is not None else cover_rows(district, period, version,
                                                                          prepared_on=prepared_on)}
    if houses is not None:
        sheets[form.HOUSES.name] = [HOUSE_HEADERS, *houses]
    if grants is not None:
        sheets[form.GRANTS.name] = [GRANT_HEADERS, *grants]
    if poverty_rows is not None:
        sheets[form.POVERTY.name] = [POVERTY_HEADERS, *poverty_rows]
    return write_workbook(path, sheets)


def records(sheet) -> list[dict]:
    """A parsed sheet's accepted rows, row by row (SheetResult holds them column-wise)."""
    keys = list(sheet.data)
    return [dict(zip(keys, values)) for values in zip(*sheet.data.values())]
