"""What counts (pipeline/warehouse/supersession.py) on a raw layer made from the pipeline's own DDL, in memory:
the format's "latest" rule step by step, per sheet kind and scope, full reports and supplements, poverty's shapes,
what a full report replaced, statuses and kinds, and a warehouse an earlier version counted recounted once.

Every scope holds submissions that differ in one step of the order only; the one that must count has the LOWER
submission_id, so a step that stopped working would fall through to "submission_id desc" and pick the other."""
import datetime as dt

import duckdb
import pytest

from pipeline.warehouse import store, supersession

T = dt.datetime


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(store.RAW_SCHEMA_SQL)
    yield con
    con.close()


def submission(con, submission_id, unit, period, version=1, received=T(2025, 10, 1, 10), mtime=None,
               report_type="full", outcome="accepted", **sheets):
    """A ledger entry of a commune's report for `period` (YYYY-MM) and its loaded rows: houses=[ids],
    grants=[programmes], poverty=[(commune, year, village or None)]."""
    con.execute("insert into raw.submissions (submission_id, file_name, file_sha256, received_at, file_mtime, period, "
                "version, outcome, status, unit_type, unit_code, report_type) "
                "values (?, ?, ?, ?, ?, cast(? || '-01' as date), ?, ?, ?, 'commune', ?, ?)",
                [submission_id, f"{submission_id}.xlsx", submission_id, received, mtime or received - dt.timedelta(hours=1),
                 period, version, outcome, outcome, unit, report_type])
    for row, household in enumerate(sheets.get("houses", []), start=2):
        con.execute("insert into raw.houses (submission_id, excel_row, household_id, commune_code, category, "
                    "support_type, central_budget_vnd, local_budget_vnd, social_contribution_vnd, status) "
                    "values (?, ?, ?, ?, 'poor', 'new_build', 0, 0, 0, 'in_progress')", [submission_id, row, household, unit])
    for row, programme in enumerate(sheets.get("grants", []), start=2):
        con.execute("insert into raw.grants (submission_id, excel_row, commune_code, programme, funding_source, "
                    "beneficiaries, amount_vnd) values (?, ?, ?, ?, 'central', 1, 1000000)",
                    [submission_id, row, unit, programme])
    for row, (commune, year, village) in enumerate(sheets.get("poverty", []), start=2):
        con.execute("insert into raw.poverty (submission_id, excel_row, commune_code, commune_list, village, review_year, "
                    "total_households, poor_households, near_poor_households) values (?, ?, ?, '2025-07', ?, ?, 10, 1, 1)",
                    [submission_id, row, commune, village, year])
    for sheet in ("houses", "grants", "poverty"):
        loaded = len(sheets.get(sheet, []))
        con.execute("insert into raw.submission_sheets (submission_id, sheet, rows_read, rows_loaded, rows_rejected, "
                    "rows_skipped, warnings) values (?, ?, ?, ?, 0, 0, 0)", [submission_id, sheet, loaded, loaded])


def counting(con, sheet_kind=None) -> dict[str, tuple]:
    """submission -> (recency, counts, anchor, replaced) in its scope of `sheet_kind`."""
    supersession.refresh(con)
    rows = con.execute("select submission_id, recency, counts, anchor, replaced from raw.counting "
                       "where ? is null or sheet_kind = ?", [sheet_kind, sheet_kind]).fetchall()
    return {sid: tuple(rest) for sid, *rest in rows}


def counted(con, sheet_kind) -> set[str]:
    return {sid for sid, (_, counts, _, _) in counting(con, sheet_kind).items() if counts}


def ledger(con) -> dict[str, tuple]:
    """submission -> (status, kinds_carried, kinds_counting), as the last refresh left them."""
    return {sid: (status, carried, counting_kinds) for sid, status, carried, counting_kinds in con.execute(
        "select submission_id, status, kinds_carried, kinds_counting from raw.submissions").fetchall()}


def test_within_a_unit_and_month_each_step_of_the_latest_rule_decides(con):
    # a higher Lần gửi beats a later arrival
    submission(con, "a1", "03646", "2025-09", version=2, received=T(2025, 10, 1), houses=["H1"])
    submission(con, "z1", "03646", "2025-09", version=1, received=T(2025, 10, 5), houses=["H1"])
    # same Lần gửi: the later arrival beats a later modification time
    submission(con, "a2", "03649", "2025-09", received=T(2025, 10, 2), mtime=T(2025, 9, 1), houses=["H2"])
    submission(con, "z2", "03649", "2025-09", received=T(2025, 10, 1), mtime=T(2025, 9, 30), houses=["H2"])
    # same arrival (one run): the later modification time
    submission(con, "a3", "03652", "2025-09", mtime=T(2025, 9, 30), houses=["H3"])
    submission(con, "z3", "03652", "2025-09", mtime=T(2025, 9, 29), houses=["H3"])
    # all the same: the higher submission_id, only to be deterministic
    submission(con, "b4", "03655", "2025-09", houses=["H4"])
    submission(con, "a4", "03655", "2025-09", houses=["H4"])
    assert counted(con, "houses") == {"a1", "a2", "a3", "b4"}
    assert {sid: row[0] for sid, row in counting(con, "houses").items()} == {
        "a1": 1, "z1": 2, "a2": 1, "z2": 2, "a3": 1, "z3": 2, "b4": 1, "a4": 2}
    assert ledger(con)["z1"] == ("superseded", "houses", None)
    assert ledger(con)["a1"] == ("accepted", "houses", "houses")


