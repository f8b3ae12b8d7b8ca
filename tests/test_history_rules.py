"""The rules of a file against what the unit sent before, fast: through the real ingest (no dbt), and the rule
book's decisions on frames (pipeline/rulebook/cases.py, history.py). The whole story, loads and marts: test_history.py."""
import datetime as dt

import pandas as pd

from loading import load
from pipeline.rulebook import cases, history
from pipeline.text import case_id
from workbooks import cover_rows, house, submission

D = dt.date


def test_a_household_id_is_one_case_whatever_its_dashes_spaces_or_case():
    assert {case_id(v) for v in ("03688-2025-001", "03688–2025–001", "03688—2025—001", " 03688 ‑ 2025 ‑ 001 ",
                                 "03688\u22122025\u2212001\u200b")} == {"03688-2025-001"}
    assert case_id("h-1") == "H-1" and case_id(123) == "123" and case_id("  ") is None


def test_a_completion_date_after_the_day_the_file_was_received_is_rejected(sources, warehouse_dir):
    # received on 10/03/2025: a house finished "on 28/03/2025", in the March report, is not finished yet
    submission(sources / "116_03.xlsx", cover=cover_rows(period="03/2025"), houses=[
        house("H1", start=D(2025, 1, 6), done=D(2025, 3, 28)), house("H2", start=D(2025, 1, 6), done=D(2025, 3, 9), no=2)])
    loaded = load(sources, warehouse_dir, today=D(2025, 3, 10))
    assert [(r[1], r[2], r[4]) for r in loaded.rejected()] == [
        (2, "Ngày hoàn thành", "completion date (Ngày hoàn thành) is after the day this file was received: a house "
                               "is reported completed once it is finished")]
    assert [r["household_id"] for r in loaded.table("houses")] == ["H2"]


def _frame(rows) -> pd.DataFrame:
    keys = ("submission_id", "period", "household_id", "status", "start_date", "completion_date")
    frame = pd.DataFrame([dict(zip(keys, r)) for r in rows])
    frame["commune_code"], frame["commune_list"], frame["row_key"] = "03646", "2025-07", range(len(frame))
    for key in ("start_date", "completion_date"):
        frame[key] = pd.to_datetime(frame[key])
    return frame


def test_what_came_before_a_row_is_its_units_earlier_months_not_a_correction_of_its_own():
    frame = _frame([("aug", D(2025, 8, 1), "H1", "completed", D(2025, 7, 1), D(2025, 8, 15)),
                    ("sep", D(2025, 9, 1), "H1", "in_progress", D(2025, 7, 1), None),
                    ("aug2", D(2025, 8, 1), "H1", "in_progress", D(2025, 7, 1), None)])   # August corrected
    answers = {("03646", "H1"): (D(2025, 7, 1), None)}   # first reported in July, never completed
    reopened = cases.reopened(frame, lambda asked: answers)
    assert [None if pd.isna(v) else v for v in reopened] == [None, "08/2025", None]
    assert frame["_known_before"].tolist() == [True, True, True]


def test_a_household_id_two_districts_used_is_told_to_take_a_new_id_not_that_the_case_was_completed():
    from pipeline import rulebook

    frame = _frame([("sep", D(2025, 9, 1), "HC1", "in_progress", D(2025, 7, 1), None),
                    ("sep", D(2025, 9, 1), "H2", "in_progress", D(2025, 7, 1), None)])
    frame[cases.COLLISION] = ["HC1", None]   # two districts' completed cases HC1 are both in 03646 now
    # each case's first month reported and first month reported completed
    answers = {("03646", "HC1"): (D(2024, 12, 1), D(2024, 12, 1)), ("03646", "H2"): (D(2025, 8, 1), D(2025, 8, 1))}
    assert [None if pd.isna(v) else v for v in cases.reopened(frame, lambda asked: answers)] == [None, "08/2025"]
    # the collision's flag is derived before the rule that reads it
    order = [rule.name for rule in rulebook.judged("houses")]
    assert order.index("household_id_not_shared_by_two_cases") < order.index("completed_case_stays_completed")


def test_dates_of_another_month_need_more_than_half_and_three():
    rows = [("s", D(2025, 7, 1), f"H{i}", "completed", D(2025, 8, 1), D(2025, 8, 20)) for i in range(2)]
    frame = _frame(rows[:1])
    cases.case_history(frame, lambda asked: {})
    assert history.dates_in_another_month(frame) == {}   # 2 dates in August: fewer than 3
    frame = _frame(rows + [("s", D(2025, 7, 1), "H2", "in_progress", D(2025, 7, 3), None)])
    cases.case_history(frame, lambda asked: {})
    [(message, message_vi)] = history.dates_in_another_month(frame).values()
    assert message.startswith("4 of the 5 new completion and start dates in this file are in 08/2025, not in 07/2025")
    assert "tháng 08/2025" in message_vi
    # a case completed in an earlier month and listed again brings no new date
    frame = _frame([("s", D(2025, 9, 1), f"H{i}", "completed", D(2025, 7, 1), D(2025, 8, 20)) for i in range(3)])
    cases.case_history(frame, lambda asked: {("03646", f"H{i}"): (D(2025, 8, 1), D(2025, 8, 1)) for i in range(3)})
    assert history.dates_in_another_month(frame) == {}
