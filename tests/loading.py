"""Running the real ingest (pipeline.ingest.batch.run_ingest) and the feedback step in-process on
workbooks a test wrote, as the job's two assets do, then reading the raw tables of the internal warehouse. Plus an XlsxWriter-based writer for
formulas with cached results (openpyxl writes none)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb
import xlsxwriter

from pipeline.warehouse import store as warehouse
from pipeline.feedback import feedback_for_run
from pipeline.ingest.batch import IngestResult, run_ingest

TODAY = dt.date(2025, 4, 15)


@dataclass
class Loaded:
    result: IngestResult
    warehouse_dir: Path
    feedback: list[dict]          # feedback workbooks written (pipeline.feedback.feedback_for_run)

    def rows(self, sql: str, params=None) -> list[dict]:
        con = warehouse.connect(self.warehouse_dir, read_only=True)
        try:
            cursor = con.execute(sql, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        finally:
            con.close()

    def table(self, name: str, order: str = "excel_row") -> list[dict]:
        return self.rows(f"select * from raw.{name} order by {order}")

    def rejected(self) -> list[tuple]:
        return [(r["sheet"], r["excel_row"], r["column"], r["value"], r["reason"])
                for r in self.table("rejected_rows", "sheet, excel_row, \"column\"")]

    def warnings(self) -> list[tuple]:
        return [(r["sheet"], r["excel_row"], r["column"], r["value"], r["message"])
                for r in self.table("warnings", "sheet, excel_row, \"column\"")]

    def ledger(self) -> list[dict]:
        return self.table("submissions", "file_name")

    def sheets(self) -> dict[str, dict]:
        return {r["sheet"]: r for r in self.table("submission_sheets", "sheet")}


def load(sources: Path, warehouse_dir: Path, today: dt.date = TODAY) -> Loaded:
    run_id = uuid.uuid4().hex
    result = run_ingest(sources, warehouse_dir, today=today, run_id=run_id, workers=1)
    con = warehouse.connect(warehouse_dir)
    try:
        written = feedback_for_run(con, warehouse_dir, run_id)
    finally:
        con.close()
    return Loaded(result, warehouse_dir, written)


@dataclass(frozen=True)
class Formula:
    formula: str
    cached: object


def write_xlsxwriter(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[tuple]] | None = None) -> Path:
    """Like workbooks.write_workbook, but Formula(...) cells get a cached result (as Excel writes).

    merges: sheet name -> [(range like 'A1:Q1', value)] merged cells (leave those cells None in rows).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Formula):
                    sheet.write_formula(r, c, value.formula, None, value.cached)
                elif isinstance(value, (dt.date, dt.datetime)):
                    sheet.write_datetime(r, c, value if isinstance(value, dt.datetime)
                                         else dt.datetime(value.year, value.month, value.day), date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write(r, c, value)
        for cells, value in (merges or {}).get(name, []):
            sheet.merge_range(cells, value)
    book.close()
    return path
