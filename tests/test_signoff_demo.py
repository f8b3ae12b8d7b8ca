"""The demo signed off as ./scripts/demo does it (issue 26, item 5): after the plain load, every month up to 2026-08
approved as of the 20th of the month after it. District 125's correction of 2025-05, prepared on 2026-02-09, came
after that month's approval: it waits as a pending revision, the published 2020-2025 figures stay in the province's
ranges, and the re-publish records the revision of every figure the correction had moved (the load had published
it, provisionally)."""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys

import pytest

from runner import REPO, query

pytestmark = pytest.mark.slow   # a sign-off of the whole demo (dbt build, publish, report)

CORRECTION = "demo/125/2025/bao_cao_125_2025_05_lan2.xlsx"
ORIGINAL = "demo/125/2025/bao_cao_125_2025_05.xlsx"


def demo_signoff_command() -> list[str]:
    """The approve command of scripts/demo, as written there (without the warehouse it forwards)."""
    script = (REPO / "scripts" / "demo").read_text(encoding="utf-8")
    command = re.search(r"^exec \.venv/bin/python -m pipeline (approve .*?)\"\$\{where", script, re.S | re.M).group(1)
    return shlex.split(command.replace("\\\n", " "))


@pytest.fixture(scope="module")
def signed_off(demo_load, tmp_path_factory):
    warehouse = tmp_path_factory.mktemp("demo_signoff") / "warehouse"
    shutil.copytree(demo_load[0], warehouse)   # the session's demo load stays as it was for the other tests
    done = subprocess.run([sys.executable, "-m", "pipeline", *demo_signoff_command(), "--warehouse", str(warehouse)],
                          cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    return warehouse, done


def test_the_demo_command_approves_the_history_as_of_the_20th(signed_off):
    warehouse, done = signed_off
    assert demo_signoff_command()[:6] == ["approve", "--period", "2020-01..2026-08", "--all-received", "--as-of-day", "20"]
    assert "2025-05 district 125: approved as of 2025-06-20: 1 submission(s) pinned (grants, houses)" in done.stdout
    states = dict(query(warehouse, "select approval_status, count(*) from marts.agg_submission_completeness "
                                   "where period <= date '2026-08-01' group by 1"))
    # late (126 2023-03, 03907 2026-04: prepared after the 20th) and missing months stay provisional
    assert states["pending"] == 1 and states["provisional"] == 6 and states["approved"] > 1800


def test_district_125s_correction_waits_with_what_it_would_change(signed_off):
    warehouse, done = signed_off
    rows = query(warehouse, "select unit_code, period, sheet_kind, file_name, rows_added, rows_removed, rows_changed, "
                            "figures_before_after from audit.pending_revisions order by sheet_kind")
    assert [r[:7] for r in rows] == [("125", rows[0][1], "grants", CORRECTION, 1, 0, 0),
                                     ("125", rows[0][1], "houses", CORRECTION, 0, 0, 1)]
    [(before, after)] = query(warehouse, "select value_before, value_after from audit.pending_revision_figures "
                                         "where sheet_kind = 'houses' and figure = 'houses_completed_vnd' "
                                         "and value_after <> value_before")
    assert before - after == 3_000_000
    assert "pending revisions: 1 file(s) wait for the province's approval" in done.stdout


def test_the_published_houses_stay_in_the_provinces_ranges(signed_off):
    warehouse, _ = signed_off
    figures = dict(query(warehouse, "select figure, value from marts.rpt_headline where figure in "
                                    "('published_houses_completed', 'published_houses_completed_vnd')"))
    assert figures["published_houses_completed"] == 12_667
    assert figures["published_houses_completed_vnd"] == 628_937_000_000   # "over 628 billion"


def test_the_re_publish_records_the_revisions_the_held_back_correction_made(signed_off):
    warehouse, _ = signed_off
    [(correction,)] = query(warehouse, "select submission_id from audit.submissions where file_name = ?", [CORRECTION])
    [(original,)] = query(warehouse, "select submission_id from audit.submissions where file_name = ?", [ORIGINAL])
    revisions = query(warehouse, "select figure_key, previous_value, new_value, previous_approval_status, "
                                 "caused_by_submission_ids, replaced_submission_ids from marts.fct_revisions")
    by_key = {r[0]: r[1:] for r in revisions}
    cost = by_key["houses_completed_vnd||year|2025-01-01|province"]   # the load published it with the correction
    assert cost == (187_647_000_000, 187_650_000_000, "provisional", original, correction)
    # every one of them is the correction's: it stopped counting; the original counts again where it has rows
    # (the grant row the correction added has none: that commune's May production grant is withdrawn)
    assert all(r[5] == correction and r[4] in (original, None) for r in revisions)
    assert by_key["grants_vnd|production|month|2025-05-01|province"][:2] == (91_400_000, 80_800_000)
    assert by_key["grants_vnd|production|month|2025-05-01|04117"][:2] == (10_600_000, None)
    shown = query(warehouse, "select count(*) from marts.rpt_revisions where since_last_report")
    assert shown == [(len(revisions),)]
    page = (warehouse / "report" / "index.html").read_text(encoding="utf-8")
    assert f'data-revisions="{len(revisions)}"' in page and 'data-pending="2"' in page

