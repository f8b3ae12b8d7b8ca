"""One workbook file -> its cover and typed sheet rows (runs in a worker process).

Pure: no database, no Dagster. File-level problems come back as a rejection reason.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.ingest import safety
from pipeline.ingest.cover import Cover, CoverError, parse_cover
from pipeline.ingest.read import UnreadableWorkbook, read_workbook
from pipeline.ingest.sheets import DATA_SHEETS
from pipeline.ingest.tables import SheetResult, parse_sheet


@dataclass
class ParsedWorkbook:
    cover: Cover | None = None
    reason: str | None = None          # set when the whole file is rejected
    reason_vi: str | None = None
    sheets: dict[str, SheetResult] = field(default_factory=dict)

    @property
    def rejected(self) -> bool:
        return self.reason is not None


def parse_workbook(path: Path, today: dt.date) -> ParsedWorkbook:
    try:
        safety.inspect_workbook(path)
        workbook = read_workbook(path)
    except (safety.FileRejected, UnreadableWorkbook) as error:
        return ParsedWorkbook(reason=error.reason, reason_vi=error.reason_vi)
    if "cover" not in workbook.sheets:
        return ParsedWorkbook(
            reason="no cover sheet ('Thông tin') in the workbook",
            reason_vi="thiếu trang 'Thông tin'",
        )
    try:
        cover = parse_cover(workbook.sheets["cover"][1], today)
    except CoverError as error:
        return ParsedWorkbook(reason=error.reason, reason_vi=error.reason_vi)
    present = [kind for kind in DATA_SHEETS if kind in workbook.sheets]
    if not present:
        return ParsedWorkbook(
            cover=cover,
            reason="no data sheet: the workbook needs 'Nhà ở', 'Hỗ trợ' or 'Hộ nghèo'",
            reason_vi="không có trang số liệu: cần 'Nhà ở', 'Hỗ trợ' hoặc 'Hộ nghèo'",
        )
    parsed = ParsedWorkbook(cover=cover)
    for kind in present:
        name, grid = workbook.sheets[kind]
        parsed.sheets[kind] = parse_sheet(grid, kind, name, cover.district_code, cover.period)
    return parsed