def test_the_recency_order_is_the_dbt_var(con):
    """The raw layer and dbt rank by one list (dbt_project.yml's submission_recency_order)."""
    assert supersession.RECENCY == ("period desc nulls last, version desc nulls last, received_at desc nulls last, "
                                    "file_mtime desc nulls last, submission_id desc")


def test_poverty_counts_per_commune_and_review_year_whatever_month_carries_it(con):
    # a later reporting month beats a higher Lần gửi: January's v2 is replaced by February's v1 for 03646's 2025
    submission(con, "z1", "03646", "2026-01", version=2, received=T(2026, 2, 3), poverty=[("03646", 2025, None)])
    submission(con, "a1", "03646", "2026-02", version=1, received=T(2026, 3, 1), poverty=[("03646", 2025, None)])
    # ... while another commune-year January carries still counts from it
    submission(con, "z2", "03670", "2026-01", poverty=[("03670", 2025, None), ("03670", 2024, None)])
    submission(con, "a2", "03670", "2026-02", received=T(2026, 3, 1), poverty=[("03670", 2025, None)])
    supersession.refresh(con)
    rows = con.execute("select submission_id, scope, counts from raw.counting order by scope, submission_id").fetchall()
    assert rows == [("a1", "2025-07/03646/2025", True), ("z1", "2025-07/03646/2025", False),
                    ("z2", "2025-07/03670/2024", True),
                    ("a2", "2025-07/03670/2025", True), ("z2", "2025-07/03670/2025", False)]
    assert ledger(con)["z1"] == ("superseded", "poverty", None)
    assert ledger(con)["z2"] == ("accepted", "poverty", "poverty")   # partly replaced: keeps its status


def test_supplements_after_the_latest_full_report_count_with_it_and_what_it_replaced_is_marked(con):
    submission(con, "f0", "03646", "2025-09", received=T(2025, 10, 1), grants=["medical"])
    submission(con, "s0", "03646", "2025-09", version=2, received=T(2025, 10, 2), report_type="supplement",
               grants=["students"])
    submission(con, "f1", "03646", "2025-09", version=3, received=T(2025, 10, 3), grants=["medical"])
    submission(con, "s1", "03646", "2025-09", version=4, received=T(2025, 10, 4), report_type="supplement",
               grants=["production"])
    submission(con, "s2", "03646", "2025-09", version=5, received=T(2025, 10, 5), report_type="supplement",
               grants=["students"])
    # recency, counts, anchor, replaced
    assert counting(con, "grants") == {"s2": (1, True, False, False), "s1": (2, True, False, False),
                                       "f1": (3, True, True, False), "s0": (4, False, False, True),
                                       "f0": (5, False, False, True)}
    submission(con, "e0", "03646", "2025-09", version=1, received=T(2025, 9, 30), grants=["medical"])
    assert counting(con, "grants")["e0"] == (6, False, False, False)   # replaced before f1's predecessor: not f1's
    assert ledger(con)["s0"] == ("superseded", "grants", None)


def test_supplements_sent_alone_all_count_from_the_oldest(con):
    submission(con, "s1", "03646", "2025-09", report_type="supplement", houses=["H1"])
    submission(con, "s2", "03646", "2025-09", version=2, report_type="supplement", houses=["H2"])
    assert counting(con, "houses") == {"s2": (1, True, False, False), "s1": (2, True, True, False)}


def test_a_supplement_counts_for_the_kinds_it_carries_only(con):
    submission(con, "f1", "03646", "2025-09", houses=["H1"], grants=["medical"])
    submission(con, "f2", "03646", "2025-09", version=2, houses=["H1"])      # a full report of houses only
    assert counted(con, "houses") == {"f2"} and counted(con, "grants") == {"f1"}
    assert ledger(con)["f1"] == ("accepted", "grants,houses", "grants")


