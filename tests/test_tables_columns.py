"""parse_sheet on grids shaped like python-calamine's (numbers as floats, empty cells as '', rows of
unequal length): the column-wise conversion gives what reading cell by cell gives."""
import datetime as dt

from pipeline.ingest.reference import DISTRICT, Reporter
from pipeline.ingest.tables import parse_sheet
from workbooks import HOUSE_HEADERS, house, records

PERIOD = dt.date(2025, 3, 1)
DISTRICT_116 = Reporter(DISTRICT, "116")


def calamine_row(**values) -> list:
    """A houses row as calamine returns it: numbers as floats, blank cells as ''."""
    row = house(**values)
    return ["" if v is None else float(v) if type(v) is int else v for v in row]


def test_blank_short_and_repeated_cells_read_as_cell_by_cell():
    rows = [
        HOUSE_HEADERS,
        calamine_row(household_id="H001", notes="Hộ neo đơn", no=1),
        calamine_row(household_id="H002", done=None, status="Đang thi công", no=2),          # '' date
        calamine_row(household_id="H003", national_id=" 0140 9900 0003 ", no=3)[:16],         # no notes cell
        calamine_row(household_id="H004", national_id="12345", no=4),                          # bad ID
        calamine_row(household_id="H005", start=dt.datetime(2025, 1, 7), village="  ", no=5),
    ]
    sheet = parse_sheet(rows, "houses", "Nhà ở", DISTRICT_116, PERIOD)
    by_id = {r["household_id"]: r for r in records(sheet)}
    assert sorted(by_id) == ["H001", "H002", "H003", "H005"]
    assert by_id["H001"]["central_budget"] == 40_000_000 and type(by_id["H001"]["central_budget"]) is int
    assert by_id["H001"]["notes"] == "Hộ neo đơn" and by_id["H002"]["notes"] is None
    assert by_id["H002"]["completion_date"] is None and by_id["H002"]["status"] == "in_progress"
    assert by_id["H003"]["national_id"] == "014099000003" and by_id["H003"]["notes"] is None
    assert by_id["H005"]["start_date"] == dt.date(2025, 1, 7) and by_id["H005"]["village"] is None
    assert {r["commune_code"] for r in by_id.values()} == {"03646"}
    [problem] = sheet.problems
    assert (problem.excel_row, problem.column, problem.value) == (5, "Số CCCD", None)   # personal: not quoted
    # the cells as written, for messages: a row without the cell has none
    assert sheet.written_text(2, "notes") == "Hộ neo đơn"
    assert sheet.written_text(4, "notes") is None
    assert sheet.written_text(2, "central_budget") == "40000000"
    assert sheet.written_text(5, "household_id") is None   # a rejected row is not kept
    assert sheet.rows_read == 5 and sheet.rows_skipped == 0


def test_equal_texts_and_dates_share_one_object():
    # each cell its own object, as calamine gives them
    rows = [HOUSE_HEADERS] + [[v if type(v) is not str else "".join(v) for v in
                               calamine_row(household_id=f"H{i:03}", start=dt.date(2025, 1, 6), no=i)]
                              for i in range(1, 4)]
    sheet = parse_sheet(rows, "houses", "Nhà ở", DISTRICT_116, PERIOD)
    for key in ("village", "ethnicity", "start_date"):
        first, *others = sheet.data[key]
        assert all(value == first and value is first for value in others), key
    assert all(value is sheet.raw["commune_name"][0] for value in sheet.raw["commune_name"])
