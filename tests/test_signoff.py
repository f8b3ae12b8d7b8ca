"""Official figures (issue 26; warehouse contract, "Sign-off, revisions, standards and outliers"), through the real
commands on a real warehouse: `python -m pipeline load`, `approve`, `unapprove`, `approvals`, `figures`. One story
in a module fixture, each step's outcome kept for the tests below:

1. the units' files load; the province approves September 2025 and January 2026 as of the 20th after each;
2. a correction of September (Lần gửi 2, prepared in February) and a February file correcting the 2025 poverty
   review arrive: they load, the marts keep the approved figures, both wait as pending revisions with their
   before -> after, the clerk is told the file awaits the province's approval;
3. the province approves September again: the marts take the correction, and the revision is recorded (before,
   after, first published, which file caused it);
4. it unapproves September: the month is provisional again (the correction still counts: it is the latest);
5. bad input changes nothing; `figures --as-of` the first publish prints what that publish printed;
6. a full rebuild (dbt's schemas dropped) keeps the approvals and every published figure; a sign-off killed
   after it recorded, before it published, leaves the approval whole and the next approve publishes it.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from history_books import case, commune_book, district_book
from runner import REPO, query, run_load

pytestmark = pytest.mark.slow   # real CLI loads and sign-offs (dbt build, publish, report)

D = dt.date
M = 1_000_000
BY = "Cục Thống kê tỉnh Sơn La"
TIME_LIMIT = 900


def cli(*args: str, timeout: int = TIME_LIMIT) -> subprocess.CompletedProcess:
    env = {**os.environ, "GX_ANALYTICS_ENABLED": "false"}
    env.pop("DAGSTER_HOME", None)
    return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def september(src: Path, version: int = 1, prepared: str = "05/10/2025", central: int = 40 * M, grants=()) -> None:
    name = "bao_cao_09_2025.xlsx" if version == 1 else f"bao_cao_09_2025_lan{version}.xlsx"
    commune_book(src / "03646" / name, "03646", "09/2025", version=version, prepared=prepared, houses=[
        case("03646-2025-011", D(2025, 7, 2), D(2025, 9, 12), central=central),
        case("03646-2025-012", D(2025, 8, 5))],
        grants=[("Khám chữa bệnh", 12, 3_600_000, "Ngân sách trung ương"), *grants])


def first_files(src: Path) -> None:
    september(src)
    commune_book(src / "03664" / "bao_cao_09_2025.xlsx", "03664", "09/2025", prepared="06/10/2025",
                 houses=[case("03664-2025-001", D(2025, 8, 2), D(2025, 9, 14))])
    commune_book(src / "03760" / "bao_cao_01_2026.xlsx", "03760", "01/2026", prepared="06/02/2026",
                 villages=[("Bản Bám", 2025, 1010, 100, 98)])
    district_book(src / "118" / "bao_cao_06_2025.xlsx", "118", "06/2025", prepared="07/07/2025",
                  grants=[("03682", "Khám chữa bệnh", 10, 5_000_000, "Ngân sách trung ương")])


def corrections(src: Path) -> None:
    # September again: one house's central budget 3 million lower, a students' grant the first file forgot
    september(src, version=2, prepared="09/02/2026", central=37 * M,
              grants=[("Hỗ trợ học sinh", 5, 2_000_000, "Ngân sách địa phương")])
    # the 2025 review of Bản Bám corrected in February's report: 120 poor households, not 100
    commune_book(src / "03760" / "bao_cao_02_2026.xlsx", "03760", "02/2026", prepared="10/02/2026",
                 villages=[("Bản Bám", 2025, 1010, 120, 98)])


# (rpt_headline's windows follow the latest month reported, which a file for a later month moves)
MARTS = ("fct_houses", "fct_grants", "fct_poverty_rates", "agg_poverty_province_year", "rpt_houses_month",
         "rpt_houses_year", "rpt_grants_month", "rpt_poverty_province", "rpt_poverty_commune")


def marts(warehouse: Path) -> dict:
    """The published figures that must not move while a correction waits (ids and sign-off columns included)."""
    return {table: sorted(map(repr, query(warehouse, f"select * from marts.{table}"))) for table in MARTS}


def published_block(stdout: str) -> list[str]:
    """The figure lines a sign-off (or `figures`) printed, from its 'Headline figures' header on (not the
    paths of its log and of the report that follows it)."""
    lines = [line.strip() for line in stdout.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("Headline figures"))
    return [line for line in lines[start:]
            if line and not re.match(r"(log|report|report PDF|data dictionary): ", line)]


def submission_id(warehouse: Path, file_name: str) -> str:
    [(found,)] = query(warehouse, "select submission_id from audit.submissions where file_name = ?", [file_name])
    return found


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    root = tmp_path_factory.mktemp("signoff")
    src, warehouse = root / "sources", root / "warehouse"
    first_files(src)
    seen: dict = {}
    done = run_load(src, warehouse)
    assert done.returncode == 0, done.stderr[-3000:]
    # 1. September and January approved, each as of the 20th of the month after it
    seen["approve"] = cli("approve", "--period", "2025-09", "--period", "2026-01", "--all-received", "--by", BY,
                          "--as-of-day", "20", "--warehouse", str(warehouse))
    assert seen["approve"].returncode == 0, seen["approve"].stderr[-3000:]
    [(seen["first_publish"],)] = query(warehouse, "select max(published_at) from marts.fct_published_figures")
    seen["approved_marts"] = marts(warehouse)
    # 2. the corrections arrive
    corrections(src)
    seen["load2"] = run_load(src, warehouse)
    assert seen["load2"].returncode == 0, seen["load2"].stderr[-3000:]
    seen["after_resubmit"] = marts(warehouse)
    seen["pending"] = query(warehouse, "select unit_code, period, sheet_kind, file_name, rows_added, rows_removed, "
                                       "rows_changed, figures_before_after from audit.pending_revisions "
                                       "order by unit_code, sheet_kind")
    seen["pending_figures"] = query(warehouse, "select sheet_kind, scope, figure, programme, value_before, value_after "
                                               "from audit.pending_revision_figures where change <> 0 order by 1, 2, 3, 4")
    seen["approvals_listing"] = cli("approvals", "--period", "2025-09", "--warehouse", str(warehouse))
    seen["feedback"] = sorted((warehouse / "feedback").glob("03646_2025-09_v2_*.xlsx"))
    seen["completeness"] = query(warehouse, "select unit_code, period, approval_status from "
                                            "marts.agg_submission_completeness where approval_status <> 'provisional' "
                                            "order by 1, 2")
    # 3. approved again: the correction adopted
    seen["approve_again"] = cli("approve", "--period", "2025-09", "--unit", "03646", "--by", BY, "--note",
                                "correction accepted", "--warehouse", str(warehouse))
    assert seen["approve_again"].returncode == 0, seen["approve_again"].stderr[-3000:]
    seen["revisions"] = query(warehouse, "select figure_key, previous_value, new_value, previous_approval_status, "
                                         "new_approval_status, first_published_at, first_published_value, revised_at, "
                                         "caused_by_submission_ids, replaced_submission_ids from marts.fct_revisions "
                                         "order by figure_key")
    seen["rpt_revisions"] = query(warehouse, "select unit_name, label_en, caused_by_files, replaced_files, "
                                             "is_official_revision, since_last_report from marts.rpt_revisions "
                                             "where unit_scope = '03646' and period_type = 'month'")
    seen["houses_after_adoption"] = query(warehouse, "select household_id, total_vnd, approval_status, submission_id "
                                                     "from marts.fct_houses where commune_code = '03646' order by 1")
    seen["report"] = (warehouse / "report" / "index.html").read_text(encoding="utf-8")
    # 4. unapproved
    seen["unapprove"] = cli("unapprove", "--period", "2025-09", "--unit", "03646", "--by", BY,
                            "--warehouse", str(warehouse))
    assert seen["unapprove"].returncode == 0, seen["unapprove"].stderr[-3000:]
    seen["houses_unapproved"] = query(warehouse, "select household_id, total_vnd, approval_status from "
                                                 "marts.fct_houses where commune_code = '03646' order by 1")
    seen["approvals_unapproved"] = query(warehouse, "select unit_code, period, state, times_approved, approval_status, "
                                                    "unapproved_by from marts.fct_approvals order by 1, 2")
    return root, src, warehouse, seen


def test_approving_pins_what_had_come_by_the_20th(story):
    _, _, warehouse, seen = story
    out = seen["approve"].stdout
    assert "2025-09 commune 03646: approved as of 2025-10-20: 1 submission(s) pinned (grants, houses)" in out
    assert "2025-09 commune 03664: approved as of 2025-10-20: 1 submission(s) pinned (houses)" in out
    assert "2026-01 commune 03760: approved as of 2026-02-20: 1 submission(s) pinned (poverty)" in out
    assert ("03664", D(2025, 9, 1), "approved") in seen["completeness"]


def test_a_correction_of_an_approved_month_leaves_the_marts_unchanged(story):
    _, _, _, seen = story
    assert seen["after_resubmit"] == seen["approved_marts"]


def test_the_correction_is_listed_as_pending_with_what_it_would_change(story):
    _, _, _, seen = story
    assert seen["pending"] == [
        ("03646", D(2025, 9, 1), "grants", "03646/bao_cao_09_2025_lan2.xlsx", 1, 0, 0,
         "grants_beneficiaries students: 0 -> 5; grants_vnd students: 0 -> 2000000"),
        ("03646", D(2025, 9, 1), "houses", "03646/bao_cao_09_2025_lan2.xlsx", 0, 0, 1,
         "houses_completed_vnd: 60000000 -> 57000000"),
        ("03760", D(2026, 2, 1), "poverty", "03760/bao_cao_02_2026.xlsx", 0, 0, 1, "poor_households: 100 -> 120")]
    assert ("houses", "commune/03646/2025-09-01", "houses_completed_vnd", None, 60 * M, 57 * M) in seen["pending_figures"]
    assert ("03646", D(2025, 9, 1), "pending") in seen["completeness"]
    listing = seen["approvals_listing"].stdout
    assert "Sign-off of 2025-09: 75 units, approved 1, pending 1, provisional 73" in listing
    assert re.search(r"03646\s+Phường Tô Hiệu\s+pending", listing)
    assert ("03646 2025-09 houses: 03646/bao_cao_09_2025_lan2.xlsx (Lần gửi 2, prepared 09/02/2026): rows added 0, "
            "removed 0, changed 1; houses_completed_vnd: 60000000 -> 57000000") in listing


def test_the_clerk_is_told_the_file_awaits_the_provinces_approval(story):
    _, _, _, seen = story
    [workbook] = seen["feedback"]
    cells = [str(c) for sheet in openpyxl.load_workbook(workbook).worksheets
             for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("tỉnh đã phê duyệt kỳ 09/2025" in c and "đang chờ tỉnh phê duyệt" in c for c in cells)
    assert any("awaits the province's approval" in c for c in cells)


def test_approving_again_adopts_it_and_the_revision_is_recorded(story):
    _, _, warehouse, seen = story
    assert "2025-09 commune 03646: approved again (pending revisions adopted)" in seen["approve_again"].stdout
    assert [(h, int(v), s) for h, v, s, _ in seen["houses_after_adoption"]] == [
        ("03646-2025-011", 57 * M, "approved"), ("03646-2025-012", 60 * M, "approved")]
    corrected = submission_id(warehouse, "03646/bao_cao_09_2025_lan2.xlsx")
    first = submission_id(warehouse, "03646/bao_cao_09_2025.xlsx")
    revisions = {r[0]: r[1:] for r in seen["revisions"]}
    month = revisions["houses_completed_vnd||month|2025-09-01|03646"]
    previous, new, before_status, after_status, first_at, first_value, revised_at, caused, replaced = month
    assert (previous, new, before_status, after_status) == (60 * M, 57 * M, "approved", "approved")
    assert first_value == 60 * M and first_at < revised_at and (caused, replaced) == (corrected, first)
    # the province's month and year, and the students' grant that was not published before (new, not revised)
    assert revisions["houses_completed_vnd||month|2025-09-01|province"][:2] == (120 * M, 117 * M)
    assert revisions["houses_completed_vnd||year|2025-01-01|province"][:2] == (120 * M, 117 * M)
    assert not any(key.startswith("grants_vnd|students") for key in revisions)
    assert ("Phường Tô Hiệu", "Cost of the houses completed (VND)", "03646/bao_cao_09_2025_lan2.xlsx",
            "03646/bao_cao_09_2025.xlsx", True, True) in seen["rpt_revisions"]
    assert 'data-revisions="' in seen["report"] and "03646/bao_cao_09_2025_lan2.xlsx" in seen["report"]


def test_unapproving_returns_the_month_to_provisional(story):
    _, _, _, seen = story
    assert "2025-09 commune 03646: unapproved: provisional again" in seen["unapprove"].stdout
    assert [(h, int(v), s) for h, v, s in seen["houses_unapproved"]] == [
        ("03646-2025-011", 57 * M, "provisional"), ("03646-2025-012", 60 * M, "provisional")]
    assert ("03646", D(2025, 9, 1), "unapproved", 2, "provisional", BY) in seen["approvals_unapproved"]
    assert ("03664", D(2025, 9, 1), "approved", 1, "approved", None) in seen["approvals_unapproved"]


def test_figures_as_of_the_first_publish_are_what_it_printed(story):
    _, _, warehouse, seen = story
    printed = published_block(seen["approve"].stdout)
    assert any("houses_completed_vnd" in line and "120,000,000" in line for line in printed)
    when = seen["first_publish"].isoformat(sep="T", timespec="seconds")
    shown = cli("figures", "--as-of", when, "--warehouse", str(warehouse))
    assert shown.returncode == 0, shown.stderr
    assert published_block(shown.stdout) == printed
    now = cli("figures", "--warehouse", str(warehouse))
    assert any("houses_completed_vnd" in line and "117,000,000" in line for line in published_block(now.stdout))


@pytest.mark.parametrize("args, message", [
    (["--period", "2025-09", "--unit", "99999"], "unknown reporting unit 99999"),
    (["--period", "2025-09", "--unit", "118"], "unit 118 was not in force in 2025-09"),
    (["--period", "2025-09", "--unit", "03670"], "nothing received from unit 03670 for 2025-09"),
    (["--period", "2099-01", "--all-received"], "2099-01 is in the future"),
    (["--period", "2025-9", "--all-received"], "period '2025-9' is not a month written YYYY-MM"),
])
def test_bad_input_is_refused_with_exit_2_and_nothing_changes(story, args, message):
    _, _, warehouse, _ = story
    bi = warehouse / "bi.duckdb"
    before = (bi.stat().st_mtime_ns, query(warehouse, "select count(*) from marts.fct_approvals"))
    done = cli("approve", *args, "--by", BY, "--warehouse", str(warehouse))
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert (bi.stat().st_mtime_ns, query(warehouse, "select count(*) from marts.fct_approvals")) == before


def _drop_dbt_schemas(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse / "internal" / "warehouse.duckdb"))
    try:
        for schema in ("staging", "intermediate", "marts", "audit", "reference"):
            con.execute(f"drop schema if exists {schema} cascade")
    finally:
        con.close()


def test_a_full_rebuild_keeps_the_approvals_and_every_published_figure(story, tmp_path):
    _, original_sources, original, _ = story
    src, warehouse = tmp_path / "sources", tmp_path / "warehouse"
    shutil.copytree(original_sources, src)
    shutil.copytree(original, warehouse)
    history = query(warehouse, "select * from marts.fct_published_figures order by published_at, figure_key")
    approvals = query(warehouse, "select * from marts.fct_approvals order by unit_code, period")
    _drop_dbt_schemas(warehouse)
    commune_book(src / "03670" / "bao_cao_10_2025.xlsx", "03670", "10/2025", prepared="06/11/2025",
                 grants=[("Khám chữa bệnh", 3, 900_000, "Ngân sách trung ương")])
    done = run_load(src, warehouse)
    assert done.returncode == 0, done.stderr[-3000:]
    assert query(warehouse, "select * from marts.fct_approvals order by unit_code, period") == approvals
    after = query(warehouse, "select * from marts.fct_published_figures order by published_at, figure_key")
    assert after[:len(history)] == history and len(after) > len(history)   # kept, and the new October figures


class Approve:
    """`python -m pipeline approve --verbose` in its own session, stderr read as it comes (to kill it mid-way)."""

    def __init__(self, *args: str):
        env = {**os.environ, "GX_ANALYTICS_ENABLED": "false", "PYTHONUNBUFFERED": "1"}
        env.pop("DAGSTER_HOME", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "pipeline", "approve", "--verbose", *args], cwd=REPO,
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.lines: list[str] = []
        threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True).start()

    def kill_when(self, predicate, limit: float = TIME_LIMIT) -> None:
        deadline = time.monotonic() + limit
        while not any(predicate(line) for line in list(self.lines)):
            assert self.proc.poll() is None, f"it ended before the moment came:\n{''.join(self.lines)[-3000:]}"
            assert time.monotonic() < deadline, "the moment never came"
            time.sleep(0.05)
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def connect_when_released(database: Path, limit: float = 60) -> duckdb.DuckDBPyConnection:
    """A read-only connection once a killed command has let the file go: its work ran in a forked child
    (pipeline/afterwards.py), killed with it, whose threads may still be exiting (the lock goes with them)."""
    deadline = time.monotonic() + limit
    while True:
        try:
            return duckdb.connect(str(database), read_only=True)
        except duckdb.IOException as error:
            if "Could not set lock" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_sign_off_killed_before_it_published_is_published_by_the_next(story, tmp_path):
    _, _, original, _ = story
    warehouse = tmp_path / "warehouse"
    shutil.copytree(original, warehouse)
    published = (warehouse / "bi.duckdb").stat().st_mtime_ns
    run = Approve("--period", "2026-01", "--unit", "03760", "--by", BY, "--warehouse", str(warehouse))
    run.kill_when(lambda line: " START sql " in line)   # the approval recorded, dbt building
    assert (warehouse / "bi.duckdb").stat().st_mtime_ns == published
    con = connect_when_released(warehouse / "internal" / "warehouse.duckdb")
    try:   # whole: the event with its pins, and what counts follows it
        [(event, pins)] = con.execute(
            "select e.event_id, count(p.event_id) from raw.approval_events as e left join raw.approval_pins as p "
            "on p.event_id = e.event_id where e.event_id = (select event_id from raw.approval_events "
            "where unit_code = '03760' order by recorded_at desc limit 1) group by 1").fetchall()
        counted = con.execute("select s.file_name, c.counted from raw.counting as c join raw.submissions as s "
                              "on s.submission_id = c.submission_id where c.sheet_kind = 'poverty'").fetchall()
    finally:
        con.close()
    assert pins == 1 and sorted(counted) == [("03760/bao_cao_01_2026.xlsx", False), ("03760/bao_cao_02_2026.xlsx", True)]
    again = cli("approve", "--period", "2026-01", "--unit", "03760", "--by", BY, "--warehouse", str(warehouse))
    assert again.returncode == 0, again.stderr[-3000:]
    assert "already approved" in again.stdout and "published warehouse" in again.stdout
    assert query(warehouse, "select poor_households, approval_status from marts.fct_poverty_rates "
                            "where commune_code = '03760'") == [(120, "approved")]
    assert query(warehouse, "select count(*) from audit.pending_revisions") == [(0,)]