def test_a_submission_carrying_nothing_is_superseded_once_a_later_one_for_its_month_arrives(con):
    submission(con, "e1", "03646", "2025-09")                                  # empty sheets: carries nothing
    supersession.refresh(con)
    assert ledger(con)["e1"] == ("accepted", None, None)
    submission(con, "f2", "03646", "2025-09", version=2, grants=["medical"])
    supersession.refresh(con)
    assert ledger(con)["e1"] == ("superseded", None, None)
    submission(con, "f3", "03646", "2025-09", version=3)                       # a later empty one replaces nothing
    assert counted(con, "grants") == {"f2"}
    assert ledger(con)["f3"] == ("accepted", None, None)
    # rejected files are never counted
    submission(con, "r4", "03646", "2025-09", version=4, outcome="rejected")
    assert "r4" not in counting(con)


def test_poverty_villages_merge_but_a_whole_commune_row_or_a_change_of_shape_replaces(con):
    villages = [("03646", 2025, "Bản A"), ("03646", 2025, "Bản B")]
    submission(con, "v1", "03646", "2026-01", poverty=villages)
    submission(con, "v2", "03646", "2026-02", report_type="supplement", poverty=[("03646", 2025, "Bản A")])
    assert counting(con, "poverty") == {"v2": (1, True, False, False), "v1": (2, True, True, False)}
    # a whole-commune row sent as a supplement replaces the villages (a figure is its row or their sum)
    submission(con, "c3", "03646", "2026-03", report_type="supplement", poverty=[("03646", 2025, None)])
    assert counting(con, "poverty") == {"c3": (1, True, True, False), "v2": (2, False, False, True),
                                        "v1": (3, False, False, True)}
    # village rows over a whole-commune figure, even as a supplement, replace it too
    submission(con, "v4", "03646", "2026-04", report_type="supplement", poverty=villages)
    assert counting(con, "poverty") == {"v4": (1, True, True, False), "c3": (2, False, False, True),
                                        "v2": (3, False, False, False), "v1": (4, False, False, False)}


def test_what_an_approved_figure_replaced_stays_whatever_arrives_later(con):
    from pipeline.warehouse import approvals

    submission(con, "f1", "03646", "2026-01", poverty=[("03646", 2025, "Bản A"), ("03646", 2025, "Bản B")])
    submission(con, "f2", "03646", "2026-02", poverty=[("03646", 2025, "Bản A")])     # leaves Bản B out
    # the province approves February as it stands: f2 pinned for the commune's 2025 review
    con.execute("insert into raw.approval_events (event_id, action, unit_type, unit_code, period, recorded_at, "
                "recorded_by, as_of) values ('e1', 'approve', 'commune', '03646', '2026-02-01', ?, 'Cục Thống kê', ?)",
                [T(2026, 3, 20), dt.date(2026, 3, 20)])
    con.execute("insert into raw.approval_pins values ('e1', 'poverty', '2025-07/03646/2025', 'f2')")
    # a later full report waits for the province's approval
    submission(con, "f3", "03646", "2026-03", poverty=[("03646", 2025, "Bản A"), ("03646", 2025, "Bản C")])
    supersession.refresh(con)
    approvals.apply(con)
    rows = con.execute("select submission_id, counts, counted, replaced from raw.counting order by recency").fetchall()
    # the marts count f2 (approved), which replaced f1: what its figure should stand on is f1's villages too
    assert rows == [("f3", True, False, False), ("f2", False, True, False), ("f1", False, False, True)]
    supersession.refresh(con)                                      # the supersession rules alone: f3 replaced f2
    assert con.execute("select submission_id from raw.counting where replaced").fetchall() == [("f2",)]


def test_a_warehouse_an_earlier_version_counted_is_recounted_once_and_its_marts_rebuilt(tmp_path):
    warehouse = tmp_path / "warehouse"
    con = store.connect(warehouse)
    try:
        assert store.get_state(con, "counting_rule") == supersession.RULE_VERSION
        assert store.get_state(con, "ledger_version") is None           # an empty ledger: nothing to rebuild
        submission(con, "f1", "03646", "2025-09", houses=["H1"])
        submission(con, "f2", "03646", "2025-09", version=2, houses=["H1"])
        # as an earlier version left it: nothing counted (raw.counting came later), statuses as ingested
        store.set_state(con, "counting_rule", "1")
        store.set_state(con, "ledger_version", "7")
    finally:
        con.close()
    con = store.connect(warehouse)
    try:
        assert con.execute("select submission_id, counts, replaced from raw.counting order by 1").fetchall() == [
            ("f1", False, True), ("f2", True, False)]
        assert ledger(con)["f1"] == ("superseded", "houses", None)
        assert (store.get_state(con, "counting_rule"), store.get_state(con, "ledger_version")) == (
            supersession.RULE_VERSION, "8")
    finally:
        con.close()
    con = store.connect(warehouse)
    try:
        assert store.get_state(con, "ledger_version") == "8"            # once
    finally:
        con.close()
