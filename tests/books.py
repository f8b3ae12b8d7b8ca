"""Workbooks laid out the way offices lay them out (merged two-row headers, hidden sheets,
formulas, unit lines), written with openpyxl, and what a clerk reads back in the feedback."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

from pipeline import form
from workbooks import cover_rows

D = dt.date
# A compact houses table: the columns a two-row header is usually drawn over (headers from the form).
TOP = [*form.HOUSES.headers(("no", "household_id", "commune_code", "commune_name", "household_head", "category",
                             "support_type")),
       None, None, None, *form.HOUSES.headers(("start_date", "completion_date", "status"))]
AMOUNTS = tuple(form.HOUSES.headers(("central_budget", "local_budget", "social_contribution")))
DOWN = "ABCDEFGKLM"          # the headers merged down both header rows


def case(household_id="H1", central=40, local=15, social=5, head="Lò Văn An", status="Hoàn thành",
         start=D(2025, 1, 6), done=D(2025, 3, 20), support="Xây mới", no=1, commune="03646",
         name="Phường Chiềng Lề", category="Hộ nghèo") -> list:
    return [no, household_id, commune, name, head, category, support, central, local, social, start, done, status]


def flat_header(amounts=AMOUNTS) -> list:
    return [*TOP[:7], *amounts, *TOP[10:]]


def two_row_houses(group, subs=AMOUNTS, cases=(), above=(), merge_group=True, row=None):
    """(rows, merges): `above` rows, then a header whose group is merged over H:J, the rest merged down."""
    top_row = len(above) + 1 if row is None else row
    rows = [*above, [*TOP[:7], group, None, None, *TOP[10:]], [None] * 7 + list(subs) + [None] * 3, *cases]
    merges = [f"{c}{top_row}:{c}{top_row + 1}" for c in DOWN]
    if merge_group:
        merges.append(f"H{top_row}:J{top_row}")
    return rows, merges


def write_book(path: Path, sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None,
               hidden: tuple[str, ...] = ()) -> Path:
    """sheets: name -> rows; merges: name -> ranges like 'H5:J5' (the top-left value stays); hidden sheets."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in (merges or {}).get(name, []):
            sheet.merge_cells(cells)
        if name in hidden:
            sheet.sheet_state = "hidden"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def houses_book(path: Path, rows, merges=(), period="03/2025", **extra_sheets) -> Path:
    return write_book(path, {form.COVER.name: cover_rows(period=period), form.HOUSES.name: rows, **extra_sheets},
                      {form.HOUSES.name: list(merges)})


# ---- reading a load back ---------------------------------------------------------------------

def by_file(loaded) -> dict[str, dict]:
    return {entry["file_name"]: entry for entry in loaded.ledger()}


def rows_of(loaded, table: str, file_name: str, order="excel_row") -> list[dict]:
    sid = by_file(loaded)[file_name]["submission_id"]
    return loaded.rows(f"select * from raw.{table} where submission_id = ? order by {order}", [sid])


def skipped(loaded, file_name: str) -> dict[int, str]:
    return {r["excel_row"]: r["kind"] for r in rows_of(loaded, "skipped_rows", file_name)}


def amounts(loaded, file_name: str) -> list[tuple]:
    return [(r["excel_row"], r["central_budget_vnd"], r["local_budget_vnd"], r["social_contribution_vnd"])
            for r in rows_of(loaded, "houses", file_name)]


# What one file does to another file of the same unit and month (pipeline/rulebook/history.py).
BETWEEN_FILES = ("replacement_drops_rows", "version_claimed_twice", "replacement_loads_nothing")


def feedback(loaded, file_name: str, between_files: bool = False) -> list[dict]:
    """The Problems sheet of the file's feedback workbook, as the clerk reads it. The modules that use it load
    many unrelated layouts as one unit's March report, so each later file replaces the earlier ones: unless
    between_files, what the files say about each other (tests/test_history.py's business) is left out."""
    [written] = [f for f in loaded.feedback if f["file_name"] == file_name]
    sheet = openpyxl.load_workbook(written["path"], read_only=True)["Lỗi - Problems"]
    keys = ["sheet", "cell", "row", "column", "value", "reason_vi", "reason", "severity"]
    problems = [dict(zip(keys, row)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    if between_files:
        return problems
    told = {r["message"] for r in loaded.rows(
        f"select message from raw.warnings where submission_id = ? and rule in {BETWEEN_FILES}",
        [by_file(loaded)[file_name]["submission_id"]])}
    return [p for p in problems if p["reason"] not in told]


def write_ods(path: Path, sheets: dict[str, list[list]], spans: dict[str, dict[tuple[int, int], int]] | None = None):
    """A minimal OpenDocument spreadsheet (python-calamine gives no merged ranges for .ods).

    spans: sheet -> {(row, col) 0-based: columns spanned}, written as ODS merged cells."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value, span):
        spanned = f' table:number-columns-spanned="{span}"' if span > 1 else ""
        if value is None:
            return f"<table:table-cell{spanned}/>"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return f'<table:table-cell{spanned} office:value-type="float" office:value="{value}"/>'
        return f'<table:table-cell{spanned} office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    tables = []
    for name, rows in sheets.items():
        merged = (spans or {}).get(name, {})
        lines = []
        for r, row in enumerate(rows):
            cells, c = [], 0
            while c < len(row):
                span = merged.get((r, c), 1)
                cells.append(cell(row[c], span) + "<table:covered-table-cell/>" * (span - 1))
                c += span
            lines.append(f"<table:table-row>{''.join(cells) or '<table:table-cell/>'}</table:table-row>")
        tables.append(f'<table:table table:name="{escape(name)}">{"".join(lines)}</table:table>')
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
               f'<office:body><office:spreadsheet>{"".join(tables)}</office:spreadsheet></office:body>'
               '</office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                '</manifest:manifest>')
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", manifest)
    return path
