"""Issue 15, done when: real workbooks through the real load (`python -m pipeline load`): a group
unit converts, a sub-header unit wins, amounts typed in triệu/nghìn without a unit are row
errors with that reason while a correct row beside them loads; and every skipped row reaches
audit.skipped_rows with its kind (dbt's count test passes, or the build would fail)."""
import pytest

from books import AMOUNTS, case, flat_header, houses_book, two_row_houses, write_book
from runner import query, run_load
from test_accounting import EXPECTED_SKIPPED, MERGES, MESSY
from workbooks import cover_rows

pytestmark = pytest.mark.slow   # a real CLI load: the full tier only

M = 1_000_000


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    root = tmp_path_factory.mktemp("units_cli")
    sources = root / "sources"
    rows, merges = two_row_houses("Kinh phí hỗ trợ (triệu đồng)", cases=[case("G1", central=40, local=20, social=0)])
    houses_book(sources / "group_unit.xlsx", rows, merges, period="05/2025")
    subs = ["Ngân sách trung ương (nghìn đồng)", *AMOUNTS[1:]]
    rows, merges = two_row_houses("Kinh phí hỗ trợ (triệu đồng)", subs, [case("S1", central=40_000, local=20, social=0)])
    houses_book(sources / "sub_unit_wins.xlsx", rows, merges, period="06/2025")
    houses_book(sources / "no_unit.xlsx", [
        flat_header(),
        case("OK", central=40 * M, local=20 * M, social=0),
        case("TRIEU", central=40, local=20, social=0, no=2),
        case("NGHIN", central=40_000, local=20_000, social=0, no=3)], period="04/2025")
    write_book(sources / "messy.xlsx", {"Thông tin": cover_rows(district="116", period="03/2025"), "Nhà ở": MESSY},
               {"Nhà ở": MERGES})
    result = run_load(sources, root / "warehouse")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return root / "warehouse"


def _houses(warehouse, file_name):
    return query(warehouse, "select h.household_id, h.central_budget_vnd, h.local_budget_vnd, h.total_vnd "
                            "from marts.fct_houses h join audit.submissions s using (submission_id) "
                            "where s.file_name = ? order by 1", [file_name])


def test_group_unit_converts(warehouse):
    assert _houses(warehouse, "group_unit.xlsx") == [("G1", 40 * M, 20 * M, 60 * M)]


def test_sub_header_unit_wins(warehouse):
    assert _houses(warehouse, "sub_unit_wins.xlsx") == [("S1", 40 * M, 20 * M, 60 * M)]


def test_amounts_without_a_unit_are_row_errors_and_the_correct_row_loads(warehouse):
    assert _houses(warehouse, "no_unit.xlsx") == [("OK", 40 * M, 20 * M, 60 * M)]
    rejected = query(warehouse, "select r.excel_row, r.cell, r.reason from audit.rejected_rows r "
                                "join audit.submissions s using (submission_id) where s.file_name = ? "
                                "order by 1, 2", ["no_unit.xlsx"])
    assert [(row, cell) for row, cell, _ in rejected] == [(3, "'Nhà ở'!H3"), (3, "'Nhà ở'!I3"), (4, "'Nhà ở'!H4")]
    assert all("probably written in nghìn or triệu đồng without the unit" in reason for *_, reason in rejected)
    [(status,)] = query(warehouse, "select status from audit.submissions where file_name = 'no_unit.xlsx'")
    assert status == "accepted_with_errors"


def test_skipped_rows_are_published_with_their_kinds(warehouse):
    rows = query(warehouse, "select k.excel_row, k.kind from audit.skipped_rows k "
                            "join audit.submissions s using (submission_id) where s.file_name = 'messy.xlsx' "
                            "order by 1")
    assert dict(rows) == EXPECTED_SKIPPED
    mismatched = query(warehouse, """
        select ss.submission_id, ss.sheet from audit.submission_sheets ss
        left join (select submission_id, sheet_kind, count(*) n from audit.skipped_rows group by all) k
          on k.submission_id = ss.submission_id and k.sheet_kind = ss.sheet
        where ss.rows_skipped <> coalesce(k.n, 0)""")
    assert mismatched == []
