"""`python -m pipeline status` on real loads of the demo: who is late or missing in the latest months
due (checked against the published completeness by SQL), the files the last load rejected with their
reasons, and an answer while a load holds the warehouse."""
from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
from conftest import GAPS
from runner import REPO, query

from pipeline import status
from pipeline.warehouse import store
from pipeline.warehouse.lock import warehouse_lock

pytestmark = pytest.mark.slow   # real CLI loads of the demo

DAY_OF_THE_GAPS = dt.date(2026, 12, 7)   # 2026-10 and 2026-09 are the latest months due; 2026-11 is due 10/12


def _status(warehouse, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "status", "--warehouse", str(warehouse), *extra],
                          cwd=REPO, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PIPELINE_WAREHOUSE_URL": ""})


def _published_problems(warehouse, period: str) -> dict[str, set[tuple[str, str]]]:
    """state -> {(unit_code, unit_name)} of the units late, missing or with only rejected files, by SQL."""
    rows = query(warehouse, "select c.state, c.unit_code, u.unit_name from marts.agg_submission_completeness as c "
                            "join marts.dim_reporting_unit as u on u.unit_type = c.unit_type "
                            "and u.unit_code = c.unit_code where c.period = ? "
                            "and c.state in ('late', 'missing', 'rejected_only')", [f"{period}-01"])
    found: dict[str, set] = {"late": set(), "missing": set(), "rejected_only": set()}
    for state, code, name in rows:
        found[state].add((code, name))
    return found


def _told(month: dict) -> dict[str, set[tuple[str, str]]]:
    return {state: {(u["unit_code"], u["unit_name"]) for u in month[state]} for state in ("late", "missing",
                                                                                         "rejected_only")}


def test_status_names_the_late_and_missing_communes_of_the_latest_months_due(terminal_demo_load):
    warehouse = terminal_demo_load[0]
    report = status.gather(warehouse, today=DAY_OF_THE_GAPS)
    october, september = report["completeness"]
    assert (october["period"], september["period"]) == ("2026-10", "2026-09")
    assert {u["unit_code"] for u in october["missing"]} == {c for c, m in GAPS["missing"] if m == "2026-10"}
    assert [(u["unit_code"], u["days_late"]) for u in october["late"]] == [("03670", 10)]
    assert {u["unit_code"] for u in september["missing"]} == {c for c, m in GAPS["missing"] if m == "2026-09"}
    for month in (october, september):   # the published model says the same, with the same names
        assert _told(month) == _published_problems(warehouse, month["period"])
        assert all(name for units in _told(month).values() for _, name in units)
    assert report["month_now_due"]["period"] == "2026-11"
    text = status.render(report)
    # a missing file's days count to the day the load judged completeness on (its as_of: the day it ran in
    # Son La, 27 days after 10/11/2026 on 2026-12-07), as the published model says
    days = dict(query(warehouse, "select unit_code, days_late from marts.rpt_completeness "
                                 "where period = date '2026-10-01' and state = 'missing'"))
    assert days.keys() == {"03646", "03664"} and days["03646"] == days["03664"] >= 27
    assert (f"    missing: 03646 Phường Tô Hiệu ({days['03646']} days), 03664 Phường Chiềng An ({days['03664']} days)"
            in text)
    assert "    late: 03670 Phường Chiềng Cơi (10 days)" in text


def test_the_command_agrees_with_the_published_completeness(terminal_demo_load):
    """The command itself, on today's date: whichever months are the latest due, it names exactly the
    units the published model has late, missing or with only rejected files."""
    warehouse = terminal_demo_load[0]
    done = _status(warehouse, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert len(report["completeness"]) == 2
    for month in report["completeness"]:
        published = _published_problems(warehouse, month["period"])
        if any(published.values()) or month["published"]:
            assert _told(month) == published
        else:   # after the published months: every unit in force is missing
            assert month["counts"]["missing"] == month["units"] == 75


def test_status_lists_the_files_the_last_load_rejected_with_their_reasons(demo_load):
    warehouse = demo_load[0]
    done = _status(warehouse, "--json")
    assert done.returncode == 0, done.stderr
    told = {f["file"]: f for f in json.loads(done.stdout)["rejected_files"]["files"]}
    ledger = query(warehouse, "select file_name, status, reason, rows_rejected from audit.submissions "
                              "where status = 'rejected' or rows_rejected > 0")
    assert set(told) == {file_name for file_name, *_ in ledger} and len(told) == 9
    for file_name, state, reason, rows_rejected in ledger:
        assert told[file_name]["reason"].startswith(reason)
        if rows_rejected:
            [(row_reason,)] = query(warehouse, "select distinct r.reason from audit.rejected_rows as r join "
                                               "audit.submissions as s using (submission_id) where s.file_name = ?",
                                    [file_name])
            assert told[file_name]["reason"] == f"{reason}: {row_reason}"
        else:
            assert state == "rejected" and told[file_name]["outcome"] == "rejected"
    text = _status(warehouse).stdout
    assert "Files rejected by the load of " in text and ": 3, and 6 loaded with rows rejected" in text
    assert "demo/bao_cao_119_2024_13.xlsx (119, ?): rejected: reporting period (Kỳ báo cáo) '13/2024' is not a month" \
        in text
    assert "Last load: " in text and "exit 0 (completed)" in text


def test_status_answers_while_a_load_holds_the_warehouse(demo_load):
    """What a load holds: the warehouse's lock and the internal DuckDB file open for writing."""
    warehouse = demo_load[0]
    with warehouse_lock(warehouse, timeout=0):
        con = store.connect(warehouse)   # read-write, as the ingest holds it
        try:
            other = subprocess.run([sys.executable, "-c", "import duckdb, sys; duckdb.connect(sys.argv[1], read_only=True)",
                                    str(store.internal_path(warehouse))], capture_output=True, text=True)
            assert other.returncode != 0 and "lock" in other.stderr   # nobody else can open the internal file now
            done = _status(warehouse)
        finally:
            con.close()
    assert done.returncode == 0, done.stderr
    assert "Completeness (due on day 10 of the following month):" in done.stdout
    assert "demo/bao_cao_119_2024_13.xlsx" in done.stdout
