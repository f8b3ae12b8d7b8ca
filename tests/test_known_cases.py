"""The household head may be blank on a case already known: a current (accepted, not superseded)
submission of the same reporting unit has loaded the same Mã hộ (submission-format.md, houses
sheet). Otherwise it is a row error. Through the real ingest, in several loads."""
import datetime as dt

from loading import load
from workbooks import cover_rows, house, submission

D = dt.date
HEAD_REASON = "Họ tên chủ hộ (household_head) is required for a case not reported before"


def in_progress(household_id, head="Lò Văn Có Tên", **kw):
    return house(household_id, head=head, national_id=None, status="Đang thi công", done=None,
                 start=D(2025, 1, 6), **kw)


def loaded_ids(loaded, file_name):
    sid = next(e["submission_id"] for e in loaded.ledger() if e["file_name"] == file_name)
    return {r["household_id"]: r["household_head"]
            for r in loaded.rows("select * from raw.houses where submission_id = ?", [sid])}


def head_errors(loaded):
    return sorted((r[1], r[4][:len(HEAD_REASON)]) for r in loaded.rejected() if r[2] == "Họ tên chủ hộ")


def test_blank_head_allowed_only_on_a_known_case(sources, warehouse_dir):
    # First load: February of district 116 (K1, S1) and of district 118 (X1); a second February
    # of 116 (Lần gửi 2) that leaves S1 out supersedes the first.
    submission(sources / "a/116_02_v1.xlsx", cover=cover_rows(period="02/2025"),
               houses=[in_progress("K1"), in_progress("S1", no=2)])
    submission(sources / "a/118_02.xlsx", cover=cover_rows(district="118", period="02/2025"),
               houses=[in_progress("X1", commune="03682", name="Xã Mường Chiên")])
    first = load(sources, warehouse_dir)
    assert first.result.by_status() == {"accepted": 2}
    submission(sources / "b/116_02_v2.xlsx", cover=cover_rows(period="02/2025", version=2),
               houses=[in_progress("K1")])
    load(sources, warehouse_dir)
    # March of 116: K1 known (current February v2); S1 only in the superseded v1; X1 is 118's case;
    # N1 new; B1 new but given with its head in January, loaded in the same batch.
    submission(sources / "c/116_01.xlsx", cover=cover_rows(period="01/2025"), houses=[in_progress("B1")])
    submission(sources / "c/116_03.xlsx", cover=cover_rows(period="03/2025"), houses=[
        in_progress("K1", head=None, no=1), in_progress("S1", head=None, no=2), in_progress("X1", head=None, no=3),
        in_progress("N1", head=None, no=4), in_progress("B1", head=None, no=5), in_progress("N2", no=6)])
    third = load(sources, warehouse_dir)
    assert {e["file_name"]: e["status"] for e in third.ledger()}["c/116_03.xlsx"] == "accepted_with_errors"
    assert loaded_ids(third, "c/116_03.xlsx") == {"K1": None, "B1": None, "N2": "Lò Văn Có Tên"}
    # rows 3, 4, 5 (S1, X1, N1): the head is required, its value withheld as personal
    assert head_errors(third) == [(3, HEAD_REASON), (4, HEAD_REASON), (5, HEAD_REASON)]
    assert all(r[3] is None for r in third.rejected() if r[2] == "Họ tên chủ hộ")
