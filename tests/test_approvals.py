"""Sign-off over the raw layer (pipeline/warehouse/approvals.py), on workbooks a clerk would write, through the real
ingest (no dbt): what an approval pins, what a later file does to an approved month (it waits, and its clerk is
told), approving again, unapproving, --as-of, and every bad input refused with nothing written."""
import datetime as dt

import openpyxl
import pytest

from history_books import case, commune_book, district_book
from loading import load
from pipeline.warehouse import approvals, store

D = dt.date
TODAY = D(2026, 2, 20)
NOW = dt.datetime(2026, 2, 20, 9, 30)
BY = "Cục Thống kê tỉnh Sơn La"


def _request(action=approvals.APPROVE, periods=("2025-09",), units=("03646",), **options):
    return approvals.Request(action, approvals.parse_periods(periods), tuple(units), by=BY, **options)


def _approve(warehouse_dir, request, today=TODAY, now=NOW):
    con = store.connect(warehouse_dir)
    try:
        decisions = approvals.plan(con, request, today)
        approvals.record(con, request, decisions, run_id=None, now=now)
        return decisions
    finally:
        con.close()


def _rows(warehouse_dir, sql, params=()):
    con = store.connect(warehouse_dir, read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _counting(warehouse_dir, unit_code="03646"):
    """{file name: (counts, counted, approval_status)} of the unit's house and grant scopes."""
    return {name: (counts, counted, status) for name, counts, counted, status in _rows(warehouse_dir, """
        select s.file_name, c.counts, c.counted, c.approval_status from raw.counting as c
        join raw.submissions as s on s.submission_id = c.submission_id
        where s.unit_code = ? and c.sheet_kind = 'houses' order by 1""", [unit_code])}


def _september(src, version=1, prepared="05/10/2025", amount=40_000_000, name="bao_cao_09_2025.xlsx"):
    return commune_book(src / "03646" / name, "03646", "09/2025", version=version, prepared=prepared, houses=[
        case("03646-2025-011", D(2025, 7, 2), D(2025, 9, 12), central=amount),
        case("03646-2025-012", D(2025, 8, 5))],
        grants=[("Khám chữa bệnh", 12, 3_600_000, "Ngân sách trung ương")])


@pytest.fixture(scope="module")
def approved_then_corrected(tmp_path_factory):
    """September approved as of 20/10/2025, then its correction (Lần gửi 2, prepared in February) loaded."""
    root = tmp_path_factory.mktemp("approvals")
    src, warehouse_dir = root / "sources", root / "warehouse"
    _september(src)
    commune_book(src / "03760" / "bao_cao_01_2026.xlsx", "03760", "01/2026", prepared="06/02/2026",
                 villages=[("Bản Bám", 2025, 1010, 100, 98)])
    load(src, warehouse_dir, today=TODAY)
    first = _approve(warehouse_dir, _request(as_of=D(2025, 10, 20)))
    january = _approve(warehouse_dir, _request(periods=("2026-01",), units=("03760",)))
    _september(src, version=2, prepared="09/02/2026", amount=37_000_000, name="bao_cao_09_2025_lan2.xlsx")
    commune_book(src / "03760" / "bao_cao_02_2026.xlsx", "03760", "02/2026", prepared="10/02/2026",
                 villages=[("Bản Bám", 2025, 1010, 120, 98)])
    second = load(src, warehouse_dir, today=TODAY)
    return warehouse_dir, first, january, second


def test_an_approval_pins_what_counted_as_of_its_day(approved_then_corrected):
    warehouse_dir, [first], _, _ = approved_then_corrected
    assert first.outcome == "approve" and first.as_of == D(2025, 10, 20)
    assert sorted(kind for kind, _, _ in first.pins) == ["grants", "houses"]
    [(action, by, as_of)] = _rows(warehouse_dir, "select action, recorded_by, as_of from raw.approval_events "
                                                 "where unit_code = '03646'")
    assert (action, by, as_of) == ("approve", BY, D(2025, 10, 20))


def test_a_correction_of_an_approved_month_waits_and_its_clerk_is_told(approved_then_corrected):
    warehouse_dir, _, _, second = approved_then_corrected
    assert _counting(warehouse_dir) == {
        "03646/bao_cao_09_2025.xlsx": (False, True, "approved"),         # pinned: still counts
        "03646/bao_cao_09_2025_lan2.xlsx": (True, False, "approved"),    # would count: pending
    }
    # the ledger keeps the format's own status: the correction replaced the first file
    assert {r["file_name"]: r["status"] for r in second.ledger()}["03646/bao_cao_09_2025.xlsx"] == "superseded"
    told = [(sheet, column, value, message) for sheet, _, column, value, message in second.warnings()
            if "approv" in message]
    assert ("Nhà ở", "Kỳ báo cáo", "09/2025",
            "the province has already approved 09/2025: this file's 'Nhà ở' is checked and kept, and awaits the "
            "province's approval; until then the approved figures stand (nothing to do unless the province asks)"
            ) in told
    assert any(sheet == "Hộ nghèo" and value == "2025" for sheet, _, value, _ in told)   # 03760's review too
    [workbook] = [f for f in second.feedback if f["file_name"].endswith("lan2.xlsx")]
    cells = [str(c) for row in openpyxl.load_workbook(workbook["path"]).worksheets[1].iter_rows(values_only=True)
             for c in row if c]
    assert any("đang chờ tỉnh phê duyệt" in c for c in cells) and any("awaits the province's approval" in c
                                                                       for c in cells)


def test_approving_again_adopts_and_unapproving_returns_to_provisional(approved_then_corrected, tmp_path):
    import shutil

    warehouse_dir = tmp_path / "warehouse"
    shutil.copytree(approved_then_corrected[0], warehouse_dir)
    [again] = _approve(warehouse_dir, _request())
    assert again.outcome == "adopt"
    assert _counting(warehouse_dir) == {"03646/bao_cao_09_2025.xlsx": (False, False, "approved"),
                                        "03646/bao_cao_09_2025_lan2.xlsx": (True, True, "approved")}
    [already] = _approve(warehouse_dir, _request())
    assert already.outcome == "already approved"
    assert _rows(warehouse_dir, "select count(*) from raw.approval_events where unit_code = '03646'") == [(2,)]
    [off] = _approve(warehouse_dir, _request(approvals.UNAPPROVE))
    assert off.outcome == "unapprove"
    assert _counting(warehouse_dir) == {"03646/bao_cao_09_2025.xlsx": (False, False, "provisional"),
                                        "03646/bao_cao_09_2025_lan2.xlsx": (True, True, "provisional")}
    [nothing] = _approve(warehouse_dir, _request(approvals.UNAPPROVE))
    assert nothing.outcome == "not approved"


def test_poverty_is_pinned_per_commune_and_review_year(approved_then_corrected):
    warehouse_dir = approved_then_corrected[0]
    rows = _rows(warehouse_dir, """
        select s.file_name, c.counts, c.counted, c.approval_status from raw.counting as c
        join raw.submissions as s on s.submission_id = c.submission_id
        where c.sheet_kind = 'poverty' order by 1""")
    # February's file carries the 2025 review January's approval pinned: it waits, January's counts
    assert rows == [("03760/bao_cao_01_2026.xlsx", False, True, "approved"),
                    ("03760/bao_cao_02_2026.xlsx", True, False, "approved")]


@pytest.mark.parametrize("request_, message", [
    (dict(units=("99999",)), "unknown reporting unit 99999"),
    (dict(units=("118",)), "unit 118 was not in force in 2025-09"),
    (dict(units=("03664",)), "nothing received from unit 03664 for 2025-09 by 2026-02-20 (no accepted file)"),
    (dict(periods=("2026-03",)), "2026-03 is in the future (today is 2026-02-20)"),
    (dict(as_of=D(2025, 10, 1)), "nothing received from unit 03646 for 2025-09 by 2025-10-01 (2 accepted file(s) "
                                 "came after that day)"),
    (dict(periods=("2025-13",)), "period '2025-13' is not a month written YYYY-MM"),
])
def test_bad_input_is_refused_and_nothing_is_written(approved_then_corrected, request_, message):
    warehouse_dir = approved_then_corrected[0]
    before = _rows(warehouse_dir, "select count(*) from raw.approval_events")
    with pytest.raises(approvals.ApprovalError) as refused:
        periods = request_.pop("periods", ("2025-09",))
        _approve(warehouse_dir, _request(periods=periods, **request_))
    assert message in str(refused.value)
    assert _rows(warehouse_dir, "select count(*) from raw.approval_events") == before


def test_a_range_of_district_months_each_as_of_the_20th_after_it(tmp_path):
    src, warehouse_dir = tmp_path / "sources", tmp_path / "warehouse"
    for month, prepared in ((4, "08/05/2025"), (5, "21/06/2025"), (6, "07/07/2025")):
        for district, commune in (("118", "03682"), ("119", "03760")):
            district_book(src / f"{district}/bao_cao_{month:02d}_2025.xlsx", district, f"{month:02d}/2025",
                          grants=[(commune, "Khám chữa bệnh", 10, 5_000_000, "Ngân sách trung ương")],
                          prepared=prepared if district == "118" else "09/07/2025")
    load(src, warehouse_dir, today=TODAY)
    whole = _request(periods=("2025-04..2025-06",), units=(), as_of_day=20)
    with pytest.raises(approvals.ApprovalError) as refused:
        _approve(warehouse_dir, whole)     # May's reports came after 20/06
    assert str(refused.value) == ("nothing received from any unit for 2025-05 by 2025-06-20 (2 accepted file(s) "
                                  "came after that day): nothing was changed")
    decisions = _approve(warehouse_dir, _request(periods=("2025-04", "2025-06"), units=(), as_of_day=20))
    assert [d.line() for d in decisions] == [
        "2025-04 district 118: approved as of 2025-05-20: 1 submission(s) pinned (grants)",
        "2025-06 district 118: approved as of 2025-07-20: 1 submission(s) pinned (grants)",
        "2025-06 district 119: approved as of 2025-07-20: 1 submission(s) pinned (grants)"]


def test_a_sign_off_that_fails_halfway_leaves_nothing(approved_then_corrected, tmp_path, monkeypatch):
    """The events, their pins and what counts are one transaction: a failure after the events were written (here
    while what counts is recomputed) leaves the warehouse as it was."""
    import shutil

    warehouse_dir = tmp_path / "warehouse"
    shutil.copytree(approved_then_corrected[0], warehouse_dir)
    state = ("select (select count(*) from raw.approval_events), (select count(*) from raw.approval_pins), "
             "(select string_agg(cast(counted as varchar), ',' order by scope, submission_id) from raw.counting), "
             "(select value from raw.load_state where key = 'ledger_version')")
    before = _rows(warehouse_dir, state)

    def interrupted(con):
        raise KeyboardInterrupt("stopped while recomputing what counts")

    monkeypatch.setattr(approvals, "apply", interrupted)
    with pytest.raises(KeyboardInterrupt):
        _approve(warehouse_dir, _request())     # would adopt the correction
    assert _rows(warehouse_dir, state) == before


def _cli(*args):
    import subprocess
    import sys

    from runner import REPO

    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("args, message", [
    (["approve", "--period", "2025-13", "--unit", "03646", "--by", BY], "period '2025-13' is not a month"),
    (["approve", "--period", "2025-09", "--unit", "03646", "--by", " "], "say which office decides"),
    (["approve", "--period", "2025-09", "--unit", "03646", "--by", BY, "--as-of", "20/10/2025"],
     "--as-of '20/10/2025' is not a day written YYYY-MM-DD"),
    (["approve", "--period", "2025-09", "--unit", "03646", "--by", BY], "no warehouse at"),
    (["unapprove", "--period", "2025-09", "--all-received", "--by", BY], "no warehouse at"),
    (["approvals", "--period", "09/2025"], "is not a month written YYYY-MM"),
    (["figures", "--as-of", "yesterday"], "--as-of 'yesterday' is not a day"),
    (["figures"], "no published warehouse at"),
])
def test_the_commands_refuse_bad_arguments_with_exit_2(tmp_path, args, message):
    done = _cli(*args, "--warehouse", str(tmp_path / "nowhere"))
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "nowhere" / "internal").exists()


def test_figures_as_of_reads_a_day_or_a_second():
    from pipeline.warehouse import figures

    assert figures.parse_when("2026-12-07") == dt.datetime(2026, 12, 7, 23, 59, 59, 999999)
    assert figures.parse_when("2026-12-07T14:03:12") == dt.datetime(2026, 12, 7, 14, 3, 12, 999999)
    assert figures.parse_when("2026-12-07 14:03:12.5") == dt.datetime(2026, 12, 7, 14, 3, 12, 500000)
